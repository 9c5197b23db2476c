"""管理员中心 → 角色 and the grants of 人员: roles per enterprise, and granting one to a person for a period.

Each use case checks the caller's decision (the route checked it too: the service does not trust its edge),
changes state in one transaction with its audit entry (before / after), and bumps the enterprise's permission
version after the commit so the next request of every process decides afresh.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.cache import Cache
from core.db import connection
from models.enterprises import MemberRole, Membership
from models.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from services.accounts.labels import MEMBER_ROLE_LABELS
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext
from services.workspace import labels as L
from services.workspace.permissions import Decision, builtin_defaults, bump_version
from services.workspace.tree import permission_tree

ROLE_VIEW, ROLE_EDIT = "system:role:view", "system:role:edit"
PERSON_VIEW, PERSON_EDIT = "system:person:view", "system:person:edit"
JOIN_VIEW, JOIN_DECIDE = "system:join:view", "system:join:decide"
MAX_NAME = 30


@dataclass(frozen=True)
class Member:
    """A signed-in member of an enterprise with this request's decision."""

    membership: Membership
    decision: Decision

    @property
    def enterprise_id(self) -> int:
        return self.membership.enterprise_id

    def audit_actor(self) -> AuditActor:
        return AuditActor.person(self.membership.person)


@dataclass(frozen=True)
class RoleRow:
    role: WorkspaceRole
    holders: int  # people holding it now or later (grants not yet ended); a built-in role: its members


def snapshot(role: WorkspaceRole) -> dict[str, Any]:
    return {"name": role.name, "codes": sorted(role.codes), "data_scope": role.data_scope.value}


async def ensure_builtin_roles(enterprise_id: int, now: datetime) -> None:
    """The three question-clearing roles as rows of the enterprise, created when it first sees its roles."""
    for member_role in MemberRole:
        codes, scope = builtin_defaults(member_role)
        try:
            await WorkspaceRole.get_or_create(
                enterprise_id=enterprise_id, builtin=member_role,
                defaults=dict(name=MEMBER_ROLE_LABELS[member_role], codes=sorted(codes), data_scope=scope,
                              created_at=now, updated_at=now))
        except IntegrityError:  # created by a concurrent request (or a custom role took the name: keep it)
            continue


async def list_roles(ctx: ServiceContext, member: Member) -> list[RoleRow]:
    member.decision.require(ROLE_VIEW)
    await ensure_builtin_roles(member.enterprise_id, ctx.now())
    conn = connection()
    roles = await WorkspaceRole.filter(enterprise_id=member.enterprise_id).using_db(conn).order_by("id")
    now = ctx.now()
    held = await (RoleGrant.filter(role__enterprise_id=member.enterprise_id)
                  .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now)).using_db(conn).only("id", "role_id"))
    grants = Counter(grant.role_id for grant in held)
    people = await Membership.filter(enterprise_id=member.enterprise_id, active=True).using_db(conn).only("id", "role")
    members = Counter(m.role.value for m in people)
    return [RoleRow(role, members[role.builtin.value] if role.builtin else grants[role.id]) for role in roles]


async def access_role(member: Member, role_id: int, conn: BaseDBAsyncClient, *,
                      for_update: bool = False) -> WorkspaceRole:
    query = WorkspaceRole.filter(id=role_id, enterprise_id=member.enterprise_id).using_db(conn)
    role = await (query.select_for_update() if for_update else query).first()
    if role is None:
        raise NotFound(L.MSG_ROLE_NOT_FOUND)
    return role


async def role_to_edit(member: Member, role_id: int) -> WorkspaceRole:
    member.decision.require(ROLE_EDIT)
    return await access_role(member, role_id, connection())


def check_role(name: str, codes: list[str], scope: str) -> tuple[str, frozenset[str], DataScope]:
    """Every field at once: name, codes, scope."""
    errors: dict[str, str] = {}
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        errors["name"] = L.MSG_ROLE_NAME
    try:
        chosen = permission_tree().check_codes(codes)
    except ValidationFailed as error:
        errors["codes"], chosen = error.message, frozenset()
    try:
        data_scope = DataScope(scope)
    except ValueError:
        errors["data_scope"], data_scope = L.MSG_ROLE_SCOPE, DataScope.SELF
    if errors:
        raise ValidationFailed.of(errors)
    return name, chosen, data_scope


async def save_role(ctx: ServiceContext, cache: Cache, member: Member, role_id: int | None, name: str,
                    codes: list[str], scope: str) -> WorkspaceRole:
    """Add a role (``role_id`` None) or change one; a built-in role keeps its name, the admin's is fixed."""
    member.decision.require(ROLE_EDIT)
    name, chosen, data_scope = check_role(name, codes, scope)
    now = ctx.now()
    try:
        async with in_transaction() as conn:
            if role_id is None:
                role = await WorkspaceRole.create(enterprise_id=member.enterprise_id, name=name, codes=sorted(chosen),
                                                  data_scope=data_scope, created_at=now, updated_at=now, using_db=conn)
                before = None
            else:
                role = await access_role(member, role_id, conn, for_update=True)
                if role.builtin is MemberRole.ADMIN:
                    raise Forbidden(L.MSG_ROLE_ADMIN_FIXED)
                if role.builtin and name != role.name:
                    raise ValidationFailed(L.MSG_ROLE_BUILTIN_NAME, field="name")
                before = snapshot(role)
                role.update_from_dict(dict(name=name, codes=sorted(chosen), data_scope=data_scope, updated_at=now))
                await role.save(using_db=conn)
            await record(ctx, member.audit_actor(), "role.add" if before is None else "role.edit", "workspace_role",
                         role.id, detail={"enterprise_id": member.enterprise_id, "before": before,
                                          "after": snapshot(role)}, conn=conn)
    except IntegrityError:
        raise Conflict(L.MSG_ROLE_NAME_TAKEN, field="name") from None
    await bump_version(cache, member.enterprise_id)
    return role


async def delete_role(ctx: ServiceContext, cache: Cache, member: Member, role_id: int,
                      move_to: int | None = None) -> int:
    """Refused for a built-in role; a role someone holds now or later is deleted only with ``move_to``, another
    of the enterprise's own roles, to which its live grants move with their periods. Returns how many moved."""
    member.decision.require(ROLE_EDIT)
    now = ctx.now()
    async with in_transaction() as conn:
        role = await access_role(member, role_id, conn, for_update=True)
        if role.builtin:
            raise Conflict(L.MSG_ROLE_BUILTIN)
        live = RoleGrant.filter(role_id=role.id).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now)).using_db(conn)
        target = None
        if await live.exists():
            if move_to is None:
                raise ValidationFailed(L.MSG_ROLE_IN_USE, field="move_to")
            target = await WorkspaceRole.filter(id=move_to, enterprise_id=member.enterprise_id,
                                                builtin__isnull=True).exclude(id=role.id).using_db(conn).first()
            if target is None:
                raise ValidationFailed(L.MSG_ROLE_MOVE_TARGET, field="move_to")
        moved = await live.update(role_id=target.id) if target else 0
        await record(ctx, member.audit_actor(), "role.delete", "workspace_role", role.id,
                     detail={"enterprise_id": member.enterprise_id, "before": snapshot(role), "after": None,
                             **({"moved_to": target.name, "moved": moved} if target else {})}, conn=conn)
        await role.delete(using_db=conn)  # its ended grants go with it
    await bump_version(cache, member.enterprise_id)
    return moved
