"""The rows the question lists read, as hand-written SQL (the lists' hot path: 我的问题, the executive's queue,
the types of a page of the customs queue): statements of fixed text with parameters, no ORM query rebuilt on
every request (bench/pages.py), rows as named tuples.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, NamedTuple

from core.query_sql import as_time, placeholders, rows
from models.lifecycle import Importance, ReplyKind, Status

# The enums' members by their column's value: a list builds one per row, and a dictionary look-up is several times
# faster than calling the enum.
STATUSES = {s.value: s for s in Status}
REPLY_KINDS = {k.value: k for k in ReplyKind}
IMPORTANCES = {i.value: i for i in Importance}


class ListedQuestion(NamedTuple):
    """A question as a list reads it: what its item shows and what the lifecycle needs for its actions (a named
    tuple: a page builds twenty at once, several times faster than a frozen dataclass)."""

    id: int
    number: str
    title: str
    status: Status
    round: int
    reply_kind: ReplyKind | None
    creator_id: int
    creator_name: str
    assigned_executive_id: int | None
    allow_publication: bool
    published: bool
    replied_at: datetime | None
    evaluated_at: datetime | None
    first_submitted_at: datetime | None
    first_accepted_at: datetime | None
    updated_at: datetime


# A page of questions as the lists read them (``ListedQuestion``): {where} and {order} are fixed texts of this
# module, the values are parameters — all but the page size, written into the text (``_page_sql``).
LISTED_SQL = """SELECT q.id, q.number, q.title, q.status, q.round, q.reply_kind, q.creator_id, p.name,
    q.assigned_executive_id, q.allow_publication, q.published, q.replied_at, q.evaluated_at, q.first_submitted_at,
    q.first_accepted_at, q.updated_at
    FROM question q JOIN person p ON p.id = q.creator_id WHERE {where} ORDER BY {order} LIMIT {limit:d}"""


def _page_sql(where: str, order: str, limit: int) -> str:
    """A page statement with its size in the text: PostgreSQL costs a prepared statement's generic plan with an
    unknown ``LIMIT $n`` as if it read a tenth of the rows, so it planned 我的问题 afresh on every request (its
    ``pg_prepared_statements.custom_plans``) — a third of the list query's time, a few sizes of text at most."""
    return LISTED_SQL.format(where=where, order=order, limit=int(limit))


def enterprise_page(enterprise_id: int, statuses: tuple[Status, ...] | None, before: int | None,
                    limit: int) -> tuple[str, list[Any]]:
    """The page query of 我的问题 (SQL and parameters): newest first along the (enterprise_id, id) index,
    however few rows match."""
    where = f"q.enterprise_id = ? AND q.status <> '{Status.DELETED.value}'"
    params: list[Any] = [enterprise_id]
    if statuses is not None:
        where += f" AND q.status IN ({placeholders(len(statuses))})"
        params += [s.value for s in statuses]
    if before is not None:
        where += " AND q.id < ?"
        params.append(before)
    return _page_sql(where, "q.id DESC", limit), params


async def listed(sql: str, params: list[Any]) -> list[ListedQuestion]:
    """The rows of a page query (``enterprise_page``, ``review_page``)."""
    found = await rows(sql, *params)
    if found and not isinstance(found[0][15], datetime):  # SQLite: times as the ISO text tortoise stored
        found = [(*r[:11], *map(as_time, r[11:])) for r in found]
    # positional, in LISTED_SQL's order, and the enums by dictionary: a page builds twenty-one at once
    return [ListedQuestion(r[0], r[1], r[2], STATUSES[r[3]], r[4], r[5] and REPLY_KINDS[r[5]], r[6], r[7], r[8],
                           bool(r[9]), bool(r[10]), r[11], r[12], r[13], r[14], r[15]) for r in found]


def review_page(enterprise_id: int, executive_id: int, limit: int) -> tuple[str, list[Any]]:
    """The executive's queue (SQL and parameters): assigned to them for review, oldest request first."""
    where = f"q.enterprise_id = ? AND q.status = '{Status.PENDING_EXEC_REVIEW.value}' AND q.assigned_executive_id = ?"
    return _page_sql(where, "q.updated_at, q.id", limit), [enterprise_id, executive_id]


TYPE_NAMES_SQL = """SELECT qt.question_id, t.name FROM question_question_type qt
    JOIN question_type t ON t.id = qt.questiontype_id WHERE qt.question_id IN ({ids}) ORDER BY t.sort, t.id"""


async def type_names(question_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Question id → its type names in the catalogue's order (one query for a whole page or batch)."""
    if not question_ids:
        return {}
    found: dict[int, list[str]] = defaultdict(list)
    for question_id, name in await rows(TYPE_NAMES_SQL.format(ids=placeholders(len(question_ids))), *question_ids):
        found[question_id].append(name)
    return {question_id: tuple(names) for question_id, names in found.items()}
