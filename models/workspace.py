"""The enterprise workspace's permissions: the permission tree (data/permissions.yaml), roles and grants.

A role is a named set of permission codes with a data scope, per enterprise; the three question-clearing roles
(``MemberRole``) appear as built-in roles (``builtin`` set), which cannot be deleted. A grant gives a person a
role from ``valid_from`` until ``valid_to`` (open-ended when null). The decision is made in
``services.workspace.permissions``.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.enterprises import Enterprise, MemberRole, Person


class NodeKind(StrEnum):
    MENU = "menu"
    PAGE = "page"
    ACTION = "action"


class DataScope(StrEnum):
    """Widest first: the decision takes the widest of a person's live roles."""

    ALL = "all"  # 全部
    DEPARTMENT = "department"  # 本部门及下级
    SELF = "self"  # 仅本人


class PermissionNode(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=50)
    kind = fields.CharEnumField(NodeKind, max_length=8)
    parent_code = fields.CharField(max_length=64, null=True)
    path = fields.CharField(max_length=200, null=True)  # a page's address in the workspace
    sort = fields.IntField(default=0)

    class Meta:
        table = "permission_node"


class WorkspaceRole(Model):
    id = fields.IntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="workspace_roles",
                                        on_delete=fields.CASCADE)
    name = fields.CharField(max_length=30)
    codes: fields.JSONField[list[str]]
    codes = fields.JSONField(default=list)
    data_scope = fields.CharEnumField(DataScope, max_length=16, default=DataScope.SELF)
    builtin = fields.CharEnumField(MemberRole, max_length=16, null=True)  # a question-clearing role
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "workspace_role"
        unique_together = (("enterprise", "name"), ("enterprise", "builtin"))


class RoleGrant(Model):
    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person]
    person_id: int
    person = fields.ForeignKeyField("models.Person", related_name="role_grants", on_delete=fields.CASCADE)
    role: fields.ForeignKeyRelation[WorkspaceRole]
    role_id: int
    role = fields.ForeignKeyField("models.WorkspaceRole", related_name="grants", on_delete=fields.CASCADE)
    valid_from = fields.DatetimeField()
    valid_to = fields.DatetimeField(null=True)  # open-ended when null; grants nothing from this second on
    granted_at = fields.DatetimeField()
    # Set once by the sweeps that claim them (services.workspace.grant_expiry); a renewal clears both.
    reminded_at = fields.DatetimeField(null=True)  # the expiry reminder went out
    expired_at = fields.DatetimeField(null=True)  # the expiry was recorded (and told)

    class Meta:
        table = "role_grant"
        indexes = (("person_id", "role_id"), ("valid_to",))
