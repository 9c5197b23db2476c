"""Every Chinese text of the declarations feature, once (status, action and group labels live with the
lifecycle; the kinds' with the model)."""

from __future__ import annotations

ENTRY = "declaration:entry"
REVIEW = "declaration:review"
QUERY = "query:print"  # 业务数据查询
IMPORT = "query:import"  # 导入

REVIEW2 = "declaration:review2"
OPEN_DECLARATIONS = "报关单"

MSG_KIND_OFF = "企业已停用“{kind}”业务，请联系企业管理员在“企业设置 → 业务设置”中启用"
MSG_TOO_LONG = "{label}不能超过 {size} 个字符"
MSG_CODE_TOO_LONG = "{label}应为不超过 {size} 位的代码，请从列表中选择"
MSG_DATE = "{label}应为日期，如 2026-03-02"
MSG_INTEGER = "{label}应为不小于 0 的整数"
MSG_DECIMAL = "{label}应为不小于 0 的数字（最多 5 位小数）"
MSG_SIGNED_DECIMAL = "{label}应为数字（最多 5 位小数；应扣除的填负数）"
MSG_CHOICE = "请从列表中选择{label}"
MSG_FEE_MARK_NEEDED = "填写{label}时请选择标记：1 率、2 单价、3 总价"
MSG_FEE_RATE = "{label}按率填报时应为百分比数值，大于 0 且不超过 100（如 5% 填 5）"
MSG_FEE_RATE_NO_CURRENCY = "{label}按率填报时不填币制"
MSG_FEE_AMOUNT = "{label}按单价或总价填报时应不为 0"
MSG_FEE_NEEDED = "成交方式为 {mode} 时，出口货物应填报{label}"
MSG_FEE_NOT_INCLUDED = "成交方式为 {mode} 时不填报{label}"
MSG_TOO_MANY_ROWS = "最多 {count} 行"
MSG_REQUIRED = "请填写{label}"
MSG_UNKNOWN_CODE = "{label}“{code}”不在{table}代码表中，请从列表中选择"
MSG_CREDIT_CODE = "{label}有误：{problem}"
MSG_NO_ITEMS = "请至少录入一项商品"
MSG_NET_OVER_GROSS = "净重不能大于毛重"
MSG_TOTAL = "总价应等于数量 × 单价（{quantity} × {price} = {expected}，允许相差 {tolerance}）"
MSG_LEGAL_UNIT = "商品编号 {hs} 的法定第一计量单位为“{unit}”"
MSG_SECOND_UNIT = "商品编号 {hs} 的法定第二计量单位为“{unit}”"
MSG_NO_SECOND_UNIT = "商品编号 {hs} 没有法定第二计量单位，请留空"
MSG_SAME_UNIT_QUANTITY = "成交计量单位与法定计量单位相同时，数量应相同（法定数量 {legal}）"
MSG_TRANSIT_ONLY = "只有转关提前报关单（清单）填写{label}"
MSG_SOUTHERN_ONLY = "转关提前报关仅适用于南方模式的申报地海关（广东关区：广州、黄埔、深圳、拱北、汕头、湛江、江门）"
MSG_CONTAINER_NO = "集装箱号应为 4 位字母加 7 位数字，如 TGHU8491952"
MSG_GOODS_NUMBERS = "商品项号应为本报关单已有的项号，以逗号分隔，如 1,2"
MSG_STALE = "报关单已被他人修改，请刷新后再保存"
MSG_NOT_FOUND = "报关单不存在或无权查看"
MSG_UNKNOWN_TABLE = "代码表不存在"
MSG_UNKNOWN_KIND = "请选择报关单类型"

# Hints from the enterprise's audited library rows (shown before submission, never blocking).
HINT_DIFFERS = "与规范申报库中海关审核为“规范”的申报（{entry} 第 {item} 项：{spec}）不同"
HINT_MATCHES_NONSTANDARD = "与规范申报库中海关审核为“不规范”的申报（{entry} 第 {item} 项）相同，审核意见：{remarks}"

DONE_SAVED = "已暂存"
DONE_SUBMITTED = "已提交审核"
DONE_COPIED = "已复制为新的草稿"
DONE_DELETED = "已删除"
DONE_WITHDRAWN = "已撤回为草稿"
DONE_APPROVED = "已审核通过"
DONE_RETURNED = "已退回制单人"
DONE_DECLARED = "已申报"

# 异常状态登记 (exceptions) and the 报关差错率
EXCEPTION_EDIT = "exception:edit"
KIND_LABELS = {"declaration": "报关单异常", "bonded_list": "核注清单异常"}
NUMBER_LABELS = {"declaration": "报关单号", "bonded_list": "清单编号"}
TYPE_LABELS = {"modify_delete": "删改单", "inspection": "查验", "rejection": "退单", "other": "其他"}
EXCEPTION_STATUS_LABELS = {"pending": "待处理", "handling": "处理中", "done": "已完成"}
IE_LABELS = {"E": "出口", "I": "进口"}
MSG_EXCEPTION_NOT_FOUND = "异常记录不存在或无权查看"
MSG_EXCEPTION_STALE = "异常记录已被他人修改，请刷新后再保存"
MSG_DECLARATION_NUMBER = "报关单号应为 18 位数字"
MSG_LIST_NUMBER = "清单编号应为 18 位字母或数字"
MSG_CHOOSE = "请选择{label}"
MSG_FUTURE_DATE = "{label}不能晚于今天"
MSG_DONE_BEFORE = "完成日期不能早于发生日期"
MSG_DONE_ONLY = "处理状态为“已完成”时才填写完成日期"
MSG_PENALTY_TARGET = "海关处罚时请填写处罚对象"
MSG_NO_PENALTY_TARGET = "海关未处罚时不填写处罚对象"
MSG_SELECT_ROWS = "请勾选要操作的记录"
MSG_SELECT_ONE = "变更状态请只勾选一条记录"
MSG_BAD_MONTH = "月份格式应为 年-月，如 2026-03"
MSG_MONTH_ORDER = "开始月份不能晚于结束月份"
MSG_MONTH_SPAN = "统计期间最多 24 个月"
RECEIPT_REASON = "{receipt}（系统根据海关回执自动登记）"
UNASSIGNED = "未填写"
DONE_EXCEPTION_SAVED = "已保存异常登记"
DONE_EXCEPTION_STATUS = "已变更处理状态"
DONE_EXCEPTIONS_DELETED = "已删除 {count} 条异常记录"
RATE_TITLE = "报关差错率"
RATE_BY_MONTH = "报关差错率（%）按月"
RATE_BY_POST = "差错率（%）按责任岗位"
RATE_BY_PERSON = "差错率（%）按责任人"
EXCEPTION_FIELDS = {
    "number": "号码", "trade_name": "境内收发货人", "ie_flag": "进出口", "client_name": "委托企业",
    "exception_type": "异常类型", "occurred_on": "发生日期", "post": "责任岗位", "responsible": "责任人",
    "penalized": "海关是否处罚", "penalty_target": "处罚对象", "status": "处理状态", "done_on": "完成日期",
    "reason": "异常原因", "attachment": "附件", "kind": "异常类别",
}
YES_NO = {True: "是", False: "否"}

# 业务数据查询
QUERY_LABELS = {"date_from": "最近操作时间起", "date_to": "最近操作时间止", "status": "申报状态", "kind": "报关单类型",
                "number": "系统编号", "seq_no": "统一编号", "entry_id": "海关编号", "bill_no": "提运单号",
                "trade": "境内收发货人", "declare_office": "申报地海关", "trade_mode": "监管方式", "owner": "制单人"}
MSG_SELECT_SOME = "请勾选报关单"
MSG_TOO_MANY_SELECTED = "一次最多勾选 {count} 份报关单"
MSG_SUBMIT_REFUSED = "有 {count} 处需修改，请打开报关单查看"
DONE_SUBMITTED_SOME = "已提交审核 {done} 份，未提交 {refused} 份"

# 导入
IMPORT_GROUP = "报关单序号"
IMPORT_KIND = "报关单类型"
IMPORT_ERROR_COLUMN = "错误原因"
IMPORT_INSTRUCTIONS = (
    "填写说明",
    "1. 每行一个商品项；同一报关单的商品行填写相同的“报关单序号”，并连续排列。",
    "2. 表头各列（报关单类型至备注）在同一报关单的每一行填写相同内容。",
    "3. 代码列可从下拉列表选择（“代码 名称”），也可只填代码。",
    "4. 规格型号按商品目录的申报要素顺序以“|”分隔，如“0|3|深沟球|SKF|6205-2RS|||”。",
    "5. 有误的报关单整单不导入，其各行列入“错误数据”文件（有误的单元格标红）；修改后只需重新上传该文件。",
    "6. 导入成功的报关单为草稿，可在报关单录入中修改后提交审核。",
)
MSG_IMPORT_FILE_EMPTY = "请选择要上传的 Excel 文件"
MSG_IMPORT_FILE_TOO_LARGE = "文件不能超过 20 MB"
MSG_IMPORT_NOT_XLSX = "请上传 Excel（.xlsx）文件，可先下载导入模板"
MSG_IMPORT_HEADERS = "文件缺少以下列：{columns}，请使用导入模板"
MSG_IMPORT_SAME_FILE = "该文件已于 {at} 导入，未重复导入"
MSG_IMPORT_NOT_FOUND = "导入记录不存在或无权查看"
MSG_GROUP_SPLIT = "报关单序号 {group} 的商品行应连续排列（第 {row} 行已出现）"
MSG_HEAD_DIFFERS = "与本报关单第一行（第 {row} 行）不同"
MSG_OTHER_ROW_BAD = "本报关单其他行有误，整单未导入"
MSG_IMPORT_NOTE = "由导入文件“{filename}”创建"

# 数据同步 with the single window (services.declarations.sync); the protocol's codes and how they read.
SYNC = "sync:run"
DECL_TYPES = {"E0": "出口报关单", "E1": "出口备案清单", "E2": "出口转关提前报关", "E3": "出境转关提前备案清单"}
ENTERPRISE_CATEGORIES = {"trade": "境内收发货人", "agent": "申报单位", "owner": "生产销售单位"}
BONDED_ROLES = {"operating": "经营企业", "processing": "加工企业", "declaring": "申报企业"}
DATA_SOURCES = {"1": "单一窗口录入", "2": "导入", "3": "接口"}
DATA_STATUSES = {"0": "暂存", "1": "申报成功", "2": "审批通过", "3": "退单"}
PRE_APPROVALS = {"0": "待审核", "1": "通过", "2": "未通过"}
PRE_APPROVED = "1"
RECEIPT_TYPES = {"entered": "海关入库", "inspected": "查验", "released": "放行", "cleared": "结关", "deleted": "删单",
                 "rejected": "退单"}
MSG_SEQ_NO = "统一编号应为 18 位字母或数字"
MSG_DAY_RANGE = "开始日期不能晚于结束日期"
MSG_DAY_SPAN = "按天同步一次最多 {days} 天"
MSG_FUTURE = "不能同步今天以后的日期"
MSG_TRADE_CODE = "境内收发货人应为 18 位统一社会信用代码"
MSG_SYNC_NOT_FOUND = "单一窗口中没有找到该{what}"
MSG_RUN_NOT_FOUND = "同步记录不存在"
MSG_DECLARE_FAILED = "申报未成功，报关单仍为“审核通过”：{reason}"
MSG_BONDED_NOT_FOUND = "核注清单不存在或无权查看"
MSG_NOT_PRE_APPROVED = "只有预审核状态为“通过”的核注清单可以生成报关单"
MSG_ALREADY_GENERATED = "该核注清单已生成报关单"
NOTE_SYNCED = "由单一窗口同步（{category}）"
NOTE_GENERATED = "由核注清单 {list_no} 生成"
PROBLEM_NO_DECLARATION = "本系统中没有该统一编号的报关单"
PROBLEM_UNKNOWN_TYPE = "未知的回执类型"
DONE_SYNC_STARTED = "同步已开始，进度见下方同步记录"
DONE_GENERATED = "已由核注清单生成报关单草稿"
SYNC_CHART_TITLE = "近 30 天每日同步数据量（按最近操作时间）"

# 审单 (visual review)
ITEM_FIELD = "第 {n} 项 {label}"
MARK_LABELS = {"right": "正确", "wrong": "有误", "none": "未标记"}
MSG_NO_REVIEW = "没有审单权限"
MSG_NOT_UNDER_REVIEW = "报关单状态为“{status}”，不在审核中"
MSG_MARK_COMMENT = "标为有误时请填写意见"
MSG_COMMENT_TOO_LONG = "意见不能超过 {size} 个字符"
MSG_UNKNOWN_FIELD = "该字段不在报关单中"
MSG_MARK_STALE = "该字段已被他人标记，已显示最新标记"
MSG_RETURN_NEEDS = "请至少标红一个字段或填写退回原因"
MSG_RED_ON_APPROVE = "有 {count} 个字段标为有误，不能审核通过；请退回或改标"
MSG_UNMARKED = "高级审核须逐项标记全部字段，尚有 {count} 个未标记：{fields}"
MSG_UNKNOWN_MODE = "请选择普通审核或高级审核"
RETURN_LINE = "{label}：{comment}"
DONE_PASSED_FIRST = "初审通过，已转二复核"
DONE_SECOND_REVIEW = "二复核设置已保存"
# the 单证复核记录 workbook
EXPORT_TITLE = "单证复核记录"
EXPORT_HEADERS = ("系统编号", "统一编号", "报关单类型", "字段", "字段路径", "标记", "意见", "标记时的值", "审核人",
                  "时间")

# 打印报关单 / 打印通知书 (业务数据查询)
PRINT = QUERY  # 打印报关单 / 打印通知书 belong to 业务数据查询
PRINT_TITLES = {"export": "中华人民共和国海关出口货物报关单", "export_record": "中华人民共和国海关出境货物备案清单",
                "export_transit": "中华人民共和国海关出口货物报关单",
                "export_transit_record": "中华人民共和国海关出境货物备案清单"}
PRINT_TRANSIT = "转关提前报关"
NOTICE_TITLE = "出口货物放行通知书"
NOTICE_OFFICE = "中华人民共和国{office}"
NOTICE_TEXT = "你单位申报的下列出口货物，海关已审结放行，请凭本通知书办理货物装运手续。"
PRINT_BUTTONS = {"declaration": "打印报关单", "notice": "打印通知书"}
PRINT_DOCUMENTS = {"declaration": "报关单", "notice": "放行通知书"}
PRINT_FILES = {"declaration": "报关单-{number}.pdf", "notice": "放行通知书-{number}.pdf"}
NOTE_NO_STAMP = "（{name}未上传报关员章，本单无报关员章水印）"
NOTE_NO_SEAL = "（企业未上传印章）"
MSG_NOT_RELEASED = "报关单尚未放行，没有放行通知书（放行或结关后可打印）"
