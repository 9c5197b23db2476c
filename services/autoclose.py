"""The 7-day automatic close and the reminders before it, as set-based statements.

One sweep is three statements in one transaction, whatever the number of due questions:
close every due question (a compare-and-set on the status, so a question changed meanwhile by its users
is left alone), then write the timeline entries and the outbox rows of exactly the questions this sweep
closed, found by the sweep's own timestamp in ``closed_at``. Reminders are one INSERT … SELECT per
configured day, made idempotent by the outbox's unique ``dedupe_key``. Running any of it twice, or from
two workers at once, closes and notifies each question once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core.db import dialect, execute
from models.lifecycle import AUTO_CLOSE_REASONS, Action, ClosedBy, ReplyKind, Role, Status
from models.outbox import OutboxStatus
from services.context import ServiceContext
from services.notifications import Event

CLOSE_TEXTS = {
    ClosedBy.DEEMED_ACCEPTED: "答复后 {days} 天内未评价，系统自动办结（视为接受答复）",
    ClosedBy.CUSTOMS_RETURN: "海关已退回该问题，{days} 天后系统自动办结",
    ClosedBy.MODIFICATION_EXPIRED: "海关要求修改后 {days} 天内未重新提交，系统自动办结",
    ClosedBy.APPEND_EXPIRED: "评价后 {days} 天内未追加问题，系统自动办结",
}
# Replies the enterprise should act on before the close: evaluate an answer, resubmit a modification.
REMINDED_REPLY_KINDS = (ReplyKind.ANSWER, ReplyKind.NEEDS_MODIFICATION)


@dataclass(frozen=True)
class SweepResult:
    closed: int
    reminders: int


def _closed_by_case() -> str:
    """SQL CASE giving each due question its closing reason, from the lifecycle's own mapping."""
    whens = " ".join(
        f"WHEN status = '{status.value}' AND reply_kind = '{kind.value}' THEN '{reason.value}'"
        for (status, kind), reason in AUTO_CLOSE_REASONS.items()
    )
    return f"CASE {whens} ELSE '{ClosedBy.DEEMED_ACCEPTED.value}' END"


def _by_reason(values: dict[ClosedBy, str]) -> str:
    whens = " ".join(f"WHEN '{reason.value}' THEN '{text}'" for reason, text in values.items())
    return f"CASE closed_by {whens} END"


def _json(conn: BaseDBAsyncClient, expression: str) -> str:
    return f"CAST({expression} AS JSONB)" if dialect(conn) == "postgres" else expression


async def close_overdue(ctx: ServiceContext, now: datetime | None = None) -> int:
    """Close every replied / awaiting-append question whose period is over; return how many."""
    now = now or ctx.now()
    cutoff = now - ctx.policy.period
    auto_reasons = tuple(r.value for r in CLOSE_TEXTS)
    reasons_sql = ", ".join(f"'{r}'" for r in auto_reasons)
    from_status = {r: (Status.AWAITING_APPEND if r is ClosedBy.APPEND_EXPIRED else Status.REPLIED).value
                   for r in CLOSE_TEXTS}
    texts = {r: t.format(days=ctx.policy.auto_close_days) for r, t in CLOSE_TEXTS.items()}
    mine = f"status = '{Status.CLOSED.value}' AND closed_at = ? AND closed_by IN ({reasons_sql})"
    async with in_transaction() as conn:
        closed = await execute(
            conn,
            f"UPDATE question SET closed_by = {_closed_by_case()}, status = '{Status.CLOSED.value}', "
            "closed_at = ?, updated_at = ?, version = version + 1 "
            f"WHERE (status = '{Status.REPLIED.value}' AND replied_at <= ?) "
            f"OR (status = '{Status.AWAITING_APPEND.value}' AND evaluated_at <= ?)",
            now, now, cutoff, cutoff,
        )
        if not closed:
            return 0
        await execute(
            conn,
            "INSERT INTO question_event (question_id, round, action, from_status, to_status, actor_role, "
            "actor_name, text, detail, created_at) "
            f"SELECT id, round, '{Action.AUTO_CLOSE.value}', {_by_reason(from_status)}, '{Status.CLOSED.value}', "
            f"'{Role.SYSTEM.value}', '系统', {_by_reason(texts)}, "
            f"""{_json(conn, "'{\"closed_by\":\"' || closed_by || '\"}'")}, ? FROM question WHERE {mine}""",
            now, now,
        )
        await execute(
            conn,
            "INSERT INTO outbox_message (event, question_id, person_id, payload, dedupe_key, status, attempts, "
            "next_attempt_at, last_error, created_at) "
            f"SELECT '{Event.AUTO_CLOSED.value}', id, creator_id, "
            f"""{_json(conn, "'{\"closed_by\":\"' || closed_by || '\"}'")}, """
            f"'{Event.AUTO_CLOSED.value}:q' || CAST(id AS TEXT), '{OutboxStatus.PENDING.value}', 0, ?, '', ? "
            f"FROM question WHERE {mine} ON CONFLICT (dedupe_key) DO NOTHING",
            now, now, now,
        )
    return closed


async def queue_reminders(ctx: ServiceContext, now: datetime | None = None) -> int:
    """Queue one reminder per question, round and configured day before its automatic close."""
    now = now or ctx.now()
    queued = 0
    kinds = ", ".join(f"'{k.value}'" for k in REMINDED_REPLY_KINDS)
    async with in_transaction() as conn:
        for days in ctx.reminder_days_before:
            # due within `days`: since <= now - period + days, and not yet due: since > now - period
            window_start = now - ctx.policy.period
            window_end = window_start + timedelta(days=days)
            for status, since, extra in (
                (Status.REPLIED, "replied_at", f"AND reply_kind IN ({kinds})"),
                (Status.AWAITING_APPEND, "evaluated_at", ""),
            ):
                payload = f"""'{{"days_left":{days},"status":"{status.value}"}}'"""
                queued += await execute(
                    conn,
                    "INSERT INTO outbox_message (event, question_id, person_id, payload, dedupe_key, status, "
                    "attempts, next_attempt_at, last_error, created_at) "
                    f"SELECT '{Event.AUTO_CLOSE_REMINDER.value}', id, creator_id, {_json(conn, payload)}, "
                    f"'{Event.AUTO_CLOSE_REMINDER.value}:q' || CAST(id AS TEXT) || ':r' || CAST(round AS TEXT) "
                    f"|| ':{status.value}:d{days}', '{OutboxStatus.PENDING.value}', 0, ?, '', ? FROM question "
                    f"WHERE status = '{status.value}' AND {since} > ? AND {since} <= ? {extra} "
                    "ON CONFLICT (dedupe_key) DO NOTHING",
                    now, now, window_start, window_end,
                )
    return queued


async def sweep(ctx: ServiceContext, now: datetime | None = None) -> SweepResult:
    """The scheduler's job: reminders first (a question about to close still gets its last notice), then closes."""
    now = now or ctx.now()
    reminders = await queue_reminders(ctx, now)
    return SweepResult(closed=await close_overdue(ctx, now), reminders=reminders)
