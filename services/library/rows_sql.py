"""Reading library rows by a raw WHERE clause (the keyword condition has no ORM form): one keyset page of ids in
the filter's order, then the rows themselves. The enterprise and the public libraries both read through here.

A page is model instances; an export reads every filtered row as plain records instead (``every_row``): named
tuples with the attributes the export's columns read, one statement per keyset batch, no instance per row."""

from __future__ import annotations

import asyncio
from collections import namedtuple
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from tortoise import connections
from tortoise.fields.relational import RelationalField
from tortoise.models import Model

from core.db import dialect, portable_sql
from core.query_sql import python_values, rows
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


def page_sql(scope: Scope, flt: LibraryFilter, cursor: str, limit: int, row_id: int | None,
             columns: Sequence[str] = ("id",)) -> tuple[str, list[Any]]:
    """The statement of one page's ``columns`` (``?`` placeholders) and its arguments."""
    select = ", ".join(columns)
    if len(scope.either) < 2:
        where, args = _where(scope, flt, cursor, row_id)
        return f"SELECT {select} FROM library_row WHERE {where} ORDER BY {ORDER} LIMIT ?", [*args, limit]
    parts, args = [], []
    for alternative in scope.either:
        where, found = _where(scope, flt, cursor, row_id, alternative)
        parts.append(f"SELECT * FROM (SELECT id, declared_on FROM library_row WHERE {where} ORDER BY {ORDER} "
                     "LIMIT ?) AS part")
        args.extend([*found, limit])
    ids = f"SELECT id FROM ({' UNION '.join(parts)}) AS merged ORDER BY {ORDER} LIMIT ?"
    if tuple(columns) == ("id",):
        return ids, [*args, limit]
    return f"SELECT {select} FROM library_row WHERE id IN ({ids}) ORDER BY {ORDER}", [*args, limit]


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


@cache
def _record(fields: tuple[str, ...]) -> Callable[[Sequence[Any]], Any]:
    # the fields are the caller's: mypy sees a bare tuple type without ``_make``
    return cast(Callable[[Sequence[Any]], Any], namedtuple("LibraryRecord", fields)._make)  # type: ignore[attr-defined]


async def _instances(field: RelationalField[Model], ids: set[Any]) -> dict[Any, Model]:
    ids.discard(None)
    return {found.pk: found for found in await field.related_model.filter(pk__in=ids)} if ids else {}


async def every_row(scope: Scope, flt: LibraryFilter, fields: tuple[str, ...]) -> AsyncGenerator[list[Any], None]:
    """Every row in ``scope`` under ``flt``, a keyset batch at a time (memory stays flat), as plain records: named
    tuples of ``fields`` holding what a LibraryRow's attributes hold (a relation: its instance, as
    ``select_related`` gives it), read in one statement per batch without an instance per row; the next batch is
    read while the caller handles one (close the iterator when leaving early: ``contextlib.aclosing``)."""
    meta = LibraryRow._meta
    relations = {i: cast(RelationalField[Model], meta.fields_map[name])
                 for i, name in enumerate(fields, start=2) if name in meta.fk_fields}
    columns = ["declared_on", "id", *(f"{name}_id" if i in relations else name for i, name in enumerate(fields, 2))]
    values, record, conn = python_values(LibraryRow, columns), _record(fields), connections.get("default")

    async def batch(cursor: str) -> list[list[Any]]:
        sql, args = page_sql(scope, flt, cursor, BATCH, None, columns)
        found = [values(row) for row in await rows(sql, *args, conn=conn)]
        for i, field in relations.items():
            instances = await _instances(field, {row[i] for row in found})
            for row in found:
                row[i] = instances.get(row[i])
        return found

    pending = asyncio.ensure_future(batch(""))
    try:
        while True:
            found = await pending
            if len(found) == BATCH:
                pending = asyncio.ensure_future(batch(cursor_of(found[-1][0], found[-1][1])))
            if found:
                yield [record(row[2:]) for row in found]
            if len(found) < BATCH:
                return
    finally:
        pending.cancel()  # only still running when the caller left early
