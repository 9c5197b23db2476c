"""报关单录入 (seed 004 报关单出口制单): the use cases of the preparer and the reviewer's two decisions, each one
transaction — access (the enterprise and the member's data scope, in the query) → the lifecycle's ``decide`` →
compare-and-set on ``version`` (a stale version is a ``Conflict``) → content, timeline entry and message.

Drafts may be incomplete (only what cannot be stored is refused); submitting runs every check of
``services.declarations.checks`` and refuses with all of them at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from core.db import connection
from models.declaration_lifecycle import (
    Actor,
    DeclarationAction,
    DeclarationGroup,
    DeclarationState,
    DeclarationStatus,
    decide,
)
from models.declaration_sync import DeclarationSend
from models.declarations import Declaration, DeclarationEvent, DeclarationKind
from models.departments import DepartmentMember
from models.enterprises import Enterprise
from models.errors import Conflict, DomainError, NotFound, ValidationFailed
from services.declarations import labels as L
from services.declarations.checks import check_submission, load_catalogue
from services.declarations.exceptions import register_from_receipt
from services.declarations.fields import DeclarationForm
from services.declarations.hints import library_hints
from services.declarations.single_window import Outgoing, SingleWindowError, single_window
from services.declarations.store import head_columns, read_form, system_number, write_parts
from services.declarations.wire import TYPE_OF_KIND, record_of
from services.kit.context import ServiceContext
from services.kit.paging import check_limit, decode_cursor, encode_cursor, row_id
from services.messages.events import DECLARATION_LINK, declaration_message
from services.workspace.company import kind_enabled, second_review_on
from services.workspace.roles import Member
from services.workspace.scope import visible_to

A, S = DeclarationAction, DeclarationStatus
PAGE_SIZE, MAX_PAGE = 20, 100
# what the preparer is told, and whether it is important
TOLD = {A.APPROVE: False, A.PASS_FIRST: False, A.RETURN: True, A.RECEIPT_DELETED: True, A.RECEIPT_REJECTED: True,
        A.RECEIPT_RELEASED: False, A.RECEIPT_INSPECTED: True}


@dataclass(frozen=True)
class DeclarationView:
    declaration: Declaration
    form: DeclarationForm
    events: list[DeclarationEvent]
    hints: dict[str, str]


@dataclass(frozen=True)
class DeclarationPage:
    items: list[Declaration]
    next_cursor: str | None
    counts: dict[DeclarationGroup, int]


def actor_of(member: Member) -> Actor:
    return Actor(member.membership.person_id, may_enter=member.decision.allows(L.ENTRY),
                 may_review=member.decision.allows(L.REVIEW), may_review2=member.decision.allows(L.REVIEW2))


def may_declare(member: Member, declaration: Declaration) -> bool:
    """Whether the member may 申报 the declaration now (its preparer or a reviewer, once approved): the pages show
    the button by this, the lifecycle's own rule."""
    try:
        decide(DeclarationState(declaration.status, declaration.owner_id), A.DECLARE, actor_of(member))
    except DomainError:
        return False
    return True


async def first_reviewer(conn: BaseDBAsyncClient, declaration: Declaration) -> int | None:
    """Who passed the declaration to 二复核 (the latest 初审通过), while it waits for the second reviewer."""
    if declaration.status is not S.SECOND_REVIEW:
        return None
    event = await DeclarationEvent.filter(declaration_id=declaration.id, action=A.PASS_FIRST) \
        .using_db(conn).order_by("-id").first()
    return event.person_id if event else None


async def state_of(conn: BaseDBAsyncClient, declaration: Declaration) -> DeclarationState:
    return DeclarationState(declaration.status, declaration.owner_id, await first_reviewer(conn, declaration))


async def access_declaration(member: Member, declaration_id: int, conn: BaseDBAsyncClient) -> Declaration:
    """The declaration if the member's enterprise and data scope reach it, else NotFound (the same for both)."""
    found = await Declaration.filter(await visible_to(member, owner="owner_id", department="department_id"),
                                     id=declaration_id).using_db(conn).first()
    if found is None:
        raise NotFound(L.MSG_NOT_FOUND)
    return found


async def list_declarations(member: Member, group: DeclarationGroup, *, cursor: str = "",
                            limit: int = PAGE_SIZE) -> DeclarationPage:
    """One group of the entry list under the data scope, newest change first, and every group's count."""
    member.decision.require(L.ENTRY)
    size = check_limit(limit, MAX_PAGE)
    visible = Declaration.filter(await visible_to(member, owner="owner_id", department="department_id"))
    query = visible.filter(status__in=group.statuses)
    if cursor:
        query = query.filter(id__lt=row_id(decode_cursor(cursor, 1)[0]))
    rows = await query.using_db(connection()).select_related("owner").order_by("-id").limit(size + 1)
    by_status = await visible.annotate(n=Count("id")).group_by("status").using_db(connection()) \
        .values_list("status", "n")
    counts = dict.fromkeys(DeclarationGroup, 0)
    for status, n in by_status:
        counts[DeclarationStatus(status).group] += n
    more = len(rows) > size
    return DeclarationPage(rows[:size], encode_cursor(rows[size - 1].id) if more else None, counts)


async def get_declaration(member: Member, declaration_id: int) -> DeclarationView:
    member.decision.require(L.ENTRY)
    conn = connection()
    found = await access_declaration(member, declaration_id, conn)
    await found.fetch_related("owner", using_db=conn)
    form = await read_form(conn, found)
    events = await DeclarationEvent.filter(declaration_id=found.id).using_db(conn).select_related("person") \
        .order_by("id")
    return DeclarationView(found, form, list(events), await library_hints(member.enterprise_id, form, conn))


async def hints_for(member: Member, form: DeclarationForm) -> dict[str, str]:
    """The library's hints for a form as typed (a refused submission shows them with the errors)."""
    return await library_hints(member.enterprise_id, form, connection())


async def _event(conn: BaseDBAsyncClient, declaration: Declaration, action: DeclarationAction,
                 before: DeclarationStatus | None, person_id: int | None, note: str, now: datetime,
                 at: datetime | None = None) -> None:
    await DeclarationEvent.create(declaration_id=declaration.id, action=action, from_status=before,
                                  to_status=declaration.status, person_id=person_id, note=note, at=at or now,
                                  using_db=conn)
    if action in TOLD and person_id != declaration.owner_id:
        await declaration_message(conn, enterprise_id=declaration.enterprise_id, person_id=declaration.owner_id,
                                  number=declaration.number, event=action.label, important=TOLD[action],
                                  reason=note, declaration_id=declaration.id, now=now)


async def create_draft(ctx: ServiceContext, member: Member, kind: DeclarationKind,
                       form: DeclarationForm) -> Declaration:
    """A new draft of ``kind`` holding ``form`` (as complete as it is), owned by the member, in their primary
    department."""
    status = decide(DeclarationState(None), A.CREATE, actor_of(member))
    person_id, now = member.membership.person_id, ctx.now()
    async with in_transaction() as conn:
        if not await kind_enabled(member.enterprise_id, kind.value, conn):
            raise Conflict(L.MSG_KIND_OFF.format(kind=kind.label))
        primary = await DepartmentMember.filter(person_id=person_id, enterprise_id=member.enterprise_id,
                                                primary=True).using_db(conn).first()
        declaration = await Declaration.create(
            enterprise_id=member.enterprise_id, owner_id=person_id, kind=kind, status=status,
            department_id=primary.department_id if primary else None, created_at=now, updated_at=now,
            **head_columns(form), using_db=conn)
        declaration.number = system_number(now, declaration.id)
        await Declaration.filter(id=declaration.id).using_db(conn).update(number=declaration.number)
        await write_parts(conn, declaration.id, form)
        await _event(conn, declaration, A.CREATE, None, person_id, "", now)
    return declaration


# A reviewer's extra check inside the decision's transaction (the marks): the note to record, or a refusal.
ReviewCheck = Callable[[BaseDBAsyncClient, Declaration, str], Awaitable[str]]


async def _change(ctx: ServiceContext, member: Member | None, declaration_id: int, action: DeclarationAction,
                  version: int | None, *, form: DeclarationForm | None = None, note: str = "",
                  system_enterprise: int | None = None, received_at: datetime | None = None,
                  columns: dict[str, Any] | None = None, check: ReviewCheck | None = None) -> Declaration:
    """The one path of every change: access, decide, check (a submission; the reviewer's marks), compare-and-set,
    content, timeline (and a receipt's exception). An approval while 待审核 is the first of two (初审通过) when the
    enterprise turned 二复核 on."""
    now = ctx.now()
    async with in_transaction() as conn:
        if member is not None:
            found = await access_declaration(member, declaration_id, conn)
            actor = actor_of(member)
        else:
            # locked: the same receipt arriving twice at once is decided one after the other
            received = await Declaration.filter(id=declaration_id, enterprise_id=system_enterprise) \
                .select_for_update().using_db(conn).first()
            if received is None:
                raise NotFound(L.MSG_NOT_FOUND)
            found = received
            actor = Actor.system()
            if await DeclarationEvent.filter(declaration_id=found.id, action=action, at=received_at) \
                    .using_db(conn).exists():
                return found  # this receipt was recorded already
        state = await state_of(conn, found)
        if action is A.APPROVE and found.status is S.PENDING_REVIEW \
                and await second_review_on(found.enterprise_id, conn):
            action = A.PASS_FIRST
        if form is not None:
            decide(state, A.EDIT, actor)
        if check is not None:
            decide(state, action, actor, reason=note or "-")  # who and when before what the marks say
            note = await check(conn, found, note)
        status = decide(state, action, actor, reason=note)
        if version is not None and version != found.version:
            raise Conflict(L.MSG_STALE)
        if action is A.SUBMIT:
            content = form or await read_form(conn, found)
            errors = check_submission(found.kind, content, await load_catalogue(content, now.date(), conn))
            if errors:
                raise ValidationFailed.of(errors)
        changes = {"status": status, "version": F("version") + 1, "updated_at": now,
                   **(head_columns(form) if form is not None else {}), **(columns or {})}
        if await Declaration.filter(id=found.id, version=found.version).using_db(conn).update(**changes) != 1:
            raise Conflict(L.MSG_STALE)
        if form is not None:
            await write_parts(conn, found.id, form)
        before, found.status, found.version = found.status, status, found.version + 1
        for key, value in (columns or {}).items():
            setattr(found, key, value)
        if action is not A.EDIT:
            await _event(conn, found, action, before, member.membership.person_id if member else None, note, now,
                         received_at)
        if received_at is not None:
            await register_from_receipt(ctx, conn, found, action, received_at, note)
    return found


async def save_draft(ctx: ServiceContext, member: Member, declaration_id: int, version: int,
                     form: DeclarationForm) -> Declaration:
    """暂存: the content replaced, the status kept; incomplete is fine."""
    return await _change(ctx, member, declaration_id, A.EDIT, version, form=form)


async def submit_declaration(ctx: ServiceContext, member: Member, declaration_id: int, version: int,
                             form: DeclarationForm | None = None) -> Declaration:
    """提交审核 (again after a return or a 退单): ``form`` (else the stored content) saved and passed through every
    check; all refusals at once, nothing saved when refused."""
    return await _change(ctx, member, declaration_id, A.SUBMIT, version, form=form)


async def withdraw_declaration(ctx: ServiceContext, member: Member, declaration_id: int,
                               version: int | None = None) -> Declaration:
    return await _change(ctx, member, declaration_id, A.WITHDRAW, version)


async def delete_declaration(ctx: ServiceContext, member: Member, declaration_id: int,
                             version: int | None = None) -> Declaration:
    """删除: to 已删除 (kept, listed under 已删除)."""
    return await _change(ctx, member, declaration_id, A.DELETE, version)


def _require_reviewer(member: Member) -> None:
    if not member.decision.allows(L.REVIEW2):
        member.decision.require(L.REVIEW)


async def approve_declaration(ctx: ServiceContext, member: Member, declaration_id: int,
                              version: int | None = None, *, check: ReviewCheck | None = None) -> Declaration:
    """审核通过 (初审通过 with 二复核 on; the second reviewer's approval after it)."""
    _require_reviewer(member)
    return await _change(ctx, member, declaration_id, A.APPROVE, version, check=check)


async def return_declaration(ctx: ServiceContext, member: Member, declaration_id: int, reason: str,
                             version: int | None = None, *, check: ReviewCheck | None = None) -> Declaration:
    _require_reviewer(member)
    return await _change(ctx, member, declaration_id, A.RETURN, version, note=reason.strip(), check=check)


async def declare_declaration(ctx: ServiceContext, member: Member, declaration_id: int,
                              version: int | None = None) -> Declaration:
    """申报: the approved declaration sent through the single-window port, then marked declared with the 统一编号
    it answers. The send is recorded first (``DeclarationSend``) with an idempotency key for this version of the
    declaration: a retry after a failure (or a second click) sends the same key and gets the same 统一编号, never
    a second declaration. A failed send leaves the declaration approved, the send's error kept, and refuses with
    the reason in Chinese."""
    send, kind, form, code = await _record_send(ctx, member, declaration_id, version)
    if not send.seq_no:
        record = record_of(form)
        outgoing = Outgoing(TYPE_OF_KIND[kind], record["head"], record["items"], record["containers"],
                            record["documents"])
        try:
            seq_no = await single_window().declare(code, send.key, outgoing)
        except SingleWindowError as exc:
            await DeclarationSend.filter(id=send.id).update(error=exc.message[:500], attempts=F("attempts") + 1)
            raise SingleWindowError(L.MSG_DECLARE_FAILED.format(reason=exc.message), code=exc.error_code,
                                    retryable=exc.retryable) from None
        await DeclarationSend.filter(id=send.id).update(seq_no=seq_no, error="", sent_at=ctx.now(),
                                                          attempts=F("attempts") + 1)
        send.seq_no = seq_no
    return await _change(ctx, member, declaration_id, A.DECLARE, send.version, columns={"seq_no": send.seq_no})


async def _record_send(ctx: ServiceContext, member: Member, declaration_id: int,
                       version: int | None) -> tuple[DeclarationSend, DeclarationKind, DeclarationForm, str]:
    """The send of the declaration's current version (made now, or the one a failed attempt left), after the
    same checks the change will make; with the content and the enterprise's credit code."""
    async with in_transaction() as conn:
        found = await access_declaration(member, declaration_id, conn)
        decide(DeclarationState(found.status, found.owner_id), A.DECLARE, actor_of(member))
        if version is not None and version != found.version:
            raise Conflict(L.MSG_STALE)
        send = await DeclarationSend.filter(declaration_id=found.id, version=found.version).using_db(conn).first()
        if send is None:
            send = await DeclarationSend.create(declaration_id=found.id, version=found.version,
                                                key=f"ql-{found.id}-{found.version}-{secrets.token_hex(8)}",
                                                person_id=member.membership.person_id, created_at=ctx.now(),
                                                using_db=conn)
        form = await read_form(conn, found)
        code = await Enterprise.filter(id=found.enterprise_id).using_db(conn).values_list("credit_code", flat=True)
    return send, found.kind, form, str(code[0])


async def record_receipt(ctx: ServiceContext, enterprise_id: int, declaration_id: int, action: DeclarationAction,
                         note: str = "", *, received_at: datetime | None = None) -> Declaration:
    """A receipt of the single window (海关入库, 放行, 结关, 删单, 退单, 查验) moves the declaration (the system acts);
    its timeline entry is dated ``received_at`` (default now). A 删单, 查验 or 退单 receipt registers its exception
    in the same transaction. The same receipt (action and time) again is a no-op: nothing moves twice."""
    return await _change(ctx, None, declaration_id, action, None, note=note, system_enterprise=enterprise_id,
                         received_at=received_at or ctx.now())


async def copy_declaration(ctx: ServiceContext, member: Member, declaration_id: int) -> Declaration:
    """复制: a new draft of the same kind with the same content (no 统一编号 or 海关编号), owned by the member."""
    source = await get_declaration(member, declaration_id)
    return await create_draft(ctx, member, source.declaration.kind, source.form)


def link_of(declaration_id: int) -> str:
    return DECLARATION_LINK.format(id=declaration_id)
