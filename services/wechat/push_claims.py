"""Durable claims of WeChat pushes: a message WeChat delivered is handled once, across processes and restarts.

The claim is the first write of the handler's own transaction (``INSERT … ON CONFLICT DO NOTHING`` on the
message's key): the claim and whatever the handler writes commit together, or roll back together. A retry
of a message being handled waits on the row (PostgreSQL's unique index, SQLite's single writer) and then
finds it claimed. A database that cannot take or commit the claim raises ``ClaimUnavailable``: the caller
must then not tell WeChat "success", so that WeChat retries the push.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from core.db import connection, execute

# WeChat retries within about 15 s; a day keeps the table small and still catches any late replay.
RETENTION = timedelta(days=1)
_CLAIM = "INSERT INTO wechat_push_claim (key, claimed_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"


class ClaimUnavailable(Exception):
    """The database could not take or commit the claim: the push is not handled, WeChat must retry it."""


@contextlib.asynccontextmanager
async def claimed(key: str, now: datetime | None = None) -> AsyncIterator[bool]:
    """A transaction whose first write claims ``key``: yields True when this caller holds the message.

    The block runs inside the transaction (False: claimed before, nothing to do). An exception of the
    block propagates as is (the claim is rolled back with the block's writes); a failure to claim or to
    commit becomes ``ClaimUnavailable``.
    """
    stage = "claim"
    try:
        async with in_transaction() as conn:
            fresh = await execute(conn, _CLAIM, key, now or datetime.now(UTC)) == 1
            stage = "block"
            yield fresh
            stage = "commit"
    except Exception as exc:
        if stage == "block":
            raise
        raise ClaimUnavailable(f"{stage} of {key}: {type(exc).__name__}: {exc}") from exc


async def sweep_claims(now: datetime, retention: timedelta = RETENTION) -> int:
    """Delete claims older than ``retention``; returns how many."""
    return await execute(connection(), "DELETE FROM wechat_push_claim WHERE claimed_at < ?", now - retention)
