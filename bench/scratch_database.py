"""A PostgreSQL database of the benchmark's own, created next to the given one and dropped afterwards."""

from __future__ import annotations

import os
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
