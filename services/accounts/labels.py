"""Chinese labels of the accounts feature: member and customs roles, enterprise and registration states,
channels, sign-in ways."""

from __future__ import annotations

from models.customs_accounts import CustomsRole
from models.enterprises import EnterpriseStatus, MemberRole
from models.registrations import RegistrationChannel, RegistrationStatus

MEMBER_ROLE_LABELS = {MemberRole.ADMIN: "企业管理员", MemberRole.EXECUTIVE: "企业高管", MemberRole.STAFF: "关务人员"}
CUSTOMS_ROLE_LABELS = {
    CustomsRole.OFFICER: "关员", CustomsRole.SUPERVISOR: "科长/主管", CustomsRole.ADMIN: "系统管理员",
}
# An enterprise's registration as its own users read it (H5 pages) …
ENTERPRISE_STATUS_LABELS = {
    EnterpriseStatus.PENDING_REVIEW: "待海关审核", EnterpriseStatus.REJECTED: "未通过",
    EnterpriseStatus.ACTIVE: "已通过", EnterpriseStatus.DISABLED: "已停用",
}
REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.PENDING: ENTERPRISE_STATUS_LABELS[EnterpriseStatus.PENDING_REVIEW],
    RegistrationStatus.APPROVED: ENTERPRISE_STATUS_LABELS[EnterpriseStatus.ACTIVE],
    RegistrationStatus.REJECTED: ENTERPRISE_STATUS_LABELS[EnterpriseStatus.REJECTED],
}
# … and as the customs reviewer reads it (admin web).
REVIEW_STATUS_LABELS = {
    RegistrationStatus.PENDING: "待审核", RegistrationStatus.APPROVED: "已通过", RegistrationStatus.REJECTED: "不通过",
}
REGISTRATION_CHANNEL_LABELS = {
    RegistrationChannel.FORM: "网页（无卡）", RegistrationChannel.WECHAT: "微信", RegistrationChannel.CARD: "有卡",
}
# How a WeChat was bound or an account joined (the ``via`` of audit entries and sessions).
VIA_LABELS = {"sms": "短信验证码", "qrcode": "扫码", "central": "单一窗口", "wechat": "微信", "card": "卡介质",
              "password": "密码", "form": "网页表单", "miniprogram": "小程序"}

MSG_PERSON_NOT_FOUND = "人员不存在或已被移除"
