"""Chinese labels of the notifications feature: the events of the outbox and the channels it sends on."""

from __future__ import annotations

from services.notifications.events import Event

EVENT_LABELS = {
    Event.EXEC_REVIEW_REQUESTED: "待高管审核", Event.EXEC_RETURNED: "高管退回", Event.CUSTOMS_ACCEPTED: "海关受理",
    Event.CUSTOMS_REPLIED: "海关答复", Event.CUSTOMS_RETURNED: "海关退回", Event.MODIFICATION_REQUESTED: "需修改",
    Event.AUTO_CLOSE_REMINDER: "即将自动办结", Event.AUTO_CLOSED: "已自动办结",
    Event.REGISTRATION_APPROVED: "注册通过", Event.REGISTRATION_REJECTED: "注册未通过",
    Event.LIBRARY_MONTHLY: "规范申报月报", Event.ROLE_EXPIRING: "角色即将到期", Event.WARNING_ESCALATED: "预警未读提醒",
}
CHANNEL_LABELS = {"wechat": "微信", "sms": "短信"}
