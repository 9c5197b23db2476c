"""core/query_sql.py, the one place below tortoise's awaitable API: pinned on SQLite and PostgreSQL — the SQL it
renders has the connection's placeholders, and the raw rows it fetches are the ORM's rows."""

from __future__ import annotations

from datetime import datetime

from core.db import dialect
from core.query_sql import fetch_raw, parameterized
from models.enterprises import Enterprise
from models.questions import Question
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from tests.factories import World

ctx = ServiceContext()


async def test_the_rendered_sql_has_the_connections_placeholders_and_the_parameters(world: World) -> None:
    sql, params = parameterized(Enterprise.filter(name__icontains="贸易", id__gt=0).order_by("id").limit(7)
                                .values_list("id", "name"))
    marks = ("$1", "$2") if dialect() == "postgres" else ("?", "?")
    assert sql.startswith("SELECT") and all(mark in sql for mark in marks) and '"enterprise"' in sql
    assert "%贸易%" in params and 0 in params and 7 in params


async def test_raw_rows_are_the_orms_rows_unconverted(world: World) -> None:
    for title in ("第一个问题", "第二个问题"):
        q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(title))
        await submit_question(ctx, world.solo_staff, q.id)
    query = Question.filter(enterprise_id=world.solo.id).order_by("id").values_list("id", "title", "submitted_at")
    orm = await query
    raw = await fetch_raw(Question.filter(enterprise_id=world.solo.id).order_by("id")
                          .values_list("id", "title", "submitted_at"))
    assert [(r[0], r[1]) for r in raw] == [(o[0], o[1]) for o in orm] and len(raw) == 2
    # unconverted: asyncpg gives aware datetimes, SQLite the ISO text tortoise stored
    times = [r[2] if isinstance(r[2], datetime) else datetime.fromisoformat(r[2]) for r in raw]
    assert times == [o[2] for o in orm]
    assert isinstance(raw[0][2], datetime) == (dialect() == "postgres")
