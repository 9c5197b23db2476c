"""Excel files for customs: the queue under its current filter, and an enterprise's 关企沟通记录 (AEO evidence).

Both are written through the Excel kit (services/kit/excel.py: column specs, write-only workbook, bold frozen
header, real Excel datetimes in the district's time zone). The queue is read from the database in keyset
batches (one query for the rows, then one each for their types, latest replies and latest evaluations, one for
the enterprise names not seen yet), the next batch being read while one is appended.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.queryset import QuerySet

from core.db import connection, fetch
from core.query_sql import fetch_raw
from models.catalog import QuestionType
from models.enterprises import Enterprise
from models.errors import NotFound
from models.lifecycle import Action, Evaluation, Importance, Status
from models.questions import Question, QuestionEvaluation, QuestionEvent
from services.kit.context import ServiceContext, start_of
from services.kit.excel import Column, Kind, SheetWriter, new_workbook, save
from services.questions.labels import ROLE_LABELS
from services.questions.queue import QueueFilter, after_key, queue_scope
from services.questions.views import event_title

BATCH = 2000
QUEUE_SHEET = "问题清单"
_T, _D = Kind.TEXT, Kind.DATETIME
# (header, kind, width) in the order of the cells ``_queue_row`` makes.
_QUEUE_SPEC = (("问题编号", _T, 26), ("标题", _T, 24), ("企业名称", _T, 30), ("问题类型", _T, 18),
               ("受理海关/部门", _T, 16), ("重要性", _T, 8), ("状态", _T, 10), ("提交时间", _D, 17),
               ("受理时间", _D, 17), ("回复时间", _D, 17), ("办结时间", _D, 17), ("问题描述", _T, 50),
               ("联系人", _T, 10), ("联系电话", _T, 14), ("回复内容", _T, 50), ("企业评价", _T, 30))
QUEUE_COLUMNS: tuple[Column[tuple[Any, ...]], ...] = tuple(
    Column(header, itemgetter(i), kind, width) for i, (header, kind, width) in enumerate(_QUEUE_SPEC))
QUEUE_HEADERS = tuple(c.header for c in QUEUE_COLUMNS)
AEO_SHEET = "关企沟通记录"
AEO_COLUMNS: tuple[Column[tuple[Any, ...]], ...] = tuple(
    Column(header, itemgetter(i), kind, width) for i, (header, kind, width) in enumerate(
        (("问题编号", _T, 26), ("问题标题", _T, 24), ("轮次", Kind.INTEGER, 6), ("时间", _D, 17),
         ("经办人", _T, 12), ("身份", _T, 10), ("事项", _T, 18), ("内容", _T, 60))))
AEO_HEADERS = tuple(c.header for c in AEO_COLUMNS)
MSG_ENTERPRISE_NOT_FOUND = "企业不存在或无权查看"

# submitted_at (the current round's) orders the rows and keys the next batch; 提交时间 / 受理时间 shown are the
# first round's (each round's times are on the timeline).
_COLUMNS = ("id", "number", "title", "enterprise_id", "office_id", "importance", "status", "submitted_at",
            "first_submitted_at", "first_accepted_at", "replied_at", "closed_at", "description", "contact_name",
            "contact_phone")
_STATUS_LABELS: dict[str, str] = {s.value: s.label for s in Status}
_IMPORTANCE_LABELS: dict[str, str] = {i.value: i.label for i in Importance}
_EVALUATION_LABELS: dict[str, str] = {e.value: e.label for e in Evaluation}
# Timeline entries that are part of the conversation with customs (not the enterprise's internal steps).
_CONVERSATION = frozenset({Action.SUBMIT, Action.EXEC_APPROVE, Action.WITHDRAW, Action.ACCEPT, Action.REPLY,
                           Action.EVALUATE, Action.APPEND, Action.AUTO_CLOSE})
_BEFORE_CUSTOMS = (Status.DRAFT, Status.PENDING_EXEC_REVIEW, Status.RETURNED_BY_EXEC)

Progress = Callable[[int, int], None]


def local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """An aware time as a naive wall-clock time in ``tz`` (Excel has no time zones)."""
    return value.astimezone(tz).replace(tzinfo=None) if value is not None else None


@dataclass
class _Batch:
    """One batch of question rows as the driver returns them, with what each row shows from other tables."""

    rows: list[Any]
    types: dict[int, list[int]]
    replies: dict[int, str]  # the latest reply's text
    evaluations: dict[int, str]  # the latest evaluation, with its note


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
    workbook = new_workbook()
    sheet = SheetWriter(workbook, QUEUE_SHEET, QUEUE_COLUMNS, ctx.tz)
    enterprises: dict[int, str] = {}
    done = 0
    pending = asyncio.ensure_future(_batch(scope.query, None, batch_size))
    try:
        while True:
            batch = await pending
            rows = batch.rows
            if not rows:
                break
            if len(rows) == batch_size:  # read the next batch while this one is written
                last = rows[-1]
                key = (_aware(last[7]) or datetime.min, last[0])  # the queue has a submission time (never None)
                pending = asyncio.ensure_future(_batch(scope.query, key, batch_size))
                await asyncio.sleep(0)
            await _learn_names(enterprises, {row[3] for row in rows})
            for row in rows:
                sheet.append_values(_queue_row(row, batch, rank, enterprises, scope.offices))
            done += len(rows)
            if progress:
                progress(done, max(total, done))
            if len(rows) < batch_size:
                break
    finally:
        pending.cancel()  # only still running if writing failed
    save(workbook, path)
    return done


async def _batch(query: QuerySet[Question], key: tuple[datetime, int] | None, size: int) -> _Batch:
    """One batch of rows after ``key``, as the driver returns them (tortoise's per-value conversion is a third
    of the export's own time), with their types, latest replies and latest evaluations."""
    if key is not None:
        query = query.filter(after_key(*key))
    rows = await fetch_raw(query.order_by("-submitted_at", "-id").limit(size).values_list(*_COLUMNS))
    ids = [row[0] for row in rows]
    if not ids:
        return _Batch([], {}, {}, {})
    types, replies, evaluations = await asyncio.gather(_type_ids(ids), _latest_replies(ids), _latest_evaluations(ids))
    return _Batch(rows, types, replies, evaluations)


async def _type_ids(question_ids: list[int]) -> dict[int, list[int]]:
    field = Question._meta.fields_map["types"]
    through, question_key, type_key = field.through, field.backward_key, field.forward_key  # type: ignore[attr-defined]
    marks = ", ".join("?" * len(question_ids))
    sql = f"SELECT {question_key}, {type_key} FROM {through} WHERE {question_key} IN ({marks})"
    found: dict[int, list[int]] = defaultdict(list)
    for row in await fetch(connection(), sql, *question_ids):
        found[row[question_key]].append(row[type_key])
    return found


async def _latest_replies(question_ids: list[int]) -> dict[int, str]:
    query = (QuestionEvent.filter(question_id__in=question_ids, action=Action.REPLY.value)
             .order_by("id").values_list("question_id", "text"))
    return {question_id: text for question_id, text in await fetch_raw(query)}  # the last one wins


async def _latest_evaluations(question_ids: list[int]) -> dict[int, str]:
    query = QuestionEvaluation.filter(question_id__in=question_ids).order_by("id").values_list(
        "question_id", "kind", "note")
    return {question_id: _EVALUATION_LABELS[kind] + (f"：{note}" if note else "")
            for question_id, kind, note in await fetch_raw(query)}


def _aware(value: datetime | str | None) -> datetime | None:
    """A time as the driver returns it: asyncpg an aware datetime, SQLite the ISO text tortoise stored."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _queue_row(row: Any, batch: _Batch, rank: dict[int, tuple[int, str]], enterprises: dict[int, str],
               offices: dict[int, str]) -> tuple[Any, ...]:
    (qid, number, title, enterprise_id, office_id, importance, status, _, submitted, accepted, replied, closed,
     description, contact_name, contact_phone) = row
    names = "、".join(rank[t][1] for t in sorted(batch.types.get(qid, ()), key=lambda t: rank[t][0])) or None
    return (number, title, enterprises.get(enterprise_id), names, offices.get(office_id),
            _IMPORTANCE_LABELS.get(importance) if importance else None, _STATUS_LABELS[status],
            _aware(submitted), _aware(accepted), _aware(replied), _aware(closed), description or None,
            contact_name or None, contact_phone or None, batch.replies.get(qid) or None, batch.evaluations.get(qid))


async def _learn_names(known: dict[int, str], ids: set[int]) -> None:
    missing = ids - known.keys()
    if missing:
        known.update(await Enterprise.filter(id__in=missing).using_db(connection()).values_list("id", "name"))


async def check_aeo_record(account_id: int, enterprise_id: int,
                           ctx: ServiceContext) -> tuple[Enterprise, QuerySet[Question]]:
    """The enterprise and its questions in the account's scope; NotFound when there are none."""
    scope = await queue_scope(account_id, QueueFilter(), ctx)
    enterprise = await Enterprise.filter(id=enterprise_id).using_db(connection()).first()
    questions_query = scope.query.filter(enterprise_id=enterprise_id)
    if enterprise is None or not await questions_query.exists():
        raise NotFound(MSG_ENTERPRISE_NOT_FOUND)
    return enterprise, questions_query


async def export_aeo_record(account_id: int, enterprise_id: int, date_from: date, date_to: date,
                            path: Path | str, *, ctx: ServiceContext | None = None) -> int:
    """关企沟通记录: every exchange with customs on the enterprise's questions between two days (inclusive).

    One row per timeline entry of the conversation — submission, acceptance, reply, evaluation, appended
    question, withdrawal, automatic close — with time, who, what and text. Only questions in the account's
    scope count; an enterprise with none of them there is NotFound. Returns the number of record rows.
    """
    ctx = ctx or ServiceContext()
    conn = connection()
    enterprise, questions_query = await check_aeo_record(account_id, enterprise_id, ctx)
    questions = {q.id: q for q in await questions_query.only("id", "number", "title", "description")}
    start, end = start_of(date_from, ctx.tz), start_of(date_to + timedelta(days=1), ctx.tz)
    events = await (QuestionEvent.filter(question_id__in=list(questions), created_at__gte=start, created_at__lt=end,
                                         action__in=[a.value for a in _CONVERSATION])
                    .exclude(to_status__in=_BEFORE_CUSTOMS).using_db(conn).order_by("question_id", "id"))
    questions_in_order = sorted({e.question_id for e in events}, key=lambda i: questions[i].number)
    by_question: dict[int, list[QuestionEvent]] = {i: [] for i in questions_in_order}
    for event in events:
        by_question[event.question_id].append(event)

    workbook = new_workbook()
    period = f"期间：{date_from.isoformat()} 至 {date_to.isoformat()}"
    exported = f"导出时间：{local(ctx.now(), ctx.tz):%Y-%m-%d %H:%M}"
    preamble = ((f"{enterprise.name} 关企沟通记录",), (f"统一社会信用代码：{enterprise.credit_code}", period, exported))
    sheet = SheetWriter(workbook, AEO_SHEET, AEO_COLUMNS, ctx.tz, preamble)
    for question_id, question_events in by_question.items():
        question = questions[question_id]
        for event in question_events:
            sheet.append((question.number, question.title, event.round, event.created_at, event.actor_name,
                          ROLE_LABELS[event.actor_role], event_title(event), _event_text(event, question) or None))
    save(workbook, path)
    return len(events)


def _event_text(event: QuestionEvent, question: Question) -> str:
    """The entry's own text; a first submission shows the question as asked."""
    if not event.text and event.to_status is Status.SUBMITTED and event.round == 1:
        return question.description
    return event.text
