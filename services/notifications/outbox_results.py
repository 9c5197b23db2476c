"""Writing the outbox dispatcher's results back, and WeChat's delivery reports (TEMPLATESENDJOBFINISH).

Every result is a compare-and-set on ``(id, attempts, status = 'sending')``: a dispatcher whose lease ran
out (and whose row another dispatcher claimed again) cannot overwrite the newer claim's result. Sent rows
of a batch are written with one UPDATE … FROM (VALUES …) per chunk; retries and failures, rare, one by one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from core.db import connection, dialect, execute
from models.outbox import OutboxStatus

log = logging.getLogger("qingling.outbox")

SENT_CHUNK = 200  # rows per bulk "sent" update (5 parameters each)


@dataclass(frozen=True)
class Outcome:
    row_id: int
    attempts: int
    status: OutboxStatus  # SENT, PENDING (retry) or FAILED
    channel: str | None
    error: str = ""
    msgid: str | None = None
    retry_at: datetime | None = None


def utc(moment: datetime) -> datetime:
    """SQLite compares timestamps as text: every instant we pass is written in UTC, like the stored ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _set_json(conn_dialect: str, column: str, key: str, value_sql: str) -> str:
    """``column`` with ``key`` set to the text ``value_sql``."""
    if conn_dialect == "postgres":
        return f"{column} || jsonb_build_object('{key}', {value_sql})"
    return f"json_set({column}, '$.{key}', {value_sql})"


async def record_outcomes(outcomes: Iterable[Outcome], now: datetime) -> None:
    """Write the results of one batch; each only if the row is still this claim's (same attempts, sending)."""
    conn = connection()
    now = utc(now)
    mine = "id = ? AND attempts = ? AND status = 'sending'"
    sent = [o for o in outcomes if o.status is OutboxStatus.SENT]
    for start in range(0, len(sent), SENT_CHUNK):
        chunk = sent[start:start + SENT_CHUNK]
        values = ", ".join(["(CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS BIGINT), "
                            "CAST(? AS TEXT))"] * len(chunk))
        await execute(
            conn,
            "UPDATE outbox_message AS o SET status = 'sent', sent_at = ?, channel = v.column3, last_error = v.column5, "
            "wechat_msgid = v.column4 "
            f"FROM (VALUES {values}) AS v WHERE o.id = v.column1 AND o.attempts = v.column2 AND o.status = 'sending'",
            now, *[x for o in chunk for x in (o.row_id, o.attempts, o.channel, _int_or_none(o.msgid), o.error)],
        )
    for o in outcomes:
        if o.status is OutboxStatus.PENDING:
            await execute(conn, f"UPDATE outbox_message SET status = 'pending', next_attempt_at = ?, channel = ?, "
                                f"last_error = ? WHERE {mine}", o.retry_at, o.channel, o.error, o.row_id, o.attempts)
        elif o.status is OutboxStatus.FAILED:
            await execute(conn, f"UPDATE outbox_message SET status = 'failed', channel = ?, last_error = ? "
                                f"WHERE {mine}", o.channel, o.error, o.row_id, o.attempts)


# ---- TEMPLATESENDJOBFINISH ------------------------------------------------------------------------------

DELIVERED = "success"
NOT_DELIVERED = "模板消息未送达（{status}）"


async def record_template_result(msgid: int | str, status: str) -> bool:
    """Record WeChat's delivery report for the template message ``msgid`` on its outbox row.

    ``status`` is ``success``, ``failed:user block`` or ``failed: system failed``; it is kept in
    ``payload.wechat_status``. A message WeChat did not deliver turns its row ``failed`` (shown in the admin
    web). Returns False when no row has this msgid (not ours, or a report faster than our write).
    """
    conn = connection()
    flavour = dialect(conn)
    payload = _set_json(flavour, "payload", "wechat_status", "CAST(? AS TEXT)")
    if status == DELIVERED:
        changes, args = f"payload = {payload}", [status]
    else:
        changes = f"payload = {payload}, status = 'failed', last_error = ?"
        args = [status, NOT_DELIVERED.format(status=status)]
    number = _int_or_none(msgid)
    if number is None:
        log.info("TEMPLATESENDJOBFINISH with a malformed msgid (%s)", status)
        return False
    count = await execute(conn, f"UPDATE outbox_message SET {changes} WHERE wechat_msgid = ? AND channel = 'wechat'",
                          *args, number)
    if not count:
        log.info("TEMPLATESENDJOBFINISH for unknown msgid %s (%s)", msgid, status)
    return count > 0


def _int_or_none(value: int | str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None
