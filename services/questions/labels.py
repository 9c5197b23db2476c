"""Chinese labels of the questions feature beyond the lifecycle's own (statuses, actions: models/lifecycle.py)."""

from __future__ import annotations

from models.enterprises import MemberRole
from models.lifecycle import Role
from services.accounts.labels import MEMBER_ROLE_LABELS

SYSTEM_NAME = "系统"  # the scheduler, as the actor of a timeline entry
# Who acted, on the timeline and in exports: an enterprise member by role, customs, or the system.
ROLE_LABELS = {
    **{Role(role.value): label for role, label in MEMBER_ROLE_LABELS.items() if isinstance(role, MemberRole)},
    Role.OFFICER: "海关关员", Role.SUPERVISOR: "海关主管", Role.CUSTOMS_ADMIN: "海关管理员", Role.SYSTEM: SYSTEM_NAME,
}
