"""The 7-day automatic close and the reminders before it, as set-based statements.

A close is set-based whatever the number of due questions; each question's status change, timeline entry and
outbox row commit together:

* PostgreSQL: two statements per share of the due rows, in one transaction. The first claims the due rows
  with ``FOR NO KEY UPDATE SKIP LOCKED`` and, in the same statement, writes their timeline entries and
  outbox rows (INSERT … SELECT from the claim) and returns the claimed ids; the second closes exactly those
  rows, which nobody else can change while we hold them. Another sweep running at the same moment claims
  nothing this one holds (it neither waits nor writes anything twice); a question a user holds (evaluating
  it right now) is skipped and, if still due after the user's change, closed by the next sweep.
  The due rows are split into ``POSTGRES_SHARES`` disjoint shares (alternating blocks of ids), each closed in
  its own transaction, concurrently: the work is CPU-bound in the server (index entries, foreign-key
  checks, WAL), and a second backend shortens it on a two-core server (README, Benchmarks). The split only
  spreads the work; the claims make it correct whatever the shares.
* SQLite (one writer at a time): the timeline entries and outbox rows of the due questions are written
  first, then the same rows are closed, with the same predicate inside one write transaction.

The due predicate is a compare-and-set on the status: a question the enterprise evaluated, appended to or
resubmitted before the sweep is no longer due. Closed is final, so running the close twice closes nothing
twice; the outbox row's unique ``dedupe_key`` guards the notification as well.

Reminders are one INSERT … SELECT per configured day and status, made idempotent by ``dedupe_key``
(per question, round, status, day and reply/evaluation instant). Of several configured days only the
nearest one still ahead is queued, so a late sweep does not send a stale "3 days left" next to "1 day left".

Row counts come from ``RETURNING`` (PostgreSQL), not from the command tag: asyncpg's ``INSERT 0 n`` tag
is read as 0 rows by tortoise's ``execute_query``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import in_transaction

from core.db import connection, dialect, execute, fetch
from models.lifecycle import AUTO_CLOSE_SINCE, Action, ClosedBy, Command, ReplyKind, Role, Status, auto_close_decisions
from models.outbox import OutboxStatus
from services.desk.labels import SYSTEM_NAME
from services.kit.context import ServiceContext
from services.notifications.events import Event
from services.questions.transitions import status_fields

CLOSE_TEXTS = {
    ClosedBy.DEEMED_ACCEPTED: "答复后 {days} 天内未评价，系统自动办结（视为接受答复）",
    ClosedBy.CUSTOMS_RETURN: "海关已退回该问题，{days} 天后系统自动办结",
    ClosedBy.MODIFICATION_EXPIRED: "海关要求修改后 {days} 天内未重新提交，系统自动办结",
    ClosedBy.APPEND_EXPIRED: "评价后 {days} 天内未追加问题，系统自动办结",
}
# Replies the enterprise should act on before the close: evaluate an answer, resubmit a modification.
REMINDED_REPLY_KINDS = (ReplyKind.ANSWER, ReplyKind.NEEDS_MODIFICATION)
SINCE = AUTO_CLOSE_SINCE  # the column each closing status is counted from
# PostgreSQL: concurrent transactions (pool connections) a close uses, each for alternating blocks of ids.
POSTGRES_SHARES = 2
SHARE_BLOCK = 1024  # ids; blocks keep each share's rows on its own heap and index pages


@dataclass(frozen=True)
class SweepResult:
    closed: int
    reminders: int


# ---- SQL pieces --------------------------------------------------------------------------------------------


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _due() -> str:
    """The due predicate (``auto_close_due`` of the lifecycle); two placeholders, both the policy's cutoff."""
    return " OR ".join(f"(status = {_lit(status.value)} AND {since} < ?)" for status, since in SINCE.items())


class _Now:
    """Stands for ``now`` in ``status_fields``: the column takes the sweep's instant (a placeholder)."""


_NOW = _Now()


def _sql_value(value: object) -> str:
    if value is _NOW:
        return "?"
    if value is None:
        return "NULL"
    return _lit(str(value))


def _column_sql(values: dict[tuple[Status, ReplyKind | None], object]) -> str:
    """One column's new value per (status, reply kind): a constant, or a CASE over the due row's own columns."""
    if len({_sql_value(v) for v in values.values()}) == 1:
        return _sql_value(next(iter(values.values())))
    if _NOW in values.values():
        raise NotImplementedError("a column set to now for some due questions only")
    whens = " ".join(
        f"WHEN status = {_lit(status.value)} AND reply_kind "
        f"{'IS NULL' if kind is None else '= ' + _lit(kind.value)} THEN {_sql_value(value)}"
        for (status, kind), value in values.items()
    )
    return f"CASE {whens} END"


def _closing_columns(ctx: ServiceContext) -> dict[str, str]:
    """Column → SQL of the automatic close, from ``decide`` and ``status_fields`` (the one-question path)."""
    columns: dict[str, dict[tuple[Status, ReplyKind | None], object]] = {}
    for key, (state, outcome) in auto_close_decisions(ctx.policy).items():
        for column, value in status_fields(state, Command(Action.AUTO_CLOSE), outcome, _NOW).items():
            columns.setdefault(column, {})[key] = value
    return {column: _column_sql(values) for column, values in columns.items()}


def _closed_by_case(ctx: ServiceContext) -> str:
    """Each due question's closing reason."""
    return _closing_columns(ctx)["closed_by"]


def _due_rows(ctx: ServiceContext) -> str:
    """The due questions with what their timeline entry and notice need; two placeholders (the cutoff)."""
    return (f"SELECT id, round, creator_id, number, title, status AS from_status, {_closed_by_case(ctx)} AS closed_by "
            f"FROM question WHERE ({_due()})")


def _close_set(ctx: ServiceContext) -> tuple[str, int]:
    """The UPDATE's SET list and how many placeholders (each ``now``) it has."""
    assignments = {**_closing_columns(ctx), "updated_at": "?"}
    sql = ", ".join(f"{column} = {value}" for column, value in assignments.items()) + ", version = version + 1"
    return sql, sql.count("?")


def _close_text_case(ctx: ServiceContext, column: str) -> str:
    whens = " ".join(f"WHEN {_lit(reason.value)} THEN {_lit(text.format(days=ctx.policy.auto_close_days))}"
                     for reason, text in CLOSE_TEXTS.items())
    return f"CASE {column} {whens} ELSE '' END"


def _json_object(conn: BaseDBAsyncClient, **pairs: str) -> str:
    """A JSON object built in SQL from (key, SQL expression) pairs."""
    args = ", ".join(f"{_lit(key)}, {expression}" for key, expression in pairs.items())
    return f"jsonb_build_object({args})" if dialect(conn) == "postgres" else f"json_object({args})"


def _epoch(conn: BaseDBAsyncClient, column: str) -> str:
    if dialect(conn) == "postgres":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def _utc(moment: datetime) -> datetime:
    """SQLite compares timestamps as text: every instant we pass is written in UTC, like the stored ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def _insert_count(conn: BaseDBAsyncClient, insert: str, *args: object) -> int:
    """Run an INSERT (… ON CONFLICT DO NOTHING) and return how many rows it really inserted."""
    if dialect(conn) == "postgres":
        rows = await fetch(conn, f"WITH inserted AS ({insert} RETURNING 1) SELECT count(*) AS n FROM inserted",
                           *args)
        return int(rows[0]["n"])
    return await execute(conn, insert, *args)  # SQLite: the connection's change count, inserted rows only


_EVENT_COLUMNS = ("question_id, round, action, from_status, to_status, actor_role, actor_name, text, detail, "
                  "created_at")
_OUTBOX_COLUMNS = ("event, question_id, person_id, payload, dedupe_key, status, attempts, next_attempt_at, "
                   "last_error, created_at")


def _event_select(ctx: ServiceContext, conn: BaseDBAsyncClient, source: str) -> str:
    """Timeline entries of the closed rows in ``source`` (id, round, from_status, closed_by); one placeholder."""
    return (
        f"SELECT id, round, {_lit(Action.AUTO_CLOSE.value)}, from_status, {_lit(Status.CLOSED.value)}, "
        f"{_lit(Role.SYSTEM.value)}, {_lit(SYSTEM_NAME)}, {_close_text_case(ctx, 'closed_by')}, "
        f"{_json_object(conn, closed_by='closed_by')}, ? FROM {source}"
    )


def _outbox_select(conn: BaseDBAsyncClient, source: str) -> str:
    """The creator's auto_closed notice for the rows in ``source``; two placeholders (now, now)."""
    event = Event.AUTO_CLOSED.value
    payload = _json_object(conn, number="number", title="title", closed_by="closed_by")
    return (
        f"SELECT {_lit(event)}, id, creator_id, {payload}, {_lit(event + ':q')} || CAST(id AS TEXT), "
        f"{_lit(OutboxStatus.PENDING.value)}, 0, ?, '', ? FROM {source}"
    )


# ---- the close ---------------------------------------------------------------------------------------------


async def close_overdue(ctx: ServiceContext, now: datetime | None = None) -> int:
    """Close every replied / awaiting-append question whose period is over; return how many this call closed."""
    now = _utc(now or ctx.now())
    cutoff = ctx.policy.close_cutoff(now)
    if dialect() != "postgres":
        async with in_transaction() as conn:
            return await _close_sqlite(ctx, conn, now, cutoff)
    shares = POSTGRES_SHARES
    if shares < 2 or isinstance(connection(), TransactionalDBClient):
        # Inside the caller's transaction there is one connection: its shares run one after the other.
        return sum([await _close_postgres(ctx, now, cutoff, share, shares) for share in range(shares)])
    results = await asyncio.gather(*(_close_postgres(ctx, now, cutoff, share, shares) for share in range(shares)),
                                   return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result  # the other shares committed or rolled back on their own; the next sweep finishes
    return sum(results)  # type: ignore[arg-type]


async def _close_postgres(ctx: ServiceContext, now: datetime, cutoff: datetime, share: int, shares: int) -> int:
    """Claim this share's due rows, write their timeline entries and notices, then close exactly those rows.

    The entries come first so that their foreign-key checks find rows this transaction already holds (a
    no-op) rather than lock each freshly updated row version once more.
    """
    mine = f" AND (id / {SHARE_BLOCK}) % {shares} = {share}" if shares > 1 else ""
    claimed = f"{_due_rows(ctx)}{mine} FOR NO KEY UPDATE SKIP LOCKED"
    async with in_transaction() as conn:
        rows = await fetch(
            conn,
            f"WITH due AS ({claimed}), "
            f"events AS (INSERT INTO question_event ({_EVENT_COLUMNS}) {_event_select(ctx, conn, 'due')}), "
            f"notices AS (INSERT INTO outbox_message ({_OUTBOX_COLUMNS}) {_outbox_select(conn, 'due')} "
            "ON CONFLICT (dedupe_key) DO NOTHING) "
            "SELECT array_agg(id) AS ids FROM due",
            cutoff, cutoff, now, now, now,
        )
        ids = rows[0]["ids"] or []
        if not ids:
            return 0
        assignments, placeholders = _close_set(ctx)
        closed = await execute(conn, f"UPDATE question SET {assignments} WHERE id = ANY(?)",
                               *[now] * placeholders, ids)
        if closed != len(ids):  # cannot happen while we hold the rows; never commit entries without their close
            raise RuntimeError(f"auto-close claimed {len(ids)} questions but closed {closed}")
        return closed


async def _close_sqlite(ctx: ServiceContext, conn: BaseDBAsyncClient, now: datetime, cutoff: datetime) -> int:
    # One write transaction, and SQLite has one writer: the rows these statements select do not change
    # between them. Entries and notices first, while the status still says where each question came from.
    due = f"({_due_rows(ctx)}) AS due"
    await execute(conn, f"INSERT INTO question_event ({_EVENT_COLUMNS}) {_event_select(ctx, conn, due)}",
                  now, cutoff, cutoff)
    # WHERE true: SQLite's parser needs it before an upsert clause on INSERT … SELECT
    await execute(conn, f"INSERT INTO outbox_message ({_OUTBOX_COLUMNS}) {_outbox_select(conn, due)} "
                  "WHERE true ON CONFLICT (dedupe_key) DO NOTHING", now, now, cutoff, cutoff)
    assignments, placeholders = _close_set(ctx)
    return await execute(conn, f"UPDATE question SET {assignments} WHERE {_due()}", *[now] * placeholders,
                         cutoff, cutoff)


# ---- reminders ---------------------------------------------------------------------------------------------


async def queue_reminders(ctx: ServiceContext, now: datetime | None = None) -> int:
    """Queue the reminder of the nearest configured day before each question's automatic close.

    With days (3, 1): a question 2.5 days from its close gets the 3-day reminder, one 20 hours from it the
    1-day reminder; each once per question, round, status, reply (or evaluation) and day.
    """
    now = _utc(now or ctx.now())
    start = ctx.policy.close_cutoff(now)  # since - start: the time left before the close
    kinds = ", ".join(_lit(k.value) for k in REMINDED_REPLY_KINDS)
    event = Event.AUTO_CLOSE_REMINDER.value
    queued = 0
    async with in_transaction() as conn:
        nearer = 0
        for days in sorted(set(ctx.reminder_days_before)):
            # the close is within `days` but not within the nearer configured day
            window_start, window_end = start + timedelta(days=nearer), start + timedelta(days=days)
            nearer = days
            for status, since in SINCE.items():
                extra = f" AND reply_kind IN ({kinds})" if status is Status.REPLIED else ""
                payload = _json_object(conn, number="number", title="title", status=_lit(status.value),
                                       reply_kind="reply_kind", days_left=str(int(days)))
                key = (f"{_lit(f'{event}:q')} || CAST(id AS TEXT) || ':r' || CAST(round AS TEXT) || "
                       f"{_lit(f':{status.value}:d{int(days)}:t')} || CAST({_epoch(conn, since)} AS TEXT)")
                queued += await _insert_count(
                    conn,
                    f"INSERT INTO outbox_message ({_OUTBOX_COLUMNS}) "
                    f"SELECT {_lit(event)}, id, creator_id, {payload}, {key}, {_lit(OutboxStatus.PENDING.value)}, "
                    f"0, ?, '', ? FROM question WHERE status = {_lit(status.value)} "
                    f"AND {since} > ? AND {since} <= ?{extra} ON CONFLICT (dedupe_key) DO NOTHING",
                    now, now, window_start, window_end,
                )
    return queued


async def sweep(ctx: ServiceContext, now: datetime | None = None) -> SweepResult:
    """The scheduler's job: reminders first (a question about to close still gets its last notice), then closes."""
    now = now or ctx.now()
    reminders = await queue_reminders(ctx, now)
    return SweepResult(closed=await close_overdue(ctx, now), reminders=reminders)
