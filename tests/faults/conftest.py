"""Fault-test fixtures: a private redis-server per test and one private PostgreSQL cluster per run."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import DatabaseSettings
from tests.conftest import _migrate
from tests.faults.servers import PostgresServer, RedisServer


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A migrated private cluster; tests may stop, restart or freeze it (each leaves it running)."""
    server = PostgresServer()
    try:
        server.start()
        server.create_database()
        asyncio.run(_migrate(server.url))
        yield server
    finally:
        server.remove()


@pytest.fixture
def private_pg(pg_server: PostgresServer) -> Iterator[PostgresServer]:
    yield pg_server
    pg_server.thaw()
    if not (pg_server.data / "postmaster.pid").exists():
        pg_server.start()


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> DatabaseSettings:
    path = tmp_path / "faults.sqlite3"
    shutil.copy(sqlite_template, path)
    return DatabaseSettings(url=f"sqlite://{path}")
