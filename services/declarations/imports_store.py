"""Storing an import's good declarations set-based, in the import's transaction: their ids taken up front, then
the heads, the items and the timeline entries each as one set — PostgreSQL COPYs them (binary) straight into
their tables, SQLite inserts them with one prepared statement per table (``executemany``). ``DraftWriter``
writes one set while the import reads and checks the next (the database works meanwhile).

What a created draft holds is what ``entry.create_draft`` gives it: the head's columns and JSON
(``store.head_columns``), its 系统编号 (``store.system_number``), the preparer and their primary department,
its items as ``store`` stores them, and one CREATE timeline entry (draft, by the preparer, the import's note).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from core.db import dialect, portable_sql
from models.declaration_lifecycle import DeclarationAction, DeclarationStatus
from models.declarations import Declaration, DeclarationEvent, DeclarationItem, DeclarationKind
from services.declarations.fields import HEAD_COLUMNS, DeclarationForm
from services.declarations.store import NUMBERS, head_columns, part_columns, stored_values, system_number

_ITEM_KEYS = part_columns("items")
HEAD_TABLE = ("id", "enterprise_id", "owner_id", "kind", "status", "department_id", "number", "seq_no", "entry_id",
              *HEAD_COLUMNS, "head", "version", "created_at", "updated_at")
ITEM_TABLE = ("declaration_id", "position", *_ITEM_KEYS)
EVENT_TABLE = ("declaration_id", "action", "from_status", "to_status", "person_id", "note", "at")
_HEAD_JSON = Declaration._meta.fields_map["head"]
_ITEM_JSON = DeclarationItem._meta.fields_map["elements"]
# the item's decimals to their column's places, as a model instance holds (and the ORM stores) them
_DECIMALS = [(i, DeclarationItem._meta.fields_map[key].to_python_value) for i, key in enumerate(_ITEM_KEYS)
             if key in NUMBERS]


@dataclass(frozen=True)
class Drafts:
    """Who creates the drafts, when, where and with which timeline note."""

    enterprise_id: int
    person_id: int
    department_id: int | None
    now: datetime
    note: str


async def new_ids(conn: BaseDBAsyncClient, count: int) -> list[int]:
    """``count`` ids for new declarations, taken in this transaction (PostgreSQL: from the table's sequence;
    SQLite serialises writers, so the next ones after the largest)."""
    if dialect(conn) == "postgres":
        rows = await conn.execute_query_dict(
            "SELECT nextval(pg_get_serial_sequence('declaration', 'id')) AS id FROM generate_series(1, $1)", [count])
        return [int(r["id"]) for r in rows]
    rows = await conn.execute_query_dict("SELECT COALESCE(MAX(id), 0) AS id FROM declaration")
    start = int(rows[0]["id"]) + 1
    return list(range(start, start + count))


async def store_drafts(conn: BaseDBAsyncClient, drafts: Drafts,
                       declarations: Sequence[tuple[DeclarationKind, DeclarationForm]]) -> None:
    """Create the declarations as drafts with their items and timeline entries (``conn``: a transaction)."""
    if not declarations:
        return
    now = drafts.now
    heads, items, events = [], [], []
    draft, create = DeclarationStatus.DRAFT.value, DeclarationAction.CREATE.value
    for declaration_id, (kind, form) in zip(await new_ids(conn, len(declarations)), declarations, strict=True):
        assert not form.containers and not form.documents, "the template has items only"
        columns = head_columns(form)
        heads.append((declaration_id, drafts.enterprise_id, drafts.person_id, kind.value, draft, drafts.department_id,
                      system_number(now, declaration_id), "", "", *(columns[key] for key in HEAD_COLUMNS),
                      _HEAD_JSON.to_db_value(columns["head"], Declaration), 1, now, now))
        for position, item in enumerate(form.items, start=1):
            values = stored_values(_ITEM_KEYS, item)
            values[-1] = _ITEM_JSON.to_db_value(values[-1], DeclarationItem)
            for i, places in _DECIMALS:
                if values[i] is not None:
                    values[i] = places(values[i])
            items.append((declaration_id, position, *values))
        events.append((declaration_id, create, None, draft, drafts.person_id, drafts.note, now))
    await _insert(conn, Declaration, HEAD_TABLE, heads)
    await _insert(conn, DeclarationItem, ITEM_TABLE, items)
    await _insert(conn, DeclarationEvent, EVENT_TABLE, events)


async def _insert(conn: BaseDBAsyncClient, model: type[Model], columns: Sequence[str],
                  rows: list[tuple[Any, ...]]) -> None:
    table = model._meta.db_table
    if dialect(conn) == "postgres":
        async with conn.acquire_connection() as raw:
            await raw.copy_records_to_table(table, records=rows, columns=columns)
    else:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        await conn.execute_many(portable_sql(sql, conn), [list(row) for row in rows])


class DraftWriter:
    """``store_drafts`` of one set after another in the background of the import's transaction (the transaction's
    lock takes the statements in turn); an error surfaces at the next ``write`` or ``flush``. Leaving the block
    by an error cancels a write still running (the transaction is rolled back anyway)."""

    def __init__(self, conn: BaseDBAsyncClient, drafts: Drafts) -> None:
        self.conn, self.drafts = conn, drafts
        self.pending: asyncio.Task[None] | None = None

    async def write(self, declarations: list[tuple[DeclarationKind, DeclarationForm]]) -> None:
        await self.flush()
        if declarations:
            self.pending = asyncio.create_task(store_drafts(self.conn, self.drafts, declarations))

    async def flush(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            await pending

    async def __aenter__(self) -> DraftWriter:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        if error is None:
            await self.flush()
        elif self.pending is not None:
            self.pending.cancel()
            with contextlib.suppress(BaseException):
                await self.pending
