"""Excel files for customs: the queue under its current filter, and an enterprise's 关企沟通记录 (AEO evidence).

Both are written with openpyxl's write-only workbook, so memory stays flat however many rows there are: the
queue is read from the database in keyset batches (one query for the rows, one for their types, one for the
enterprise names not seen yet), the next batch being read while one is appended. Times are shown in the
district's time zone as naive datetimes, which Excel formats as dates.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from tortoise.queryset import QuerySet

from core.db import connection, fetch
from models.catalog import QuestionType
from models.enterprises import Enterprise
from models.errors import NotFound
from models.lifecycle import Action, Importance, Status
from models.questions import Question, QuestionEvent
from services.kit.context import ServiceContext
from services.questions.labels import ROLE_LABELS
from services.questions.queue import QueueFilter, after_key, queue_scope, start_of
from services.questions.views import event_title

BATCH = 2000
QUEUE_SHEET = "问题清单"
QUEUE_HEADERS = ("问题编号", "标题", "企业名称", "问题类型", "受理海关/部门", "重要性", "状态",
                 "提交时间", "受理时间", "回复时间", "办结时间")
AEO_SHEET = "关企沟通记录"
AEO_HEADERS = ("问题编号", "问题标题", "轮次", "时间", "经办人", "身份", "事项", "内容")
MSG_ENTERPRISE_NOT_FOUND = "企业不存在或无权查看"

_COLUMNS = ("id", "number", "title", "enterprise_id", "office_id", "importance", "status",
            "submitted_at", "accepted_at", "replied_at", "closed_at")
_STATUS_LABELS: dict[str, str] = {s.value: s.label for s in Status}
_IMPORTANCE_LABELS: dict[str, str] = {i.value: i.label for i in Importance}
# Timeline entries that are part of the conversation with customs (not the enterprise's internal steps).
_CONVERSATION = frozenset({Action.SUBMIT, Action.EXEC_APPROVE, Action.WITHDRAW, Action.ACCEPT, Action.REPLY,
                           Action.EVALUATE, Action.APPEND, Action.AUTO_CLOSE})
_BEFORE_CUSTOMS = (Status.DRAFT, Status.PENDING_EXEC_REVIEW, Status.RETURNED_BY_EXEC)

Progress = Callable[[int, int], None]


def local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """An aware time as a naive wall-clock time in ``tz`` (Excel has no time zones)."""
    return value.astimezone(tz).replace(tzinfo=None) if value is not None else None


async def export_queue(account_id: int, flt: QueueFilter, path: Path | str, *, progress: Progress | None = None,
                       ctx: ServiceContext | None = None, batch_size: int = BATCH) -> int:
    """Write the account's queue under ``flt`` (newest submission first) to an .xlsx at ``path``; the row count.

    ``progress(done, total)`` is called once with 0 at the start and after every batch, so a background job can
    show a progress bar. Precondition: an active customs account (NotFound otherwise); ``flt`` already validated.
    """
    ctx = ctx or ServiceContext()
    scope = await queue_scope(account_id, flt, ctx)
    total = await scope.query.count()
    if progress:
        progress(0, total)
    catalogue = await QuestionType.all().using_db(connection()).order_by("sort", "id").values_list("id", "name")
    rank = {type_id: (position, name) for position, (type_id, name) in enumerate(catalogue)}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(QUEUE_SHEET)
    sheet.append(QUEUE_HEADERS)
    enterprises: dict[int, str] = {}
    done = 0
    pending = asyncio.ensure_future(_batch(scope.query, None, batch_size))
    try:
        while True:
            rows, types = await pending
            if not rows:
                break
            if len(rows) == batch_size:  # read the next batch while this one is written
                last = rows[-1]
                pending = asyncio.ensure_future(_batch(scope.query, (_aware(last[7]), last[0]), batch_size))
                await asyncio.sleep(0)
            await _learn_names(enterprises, {row[3] for row in rows})
            for row in rows:
                sheet.append(_queue_row(row, types, rank, enterprises, scope.offices, ctx.tz))
            done += len(rows)
            if progress:
                progress(done, max(total, done))
            if len(rows) < batch_size:
                break
    finally:
        pending.cancel()  # only still running if writing failed
    workbook.save(path)
    return done


async def _batch(query: QuerySet[Question], key: tuple[datetime, int] | None,
                 size: int) -> tuple[list[Any], dict[int, list[int]]]:
    """One batch of rows after ``key`` and the type ids of each, as the driver returns them.

    The rows skip tortoise's per-value conversion (a third of the export's own time): the ORM builds the SQL,
    the connection runs it, and ``_queue_row`` reads the plain values.
    """
    if key is not None:
        query = query.filter(after_key(*key))
    batch = query.order_by("-submitted_at", "-id").limit(size).values_list(*_COLUMNS)
    batch._choose_db_if_not_chosen()
    batch._make_query()
    sql, params = batch.query.get_parameterized_sql()
    _, rows = await connection().execute_query(sql, params)
    return list(rows), await _type_ids([row[0] for row in rows])


async def _type_ids(question_ids: list[int]) -> dict[int, list[int]]:
    if not question_ids:
        return {}
    field = Question._meta.fields_map["types"]
    through, question_key, type_key = field.through, field.backward_key, field.forward_key  # type: ignore[attr-defined]
    marks = ", ".join("?" * len(question_ids))
    sql = f"SELECT {question_key}, {type_key} FROM {through} WHERE {question_key} IN ({marks})"
    found: dict[int, list[int]] = defaultdict(list)
    for row in await fetch(connection(), sql, *question_ids):
        found[row[question_key]].append(row[type_key])
    return found


def _aware(value: datetime | str) -> datetime:
    """A time as the driver returns it: asyncpg an aware datetime, SQLite the ISO text tortoise stored."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _local(value: datetime | str | None, tz: ZoneInfo) -> datetime | None:
    return None if value is None else _aware(value).astimezone(tz).replace(tzinfo=None)


def _queue_row(row: Any, types: dict[int, list[int]], rank: dict[int, tuple[int, str]], enterprises: dict[int, str],
               offices: dict[int, str], tz: ZoneInfo) -> tuple[Any, ...]:
    qid, number, title, enterprise_id, office_id, importance, status, submitted, accepted, replied, closed = row
    names = "、".join(rank[t][1] for t in sorted(types.get(qid, ()), key=lambda t: rank[t][0])) or None
    return (number, title, enterprises.get(enterprise_id), names, offices.get(office_id),
            _IMPORTANCE_LABELS.get(importance) if importance else None, _STATUS_LABELS[status],
            _local(submitted, tz), _local(accepted, tz), _local(replied, tz), _local(closed, tz))


async def _learn_names(known: dict[int, str], ids: set[int]) -> None:
    missing = ids - known.keys()
    if missing:
        known.update(await Enterprise.filter(id__in=missing).using_db(connection()).values_list("id", "name"))


async def export_aeo_record(account_id: int, enterprise_id: int, date_from: date, date_to: date,
                            path: Path | str, *, ctx: ServiceContext | None = None) -> int:
    """关企沟通记录: every exchange with customs on the enterprise's questions between two days (inclusive).

    One row per timeline entry of the conversation — submission, acceptance, reply, evaluation, appended
    question, withdrawal, automatic close — with time, who, what and text. Only questions in the account's
    scope count; an enterprise with none of them there is NotFound. Returns the number of record rows.
    """
    ctx = ctx or ServiceContext()
    conn = connection()
    scope = await queue_scope(account_id, QueueFilter(), ctx)
    enterprise = await Enterprise.filter(id=enterprise_id).using_db(conn).first()
    questions_query = scope.query.filter(enterprise_id=enterprise_id)
    if enterprise is None or not await questions_query.exists():
        raise NotFound(MSG_ENTERPRISE_NOT_FOUND)
    questions = {q.id: q for q in await questions_query.only("id", "number", "title", "description")}
    start, end = start_of(date_from, ctx.tz), start_of(date_to + timedelta(days=1), ctx.tz)
    events = await (QuestionEvent.filter(question_id__in=list(questions), created_at__gte=start, created_at__lt=end,
                                         action__in=[a.value for a in _CONVERSATION])
                    .exclude(to_status__in=_BEFORE_CUSTOMS).using_db(conn).order_by("question_id", "id"))
    questions_in_order = sorted({e.question_id for e in events}, key=lambda i: questions[i].number)
    by_question: dict[int, list[QuestionEvent]] = {i: [] for i in questions_in_order}
    for event in events:
        by_question[event.question_id].append(event)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(AEO_SHEET)
    sheet.append((f"{enterprise.name} 关企沟通记录",))
    sheet.append((f"统一社会信用代码：{enterprise.credit_code}",
                  f"期间：{date_from.isoformat()} 至 {date_to.isoformat()}",
                  f"导出时间：{local(ctx.now(), ctx.tz):%Y-%m-%d %H:%M}"))
    sheet.append(AEO_HEADERS)
    for question_id, question_events in by_question.items():
        question = questions[question_id]
        for event in question_events:
            sheet.append((question.number, question.title, event.round, local(event.created_at, ctx.tz),
                          event.actor_name, ROLE_LABELS[event.actor_role], event_title(event),
                          _event_text(event, question) or None))
    workbook.save(path)
    return len(events)


def _event_text(event: QuestionEvent, question: Question) -> str:
    """The entry's own text; a first submission shows the question as asked."""
    if not event.text and event.to_status is Status.SUBMITTED and event.round == 1:
        return question.description
    return event.text
