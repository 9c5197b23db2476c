"""Pins what core/db.py relies on in tortoise-orm: a task started before ``open_database`` (a Sanic request
task, started before the start-up listener ran) sees the database, and stops seeing it after ``close_database``."""

from __future__ import annotations

import asyncio

from tortoise.context import get_current_context

from core.config import DatabaseSettings
from core.db import close_database, connection, open_database


async def test_a_task_started_before_the_database_opened_sees_it_until_it_closes() -> None:
    opened, closed = asyncio.Event(), asyncio.Event()

    async def request_task() -> tuple[list[int], object]:
        await opened.wait()
        _, rows = await connection().execute_query("SELECT 41 + 1 AS answer")
        await closed.wait()
        return [row["answer"] for row in rows], get_current_context()

    task = asyncio.create_task(request_task())  # its context is copied now, before the database is open
    await asyncio.sleep(0)
    await open_database(DatabaseSettings(url="sqlite://:memory:"))
    opened.set()
    await asyncio.sleep(0.05)
    await close_database()
    closed.set()

    answers, context_after_close = await task
    assert answers == [42]
    assert context_after_close is None
