"""The customs queue: questions of the reader's offices, filtered, newest submission first, in keyset pages.

Scope is the one of ``services.kit.access.customs_scope``: an officer sees their office's questions, a supervisor
(or a customs admin, read-only) the sub-tree under their office. Questions that never reached customs (draft,
executive review, returned by the executive) and deleted ones are not in the queue.

The query is shaped for a million rows: the scope is resolved to a list of office ids first (the office tree
is small), the enterprise-name keyword to a sub-select, and paging is keyset on (submitted_at desc, id desc)
with a redundant ``submitted_at <= cursor`` bound, so PostgreSQL walks the (office_id, submitted_at, id) or
(submitted_at, id) index backwards from the cursor and stops after one page (see models/questions.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from core.db import connection
from models.catalog import QuestionType
from models.customs_accounts import CustomsAccount
from models.enterprises import Enterprise
from models.errors import ValidationFailed
from models.lifecycle import Importance, Status
from models.offices import CustomsOffice
from models.questions import Question
from services.kit.access import access_customs_account, customs_scope, request_memo
from services.kit.context import ServiceContext
from services.kit.paging import (
    check_limit,
    decode_time_cursor,
    encode_time_cursor,
)

MAX_LIMIT = 100
BADGE_MAX = 99  # the header's badge counts this far, then shows "99+": a bounded query on every page
KEYWORD_MAX = 50
ENTERPRISE_IDS_MAX = 500  # enterprises matching a keyword that are inlined as ids (more: a sub-select)
# Calendar days from submission after which a question is highlighted as overdue (the lead moves them to
# config): not accepted within ACCEPT_WITHIN_DAYS, or accepted and not replied within REPLY_WITHIN_DAYS.
ACCEPT_WITHIN_DAYS = 2
REPLY_WITHIN_DAYS = 5

# Statuses that never reached customs, or were deleted: never in the queue (as in services/kit/access.py).
NOT_IN_QUEUE = (Status.DRAFT, Status.PENDING_EXEC_REVIEW, Status.RETURNED_BY_EXEC, Status.DELETED)
QUEUE_STATUSES = tuple(s for s in Status if s not in NOT_IN_QUEUE)

MSG_BAD_STATUS = "状态筛选无效"
MSG_BAD_TYPE = "问题类型筛选无效"
MSG_BAD_OFFICE = "受理海关/部门筛选无效"
MSG_BAD_IMPORTANCE = "重要性筛选无效，应为一般、重要或紧急"
MSG_BAD_DATE = "日期格式应为 YYYY-MM-DD"
MSG_BAD_RANGE = "提交日期的结束日期不能早于开始日期"
MSG_LONG_KEYWORD = f"关键词不能超过 {KEYWORD_MAX} 个字"
_NUMBER_LIKE = re.compile(r"[0-9A-Za-z]+")


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filter; every field optional. Dates are calendar days in the district's time zone."""

    statuses: tuple[Status, ...] = ()
    type_id: int | None = None
    office_id: int | None = None  # the office or department and everything under it
    importance: Importance | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None  # inclusive
    keyword: str = ""  # number (exact or prefix), title or enterprise name (contains)

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> QueueFilter:
        """Parse query arguments (a value may be a string or a list of strings, as in Sanic's ``request.args``).

        ``status`` may repeat or be comma-separated. Bad values are ValidationFailed naming the field.
        """
        statuses = tuple(dict.fromkeys(_status(s) for v in _all(args, "status") for s in v.split(",") if s.strip()))
        keyword = " ".join(_one(args, "keyword").split())
        if len(keyword) > KEYWORD_MAX:
            raise ValidationFailed(MSG_LONG_KEYWORD, field="keyword")
        flt = cls(
            statuses=statuses,
            type_id=_id(_one(args, "type_id"), "type_id", MSG_BAD_TYPE),
            office_id=_id(_one(args, "office_id"), "office_id", MSG_BAD_OFFICE),
            importance=_importance(_one(args, "importance")),
            submitted_from=_date(_one(args, "submitted_from"), "submitted_from"),
            submitted_to=_date(_one(args, "submitted_to"), "submitted_to"),
            keyword=keyword,
        )
        if flt.submitted_from and flt.submitted_to and flt.submitted_to < flt.submitted_from:
            raise ValidationFailed(MSG_BAD_RANGE, field="submitted_to")
        return flt


def _all(args: Mapping[str, Any], key: str) -> list[str]:
    value = args.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _one(args: Mapping[str, Any], key: str) -> str:
    values = _all(args, key)
    return values[0].strip() if values else ""


def _status(text: str) -> Status:
    try:
        status = Status(text.strip())
    except ValueError:
        raise ValidationFailed(MSG_BAD_STATUS, field="status") from None
    if status not in QUEUE_STATUSES:
        raise ValidationFailed(MSG_BAD_STATUS, field="status")
    return status


def _id(text: str, field: str, message: str) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**31:
        raise ValidationFailed(message, field=field)
    return int(text)


def _importance(text: str) -> Importance | None:
    if not text:
        return None
    try:
        return Importance(text)
    except ValueError:
        raise ValidationFailed(MSG_BAD_IMPORTANCE, field="importance") from None


def _date(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad_date(field)
    except ValueError:
        return _bad_date(field)


def _bad_date(field: str) -> date:
    raise ValidationFailed(MSG_BAD_DATE, field=field)


@dataclass(frozen=True)
class QueueItem:
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
    submitted_at: datetime
    age_days: int  # whole days since the (latest) submission
    overdue: bool


@dataclass(frozen=True)
class QueuePage:
    items: tuple[QueueItem, ...]
    next_cursor: str | None  # None: this is the last page


@dataclass(frozen=True)
class QueueScope:
    """A reader's queue: the account, the offices in scope (id → name) and the filtered query."""

    account: CustomsAccount
    offices: dict[int, str]
    query: QuerySet[Question]


async def queue_scope(account_id: int, flt: QueueFilter, ctx: ServiceContext) -> QueueScope:
    """The account's scope and the filtered (unordered, unpaged) query; shared by the list and the export."""
    conn = connection()
    account = await access_customs_account(account_id, conn)
    offices = await _offices_in_scope(account)
    office_ids = list(offices)
    if flt.office_id is not None:
        chosen = await CustomsOffice.filter(id=flt.office_id).using_db(conn).values_list("path", flat=True)
        office_ids = [i for i, (_, path) in offices.items() if chosen and path.startswith(chosen[0])]
    query = (Question.filter(office_id__in=office_ids, submitted_at__not_isnull=True)
             .exclude(status__in=NOT_IN_QUEUE).using_db(conn))
    if flt.statuses:
        query = query.filter(status__in=flt.statuses)
    if flt.type_id is not None:
        query = query.filter(types__id=flt.type_id)
    if flt.importance is not None:
        query = query.filter(importance=flt.importance)
    if flt.submitted_from is not None:
        query = query.filter(submitted_at__gte=start_of(flt.submitted_from, ctx.tz))
    if flt.submitted_to is not None:
        query = query.filter(submitted_at__lt=start_of(flt.submitted_to + timedelta(days=1), ctx.tz))
    if flt.keyword:
        query = query.filter(await _keyword(flt.keyword))
    return QueueScope(account, {i: name for i, (name, _) in offices.items()}, query)


async def _offices_in_scope(account: CustomsAccount) -> dict[int, tuple[str, str]]:
    """The offices of ``customs_scope(account)`` (id → name, path): the same rule, resolved at the office level."""
    async def load() -> dict[int, tuple[str, str]]:
        offices = CustomsOffice.filter(customs_scope(account, via="")).using_db(connection())
        return {i: (name, path) for i, name, path in await offices.values_list("id", "name", "path")}

    return await request_memo(("offices_in_scope", account.id), load)


@dataclass(frozen=True)
class QueueOptions:
    """What the queue's filter offers this account: statuses, types, the offices in scope, importances."""

    statuses: tuple[tuple[str, str], ...]
    types: tuple[tuple[int, str], ...]
    offices: tuple[tuple[int, str, int], ...]  # id, name, depth below the account's office
    importances: tuple[tuple[str, str], ...]


async def queue_options(account_id: int) -> QueueOptions:
    account = await access_customs_account(account_id, connection())
    offices = sorted((await _offices_in_scope(account)).items(), key=lambda item: item[1][1])
    depth = account.office.path.count("/")
    types = await QuestionType.filter(active=True).order_by("sort", "id").values_list("id", "name")
    return QueueOptions(
        statuses=tuple((s.value, s.label) for s in QUEUE_STATUSES), types=tuple(types),
        offices=tuple((i, name, path.count("/") - depth) for i, (name, path) in offices),
        importances=tuple((i.value, i.label) for i in Importance))


def start_of(day: date, tz: ZoneInfo) -> datetime:
    """Midnight of ``day`` in ``tz``, in UTC (SQLite compares stored times as text: the offsets must match)."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


async def _keyword(keyword: str) -> Q:
    """Title contains, enterprise name contains, or number prefix.

    The matching enterprises are resolved first (PostgreSQL: pg_trgm index ``enterprise_name_trgm``, migration
    0007) into an id list, so the question side is ``title LIKE … OR enterprise_id IN (…)`` — a BitmapOr of the
    ``question_title_trgm`` index and the enterprise index — instead of a per-row sub-plan. A keyword matching
    very many enterprises stays a sub-select.
    """
    enterprises = Enterprise.filter(name__icontains=keyword).using_db(connection())
    ids = await enterprises.limit(ENTERPRISE_IDS_MAX + 1).values_list("id", flat=True)
    matching: Any = ids if len(ids) <= ENTERPRISE_IDS_MAX else Subquery(enterprises.values("id"))
    condition = Q(title__icontains=keyword) | Q(enterprise_id__in=matching)
    if _NUMBER_LIKE.fullmatch(keyword):
        condition |= Q(number__startswith=keyword.upper())  # exact or prefix; numbers are upper-case
    return condition


def after_key(at: datetime, last_id: int) -> Q:
    """Rows after (at, last_id) in (submitted_at desc, id desc) order.

    The leading ``submitted_at <= at`` is implied by the OR, but it is what lets the index scan start at the
    cursor instead of filtering every newer row out.
    """
    return Q(submitted_at__lte=at) & (Q(submitted_at__lt=at) | Q(submitted_at=at, id__lt=last_id))


async def list_queue(account_id: int, flt: QueueFilter, *, cursor: str | None = None, limit: int = 50,
                     ctx: ServiceContext | None = None, accept_within_days: int = ACCEPT_WITHIN_DAYS,
                     reply_within_days: int = REPLY_WITHIN_DAYS) -> QueuePage:
    """One page of the account's queue, newest submission first; ``cursor`` is the previous ``next_cursor``.

    Precondition: ``account_id`` is a signed-in customs account (NotFound if it is inactive or unknown).
    A cursor not handed out here, or a limit outside 1–100, is ValidationFailed.
    """
    ctx = ctx or ServiceContext()
    check_limit(limit, MAX_LIMIT)
    key = decode_time_cursor(cursor) if cursor else None
    scope = await queue_scope(account_id, flt, ctx)
    query = scope.query if key is None else scope.query.filter(after_key(*key))
    rows = await query.order_by("-submitted_at", "-id").limit(limit + 1).values(
        "id", "number", "title", "enterprise_id", "office_id", "importance", "status", "submitted_at")
    more, rows = len(rows) > limit, rows[:limit]
    names = dict(await Enterprise.filter(id__in={r["enterprise_id"] for r in rows}).using_db(connection())
                 .values_list("id", "name")) if rows else {}
    types = await type_names([r["id"] for r in rows])
    now = ctx.now()
    deadlines = {Status.SUBMITTED: timedelta(days=accept_within_days),
                 Status.ACCEPTED: timedelta(days=reply_within_days)}
    items = tuple(_item(row, names, types, scope.offices, now, deadlines) for row in rows)
    next_cursor = encode_time_cursor(items[-1].submitted_at, items[-1].id) if more else None
    return QueuePage(items, next_cursor)


def _item(row: dict[str, Any], names: dict[int, str], types: dict[int, tuple[str, ...]], offices: dict[int, str],
          now: datetime, deadlines: dict[Status, timedelta]) -> QueueItem:
    status, importance = Status(row["status"]), row["importance"] and Importance(row["importance"])
    age = now - row["submitted_at"]
    return QueueItem(
        id=row["id"], number=row["number"], title=row["title"], enterprise_name=names.get(row["enterprise_id"], ""),
        types=types.get(row["id"], ()), office_name=offices.get(row["office_id"], ""), importance=importance or None,
        importance_label=importance.label if importance else "", status=status, status_label=status.label,
        submitted_at=row["submitted_at"], age_days=max(age.days, 0),
        overdue=status in deadlines and age > deadlines[status],
    )


async def type_names(question_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Question id → its type names in the catalogue's order (one query for a whole page or batch)."""
    if not question_ids:
        return {}
    rows = await (QuestionType.filter(questions__id__in=question_ids).using_db(connection())
                  .order_by("sort", "id").values_list("questions__id", "name"))
    found: dict[int, list[str]] = defaultdict(list)
    for question_id, name in rows:
        found[question_id].append(name)
    return {question_id: tuple(names) for question_id, names in found.items()}


async def new_work_count(account_id: int) -> int:
    """Questions in the account's scope waiting to be accepted (status submitted), counted up to ``BADGE_MAX + 1``:
    the header's badge, on every admin page, reads at most that many index entries."""
    account = await access_customs_account(account_id, connection())
    offices = await _offices_in_scope(account)
    waiting = Question.filter(office_id__in=list(offices), status=Status.SUBMITTED).using_db(connection())
    return len(await waiting.limit(BADGE_MAX + 1).values_list("id", flat=True))


def badge_label(count: int) -> str:
    """The badge's text: the count, or "99+" past ``BADGE_MAX``."""
    return f"{BADGE_MAX}+" if count > BADGE_MAX else str(count)
