"""Chinese labels of the accounts feature: enterprise member roles and customs account roles."""

from __future__ import annotations

from models.customs_accounts import CustomsRole
from models.enterprises import MemberRole

MEMBER_ROLE_LABELS = {MemberRole.ADMIN: "企业管理员", MemberRole.EXECUTIVE: "企业高管", MemberRole.STAFF: "关务人员"}
CUSTOMS_ROLE_LABELS = {
    CustomsRole.OFFICER: "关员", CustomsRole.SUPERVISOR: "科长/主管", CustomsRole.ADMIN: "系统管理员",
}
