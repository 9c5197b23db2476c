"""Raw statements: portable placeholders and true row counts on both databases."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.transactions import in_transaction

from core.config import DatabaseSettings
from core.db import close_database, connection, execute, fetch, held_connection, open_database, portable_sql
from core.query_sql import rows
from models.enterprises import Person
from tests.conftest import PG_URL


async def test_execute_counts_inserted_updated_and_deleted_rows(db) -> None:
    conn = connection()
    now = datetime.now(UTC)
    sql = ("INSERT INTO audit_entry (actor_kind, actor_name, action, object_type, object_id, detail, created_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?)")
    row = ("system", "测试", "x", "t", "1", "{}", now)
    assert await execute(conn, sql, *row, *row) == 2
    assert await execute(conn, "UPDATE audit_entry SET action = ? WHERE object_id = ?", "y", "1") == 2
    assert [r["action"] for r in await fetch(conn, "SELECT action FROM audit_entry WHERE object_id = ?", "1")] == [
        "y", "y"]
    assert await execute(conn, "DELETE FROM audit_entry WHERE action = ?", "y") == 2


def test_placeholders_become_numbered_on_postgres() -> None:
    class Pg:
        class capabilities:  # noqa: N801 - mimics tortoise's client attribute
            dialect = "postgres"

    assert portable_sql("a = ? AND b = ?", Pg()) == "a = $1 AND b = $2"  # type: ignore[arg-type]


@pytest.fixture
async def one_connection(db: DatabaseSettings) -> DatabaseSettings:
    """The test's database again with a pool of one: anything asking the pool for a second connection hangs."""
    await close_database()
    single = replace(db, max_connections=1)
    await open_database(single)
    return single


async def test_every_query_of_a_held_request_runs_on_its_one_connection(one_connection: DatabaseSettings) -> None:
    async with asyncio.timeout(30), held_connection():  # a deadlock guard: the pool has no second connection
        assert not isinstance(connection(), TransactionalDBClient)
        await Person.create(name="甲", phone="13900000101")
        async with in_transaction() as conn:
            assert connection() is conn
            await Person.create(name="乙", phone="13900000102")
            assert await Person.filter(phone__startswith="139000001").count() == 2
        with pytest.raises(RuntimeError, match="失败"):
            async with in_transaction():
                await Person.create(name="丙", phone="13900000103")
                raise RuntimeError("用例失败")
        assert await execute(connection(), "UPDATE person SET name = ? WHERE phone = ?", "甲一", "13900000101") == 1
        assert sorted(r[0] for r in await rows("SELECT name FROM person")) == ["乙", "甲一"]
        async with held_connection():  # a nested hold keeps the request's connection
            assert await Person.filter(name="乙").exists()
    assert sorted(await Person.all().values_list("name", flat=True)) == ["乙", "甲一"]


@pytest.mark.parametrize("backend", ["postgres"] if PG_URL else [])  # SQLite has one connection: nothing goes back
async def test_a_held_connection_goes_back_without_an_open_transaction(one_connection: DatabaseSettings) -> None:
    with pytest.raises(RuntimeError, match="失败"):
        async with asyncio.timeout(30), held_connection():
            await execute(connection(), "BEGIN")  # left open by a bug: the pool rolls it back
            await Person.create(name="丁", phone="13900000104")
            raise RuntimeError("请求失败")
    async with asyncio.timeout(30):
        assert not await Person.filter(name="丁").exists()
        async with in_transaction() as conn:
            await Person.create(name="戊", phone="13900000105", using_db=conn)
    assert await Person.filter(name="戊").exists()



@pytest.mark.parametrize("backend", ["postgres"] if PG_URL else [])
async def test_held_connections_go_to_requests_in_the_order_they_asked(one_connection: DatabaseSettings) -> None:
    """A busy server (a new request on every turn of the event loop, each given the connection in turn): none
    is overtaken by a later one, however the turns fall."""
    asked: list[int] = []
    served: list[int] = []

    async def request(who: int) -> None:
        asked.append(who)
        async with held_connection():
            served.append(who)
            await rows("SELECT 1")

    async with asyncio.timeout(30):
        arriving = []
        while len(served) < 8:
            arriving.append(asyncio.create_task(request(len(arriving))))
            await asyncio.sleep(0)
        await asyncio.gather(*arriving)
    assert served == asked
