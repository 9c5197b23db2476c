"""管理员中心 → 人员管理: the enterprise's people filtered (name, role, status, registration time), their
departments (several, one primary), and removal from the enterprise with the hand-over of their open items.

Removing ends the membership, the person's department places and their grants in the same transaction as the
hand-over and the audit entry; the permission version is bumped after the commit, and the person's open
sessions are refused on their next request (the sign-in reloads the membership every time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from core.cache import Cache
from core.db import connection
from models.departments import Department, DepartmentMember
from models.enterprises import MemberRole, Membership
from models.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.workspace import RoleGrant, WorkspaceRole
from services.desk.audit import record
from services.kit.context import ServiceContext, start_of
from services.workspace import labels as L
from services.workspace.handover import OpenItem, hand_over_all, open_items
from services.workspace.permissions import bump_version
from services.workspace.roles import PERSON_EDIT, PERSON_VIEW, Member, ensure_builtin_roles

PERSON_REMOVE = "system:person:remove"


@dataclass(frozen=True)
class PeopleFilter:
    name: str = ""
    role_id: int | None = None
    status: str = "active"  # active (在职) / inactive (已移除)
    joined_from: date | None = None
    joined_to: date | None = None


@dataclass(frozen=True)
class PersonRow:
    membership: Membership
    grants: list[RoleGrant]
    departments: list[DepartmentMember]  # the primary first


@dataclass(frozen=True)
class Removal:
    """What removing a person means: their open items, the colleagues who may take them."""

    membership: Membership
    items: list[OpenItem]
    colleagues: list[Membership]


def check_filter(ctx: ServiceContext, f: PeopleFilter) -> Q:
    errors: dict[str, str] = {}
    if f.status not in L.PERSON_STATUS_LABELS:
        errors["status"] = L.MSG_FILTER_STATUS
    if f.joined_from and f.joined_to and f.joined_to < f.joined_from:
        errors["joined_to"] = L.MSG_FILTER_PERIOD
    if errors:
        raise ValidationFailed.of(errors)
    q = Q(active=f.status == "active")
    if f.name.strip():
        q &= Q(person__name__icontains=f.name.strip())
    if f.joined_from:
        q &= Q(created_at__gte=start_of(f.joined_from, ctx.tz))
    if f.joined_to:
        q &= Q(created_at__lt=start_of(f.joined_to + timedelta(days=1), ctx.tz))
    return q


async def _role_condition(member: Member, role_id: int) -> Q:
    role = await WorkspaceRole.filter(id=role_id, enterprise_id=member.enterprise_id).using_db(connection()).first()
    if role is None:
        raise ValidationFailed(L.MSG_ROLE_NOT_FOUND, field="role_id")
    if role.builtin:
        return Q(role=role.builtin)
    return Q(person_id__in=Subquery(RoleGrant.filter(role_id=role.id).values("person_id")))


async def filter_roles(ctx: ServiceContext, member: Member) -> list[WorkspaceRole]:
    """Every role of the enterprise, built-in ones included: the choices of the role filter."""
    member.decision.require(PERSON_VIEW)
    await ensure_builtin_roles(member.enterprise_id, ctx.now())
    return await WorkspaceRole.filter(enterprise_id=member.enterprise_id).using_db(connection()).order_by("id")


async def list_people(ctx: ServiceContext, member: Member, f: PeopleFilter = PeopleFilter()) -> list[PersonRow]:
    member.decision.require(PERSON_VIEW)
    condition = check_filter(ctx, f)
    if f.role_id:
        condition &= await _role_condition(member, f.role_id)
    memberships = await (Membership.filter(condition, enterprise_id=member.enterprise_id)
                         .using_db(connection()).select_related("person").order_by("id"))
    return await _rows(member.enterprise_id, memberships)


async def person_row(member: Member, membership_id: int) -> PersonRow:
    """One active person of the enterprise with their grants and departments (the edit page)."""
    member.decision.require(PERSON_VIEW)
    return (await _rows(member.enterprise_id, [await access_person(member, membership_id, connection())]))[0]


async def _rows(enterprise_id: int, memberships: list[Membership]) -> list[PersonRow]:
    conn = connection()
    people = [m.person_id for m in memberships]
    grants = await (RoleGrant.filter(role__enterprise_id=enterprise_id, person_id__in=people).using_db(conn)
                    .select_related("role").order_by("valid_from", "id"))
    places = await (DepartmentMember.filter(enterprise_id=enterprise_id, person_id__in=people)
                    .using_db(conn).select_related("department").order_by("-primary", "department__name"))
    return [PersonRow(m, [g for g in grants if g.person_id == m.person_id],
                      [p for p in places if p.person_id == m.person_id]) for m in memberships]


async def access_person(member: Member, membership_id: int, conn: BaseDBAsyncClient, *,
                        for_update: bool = False) -> Membership:
    query = Membership.filter(id=membership_id, enterprise_id=member.enterprise_id, active=True).using_db(conn)
    found = await (query.select_for_update() if for_update else query).first()
    if found is None:
        raise NotFound(L.MSG_PERSON_NOT_FOUND)
    await found.fetch_related("person", using_db=conn)
    return found


def _places(rows: list[DepartmentMember]) -> dict[str, Any]:
    return {"departments": sorted(r.department_id for r in rows),
            "primary": next((r.department_id for r in rows if r.primary), None)}


async def assign_departments(ctx: ServiceContext, member: Member, membership_id: int, department_ids: list[int],
                             primary_id: int | None) -> None:
    """The person's departments become exactly ``department_ids``, ``primary_id`` (one of them) the primary;
    with one department chosen it is the primary."""
    member.decision.require(PERSON_EDIT)
    chosen = sorted(set(department_ids))
    if len(chosen) == 1 and primary_id is None:
        primary_id = chosen[0]
    if chosen and primary_id not in chosen:
        raise ValidationFailed(L.MSG_DEPT_PRIMARY, field="primary_id")
    async with in_transaction() as conn:
        target = await access_person(member, membership_id, conn, for_update=True)
        found = await Department.filter(id__in=chosen, enterprise_id=member.enterprise_id).using_db(conn).count()
        if found != len(chosen):
            raise ValidationFailed(L.MSG_DEPT_CHOOSE, field="department_ids")
        mine = DepartmentMember.filter(person_id=target.person_id, enterprise_id=member.enterprise_id)
        before = _places(await mine.using_db(conn))
        await mine.using_db(conn).delete()
        for department_id in chosen:
            await DepartmentMember.create(department_id=department_id, person_id=target.person_id,
                                          enterprise_id=member.enterprise_id, primary=department_id == primary_id,
                                          using_db=conn)
        await record(ctx, member.audit_actor(), "person.departments", "membership", target.id,
                     detail={"enterprise_id": member.enterprise_id, "person_id": target.person_id,
                             "before": before, "after": {"departments": chosen, "primary": primary_id}}, conn=conn)


async def is_last_admin(conn: BaseDBAsyncClient, membership: Membership) -> bool:
    return membership.role is MemberRole.ADMIN and await Membership.filter(
        enterprise_id=membership.enterprise_id, role=MemberRole.ADMIN, active=True).using_db(conn).count() <= 1


async def end_membership(conn: BaseDBAsyncClient, membership: Membership, now: datetime) -> dict[str, Any]:
    """The membership ends with its department places and its grants (ended now); what it was, for the audit."""
    places = DepartmentMember.filter(person_id=membership.person_id, enterprise_id=membership.enterprise_id)
    before = {"active": True, "role": membership.role.value, **_places(await places.using_db(conn))}
    await Membership.filter(id=membership.id).using_db(conn).update(active=False)
    await places.using_db(conn).delete()
    roles = Subquery(WorkspaceRole.filter(enterprise_id=membership.enterprise_id).values("id"))
    await RoleGrant.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now), person_id=membership.person_id,
                           role_id__in=roles).using_db(conn).update(valid_to=now)
    return before


async def _check_removable(member: Member, target: Membership, conn: BaseDBAsyncClient) -> None:
    if target.id == member.membership.id:
        raise Forbidden(L.MSG_REMOVE_SELF)
    if await is_last_admin(conn, target):
        raise Conflict(L.MSG_REMOVE_LAST_ADMIN)


async def removal(member: Member, membership_id: int) -> Removal:
    """The confirm page's content: the person's open items and the colleagues to choose from."""
    member.decision.require(PERSON_REMOVE)
    conn = connection()
    target = await access_person(member, membership_id, conn)
    await _check_removable(member, target, conn)
    colleagues = await (Membership.filter(enterprise_id=member.enterprise_id, active=True, person__active=True)
                        .exclude(id=target.id).using_db(conn).select_related("person").order_by("id"))
    return Removal(target, await open_items(conn, member.enterprise_id, target.person_id), colleagues)


async def remove_person(ctx: ServiceContext, cache: Cache, member: Member, membership_id: int,
                        colleague_id: int | None) -> None:
    """See the module docstring; ``colleague_id`` (a membership) takes the open items, required when any."""
    member.decision.require(PERSON_REMOVE)
    now = ctx.now()
    async with in_transaction() as conn:
        target = await access_person(member, membership_id, conn, for_update=True)
        await _check_removable(member, target, conn)
        items = await open_items(conn, member.enterprise_id, target.person_id)
        handed: dict[str, int] = {}
        colleague = None
        if colleague_id:
            colleague = await Membership.filter(id=colleague_id, enterprise_id=member.enterprise_id, active=True,
                                                person__active=True).exclude(id=target.id).using_db(conn).first()
            if colleague is None:
                raise ValidationFailed(L.MSG_HANDOVER_COLLEAGUE, field="colleague_id")
        if items and colleague is None:
            raise ValidationFailed(L.MSG_HANDOVER_CHOOSE, field="colleague_id")
        if colleague is not None:
            handed = await hand_over_all(conn, member.enterprise_id, target.person_id, colleague.person_id, now)
        before = await end_membership(conn, target, now)
        await record(ctx, member.audit_actor(), "person.remove", "membership", target.id,
                     detail={"enterprise_id": member.enterprise_id, "person_id": target.person_id,
                             "before": before, "after": {"active": False, "handed_to": colleague and
                                                         colleague.person_id, "handed": handed}}, conn=conn)
    await bump_version(cache, member.enterprise_id)
