"""What keeps the lists fast at a million questions (bench/pages.py measures it at that size).

* PostgreSQL: 我的问题's page query reads the (enterprise_id, id) index of migration 0013 — for an enterprise
  with no question it reads nothing, where a walk down the primary key read every row (EXPLAIN ANALYZE); it is
  planned once per connection, not on every request (the page size in its text: no ``LIMIT $n``).
* The header's badge counts at most ``BADGE_MAX + 1`` waiting questions and shows "99+" past that.
* Within one reading request the reader's customs account is loaded once; a request that may write reloads it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tortoise.transactions import in_transaction

from core.db import execute, held_connection, portable_sql
from core.query_sql import rows
from models.lifecycle import Status
from models.questions import Question
from services.kit.access import access_customs_account, begin_request_reads
from services.kit.context import ServiceContext
from services.questions.listed import enterprise_page
from services.questions.queue import BADGE_MAX, badge_label, new_work_count
from services.questions.views import list_questions
from tests.conftest import PG_URL
from tests.factories import World

ROWS = 20_000
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def add_questions(world: World, count: int, status: Status) -> None:
    """``count`` questions of the solo enterprise in the officer's office (Dayaowan)."""
    await Question.bulk_create([
        Question(number=f"S{i:010d}", enterprise_id=world.solo.id, creator_id=world.solo_staff.person_id,
                 accepting_office_id=world.dalian.id, office_id=world.dayaowan.id, title=f"问题{i}",
                 contact_name="王", contact_phone="13800138000", description="描述", status=status,
                 submitted_at=NOW, created_at=NOW, updated_at=NOW)
        for i in range(count)
    ], batch_size=1000)


async def explain_analyze(sql: str, params: list[object]) -> str:
    async with in_transaction() as conn:
        _, rows = await conn.execute_query(portable_sql(f"EXPLAIN ANALYZE {sql}", conn), params)
    return "\n".join(str(next(iter(r.values()))) for r in rows)


@pytest.mark.parametrize("backend", ["postgres"] if PG_URL else [])
async def test_an_enterprise_list_reads_only_its_own_index_range(world: World) -> None:
    await add_questions(world, ROWS, Status.CLOSED)
    async with in_transaction() as conn:
        await execute(conn, "ANALYZE question")
    empty = await explain_analyze(*enterprise_page(world.acme.id, None, None, 21))  # none of the rows
    assert "Index Cond: (enterprise_id = " in empty, empty
    full = await explain_analyze(*enterprise_page(world.solo.id, None, None, 21))  # all of them
    for plan in (empty, full):
        assert "Seq Scan on question" not in plan, plan
        assert "Rows Removed by Filter" not in plan, plan  # no walk past rows of other enterprises


@pytest.mark.parametrize("backend", ["postgres"] if PG_URL else [])
async def test_an_enterprise_list_is_planned_once_not_on_every_request(world: World) -> None:
    await add_questions(world, ROWS, Status.CLOSED)
    async with in_transaction() as conn:
        await execute(conn, "ANALYZE question")
    async with held_connection():  # one connection: its prepared statements
        for _ in range(10):  # PostgreSQL plans a prepared statement's first five runs for their values
            await list_questions(ServiceContext(), world.staff.person_id, world.acme.id)
        plans = await rows("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE ?",
                           "%FROM question q JOIN person p%")
    assert [tuple(p) for p in plans] == [(5, 5)]


async def test_the_badge_counts_to_the_cap_and_then_says_99_plus(world: World) -> None:
    await add_questions(world, BADGE_MAX + 5, Status.SUBMITTED)
    assert await new_work_count(world.officer.account_id) == BADGE_MAX + 1
    assert badge_label(BADGE_MAX + 1) == "99+"
    assert badge_label(BADGE_MAX) == "99"
    assert badge_label(0) == "0"


async def test_a_reading_request_loads_the_account_once_and_a_writing_one_every_time(world: World) -> None:
    conn = Question._meta.db
    begin_request_reads(True)
    first = await access_customs_account(world.officer.account_id, conn)
    assert await access_customs_account(world.officer.account_id, conn) is first
    begin_request_reads(False)
    assert await access_customs_account(world.officer.account_id, conn) is not first
