"""Chinese labels of the questions feature beyond the lifecycle's own (statuses, actions: models/lifecycle.py)."""

from __future__ import annotations

from models.enterprises import MemberRole
from models.lifecycle import Action, Role
from services.accounts.labels import MEMBER_ROLE_LABELS
from services.desk.labels import SYSTEM_NAME

# Who acted, on the timeline and in exports: an enterprise member by role, customs, or the system.
ROLE_LABELS = {
    **{Role(role.value): label for role, label in MEMBER_ROLE_LABELS.items() if isinstance(role, MemberRole)},
    Role.OFFICER: "海关关员", Role.SUPERVISOR: "海关主管", Role.CUSTOMS_ADMIN: "海关管理员", Role.SYSTEM: SYSTEM_NAME,
}
# A timeline entry's title where it differs from the action's own label (models/lifecycle.py).
ACTION_TITLES = {Action.EXEC_RETURN: "高管退回", Action.ACCEPT: "海关受理", Action.EXEC_EDIT: "高管修改",
                 Action.PUBLISH: "海关公开问题", Action.UNPUBLISH: "海关取消公开"}
