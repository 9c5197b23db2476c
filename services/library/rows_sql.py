"""Reading library rows by a raw WHERE clause (the keyword condition has no ORM form): one keyset page of ids in
the filter's order, then the rows themselves. The enterprise and the public libraries both read through here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from tortoise import connections

from core.db import dialect, portable_sql
from models.library import LibraryRow
from services.library.filters import ORDER, LibraryFilter, after, cursor_of, parse_cursor

BATCH = 2000  # rows per read of an export


@dataclass(frozen=True)
class Scope:
    """Who may see which rows: SQL conditions over ``library_row`` and their arguments, ANDed with one of the
    ``either`` alternatives when there are any (an enterprise as 申报单位 or as 收发货人). A page reads each
    alternative through its own index, newest first, and merges them (an OR would read every row of both)."""

    sql: tuple[str, ...]
    args: tuple[Any, ...]
    either: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class RowPage:
    items: list[LibraryRow]
    next_cursor: str | None


def _where(scope: Scope, flt: LibraryFilter, cursor: str, row_id: int | None = None,
           alternative: tuple[str, Any] | None = None) -> tuple[str, list[Any]]:
    found, found_args = flt.conditions(dialect())
    keyset, keyset_args = after(parse_cursor(cursor))
    one = (["id = ?"], [row_id]) if row_id is not None else ([], [])
    if alternative is not None:
        either, either_args = [alternative[0]], [alternative[1]]
    elif scope.either:
        either = ["(" + " OR ".join(sql for sql, _ in scope.either) + ")"]
        either_args = [arg for _, arg in scope.either]
    else:
        either, either_args = [], []
    conditions = [*either, *scope.sql, *found, *keyset, *one[0]]
    return " AND ".join(conditions) or "1 = 1", [*either_args, *scope.args, *found_args, *keyset_args, *one[1]]


def page_sql(scope: Scope, flt: LibraryFilter, cursor: str, limit: int, row_id: int | None) -> tuple[str, list[Any]]:
    """The statement of one page's ids (``?`` placeholders) and its arguments."""
    if len(scope.either) < 2:
        where, args = _where(scope, flt, cursor, row_id)
        return f"SELECT id FROM library_row WHERE {where} ORDER BY {ORDER} LIMIT ?", [*args, limit]
    parts, args = [], []
    for alternative in scope.either:
        where, found = _where(scope, flt, cursor, row_id, alternative)
        parts.append(f"SELECT * FROM (SELECT id, declared_on FROM library_row WHERE {where} ORDER BY {ORDER} "
                     "LIMIT ?) AS part")
        args.extend([*found, limit])
    return f"SELECT id FROM ({' UNION '.join(parts)}) AS merged ORDER BY {ORDER} LIMIT ?", [*args, limit]


async def page_of(scope: Scope, flt: LibraryFilter, cursor: str, limit: int, *, row_id: int | None = None) -> RowPage:
    """One page of the rows in ``scope`` under ``flt`` after ``cursor`` (only row ``row_id`` when given)."""
    conn = connections.get("default")
    sql, args = page_sql(scope, flt, cursor, limit + 1, row_id)
    ids = [r["id"] for r in await conn.execute_query_dict(portable_sql(sql, conn), args)]
    rows = {r.id: r for r in await LibraryRow.filter(id__in=ids[:limit]).select_related("catalogue_version")}
    items = [rows[i] for i in ids[:limit] if i in rows]
    more = len(ids) > limit and items
    return RowPage(items, cursor_of(items[-1].declared_on, items[-1].id) if more else None)


async def count_of(scope: Scope, flt: LibraryFilter) -> int:
    where, args = _where(scope, flt, "")
    conn = connections.get("default")
    found = await conn.execute_query_dict(portable_sql(f"SELECT COUNT(*) AS n FROM library_row WHERE {where}", conn),
                                          args)
    return int(found[0]["n"])


async def every_row(scope: Scope, flt: LibraryFilter) -> AsyncIterator[list[LibraryRow]]:
    """Every row in ``scope`` under ``flt``, a keyset batch at a time (memory stays flat)."""
    cursor = ""
    while True:
        found = await page_of(scope, flt, cursor, BATCH)
        if found.items:
            yield found.items
        if found.next_cursor is None:
            return
        cursor = found.next_cursor
