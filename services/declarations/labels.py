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

# 打印报关单 / 打印通知书 (业务数据查询)
PRINT = "query:print"
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
