"""Every Chinese text of the declarations feature, once (status, action and group labels live with the
lifecycle; the kinds' with the model)."""

from __future__ import annotations

ENTRY = "declaration:entry"
REVIEW = "declaration:review"
REVIEW2 = "declaration:review2"
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
MSG_BAD_MONTH = "月份应为 YYYY-MM，如 2026-03"
RETURN_LINE = "{label}：{comment}"
DONE_PASSED_FIRST = "初审通过，已转二复核"
DONE_SECOND_REVIEW = "二复核设置已保存"
# the 单证复核记录 workbook
EXPORT_TITLE = "单证复核记录"
EXPORT_HEADERS = ("系统编号", "统一编号", "报关单类型", "字段", "字段路径", "标记", "意见", "标记时的值", "审核人",
                  "时间")
