"""PostgreSQL only: the queue's keyword filter (title / enterprise name, ``icontains``) can use the pg_trgm GIN
indexes of migration 0007 — shown with EXPLAIN on 40,000 questions and a few thousand enterprises.

Runs when QINGLING_TEST_POSTGRES is set (always in CI); without it the parameter list is empty.
"""

from __future__ import annotations

import pytest
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from core.db import execute, fetch
from core.query_sql import parameterized
from models.enterprises import Enterprise
from models.questions import Question
from services.kit.context import ServiceContext
from services.questions.queue import QueueFilter, list_queue, queue_order, queue_scope
from tests.conftest import PG_URL
from tests.factories import World

pytestmark = pytest.mark.parametrize("backend", ["postgres"] if PG_URL else [])
ctx = ServiceContext()
ROWS = 40_000
ENTERPRISES = 3_000


async def fill(world: World) -> None:
    """Many questions in the officer's office; a few hundred with 电子口岸 in the title, one enterprise name."""
    async with in_transaction() as conn:
        await execute(conn, """
            INSERT INTO enterprise (name, credit_code, status, exec_review_required, created_at)
            SELECT '企业' || i || CASE WHEN i = 77 THEN '保税物流有限公司' ELSE '贸易有限公司' END,
                   lpad(i::text, 18, 'X'), 'active', false, now()
            FROM generate_series(1, ?) AS i""", ENTERPRISES)
        await execute(conn, """
            INSERT INTO question (number, number_reversed, enterprise_id, creator_id, accepting_office_id,
                office_id, title, contact_name, contact_phone, description, remarks, allow_publication, status, round,
                version, published, public_title, public_description, public_reply, created_at, updated_at,
                submitted_at)
            SELECT 'N' || lpad(i::text, 10, '0'), reverse('N' || lpad(i::text, 10, '0')), ?, ?, ?, ?,
                   CASE WHEN i % 1000 = 0 THEN '电子口岸卡办理' || i ELSE '报关单修改问题' || i END,
                   '王', '13800138000', '描述', '', false, 'submitted', 1, 1, false, '', '', '',
                   now(), now(), now() - (i || ' seconds')::interval
            FROM generate_series(1, ?) AS i""", world.solo.id, world.solo_staff.person_id, world.dalian.id,
                      world.dayaowan.id, ROWS)
        await execute(conn, "ANALYZE question")
        await execute(conn, "ANALYZE enterprise")


def queue_sql(query: QuerySet[Question], order: tuple[str, ...] = ("-submitted_at", "-id")) -> tuple[str, list[object]]:
    """The SQL and parameters tortoise sends for the queue's first page."""
    return parameterized(query.order_by(*order).limit(51))


async def plan(query: QuerySet[Question], *, seqscan: bool, order: tuple[str, ...] = ("-submitted_at", "-id")) -> str:
    sql, params = queue_sql(query, order)
    async with in_transaction() as conn:
        if not seqscan:
            await execute(conn, "SET LOCAL enable_seqscan = off")
        _, rows = await conn.execute_query(f"EXPLAIN {sql}", params)
    return "\n".join(str(next(iter(r.values()))) for r in rows)


async def test_the_migration_made_the_trigram_indexes(db: object) -> None:
    async with in_transaction() as conn:
        rows = await fetch(conn, "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%_trgm'")
    found = {r["indexname"]: r["indexdef"] for r in rows}
    assert set(found) == {"question_title_trgm", "enterprise_name_trgm"}
    assert all("gin" in d and "gin_trgm_ops" in d and "upper" in d for d in found.values()), found


async def test_a_title_keyword_uses_the_trigram_index(world: World) -> None:
    await fill(world)
    scope = await queue_scope(world.officer.account_id, QueueFilter(keyword="电子口岸"), ctx)
    assert "UPPER(CAST(\"title\" AS VARCHAR)) LIKE" in queue_sql(scope.query)[0]  # what the index is built on
    natural = await plan(scope.query, seqscan=True)
    assert "Bitmap Index Scan on question_title_trgm" in natural, natural  # the planner's own choice
    page = await list_queue(world.officer.account_id, QueueFilter(keyword="电子口岸"), limit=100)
    assert len(page.items) == ROWS // 1000 and all("电子口岸" in i.title for i in page.items)


async def test_an_enterprise_name_keyword_uses_its_trigram_index(world: World) -> None:
    await fill(world)
    lookup = Enterprise.filter(name__icontains="保税物流").limit(501).values_list("id", flat=True)
    sql, params = parameterized(lookup)
    async with in_transaction() as conn:  # 3,000 names fit a few pages: prove the index usable
        await execute(conn, "SET LOCAL enable_seqscan = off")
        _, rows = await conn.execute_query(f"EXPLAIN {sql}", list(params))
    assert "Bitmap Index Scan on enterprise_name_trgm" in "\n".join(str(next(iter(r.values()))) for r in rows)
    scope = await queue_scope(world.officer.account_id, QueueFilter(keyword="保税物流"), ctx)
    forced = await plan(scope.query, seqscan=False)
    assert "question_title_trgm" in forced, forced  # title OR enterprise id: both sides by index


async def test_a_number_suffix_uses_the_reversed_number_index(world: World) -> None:
    """Issue 12: numbers end in year + sequence; a suffix of 4+ characters is a prefix of ``number_reversed``,
    searched through its pattern index (migration 0012)."""
    await fill(world)
    scope = await queue_scope(world.officer.account_id, QueueFilter(keyword="0012345"), ctx)
    natural = await plan(scope.query, seqscan=True)
    assert "Bitmap Index Scan on question_number_reversed" in natural, natural  # the planner's own choice
    assert "Bitmap Index Scan on question_number_pattern" in natural  # the prefix side of the OR
    assert "Bitmap Index Scan on question_title_trgm" in natural and "Seq Scan" not in natural
    page = await list_queue(world.officer.account_id, QueueFilter(keyword="12345"), limit=100)
    assert [i.number for i in page.items] == ["N0000012345"]


async def test_the_open_work_view_reads_only_open_rows(world: World) -> None:
    """Issue 12: the default view (submitted / accepted, oldest first) reads the open rows through the
    (office_id, status) index and sorts that small set — it does not walk past the closed history."""
    await fill(world)
    async with in_transaction() as conn:
        await execute(conn, "UPDATE question SET status = 'closed' WHERE id % 200 <> 0")
        await execute(conn, "ANALYZE question")
    work = QueueFilter.from_args({})
    scope = await queue_scope(world.officer.account_id, work, ctx)
    natural = await plan(scope.query, seqscan=True, order=queue_order(work))
    assert "Seq Scan" not in natural and "{submitted,accepted}" in natural.split("Index Cond")[1], natural
    page = await list_queue(world.officer.account_id, work, limit=50)
    times = [i.submitted_at for i in page.items]
    assert len(times) == 50 and times == sorted(times) and {i.status.value for i in page.items} == {"submitted"}
