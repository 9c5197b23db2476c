"""可视化审核的标记 (MODULES.md §4): every field a reviewer marks — each head field shown and each item's fields —
by its path (``head.trade_mode``, ``items[3].hs_code``, 0-based like the form's error keys), and one mark per click:
正确 (green), 有误 (red, a comment required), reset.

The latest mark of a field is its state, every mark is history. A mark keeps the field's text when it was made: a
field whose text differs now has *changed since* (after the preparer's fix) and its mark no longer applies — a
green mark on an unchanged field carries over, a changed field starts unmarked again. Nothing is rewritten on a
resubmission: the state is computed from the marks and the content.

A mark write names the field's last mark it saw (``seen``, 0 for none): a stale one is a ``Conflict`` and the
caller shows the field's fresh state. ``seq`` and the unique (declaration, path, seq) make two concurrent writes
after the same mark fail one of them; marks on different fields never conflict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.db import connection
from models.declaration_lifecycle import DeclarationAction, DeclarationStatus, decide
from models.declarations import Declaration, DeclarationKind, DeclarationMark, MarkState
from models.errors import Conflict, Forbidden, ValidationFailed
from services.declarations import labels as L
from services.declarations.entry import access_declaration, actor_of, state_of
from services.declarations.fields import HEAD_FIELDS, ITEM_FIELDS, DeclarationForm, as_text
from services.declarations.store import read_form
from services.kit.context import ServiceContext
from services.workspace.roles import Member

S = DeclarationStatus
MAX_COMMENT = 500
UNDER_REVIEW = (S.PENDING_REVIEW, S.SECOND_REVIEW)


@dataclass(frozen=True)
class ReviewField:
    path: str
    label: str
    value: str  # the field's text now


@dataclass(frozen=True)
class FieldState:
    field: ReviewField
    mark: MarkState  # what applies now (NONE when the field changed since its mark)
    comment: str
    last_id: int  # the field's latest mark (0: none): what the next write names as ``seen``
    by: str
    at: datetime | None
    changed: bool  # marked, then changed by the preparer
    marked_value: str  # the text when last marked


def head_path(key: str) -> str:
    return f"head.{key}"


def item_path(index: int, key: str) -> str:
    return f"items[{index}].{key}"


def form_path(path: str) -> str:
    """The entry form's key of a review path (the form keys the head by the bare field key)."""
    return path.removeprefix("head.")


def review_fields(kind: DeclarationKind, form: DeclarationForm) -> list[ReviewField]:
    """The fields a reviewer marks, in the printed form's order: the head fields of the kind, then each item's."""
    fields = [ReviewField(head_path(spec.key), spec.label, as_text(form.head.get(spec.key)))
              for spec in HEAD_FIELDS if kind.transit or not spec.transit]
    for i, item in enumerate(form.items):
        fields += [ReviewField(item_path(i, spec.key), L.ITEM_FIELD.format(n=i + 1, label=spec.label),
                               as_text(item.get(spec.key))) for spec in ITEM_FIELDS]
    return fields


def field_states(fields: Iterable[ReviewField], marks: Iterable[DeclarationMark]) -> dict[str, FieldState]:
    """Each field's state from the declaration's marks (in id order; the person of each mark loaded)."""
    latest: dict[str, DeclarationMark] = {}
    for mark in marks:
        latest[mark.path] = mark
    states = {}
    for field in fields:
        last = latest.get(field.path)
        if last is None:
            states[field.path] = FieldState(field, MarkState.NONE, "", 0, "", None, False, "")
            continue
        changed = last.mark is not MarkState.NONE and last.value != field.value
        states[field.path] = FieldState(field, MarkState.NONE if changed else last.mark,
                                        "" if changed else last.comment, last.id, last.person.name, last.at,
                                        changed, last.value)
    return states


async def load_marks(conn: BaseDBAsyncClient, declaration_id: int, path: str | None = None) -> list[DeclarationMark]:
    query = DeclarationMark.filter(declaration_id=declaration_id)
    if path is not None:
        query = query.filter(path=path)
    return list(await query.using_db(conn).select_related("person").order_by("id"))


async def check_reviewing(conn: BaseDBAsyncClient, member: Member, declaration: Declaration) -> None:
    """Only who may decide the declaration now marks it: the reviewer while 待审核, the second reviewer while
    待复核 (the lifecycle's own rule for a return, which every reviewer may give)."""
    if declaration.status not in UNDER_REVIEW:
        raise Conflict(L.MSG_NOT_UNDER_REVIEW.format(status=declaration.status.label))
    decide(await state_of(conn, declaration), DeclarationAction.RETURN, actor_of(member), reason="-")


def _checked(mark: MarkState, comment: str) -> str:
    text = comment.strip()
    if mark is MarkState.WRONG and not text:
        raise ValidationFailed(L.MSG_MARK_COMMENT, field="comment")
    if len(text) > MAX_COMMENT:
        raise ValidationFailed(L.MSG_COMMENT_TOO_LONG.format(size=MAX_COMMENT), field="comment")
    return text if mark is MarkState.WRONG else ""


async def set_mark(ctx: ServiceContext, member: Member, declaration_id: int, path: str, mark: MarkState,
                   comment: str, seen: int) -> FieldState:
    """Mark one field, naming its last mark seen; a stale ``seen`` (someone marked it meanwhile) is a Conflict."""
    if not (member.decision.allows(L.REVIEW) or member.decision.allows(L.REVIEW2)):
        raise Forbidden(L.MSG_NO_REVIEW)
    text, now = _checked(mark, comment), ctx.now()
    async with in_transaction() as conn:
        found = await access_declaration(member, declaration_id, conn)
        await check_reviewing(conn, member, found)
        field = next((f for f in review_fields(found.kind, await read_form(conn, found)) if f.path == path), None)
        if field is None:
            raise ValidationFailed(L.MSG_UNKNOWN_FIELD, field="path")
        last = await DeclarationMark.filter(declaration_id=found.id, path=path).using_db(conn).order_by("-seq").first()
        if (last.id if last else 0) != seen:
            raise Conflict(L.MSG_MARK_STALE)
        try:  # the unique seq refuses the slower of two writers that saw the same mark
            made = await DeclarationMark.create(
                declaration_id=found.id, declaration_version=found.version, path=path,
                seq=last.seq + 1 if last else 1, mark=mark, comment=text, value=field.value,
                person_id=member.membership.person_id, at=now, using_db=conn)
        except IntegrityError:
            raise Conflict(L.MSG_MARK_STALE) from None
    made.person = member.membership.person
    return field_states([field], [made])[path]


async def field_state(member: Member, declaration_id: int, path: str) -> FieldState | None:
    """One field's state now (what a refused mark write shows), or None for a path the declaration lacks."""
    conn = connection()
    found = await access_declaration(member, declaration_id, conn)
    field = next((f for f in review_fields(found.kind, await read_form(conn, found)) if f.path == path), None)
    return field_states([field], await load_marks(conn, found.id, path))[path] if field else None


async def red_marks(declaration: Declaration, form: DeclarationForm) -> dict[str, str]:
    """The fields marked 有误 and not changed since, by the entry form's key, with their comments: what the
    preparer sees beside each field (the caller reached the declaration through its access check)."""
    states = field_states(review_fields(declaration.kind, form), await load_marks(connection(), declaration.id))
    return {form_path(path): s.comment for path, s in states.items() if s.mark is MarkState.WRONG}
