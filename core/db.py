"""Database set-up: tortoise-orm on SQLite (default) or PostgreSQL, and its committed migrations."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import asyncpg
from tortoise import Tortoise
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import (
    BaseDBAsyncClient,
    ConnectionWrapper,
    TransactionalDBClient,
    TransactionContext,
)
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connection, get_connections
from tortoise.context import set_global_context
from tortoise.migrations.api import migrate
from tortoise.migrations.executor import MigrationExecutor

from core.config import PROJECT_ROOT, DatabaseSettings
from models import MODEL_MODULES

P = ParamSpec("P")
R = TypeVar("R")
APP = "models"
MIGRATIONS_MODULE = "models.migrations"


class UnmigratedDatabase(Exception):
    """The schema is behind the committed migrations."""


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg is untyped
    """A PostgreSQL connection handed back to the pool without asyncpg's reset statement.

    asyncpg sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` on every release: a
    round trip after each query outside a transaction, which doubled the round trips of a page. Nothing here
    takes advisory locks, declares cursors, listens or sets session settings (``SET LOCAL`` ends with its
    transaction), so there is nothing to reset; an open transaction is still rolled back by the pool, and
    overriding ``get_reset_query`` is the documented way to change the statement.
    """

    def get_reset_query(self) -> str:
        return ""


def tortoise_config(db: DatabaseSettings) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(db)},
        "apps": {APP: {"models": MODEL_MODULES, "default_connection": "default", "migrations": MIGRATIONS_MODULE}},
        "use_tz": True,
        "timezone": "UTC",
    }


def connection_config(db: DatabaseSettings) -> str | dict[str, Any]:
    """SQLite: the URL; PostgreSQL: the URL's parts, with our pool's connection class."""
    url = connection_url(db)
    if url.startswith("sqlite://"):
        return url
    config = expand_db_url(url)
    config["credentials"]["connection_class"] = PooledConnection
    return config


def connection_url(db: DatabaseSettings) -> str:
    url = db.url
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")
        if path != ":memory:":
            full = Path(path) if Path(path).is_absolute() else Path.cwd() / path
            full.parent.mkdir(parents=True, exist_ok=True)
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}maxsize={db.max_connections}"


def connection() -> BaseDBAsyncClient:
    # tortoise's functions, not its ``connections`` proxy (deprecated): several calls a request, each a look-up less
    return get_connection("default")


class HeldConnection(AsyncpgDBClient):
    """One pooled PostgreSQL connection that every query of a request runs on (``held_connection``).

    Built like tortoise's asyncpg ``TransactionWrapper`` — the pool client's settings around one connection,
    a lock so the request's queries take turns on it — but without a transaction: each statement commits on its
    own as on a pooled connection, and ``in_transaction()`` opens a real transaction on this same connection
    (``HeldTransaction``). Not a ``TransactionalDBClient``: code that asks "am I inside a transaction?" is told no.
    """

    def __init__(self, pooled: AsyncpgDBClient, raw: asyncpg.Connection) -> None:
        self._connection = raw
        self._lock = asyncio.Lock()
        self.log = pooled.log
        self.connection_name = pooled.connection_name
        self.fetch_inserted = pooled.fetch_inserted
        self._parent = pooled

    def acquire_connection(self) -> ConnectionWrapper[asyncpg.Connection]:
        return ConnectionWrapper(self._lock, self)

    async def select(self, sql: str, values: Sequence[Any]) -> list[asyncpg.Record]:
        """A SELECT's rows (``$n`` placeholders): what ``execute_query`` answers for one, errors translated the
        same way, without its per-statement work (the wrapper's lock, the statement's upper-cased copy, the log
        call) — a page's raw reads (core/query_sql.py) run several a request."""
        result: list[asyncpg.Record] = await self._translate_exceptions(HeldConnection._select, sql, values)
        return result

    async def _select(self, sql: str, values: Sequence[Any]) -> list[asyncpg.Record]:
        async with self._lock:
            result: list[asyncpg.Record] = await self._connection.fetch(sql, *values)
            return result

    def _in_transaction(self) -> TransactionContext:
        return HeldTransaction(self)


class HeldTransaction(TransactionContext):
    """``in_transaction()`` on a held connection: BEGIN … COMMIT (ROLLBACK on an error) on that connection, the
    transaction's client the request's connection meanwhile — tortoise's pooled transaction context without
    the acquire and release."""

    def __init__(self, held: HeldConnection) -> None:
        self.client = TransactionWrapper(held)
        self.client._lock = held._lock  # one connection: its queries take turns, whichever client sends them

    async def __aenter__(self) -> TransactionalDBClient:
        self.token = get_connections().set(self.client.connection_name, self.client)
        try:
            await self.client.begin()
        except BaseException:
            get_connections().reset(self.token)
            raise
        return self.client

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            if not self.client._finalized:
                await (self.client.rollback() if exc_type else self.client.commit())
        finally:
            get_connections().reset(self.token)


@contextlib.asynccontextmanager
async def held_connection() -> AsyncIterator[None]:
    """Run every query inside on one pooled connection, taken from the pool once (PostgreSQL).

    Tortoise takes a connection from the pool and gives it back around every query (~60 µs of CPU each); a page
    of several queries holds one instead. Every query inside — the ORM's, ``in_transaction()``'s, the raw ones
    — asks ``connection()`` and gets this one, so nothing inside waits for a second connection (a pool full of
    held requests would otherwise deadlock). SQLite has one connection anyway; inside a transaction or another
    hold, that connection is kept. The pool rolls back a transaction left open when the connection goes back.
    """
    pooled = connection()
    if not isinstance(pooled, AsyncpgDBClient) or isinstance(pooled, (TransactionalDBClient, HeldConnection)):
        yield
        return
    async with _turns(pooled), pooled.acquire_connection() as raw:
        token = get_connections().set(pooled.connection_name, HeldConnection(pooled, raw))
        try:
            yield
        finally:
            get_connections().reset(token)


_TURNS: weakref.WeakKeyDictionary[AsyncpgDBClient, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _turns(pooled: AsyncpgDBClient) -> asyncio.Semaphore:
    """The held requests of a pool, in line: first come, first served.

    asyncpg's pool lets a newcomer take a connection handed back before the waiter woken for it runs; the
    waiter goes to the back of the line again. At 32 concurrent requests on 10 connections a few requests
    waited ten times the median (bench/pages.py: p99 of the pool wait 61 ms, median 0). asyncio's semaphore
    hands a released slot to its first waiter, so requests get their connection in arrival order.
    """
    turns = _TURNS.get(pooled)
    if turns is None:
        turns = _TURNS[pooled] = asyncio.Semaphore(pooled.pool_maxsize)
    return turns


def on_held_connection(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """A request handler whose queries all run on one held connection (``held_connection``)."""

    @functools.wraps(handler)
    async def held(*args: P.args, **kwargs: P.kwargs) -> R:
        async with held_connection():
            return await handler(*args, **kwargs)

    return held


async def open_database(db: DatabaseSettings) -> None:
    """Open the database for this process: tasks started before (Sanic's request tasks) see it too.

    Tortoise keeps its context in a context variable, set only in the task that ran ``Tortoise.init`` (the
    start-up listener); ``set_global_context`` (public, in ``tortoise.context.__all__``) makes it the
    fallback of every other task until ``close_database``. tests/unit/test_db_context.py pins both.
    """
    set_global_context(await Tortoise.init(config=tortoise_config(db)))


async def close_database() -> None:
    await Tortoise.close_connections()


@contextlib.asynccontextmanager
async def database(db: DatabaseSettings) -> AsyncIterator[None]:
    """Open the database for a CLI command and always close it (an open aiosqlite thread hangs the exit)."""
    await open_database(db)
    try:
        yield
    finally:
        await close_database()


async def upgrade(db: DatabaseSettings) -> list[str]:
    """Apply the committed migrations; return the names applied."""
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(name)

    await migrate(config=tortoise_config(db), progress=progress)
    return applied


async def pending_migrations() -> list[str]:
    """Names of committed migrations not yet applied to the open database."""
    config = tortoise_config_from_open()
    executor = MigrationExecutor(connection(), config)
    plan = await executor.plan()
    return [step.migration.name for step in plan if not step.backward]


def tortoise_config_from_open() -> dict[str, dict[str, Any]]:
    return {APP: {"models": MODEL_MODULES, "migrations": MIGRATIONS_MODULE}}


async def ensure_migrated() -> None:
    pending = await pending_migrations()
    if pending:
        raise UnmigratedDatabase(
            f"数据库尚未迁移（缺少 {len(pending)} 个迁移：{pending[0]} …），请先运行：qingling db upgrade"
        )


async def make_migrations(db: DatabaseSettings, name: str | None = None) -> list[Path]:
    """Developer command: write a migration for model changes into models/migrations/."""
    from tortoise.cli.cli import CLIContext
    from tortoise.cli.cli import makemigrations as tortoise_makemigrations

    migrations_dir = PROJECT_ROOT / "models" / "migrations"
    before = set(migrations_dir.glob("*.py"))
    config_path = PROJECT_ROOT / "var" / "tortoise_config.json"
    config_path.parent.mkdir(exist_ok=True)
    import json

    config = tortoise_config(db) | {"connections": {"default": connection_url(db)}}  # JSON: no class
    config_path.write_text(json.dumps(config), encoding="utf-8")
    await tortoise_makemigrations(CLIContext(None, str(config_path)), (), False, name)
    await Tortoise.close_connections()
    return sorted(set(migrations_dir.glob("*.py")) - before)


def dialect(conn: BaseDBAsyncClient | None = None) -> str:
    return (conn or connection()).capabilities.dialect


def portable_sql(sql: str, conn: BaseDBAsyncClient) -> str:
    """Our raw SQL uses ``?`` placeholders; asyncpg wants ``$1, $2 …``."""
    return numbered_placeholders(sql) if dialect(conn) == "postgres" else sql


@functools.lru_cache(maxsize=1024)  # the statements are few fixed texts: converted once each
def numbered_placeholders(sql: str) -> str:
    parts = sql.split("?")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, start=1))


async def execute(conn: BaseDBAsyncClient, sql: str, *args: Any) -> int:
    """Run one raw statement (portable placeholders); return the affected row count."""
    if dialect(conn) == "postgres":
        # tortoise reads the command tag's second field, which for "INSERT 0 n" is the oid, not n.
        async with conn.acquire_connection() as raw:
            tag = await raw.execute(portable_sql(sql, conn), *args)
        last = tag.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0
    count, _ = await conn.execute_query(portable_sql(sql, conn), list(args))
    return count


async def fetch(conn: BaseDBAsyncClient, sql: str, *args: Any) -> list[dict[str, Any]]:
    _, rows = await conn.execute_query(portable_sql(sql, conn), list(args))
    return [dict(row) for row in rows]
