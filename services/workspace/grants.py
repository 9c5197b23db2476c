"""管理员中心 → 人员: the enterprise's people with their granted roles; grant a role for a period (起止时间),
revoke a grant, renew one (续期) in one click. Times are typed in the district's time zone (``2026-03-01T09:00``
from a datetime input)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.cache import Cache
from core.db import connection
from models.enterprises import Membership
from models.errors import NotFound, ValidationFailed
from models.workspace import RoleGrant, WorkspaceRole
from services.desk.audit import record
from services.kit.context import ServiceContext
from services.messages.events import role_granted_message
from services.workspace import labels as L
from services.workspace.permissions import bump_version
from services.workspace.roles import JOIN_VIEW, PERSON_EDIT, PERSON_VIEW, Member, access_role

TIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


def parse_local_time(ctx: ServiceContext, text: str) -> datetime | None:
    """The instant (in UTC, as every stored instant: SQLite compares them as text) of a local time as typed in
    the district's zone; None when empty or unreadable."""
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=ctx.tz).astimezone(UTC)
        except ValueError:
            continue
    return None


def check_period(ctx: ServiceContext, valid_from: str, valid_to: str) -> tuple[datetime, datetime | None]:
    errors: dict[str, str] = {}
    start = parse_local_time(ctx, valid_from)
    end = parse_local_time(ctx, valid_to) if valid_to.strip() else None
    if start is None:
        errors["valid_from"] = L.MSG_GRANT_FROM
    if valid_to.strip() and (end is None or (start is not None and end <= start)):
        errors["valid_to"] = L.MSG_GRANT_TO
    if errors or start is None:
        raise ValidationFailed.of(errors)
    return start, end


async def grantable_roles(member: Member) -> list[WorkspaceRole]:
    """The roles an admin may grant (built-in ones come with the person's type), on a person or on approving a
    join request."""
    if not member.decision.allows(JOIN_VIEW):
        member.decision.require(PERSON_VIEW)
    return await (WorkspaceRole.filter(enterprise_id=member.enterprise_id, builtin__isnull=True)
                  .using_db(connection()).order_by("id"))


def _grant_detail(grant: RoleGrant, member: Member, role_name: str) -> dict[str, Any]:
    return {"enterprise_id": member.enterprise_id, "person_id": grant.person_id, "role": role_name,
            "valid_from": grant.valid_from.isoformat(),
            "valid_to": grant.valid_to.isoformat() if grant.valid_to else None}


async def grant_role(ctx: ServiceContext, cache: Cache, member: Member, membership_id: int, role_id: int | None,
                     valid_from: str, valid_to: str) -> RoleGrant:
    member.decision.require(PERSON_EDIT)
    errors: dict[str, str] = {} if role_id else {"role_id": L.MSG_GRANT_ROLE}
    try:
        start, end = check_period(ctx, valid_from, valid_to)
    except ValidationFailed as error:
        raise ValidationFailed.of({**errors, **error.errors}) from None
    if errors or role_id is None:
        raise ValidationFailed.of(errors)
    async with in_transaction() as conn:
        target = await Membership.filter(id=membership_id, enterprise_id=member.enterprise_id, active=True) \
            .using_db(conn).first()
        if target is None:
            raise NotFound(L.MSG_PERSON_NOT_FOUND)
        role = await access_role(member, role_id, conn)
        if role.builtin:
            raise ValidationFailed(L.MSG_GRANT_BUILTIN, field="role_id")
        grant = await RoleGrant.create(person_id=target.person_id, role_id=role.id, valid_from=start, valid_to=end,
                                       granted_at=ctx.now(), using_db=conn)
        await record(ctx, member.audit_actor(), "role.grant", "role_grant", grant.id,
                     detail={"before": None, "after": _grant_detail(grant, member, role.name)}, conn=conn)
        await role_granted_message(conn, enterprise_id=member.enterprise_id, person_id=grant.person_id,
                                   role=role.name, valid_from=start, valid_to=end, renewed=False, now=ctx.now(),
                                   tz=ctx.tz)
    await bump_version(cache, member.enterprise_id)
    return grant


def renewal_state(grant: RoleGrant, now: datetime) -> str:
    """Why the people page offers to renew a grant: 已到期 (its end has come), 即将到期 (it was reminded of its
    end), or "" (nothing to renew)."""
    if grant.valid_to is None:
        return ""
    if grant.valid_to <= now:
        return L.GRANT_ENDED
    return L.GRANT_ENDING if grant.reminded_at is not None else ""


def renewed_end(grant: RoleGrant, now: datetime, chosen: datetime | None) -> datetime:
    """The new end: the chosen one, or the grant's original length once more from its end (from now when it
    has already ended, so a renewal always gives the whole length)."""
    if chosen is not None:
        return chosen
    assert grant.valid_to is not None
    return max(grant.valid_to, now) + (grant.valid_to - grant.valid_from)


async def renew_grant(ctx: ServiceContext, cache: Cache, member: Member, grant_id: int,
                      valid_to: str = "") -> RoleGrant:
    """续期: extend a grant with an end (see ``renewed_end``); its reminder and expiry start afresh."""
    member.decision.require(PERSON_EDIT)
    chosen = parse_local_time(ctx, valid_to) if valid_to.strip() else None
    if valid_to.strip() and (chosen is None or chosen <= ctx.now()):
        raise ValidationFailed(L.MSG_RENEW_TO, field="valid_to")
    async with in_transaction() as conn:
        grant = await RoleGrant.filter(id=grant_id, role__enterprise_id=member.enterprise_id).using_db(conn) \
            .select_related("role").select_for_update().first()
        if grant is None:
            raise NotFound(L.MSG_GRANT_NOT_FOUND)
        if grant.valid_to is None:
            raise ValidationFailed(L.MSG_RENEW_OPEN, field="valid_to")
        before = _grant_detail(grant, member, grant.role.name)
        end = renewed_end(grant, ctx.now(), chosen)
        await RoleGrant.filter(id=grant.id).using_db(conn).update(valid_to=end, reminded_at=None, expired_at=None)
        grant.valid_to = end
        await record(ctx, member.audit_actor(), "role.renew", "role_grant", grant.id,
                     detail={"before": before, "after": _grant_detail(grant, member, grant.role.name)}, conn=conn)
        await role_granted_message(conn, enterprise_id=member.enterprise_id, person_id=grant.person_id,
                                   role=grant.role.name, valid_from=grant.valid_from, valid_to=end, renewed=True,
                                   now=ctx.now(), tz=ctx.tz)
    await bump_version(cache, member.enterprise_id)
    return grant


async def revoke_grant(ctx: ServiceContext, cache: Cache, member: Member, grant_id: int) -> None:
    member.decision.require(PERSON_EDIT)
    async with in_transaction() as conn:
        grant = await RoleGrant.filter(id=grant_id, role__enterprise_id=member.enterprise_id).using_db(conn) \
            .select_related("role").first()
        if grant is None:
            raise NotFound(L.MSG_GRANT_NOT_FOUND)
        await record(ctx, member.audit_actor(), "role.revoke", "role_grant", grant.id,
                     detail={"before": _grant_detail(grant, member, grant.role.name), "after": None}, conn=conn)
        await grant.delete(using_db=conn)
    await bump_version(cache, member.enterprise_id)
