"""The customs queue: questions of the reader's offices, filtered, in keyset pages — a work queue.

The default view is the open work (submitted / accepted) with the longest-waiting question on top; any view with
other statuses is a history, newest submission first (``QueueFilter.oldest_first``). ``submitted_at`` is the
current round's submission, so an appended question waits from the time it was appended.

Scope is the one of ``services.kit.access.customs_scope``: an officer sees their office's questions, a supervisor
(or a customs admin, read-only) the sub-tree under their office. Questions that never reached customs (draft,
executive review, returned by the executive) and deleted ones are not in the queue.

The query is shaped for a million rows: the scope is resolved to a list of office ids first (the office tree
is small), the enterprise-name keyword to a sub-select, and paging is keyset on (submitted_at, id) — descending,
or ascending for the open work — with a redundant ``submitted_at <= / >= cursor`` bound, so PostgreSQL walks the
(office_id, submitted_at, id) or (submitted_at, id) index from the cursor and stops after one page; the open work
(a small set: what customs owes an answer) is read through the (office_id, status) index and sorted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet, ValuesListQuery, ValuesQuery

from core.db import connection
from core.query_sql import as_time, fetch_compiled, fetch_raw, placeholders, rows
from models.customs_accounts import CustomsAccount
from models.enterprises import Enterprise
from models.lifecycle import Action, Importance, Status
from models.offices import CustomsOffice
from models.questions import Question
from services.kit.access import access_customs_account, customs_scope, request_memo
from services.kit.context import ServiceContext, start_of
from services.kit.paging import after_time_key, check_limit, decode_time_cursor, encode_time_cursor
from services.questions.listed import IMPORTANCES, STATUSES, type_names
from services.questions.queue_filter import ALL, NOT_IN_QUEUE, OPEN_WORK, QUEUE_STATUSES, QueueFilter

__all__ = ["QueueFilter", "QueueItem", "QueuePage", "list_queue", "queue_options", "queue_scope"]

MAX_LIMIT = 100
QUEUE_COLUMNS = ("id", "number", "title", "enterprise_id", "office_id", "importance", "status", "round", "submitted_at")
FINISHED = (Status.CLOSED, Status.WITHDRAWN)  # nobody waits on these: no 已等待
NUMBER_SUFFIX_MIN = 4  # a shorter suffix matches too many numbers to be worth a search
_NUMBER_LIKE = re.compile(r"[0-9A-Za-z]+")
OPEN_WORK_LABEL = "待办（" + "、".join(s.label for s in OPEN_WORK) + "）"
BADGE_MAX = 99  # the header's badge counts this far, then shows "99+": a bounded query on every page
ENTERPRISE_IDS_MAX = 500  # enterprises matching a keyword that are inlined as ids (more: a sub-select)
# Calendar days from submission after which a question is highlighted as overdue (the lead moves them to
# config): not accepted within ACCEPT_WITHIN_DAYS, or accepted and not replied within REPLY_WITHIN_DAYS.
ACCEPT_WITHIN_DAYS = 2
REPLY_WITHIN_DAYS = 5


class QueueItem(NamedTuple):  # a page holds fifty: a named tuple is built several times faster than a dataclass
    id: int
    number: str
    title: str
    enterprise_name: str
    types: tuple[str, ...]
    office_name: str
    importance: Importance | None
    importance_label: str
    status: Status
    status_label: str
    round: int
    handler: str  # who accepted (or answered) the current round; "" while nobody has
    submitted_at: datetime  # the current round's submission
    age_days: int | None  # whole days since that submission; None once nobody waits (closed, withdrawn)
    overdue: bool


@dataclass(frozen=True)
class QueuePage:
    items: tuple[QueueItem, ...]
    next_cursor: str | None  # None: this is the last page


@dataclass(frozen=True)
class QueueScope:
    """A reader's queue: the account, the offices in scope (id → name) and what the filtered query is built from."""

    account: CustomsAccount
    offices: dict[int, str]
    office_ids: tuple[int, ...]  # the offices in scope, narrowed to the chosen office's sub-tree
    flt: QueueFilter
    keyword: Q | None  # the keyword's condition (it needs a look-up of the matching enterprises)
    tz: ZoneInfo

    @cached_property
    def query(self) -> QuerySet[Question]:
        """The filtered (unordered, unpaged) query; shared by the list and the export."""
        flt = self.flt
        query = (Question.filter(office_id__in=self.office_ids, submitted_at__not_isnull=True)
                 .exclude(status__in=NOT_IN_QUEUE).using_db(connection()))
        if flt.statuses:
            query = query.filter(status__in=flt.statuses)
        if flt.type_id is not None:
            query = query.filter(types__id=flt.type_id)
        if flt.importance is not None:
            query = query.filter(importance=flt.importance)
        if flt.submitted_from is not None:
            query = query.filter(submitted_at__gte=start_of(flt.submitted_from, self.tz))
        if flt.submitted_to is not None:
            query = query.filter(submitted_at__lt=start_of(flt.submitted_to + timedelta(days=1), self.tz))
        return query if self.keyword is None else query.filter(self.keyword)


async def queue_scope(account_id: int, flt: QueueFilter, ctx: ServiceContext) -> QueueScope:
    """The account's scope under ``flt``; its ``query`` is shared by the list and the export."""
    conn = connection()
    account = await access_customs_account(account_id, conn)
    offices = await _offices_in_scope(account)
    office_ids = list(offices)
    if flt.office_id is not None:
        chosen = await CustomsOffice.filter(id=flt.office_id).using_db(conn).values_list("path", flat=True)
        office_ids = [i for i, (_, path) in offices.items() if chosen and path.startswith(chosen[0])]
    keyword = await _keyword(flt.keyword) if flt.keyword else None
    return QueueScope(account, {i: name for i, (name, _) in offices.items()}, tuple(office_ids), flt, keyword, ctx.tz)


async def _offices_in_scope(account: CustomsAccount) -> dict[int, tuple[str, str]]:
    """The offices of ``customs_scope(account)`` (id → name, path): the same rule, resolved at the office level."""
    def query() -> ValuesListQuery[Any]:
        return CustomsOffice.filter(customs_scope(account, via="")).using_db(connection()).values_list(
            "id", "name", "path")

    async def load() -> dict[int, tuple[str, str]]:  # customs_scope is built from the role and the office alone
        key = ("offices_in_scope", account.role, account.office_id, account.office.path)
        return {i: (name, path) for i, name, path in await fetch_compiled(key, query)}

    return await request_memo(("offices_in_scope", account.id), load)


@dataclass(frozen=True)
class QueueOptions:
    """What the queue's filter offers this account: statuses, types, the offices in scope, importances."""

    statuses: tuple[tuple[str, str], ...]  # the select's (value, label): the open work first, then all, then each
    types: tuple[tuple[int, str], ...]
    offices: tuple[tuple[int, str, int], ...]  # id, name, depth below the account's office
    importances: tuple[tuple[str, str], ...]


async def queue_options(account_id: int) -> QueueOptions:
    account = await access_customs_account(account_id, connection())
    offices = sorted((await _offices_in_scope(account)).items(), key=lambda item: item[1][1])
    depth = account.office.path.count("/")
    types = await rows("SELECT id, name FROM question_type WHERE active ORDER BY sort, id")
    return QueueOptions(
        statuses=((QueueFilter(statuses=OPEN_WORK).status_choice, OPEN_WORK_LABEL), (ALL, "全部状态"),
                  *((s.value, s.label) for s in QUEUE_STATUSES)), types=tuple((r[0], r[1]) for r in types),
        offices=tuple((i, name, path.count("/") - depth) for i, (name, path) in offices),
        importances=tuple((i.value, i.label) for i in Importance))



async def _keyword(keyword: str) -> Q:
    """Title contains, enterprise name contains, or number prefix or suffix (a suffix of 4+ characters).

    The matching enterprises are resolved first (PostgreSQL: pg_trgm index ``enterprise_name_trgm``, migration
    0007) into an id list, so the question side is ``title LIKE … OR enterprise_id IN (…)`` — a BitmapOr of the
    ``question_title_trgm`` index and the enterprise index — instead of a per-row sub-plan. A keyword matching
    very many enterprises stays a sub-select. A number prefix and a number suffix (a prefix of
    ``number_reversed``) are served by the pattern indexes of migration 0012, so every branch of the OR is.
    """
    enterprises = Enterprise.filter(name__icontains=keyword).using_db(connection())
    ids = await enterprises.limit(ENTERPRISE_IDS_MAX + 1).values_list("id", flat=True)
    matching: Any = ids if len(ids) <= ENTERPRISE_IDS_MAX else Subquery(enterprises.values("id"))
    condition = Q(title__icontains=keyword) | Q(enterprise_id__in=matching)
    if _NUMBER_LIKE.fullmatch(keyword):
        # exact or prefix (a credit code: the enterprise's numbers); numbers are upper-case
        condition |= Q(number__startswith=keyword.upper())
        if len(keyword) >= NUMBER_SUFFIX_MIN:  # e.g. 260007: year and sequence
            condition |= Q(number_reversed__startswith=keyword.upper()[::-1])
    return condition


def after_key(at: datetime, last_id: int, *, ascending: bool = False) -> Q:
    """Rows after (at, last_id) in (submitted_at, id) order, descending unless ``ascending``: the queue's keyset."""
    return after_time_key("submitted_at", at, last_id, ascending=ascending)


def queue_order(flt: QueueFilter) -> tuple[str, str]:
    """The queue's order for this filter: oldest first for the open work, else newest first."""
    return ("submitted_at", "id") if flt.oldest_first else ("-submitted_at", "-id")


async def list_queue(account_id: int, flt: QueueFilter, *, cursor: str | None = None, limit: int = 50,
                     ctx: ServiceContext | None = None, accept_within_days: int = ACCEPT_WITHIN_DAYS,
                     reply_within_days: int = REPLY_WITHIN_DAYS) -> QueuePage:
    """One page of the account's queue in ``queue_order``; ``cursor`` is the previous page's ``next_cursor``.

    Precondition: ``account_id`` is a signed-in customs account (NotFound if it is inactive or unknown).
    A cursor not handed out here, or a limit outside 1–100, is ValidationFailed.
    """
    ctx = ctx or ServiceContext()
    check_limit(limit, MAX_LIMIT)
    key = decode_time_cursor(cursor) if cursor else None
    scope = await queue_scope(account_id, flt, ctx)

    def page_query() -> ValuesQuery[Any]:
        query = scope.query if key is None else scope.query.filter(after_key(*key, ascending=flt.oldest_first))
        return query.order_by(*queue_order(flt)).limit(limit + 1).values(*QUEUE_COLUMNS,
                                                                          enterprise_name="enterprise__name")

    # Without a keyword (its condition holds looked-up enterprise ids) the query is the same for the same
    # scope, filter and cursor: built once.
    rows = (await fetch_raw(page_query()) if flt.keyword else
            await fetch_compiled(("queue", scope.office_ids, flt, key, limit, str(ctx.tz)), page_query))
    more, rows = len(rows) > limit, rows[:limit]
    types = await type_names([r["id"] for r in rows])
    handlers = await handler_names({r["id"]: r["round"] for r in rows})
    now = ctx.now()
    deadlines = {Status.SUBMITTED: timedelta(days=accept_within_days),
                 Status.ACCEPTED: timedelta(days=reply_within_days)}
    items = tuple(_item(row, types, handlers, scope.offices, now, deadlines) for row in rows)
    next_cursor = encode_time_cursor(items[-1].submitted_at, items[-1].id) if more else None
    return QueuePage(items, next_cursor)


def _item(row: Any, types: dict[int, tuple[str, ...]], handlers: dict[int, str], offices: dict[int, str],
          now: datetime, deadlines: dict[Status, timedelta]) -> QueueItem:
    question_id, status, importance = row["id"], STATUSES[row["status"]], IMPORTANCES.get(row["importance"])
    submitted_at = as_time(row["submitted_at"])
    age = now - submitted_at
    return QueueItem(  # positional, in the fields' order: a page builds fifty
        question_id, row["number"], row["title"], row["enterprise_name"] or "", types.get(question_id, ()),
        offices.get(row["office_id"], ""), importance, importance.label if importance else "", status, status.label,
        row["round"], handlers.get(question_id, ""), submitted_at, None if status in FINISHED else max(age.days, 0),
        status in deadlines and age > deadlines[status],
    )


HANDLER_EVENTS_SQL = f"""SELECT question_id, round, action, actor_name FROM question_event
    WHERE question_id IN ({{ids}}) AND customs_account_id IS NOT NULL
    AND action IN ('{Action.ACCEPT.value}', '{Action.REPLY.value}', '{Action.FORWARD.value}') ORDER BY id"""


async def handler_names(rounds: dict[int, int]) -> dict[int, str]:
    """Question id → who accepted (or answered) its current round (``rounds``: id → round), in one query.

    A forward after that clears it: the question waits for someone of the new office.
    """
    if not rounds:
        return {}
    found: dict[int, str] = {}
    for question_id, round_, action, name in await rows(HANDLER_EVENTS_SQL.format(ids=placeholders(len(rounds))),
                                                       *rounds):
        if round_ == rounds[question_id]:
            found[question_id] = "" if action == Action.FORWARD.value else name
    return found


BADGE_SQL = f"""SELECT count(*) FROM (SELECT 1 FROM question WHERE office_id IN ({{ids}})
    AND status = '{Status.SUBMITTED.value}' LIMIT {BADGE_MAX + 1}) AS waiting"""


async def new_work_count(account_id: int) -> int:
    """Questions in the account's scope waiting to be accepted (status submitted), counted up to ``BADGE_MAX + 1``:
    the header's badge, on every admin page, reads at most that many index entries."""
    account = await access_customs_account(account_id, connection())
    offices = await _offices_in_scope(account)
    if not offices:
        return 0
    found = await rows(BADGE_SQL.format(ids=placeholders(len(offices))), *offices)
    return int(found[0][0])


def badge_label(count: int) -> str:
    """The badge's text: the count, or "99+" past ``BADGE_MAX``."""
    return f"{BADGE_MAX}+" if count > BADGE_MAX else str(count)
