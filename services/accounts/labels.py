"""Chinese labels of the accounts feature: enterprise member roles, customs account roles, sign-in channels."""

from __future__ import annotations

from models.customs_accounts import CustomsRole
from models.enterprises import MemberRole

MEMBER_ROLE_LABELS = {MemberRole.ADMIN: "企业管理员", MemberRole.EXECUTIVE: "企业高管", MemberRole.STAFF: "关务人员"}
CUSTOMS_ROLE_LABELS = {
    CustomsRole.OFFICER: "关员", CustomsRole.SUPERVISOR: "科长/主管", CustomsRole.ADMIN: "系统管理员",
}
# How a WeChat was bound or an account joined (the ``via`` of audit entries and sessions).
VIA_LABELS = {"sms": "短信验证码", "qrcode": "扫码", "central": "单一窗口", "wechat": "微信", "card": "卡介质",
              "password": "密码", "form": "网页表单", "miniprogram": "小程序"}
