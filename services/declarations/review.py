"""审单 → 报关单审核 / 二复核 (seed 004 审单): the review list with the manual's filters, one declaration's visual
review (every field's mark, what changed since), and the reviewer's decisions — each one transaction through
``entry``'s one path of change, the marks read in that transaction:

- 普通审核: approve (refused while a field is marked red) or return (at least one red field or a reason; the red
  fields and their comments are the return's content, told to the preparer);
- 高级审核: approval only when every field is marked (refused with the unmarked ones);
- 二复核 (the enterprise's switch): the first approval passes it to a second person holding ``declaration:review2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient

from core.db import connection
from models.declaration_lifecycle import DeclarationStatus
from models.declarations import Declaration, DeclarationEvent, MarkState
from models.errors import DomainError, Forbidden, ValidationFailed
from services.declarations import entry as E
from services.declarations import labels as L
from services.declarations.fields import DeclarationForm
from services.declarations.marks import FieldState, check_reviewing, field_states, load_marks, review_fields
from services.declarations.review_filters import ReviewFilter
from services.declarations.store import read_form
from services.kit.context import ServiceContext
from services.kit.paging import check_limit, decode_cursor, encode_cursor, row_id
from services.workspace.company import second_review_on
from services.workspace.roles import Member
from services.workspace.scope import visible_to

S = DeclarationStatus
PAGE_SIZE, MAX_PAGE = 20, 100
SHOWN_UNMARKED = 8  # how many unmarked fields the refusal's sentence names


class ReviewMode(StrEnum):
    NORMAL = "normal"  # 普通审核
    ADVANCED = "advanced"  # 高级审核: every field marked before approval

    @property
    def label(self) -> str:
        return {"normal": "普通审核", "advanced": "高级审核"}[self.value]


@dataclass(frozen=True)
class ReviewPage:
    items: list[Declaration]
    next_cursor: str | None


@dataclass(frozen=True)
class ReviewView:
    declaration: Declaration
    form: DeclarationForm
    states: dict[str, FieldState]  # by path, in the printed form's order
    events: list[DeclarationEvent]
    may_decide: bool  # the member may mark, approve and return it now
    second_review: bool  # the enterprise's 二复核 switch

    @property
    def red(self) -> list[FieldState]:
        return [s for s in self.states.values() if s.mark is MarkState.WRONG]

    @property
    def changed(self) -> list[FieldState]:
        return [s for s in self.states.values() if s.changed]


def require_reviewer(member: Member) -> None:
    if not (member.decision.allows(L.REVIEW) or member.decision.allows(L.REVIEW2)):
        raise Forbidden(L.MSG_NO_REVIEW)


async def list_for_review(member: Member, flt: ReviewFilter, *, cursor: str = "",
                          limit: int = PAGE_SIZE) -> ReviewPage:
    """Declarations submitted at least once, under the filters, the enterprise and the data scope, newest first."""
    require_reviewer(member)
    size = check_limit(limit, MAX_PAGE)
    query = Declaration.filter(await visible_to(member, owner="owner_id", department="department_id"),
                               flt.condition(member.membership.enterprise.credit_code))
    if cursor:
        query = query.filter(id__lt=row_id(decode_cursor(cursor, 1)[0]))
    rows = await query.using_db(connection()).select_related("owner").order_by("-id").limit(size + 1)
    more = len(rows) > size
    return ReviewPage(rows[:size], encode_cursor(rows[size - 1].id) if more else None)


async def _states(conn: BaseDBAsyncClient, found: Declaration) -> tuple[DeclarationForm, dict[str, FieldState]]:
    form = await read_form(conn, found)
    return form, field_states(review_fields(found.kind, form), await load_marks(conn, found.id))


async def get_review(member: Member, declaration_id: int) -> ReviewView:
    require_reviewer(member)
    conn = connection()
    found = await E.access_declaration(member, declaration_id, conn)
    await found.fetch_related("owner", using_db=conn)
    form, states = await _states(conn, found)
    events = await DeclarationEvent.filter(declaration_id=found.id).using_db(conn).select_related("person") \
        .order_by("id")
    try:
        await check_reviewing(conn, member, found)
        may_decide = True
    except DomainError:  # not under review, or not this member's turn: the page only shows it
        may_decide = False
    return ReviewView(found, form, states, list(events), may_decide,
                      await second_review_on(member.enterprise_id, conn))


def _approval_check(mode: ReviewMode) -> E.ReviewCheck:
    async def check(conn: BaseDBAsyncClient, found: Declaration, note: str) -> str:
        _, states = await _states(conn, found)
        red = [s for s in states.values() if s.mark is MarkState.WRONG]
        if red:
            raise ValidationFailed(L.MSG_RED_ON_APPROVE.format(count=len(red)), field="marks",
                                   errors={"marks": L.MSG_RED_ON_APPROVE.format(count=len(red)),
                                           **{s.field.path: s.comment for s in red}})
        unmarked = [s for s in states.values() if s.mark is MarkState.NONE]
        if mode is ReviewMode.ADVANCED and unmarked:
            names = "、".join(s.field.label for s in unmarked[:SHOWN_UNMARKED]) + ("…" if len(unmarked) > SHOWN_UNMARKED
                                                                                 else "")
            message = L.MSG_UNMARKED.format(count=len(unmarked), fields=names)
            raise ValidationFailed(message, field="marks", errors={"marks": message, **{
                s.field.path: L.MARK_LABELS["none"] for s in unmarked}})
        return note
    return check


async def _return_note(conn: BaseDBAsyncClient, found: Declaration, reason: str) -> str:
    """The return's content: the reason, then each red field with its comment; refused when both are empty."""
    _, states = await _states(conn, found)
    lines = [L.RETURN_LINE.format(label=s.field.label, comment=s.comment) for s in states.values()
             if s.mark is MarkState.WRONG]
    if not lines and not reason.strip():
        raise ValidationFailed(L.MSG_RETURN_NEEDS, field="reason")
    return "\n".join(([reason.strip()] if reason.strip() else []) + lines)


async def approve(ctx: ServiceContext, member: Member, declaration_id: int, version: int,
                  mode: ReviewMode = ReviewMode.NORMAL) -> Declaration:
    """审核通过 in ``mode`` (初审通过 when 二复核 is on and it waits for the first reviewer)."""
    require_reviewer(member)
    return await E.approve_declaration(ctx, member, declaration_id, version, check=_approval_check(mode))


async def send_back(ctx: ServiceContext, member: Member, declaration_id: int, version: int,
                    reason: str = "") -> Declaration:
    """审核退回 with the red marks (and the reason, if any) as its content."""
    require_reviewer(member)
    return await E.return_declaration(ctx, member, declaration_id, reason, version, check=_return_note)
