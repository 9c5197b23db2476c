"""Claiming rows once: one conditional UPDATE stamps the due rows a sweep handles and returns their ids.

A row is due while its stamp column is NULL and the sweep's condition holds; the UPDATE sets the stamp, so the
rows it returns are this caller's alone, and the caller writes what they cause (messages, outbox rows) in the
same transaction: a rollback un-claims them. On PostgreSQL the candidates are picked ``FOR UPDATE SKIP LOCKED``
(two workers sweeping at once neither wait for nor take each other's rows, and cannot deadlock); on SQLite
(one writer) the transactions run one after the other and the second finds the stamps set. The outer
condition repeats the inner one, so a row changed between the two (PostgreSQL's read committed) is not taken.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from core.db import dialect, portable_sql
from services.notifications.outbox_results import utc

BATCH = 500


async def claim_rows(conn: BaseDBAsyncClient, table: str, stamp: str, due: str, params: list[Any], now: datetime,
                     *, order: str = "id", limit: int = BATCH) -> list[int]:
    """Set ``stamp`` to ``now`` on up to ``limit`` rows of ``table`` where ``stamp`` is NULL and ``due`` (SQL
    with ``?`` placeholders for ``params``) holds; the ids claimed. Table and column names are ours, never input."""
    lock = " FOR UPDATE SKIP LOCKED" if dialect(conn) == "postgres" else ""
    where = f"{stamp} IS NULL AND {due}"
    sql = (f"UPDATE {table} SET {stamp} = ? WHERE id IN (SELECT id FROM {table} WHERE {where} ORDER BY {order} "
           f"LIMIT ?{lock}) AND {where} RETURNING id")
    rows = await conn.execute_query_dict(portable_sql(sql, conn), [utc(now), *params, limit, *params])
    return sorted(int(row["id"]) for row in rows)

