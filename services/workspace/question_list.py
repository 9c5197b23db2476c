"""问题清零 → 问题清单 (/workbench/questions): the enterprise's questions under the member's data scope, newest
first, read-only (each links to its H5 page, where the question-clearing lifecycle acts)."""

from __future__ import annotations

from dataclasses import dataclass

from core.db import connection
from models.lifecycle import Status
from models.questions import Question
from services.kit.paging import check_limit, decode_cursor, encode_cursor, row_id
from services.workspace.roles import Member
from services.workspace.scope import visible_to

QUESTION_VIEW = "question:view"
PAGE_SIZE, MAX_PAGE = 20, 100


@dataclass(frozen=True)
class QuestionPage:
    items: list[Question]
    next_cursor: str | None


async def list_questions(member: Member, *, cursor: str = "", limit: int = PAGE_SIZE) -> QuestionPage:
    member.decision.require(QUESTION_VIEW)
    size = check_limit(limit, MAX_PAGE)
    query = Question.filter(await visible_to(member, owner="creator_id", department="department_id")) \
        .exclude(status=Status.DELETED)
    if cursor:
        query = query.filter(id__lt=row_id(decode_cursor(cursor, 1)[0]))
    rows = await query.using_db(connection()).select_related("creator", "department").order_by("-id").limit(size + 1)
    more = len(rows) > size
    return QuestionPage(rows[:size], encode_cursor(rows[size - 1].id) if more else None)
