"""The SQL and parameters tortoise would send for a query set, to run it without per-value conversion.

The only place that reaches below tortoise's awaitable API: ``QuerySet.sql()`` (public) chooses the connection
and builds the query, which it keeps on the public ``query`` attribute (a pypika query);
``get_parameterized_sql`` renders it with the connection's placeholders. tests/services/test_query_sql.py pins
this: the rows run through ``fetch_raw`` are the rows the ORM returns, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from tortoise.queryset import AwaitableQuery

from core.db import connection


def parameterized(query: AwaitableQuery[Any]) -> tuple[str, list[Any]]:
    """The statement with placeholders (``?`` on SQLite, ``$n`` on PostgreSQL) and its parameters."""
    query.sql()  # builds ``query.query`` for the chosen connection
    sql, params = query.query.get_parameterized_sql()
    return sql, list(params)


async def fetch_raw(query: AwaitableQuery[Any]) -> list[Any]:
    """The query's rows as the driver returns them (asyncpg records / sqlite rows), unconverted."""
    sql, params = parameterized(query)
    _, rows = await connection().execute_query(sql, params)
    return list(rows)
