"""加入申请: a signed-in person asks to join another enterprise (found by its 统一社会信用代码 or exact name);
the enterprise's admin approves (the person becomes 关务人员, with an optional first role) or refuses with a
reason. The decision leaves a message for the person in the same transaction: approved, in the joined
enterprise's mailbox; refused, in the mailbox of the enterprise they were signed into when they asked.
Approving an approved request again changes nothing; one pending request per person and enterprise.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.cache import Cache
from core.db import connection
from models.enterprises import Enterprise, EnterpriseStatus, MemberRole, Membership
from models.errors import Conflict, NotFound, ValidationFailed
from models.joins import JoinRequest, JoinStatus
from models.workspace import RoleGrant
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext
from services.messages.events import join_decided_message
from services.workspace import labels as L
from services.workspace.permissions import bump_version
from services.workspace.roles import JOIN_DECIDE, JOIN_VIEW, Member, access_role

CLOSED = (EnterpriseStatus.REJECTED, EnterpriseStatus.DISABLED)
MAX_REASON = 200


@dataclass(frozen=True)
class Asker:
    """The signed-in person asking, and the enterprise they are signed into."""

    person_id: int
    person_name: str
    enterprise_id: int


async def find_enterprise(query: str) -> Enterprise:
    """The enterprise with this 统一社会信用代码 or exactly this name (open to join)."""
    text = query.strip()
    if not text:
        raise ValidationFailed(L.MSG_JOIN_QUERY, field="query")
    conn = connection()
    found = await Enterprise.filter(credit_code=text.upper()).using_db(conn).first() \
        or await Enterprise.filter(name=text).using_db(conn).order_by("id").first()
    if found is None or found.status in CLOSED:
        raise ValidationFailed(L.MSG_JOIN_NO_MATCH, field="query")
    return found


async def ask_to_join(ctx: ServiceContext, asker: Asker, query: str) -> JoinRequest:
    enterprise = await find_enterprise(query)
    try:
        async with in_transaction() as conn:
            if await Membership.filter(person_id=asker.person_id, enterprise_id=enterprise.id, active=True) \
                    .using_db(conn).exists():
                raise Conflict(L.MSG_JOIN_ALREADY_MEMBER, field="query")
            request = await JoinRequest.create(person_id=asker.person_id, enterprise_id=enterprise.id,
                                               asked_from_id=asker.enterprise_id, created_at=ctx.now(),
                                               pending_key=f"{asker.person_id}:{enterprise.id}", using_db=conn)
            await record(ctx, AuditActor("person", asker.person_id, asker.person_name), "join.ask", "join_request",
                         request.id, detail={"enterprise_id": enterprise.id, "before": None,
                                             "after": {"status": JoinStatus.PENDING.value}}, conn=conn)
    except IntegrityError:
        raise Conflict(L.MSG_JOIN_PENDING, field="query") from None
    request.enterprise = enterprise
    return request


async def my_requests(person_id: int) -> list[JoinRequest]:
    return await (JoinRequest.filter(person_id=person_id).using_db(connection()).select_related("enterprise")
                  .order_by("-id").limit(20))


async def list_requests(member: Member, status: str = "pending") -> list[JoinRequest]:
    member.decision.require(JOIN_VIEW)
    query = JoinRequest.filter(enterprise_id=member.enterprise_id)
    if status in L.JOIN_STATUS_LABELS:
        query = query.filter(status=JoinStatus(status))
    return await query.using_db(connection()).select_related("person").order_by("-id").limit(200)


async def _access_request(member: Member, request_id: int, conn: BaseDBAsyncClient) -> JoinRequest:
    request = await (JoinRequest.filter(id=request_id, enterprise_id=member.enterprise_id).using_db(conn)
                     .select_for_update().first())
    if request is None:
        raise NotFound(L.MSG_JOIN_NOT_FOUND)
    await request.fetch_related("enterprise", using_db=conn)
    return request


async def _membership_for(conn: BaseDBAsyncClient, request: JoinRequest) -> Membership:
    membership = await Membership.filter(person_id=request.person_id, enterprise_id=request.enterprise_id) \
        .using_db(conn).select_for_update().first()
    if membership is None:
        return await Membership.create(person_id=request.person_id, enterprise_id=request.enterprise_id,
                                       role=MemberRole.STAFF, using_db=conn)
    if not membership.active:  # removed before: back as staff
        await Membership.filter(id=membership.id).using_db(conn).update(active=True, role=MemberRole.STAFF)
    return membership


async def approve_request(ctx: ServiceContext, cache: Cache, member: Member, request_id: int,
                          role_id: int | None = None) -> JoinRequest:
    """The person joins as 关务人员 (with ``role_id``, a custom role of the enterprise, from now on)."""
    member.decision.require(JOIN_DECIDE)
    now = ctx.now()
    async with in_transaction() as conn:
        request = await _access_request(member, request_id, conn)
        if request.status is JoinStatus.APPROVED:
            return request
        if request.status is not JoinStatus.PENDING:
            raise Conflict(L.MSG_JOIN_DECIDED)
        role = await access_role(member, role_id, conn) if role_id else None
        if role is not None and role.builtin:
            raise ValidationFailed(L.MSG_GRANT_BUILTIN, field="role_id")
        membership = await _membership_for(conn, request)
        if role is not None:
            await RoleGrant.create(person_id=request.person_id, role_id=role.id, valid_from=now, granted_at=now,
                                   using_db=conn)
        await _decide(ctx, conn, member, request, JoinStatus.APPROVED, role_name=role.name if role else "")
        await join_decided_message(conn, enterprise_id=request.enterprise_id, person_id=request.person_id,
                                   approved=True, enterprise_name=request.enterprise.name, reason="", now=now)
        await record(ctx, member.audit_actor(), "join.member", "membership", membership.id,
                     detail={"enterprise_id": member.enterprise_id, "before": None,
                             "after": {"person_id": request.person_id, "role": MemberRole.STAFF.value}}, conn=conn)
    await bump_version(cache, member.enterprise_id)
    return request


async def refuse_request(ctx: ServiceContext, member: Member, request_id: int, reason: str) -> JoinRequest:
    member.decision.require(JOIN_DECIDE)
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed(L.MSG_JOIN_REASON, field="reason")
    async with in_transaction() as conn:
        request = await _access_request(member, request_id, conn)
        if request.status is JoinStatus.REFUSED:
            return request
        if request.status is not JoinStatus.PENDING:
            raise Conflict(L.MSG_JOIN_DECIDED)
        await _decide(ctx, conn, member, request, JoinStatus.REFUSED, reason=reason)
        await join_decided_message(conn, enterprise_id=request.asked_from_id, person_id=request.person_id,
                                   approved=False, enterprise_name=request.enterprise.name, reason=reason,
                                   now=ctx.now())
    return request


async def _decide(ctx: ServiceContext, conn: BaseDBAsyncClient, member: Member, request: JoinRequest,
                  status: JoinStatus, *, reason: str = "", role_name: str = "") -> None:
    before = {"status": request.status.value}
    request.update_from_dict(dict(status=status, pending_key=None, reason=reason, role_name=role_name,
                                  decided_at=ctx.now(), decided_by_id=member.membership.person_id))
    await request.save(using_db=conn, update_fields=["status", "pending_key", "reason", "role_name", "decided_at",
                                                     "decided_by_id"])
    await record(ctx, member.audit_actor(), f"join.{status.value}", "join_request", request.id,
                 detail={"enterprise_id": member.enterprise_id, "before": before,
                         "after": {"status": status.value, "reason": reason, "role": role_name}}, conn=conn)
