"""Below tortoise's awaitable API, in one place: the SQL tortoise would send for a query set, hand-written SQL
run as it is, and model instances built from its rows.

``parameterized`` / ``fetch_raw``: ``QuerySet.sql()`` (public) chooses the connection and builds the query,
which it keeps on the public ``query`` attribute (a pypika query); ``get_parameterized_sql`` renders it with the
connection's placeholders. ``fetch_compiled`` keeps that rendering for a query built from the same inputs.

``rows``: the hot reads of the busiest pages are hand-written SQL with ``?`` placeholders (turned into ``$n``
for PostgreSQL once per statement text: ``core.db.numbered_placeholders``), run without rebuilding the statement
on every request. ``select_list`` / ``model_from`` build model instances from such a row the way tortoise's
executor does for ``select_related`` (``Model._init_from_db`` and the ``_<relation>`` slot it fills — private,
so used only here); ``python_values`` converts such a row's values as ``_init_from_db`` would, for reads of more
rows than are worth an instance each (a 100,000-row export). tests/services/test_query_sql.py pins all of this on
SQLite and PostgreSQL: the rows, instances and values are the ORM's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar, overload

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.queryset import AwaitableQuery

from core.db import HeldConnection, connection, dialect, portable_sql

M = TypeVar("M", bound=Model)


def parameterized(query: AwaitableQuery[Any]) -> tuple[str, list[Any]]:
    """The statement with placeholders (``?`` on SQLite, ``$n`` on PostgreSQL) and its parameters."""
    query.sql()  # builds ``query.query`` for the chosen connection
    sql, params = query.query.get_parameterized_sql()
    return sql, list(params)


async def fetch_raw(query: AwaitableQuery[Any]) -> list[Any]:
    """The query's rows as the driver returns them (asyncpg records / sqlite rows), unconverted."""
    sql, params = parameterized(query)
    return list(await _select(connection(), sql, params))


async def _select(conn: BaseDBAsyncClient, sql: str, params: Sequence[Any]) -> Sequence[Any]:
    """A SELECT's rows on ``conn`` (its own placeholders); a held connection's reads skip the ORM client's
    per-statement work (``HeldConnection.select``)."""
    if isinstance(conn, HeldConnection):
        return await conn.select(sql, params)
    _, found = await conn.execute_query(sql, list(params))
    return found


COMPILED_MAX = 512  # statements kept per process (the least recently used go first)
_compiled: OrderedDict[Hashable, tuple[str, list[Any]]] = OrderedDict()


async def fetch_compiled(key: Hashable, build: Callable[[], AwaitableQuery[Any]]) -> list[Any]:
    """``fetch_raw(build())``, the query built by the ORM once per ``key`` (and database dialect), not on every
    request: ``key`` must hold everything the query is built from, so the statement and its values are the
    same every time. The rules stay in the ORM query they are written in; only the rebuilding is saved."""
    conn = connection()
    full = (dialect(conn), key)
    found = _compiled.get(full)
    if found is None:
        found = _compiled[full] = parameterized(build())
        if len(_compiled) > COMPILED_MAX:
            _compiled.popitem(last=False)
    else:
        _compiled.move_to_end(full)
    return list(await _select(conn, *found))


async def rows(sql: str, *args: Any, conn: BaseDBAsyncClient | None = None) -> Sequence[Any]:
    """Hand-written SQL (``?`` placeholders) on ``conn`` (default: the default connection): the driver's rows,
    by column name or index."""
    conn = conn or connection()
    return await _select(conn, portable_sql(sql, conn), args)


def placeholders(n: int) -> str:
    """``?, ?, …`` for an ``IN (…)`` of ``n`` values (at least one: ``IN ()`` is no SQL)."""
    return ", ".join("?" * max(n, 1))


@overload
def as_time(value: datetime | str) -> datetime: ...
@overload
def as_time(value: None) -> None: ...
def as_time(value: datetime | str | None) -> datetime | None:
    """A time column's value: asyncpg gives aware datetimes, SQLite the ISO text tortoise stored (UTC)."""
    if value is None or isinstance(value, datetime):
        return value
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@cache  # only called once tortoise is initialised (the foreign key columns are added then)
def _columns(model: type[Model]) -> tuple[str, ...]:
    return tuple(sorted(model._meta.db_fields))


def select_list(model: type[Model], alias: str) -> str:
    """``alias."col" AS "alias.col", …`` for every column of ``model`` (read back by ``model_from``)."""
    return ", ".join(f'{alias}."{c}" AS "{alias}.{c}"' for c in _columns(model))


def python_values(model: type[Model], columns: Sequence[str]) -> Callable[[Sequence[Any]], list[Any]]:
    """How a driver row of ``model``'s ``columns`` (database names, in this order) becomes the values an instance
    holds: converted as ``Model._init_from_db`` converts them, by tortoise's own partition of the fields for the
    model's connection (``db_native_fields``: the driver's value as is; ``db_default_fields``: the field's type;
    ``db_complex_fields``: ``to_python_value``) — on PostgreSQL most columns need nothing."""
    meta = model._meta
    steps: list[tuple[int, Callable[[Any], Any]]] = []
    default = {key: field.field_type for key, _, field in meta.db_default_fields}
    complex_ = {key: field.to_python_value for key, _, field in meta.db_complex_fields}
    for i, column in enumerate(columns):
        if column in default:
            steps.append((i, lambda value, to=default[column]: value if value is None else to(value)))
        elif column in complex_:
            steps.append((i, complex_[column]))

    def values(row: Sequence[Any]) -> list[Any]:
        found = list(row)
        for i, convert in steps:
            found[i] = convert(found[i])
        return found
    return values


def model_from(model: type[M], row: Any, alias: str, **related: Model) -> M:
    """The instance of ``model`` in ``row`` (selected with ``select_list(model, alias)``), its ``related``
    instances attached as ``select_related`` attaches them."""
    instance = model._init_from_db(**{c: row[f"{alias}.{c}"] for c in _columns(model)})
    for name, value in related.items():
        object.__setattr__(instance, f"_{name}", value)
    return instance
