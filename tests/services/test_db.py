"""Raw statements: portable placeholders and true row counts on both databases."""

from datetime import UTC, datetime

from core.db import connection, execute, fetch, portable_sql


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
