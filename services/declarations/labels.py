"""Every Chinese text of the declarations feature, once (status, action and group labels live with the
lifecycle; the kinds' with the model)."""

from __future__ import annotations

ENTRY = "declaration:entry"
REVIEW = "declaration:review"
OPEN_DECLARATIONS = "报关单"

MSG_KIND_OFF = "企业已停用“{kind}”业务，请联系企业管理员在“企业设置 → 业务设置”中启用"
MSG_TOO_LONG = "{label}不能超过 {size} 个字符"
MSG_CODE_TOO_LONG = "{label}应为不超过 {size} 位的代码，请从列表中选择"
MSG_DATE = "{label}应为日期，如 2026-03-02"
MSG_INTEGER = "{label}应为不小于 0 的整数"
MSG_DECIMAL = "{label}应为不小于 0 的数字（最多 5 位小数）"
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

# 数据同步 with the single window (services.declarations.sync); the protocol's codes and how they read.
SYNC = "sync:run"
DECL_TYPES = {"E0": "出口报关单", "E1": "出口备案清单", "E2": "出口转关提前报关", "E3": "出境转关提前备案清单"}
ENTERPRISE_CATEGORIES = {"trade": "境内收发货人", "agent": "申报单位", "owner": "生产销售单位"}
BONDED_ROLES = {"operating": "经营企业", "processing": "加工企业", "declaring": "申报企业"}
DATA_SOURCES = {"1": "单一窗口录入", "2": "导入", "3": "接口"}
IE_FLAGS = {"I": "进口", "E": "出口"}
DATA_STATUSES = {"0": "暂存", "1": "申报成功", "2": "审批通过", "3": "退单"}
PRE_APPROVALS = {"0": "待审核", "1": "通过", "2": "未通过"}
PRE_APPROVED = "1"
RECEIPT_TYPES = {"entered": "海关入库", "inspected": "查验", "released": "放行", "cleared": "结关", "deleted": "删单",
                 "rejected": "退单"}
MSG_PICK = "请选择{label}"
MSG_SEQ_NO = "统一编号应为 18 位字母或数字"
MSG_LIST_NO = "清单编号应为 18 位字母或数字"
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
