"""Question statistics for a customs account: counts, working-day durations, evaluation mix, weekly trend.

Which questions: those in the account's scope (``customs_scope``: an officer his office's, a supervisor or
the customs admin the sub-tree's) that reached customs — not drafts, not with the executive, not deleted;
withdrawn ones count (customs saw them). With a period, a question belongs to it when its ``submitted_at``
(the latest submission to customs, local date of the district) falls in it; without, all questions count.

Where the figures come from:

* counts by status, type, office and importance: one ``GROUP BY`` each, in SQL. A question with two types
  counts under both; "未分类" / "未标注" stand for a missing type / importance (no executive review).
* time to accept (``accepted_at - submitted_at``) and to reply (``replied_at - submitted_at``) in working
  days (services/desk/working_days.py), median and p90; computed in Python over one ``values_list`` of the
  period's timestamps (fine up to some 100k questions a period). A reply straight from "submitted" records
  the acceptance at the same instant, so it counts as an acceptance too.
* the question's timestamp columns are those of its latest round (a new round or a resubmission after
  "需修改" sets them again): durations and the trend describe each question's latest round.
* evaluation mix: every evaluation given (each round's, in SQL); questions closed because the answer was not
  evaluated in time are counted apart as "视为接受（自动办结）", never as satisfied.
* weekly trend: per ISO week of the period, questions submitted, replied and closed in that week.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from core.db import connection
from models.lifecycle import ClosedBy, Evaluation, Importance, Status
from models.questions import Question, QuestionEvaluation
from services.desk.working_days import median, p90, uses_fallback, working_days_between
from services.kit.access import access_customs_account, customs_scope
from services.kit.context import ServiceContext, start_of

NOT_WITH_CUSTOMS = (Status.DRAFT, Status.PENDING_EXEC_REVIEW, Status.RETURNED_BY_EXEC, Status.DELETED)
DEEMED_ACCEPTED_LABEL = "视为接受（自动办结）"
NO_TYPE_LABEL = "未分类"
NO_IMPORTANCE_LABEL = "未标注"
FALLBACK_NOTE = "统计期间含节假日安排尚未公布的年份，该部分按周一至周五计算工作日"
CSV_HEADER = ("类别", "项目", "数值")

Items = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Durations:
    """Working-day durations of one kind: how many were measured, their median and 90th percentile."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class WeekTrend:
    week: str  # ISO week, "2025-W40"
    monday: date
    asked: int  # submitted to customs in the week
    replied: int
    closed: int


@dataclass(frozen=True)
class Statistics:
    date_from: date | None
    date_to: date | None
    total: int
    by_status: Items  # (Chinese label, count), in lifecycle order
    by_type: Items  # most frequent first
    by_office: Items
    by_importance: Items
    time_to_accept: Durations
    time_to_reply: Durations
    evaluations: Items  # the four evaluations, labelled, in order 1..4
    deemed_accepted: int  # auto-closed answers: "视为接受", not an evaluation
    weekly: tuple[WeekTrend, ...]
    calendar_fallback: bool  # some day lies outside chinese_calendar's years: Monday–Friday used there
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Period:
    """The period as UTC instants: ``start`` inclusive, ``end`` exclusive; None for open ends."""

    start: datetime | None
    end: datetime | None

    def q(self, column: str) -> Q:
        conditions: dict[str, Any] = {}
        if self.start is not None:
            conditions[f"{column}__gte"] = self.start
        if self.end is not None:
            conditions[f"{column}__lt"] = self.end
        if not conditions:
            conditions[f"{column}__isnull"] = False
        return Q(**conditions)

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and (self.start is None or moment >= self.start) and (
            self.end is None or moment < self.end)



async def question_statistics(
    account_id: int, *, date_from: date | None, date_to: date | None, ctx: ServiceContext | None = None
) -> Statistics:
    """The statistics of the questions ``account_id`` may see, submitted from ``date_from`` to ``date_to``
    (local dates, both included; None: open). Raises NotFound for an unknown or inactive account."""
    ctx = ctx or ServiceContext()
    conn = connection()
    account = await access_customs_account(account_id, conn)
    period = _Period(None if date_from is None else start_of(date_from, ctx.tz),
                     None if date_to is None else start_of(date_to + timedelta(days=1), ctx.tz))
    scoped = Question.filter(customs_scope(account)).exclude(status__in=NOT_WITH_CUSTOMS).using_db(conn)
    in_period = scoped.filter(period.q("submitted_at"))

    by_status = await _grouped(in_period, "status")
    by_importance = await _grouped(in_period, "importance")
    rows = await (scoped.filter(period.q("submitted_at") | period.q("replied_at") | period.q("closed_at"))
                  .values_list("submitted_at", "accepted_at", "replied_at", "closed_at"))
    accept, reply = _durations([r for r in rows if period.holds(r[0])], ctx.tz)
    first_day = date_from or _first_local_day(rows, ctx.tz)
    last_day = date_to or ctx.now().astimezone(ctx.tz).date()
    fallback = _calendar_fallback(rows, first_day, last_day, ctx.tz)
    return Statistics(
        date_from=date_from, date_to=date_to,
        total=sum(by_status.values()),
        by_status=tuple((s.label, by_status[s.value]) for s in Status if by_status.get(s.value)),
        by_type=await _by_name(in_period, "types__id", "types__name", NO_TYPE_LABEL),
        by_office=await _by_name(in_period, "office__id", "office__name", ""),
        by_importance=tuple((i.label, by_importance[i.value]) for i in Importance if by_importance.get(i.value))
        + (((NO_IMPORTANCE_LABEL, by_importance[None]),) if by_importance.get(None) else ()),
        time_to_accept=accept, time_to_reply=reply,
        evaluations=await _evaluations(in_period, conn),
        deemed_accepted=await in_period.filter(closed_by=ClosedBy.DEEMED_ACCEPTED).count(),
        weekly=_weekly(rows, period, first_day, last_day, ctx.tz) if first_day else (),
        calendar_fallback=fallback,
        notes=(FALLBACK_NOTE,) if fallback else (),
    )


async def _grouped(query: QuerySet[Question], column: str) -> dict[str | None, int]:
    rows = await query.annotate(n=Count("id")).group_by(column).values_list(column, "n")
    return {(None if key is None else str(key)): int(n) for key, n in rows}


async def _by_name(query: QuerySet[Question], id_column: str, name_column: str, missing: str) -> Items:
    rows = await query.annotate(n=Count("id", distinct=True)).group_by(id_column, name_column).values_list(
        name_column, "n")
    items = [(name if name is not None else missing, int(n)) for name, n in rows]
    return tuple(sorted(items, key=lambda item: (-item[1], item[0])))


async def _evaluations(in_period: QuerySet[Question], conn: BaseDBAsyncClient) -> Items:
    rows = await (QuestionEvaluation.filter(question_id__in=Subquery(in_period.values("id"))).using_db(conn)
                  .annotate(n=Count("id")).group_by("kind").values_list("kind", "n"))
    counts = {str(kind): int(n) for kind, n in rows}
    return tuple((e.label, counts.get(e.value, 0)) for e in Evaluation)


Row = tuple[datetime | None, datetime | None, datetime | None, datetime | None]


def _durations(rows: list[Row], tz: tzinfo) -> tuple[Durations, Durations]:
    accept = [working_days_between(s, a, tz) for s, a, _, _ in rows if s is not None and a is not None]
    reply = [working_days_between(s, r, tz) for s, _, r, _ in rows if s is not None and r is not None]
    return (Durations(len(accept), median(accept), p90(accept)),
            Durations(len(reply), median(reply), p90(reply)))


def _first_local_day(rows: list[Row], tz: tzinfo) -> date | None:
    moments = [m for row in rows for m in row if m is not None]
    return min(moments).astimezone(tz).date() if moments else None


def _calendar_fallback(rows: list[Row], first: date | None, last: date, tz: tzinfo) -> bool:
    """Whether any day the figures span (the period, every timestamp measured) is outside the package's years."""
    days = [m.astimezone(tz).date() for row in rows for m in row if m is not None]
    days += [last] + ([first] if first else [])
    return uses_fallback(min(days), max(days))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekly(rows: list[Row], period: _Period, first: date, last: date, tz: tzinfo) -> tuple[WeekTrend, ...]:
    counts: dict[str, Counter[date]] = {"asked": Counter(), "replied": Counter(), "closed": Counter()}
    for submitted, _, replied, closed in rows:
        for kind, moment in (("asked", submitted), ("replied", replied), ("closed", closed)):
            if moment is not None and period.holds(moment):
                counts[kind][_monday(moment.astimezone(tz).date())] += 1
    weeks = []
    monday = _monday(first)
    while monday <= last:
        year, week, _ = monday.isocalendar()
        weeks.append(WeekTrend(f"{year}-W{week:02d}", monday, counts["asked"][monday], counts["replied"][monday],
                               counts["closed"][monday]))
        monday += timedelta(days=7)
    return tuple(weeks)


# ---- the downloadable form ---------------------------------------------------------------------------------


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def breakdowns(stats: Statistics) -> tuple[tuple[str, Items], ...]:
    """The counts by status, type, office and importance, each under its title (the charts and the form)."""
    return (("按状态", stats.by_status), ("按问题类型", stats.by_type), ("按受理海关/部门", stats.by_office),
            ("按重要性", stats.by_importance))


def statistics_rows(stats: Statistics) -> list[tuple[str, ...]]:
    """The same figures as the charts, as (类别, 项目, 数值) rows after a header row (CSV / XLSX)."""
    period = f"{stats.date_from or '不限'} 至 {stats.date_to or '不限'}"
    rows: list[tuple[str, ...]] = [CSV_HEADER, ("统计期间", period, ""), ("合计", "问题数", str(stats.total))]
    for category, items in breakdowns(stats):
        rows += [(category, label, str(count)) for label, count in items]
    for category, durations in (("受理用时（工作日）", stats.time_to_accept),
                                ("回复用时（工作日）", stats.time_to_reply)):
        rows += [(category, "问题数", str(durations.count)), (category, "中位数", _days(durations.median)),
                 (category, "第90百分位", _days(durations.p90))]
    rows += [("评价", label, str(count)) for label, count in stats.evaluations]
    rows.append(("评价", DEEMED_ACCEPTED_LABEL, str(stats.deemed_accepted)))
    for week in stats.weekly:
        label = f"{week.week}（{week.monday:%m-%d}起）"
        rows += [("每周提问", label, str(week.asked)), ("每周回复", label, str(week.replied)),
                 ("每周办结", label, str(week.closed))]
    rows += [("说明", note, "") for note in stats.notes]
    return rows


def statistics_csv(stats: Statistics) -> str:
    """``statistics_rows`` as CSV text starting with a UTF-8 BOM, so Excel opens the Chinese correctly
    (encode the result as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out, lineterminator="\r\n").writerows(statistics_rows(stats))
    return out.getvalue()
