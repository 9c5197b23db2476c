"""A PostgreSQL database of the benchmark's own, created next to the given one and dropped afterwards; and the
benches' one timing loop."""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlparse, urlunparse

import asyncpg

from core.config import DatabaseSettings


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


async def create_scratch(admin_url: str) -> tuple[asyncpg.Connection, str, DatabaseSettings]:
    """An admin connection, the new database's name and its settings; pass the first two to ``drop_scratch``."""
    name = f"qingling_bench_{os.getpid()}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    except BaseException:
        await admin.close()
        raise
    url = with_database(admin_url, name).replace("postgresql://", "postgres://", 1)
    return admin, name, DatabaseSettings(url=url, max_connections=4)


async def drop_scratch(admin: asyncpg.Connection, name: str) -> None:
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def migrate(settings: DatabaseSettings) -> None:
    """The committed migrations applied to the scratch database, its connections closed again."""
    from core.db import close_database, upgrade

    try:
        await upgrade(settings)
    finally:
        await close_database()


async def sample(call: Callable[[], Awaitable[object]], iterations: int, warm_up: int = 30) -> list[float]:
    """Seconds each of ``iterations`` awaits of ``call`` took, after ``warm_up`` untimed ones."""
    for _ in range(min(warm_up, iterations)):
        await call()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return samples
