"""Migration 0018 gives the built-in executive and staff roles an enterprise already stored the new 问题清单 code,
as a new enterprise's built-in roles get it, and leaves the admin's and custom roles alone."""

import asyncio
import json
import secrets
from pathlib import Path

import asyncpg
import pytest
from tortoise.migrations.api import migrate

from core.config import DatabaseSettings
from core.db import APP, close_database, connection, execute, fetch, tortoise_config, upgrade
from tests.conftest import BACKENDS, PG_URL, _asyncpg_url, _with_database

ROLES = (("admin", "企业管理员", ["system:role:view"]), ("executive", "企业高管", ["message:view"]),
         ("staff", "关务人员", ["message:view", "question:view"]), (None, "审单员", ["declaration:review"]))


async def _stored_codes(url: str) -> dict[str, list[str]]:
    db = DatabaseSettings(url=url)
    try:
        await migrate(config=tortoise_config(db), target=f"{APP}.0017_messages")
        conn = connection()
        await execute(conn, "INSERT INTO enterprise (id, name, credit_code, status, exec_review_required, created_at) "
                            "VALUES (1, '甲公司', '91350200MA2XXXXX0X', 'active', ?, CURRENT_TIMESTAMP)", True)
        for builtin, name, codes in ROLES:
            await execute(conn, "INSERT INTO workspace_role (enterprise_id, name, codes, data_scope, builtin, "
                                "created_at, updated_at) VALUES (1, ?, ?, 'all', ?, CURRENT_TIMESTAMP, "
                                "CURRENT_TIMESTAMP)", name, json.dumps(codes), builtin)
    finally:
        await close_database()
    await upgrade(db)
    try:
        rows = await fetch(connection(), "SELECT name, codes FROM workspace_role ORDER BY id")
    finally:
        await close_database()
    return {r["name"]: r["codes"] if isinstance(r["codes"], list) else json.loads(r["codes"]) for r in rows}


@pytest.mark.parametrize("backend", BACKENDS)
def test_stored_builtin_roles_gain_the_question_list_once(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    else:
        name = f"qingling_mig_{secrets.token_hex(4)}"

        async def admin(sql: str) -> None:
            conn = await asyncpg.connect(_asyncpg_url(PG_URL))
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
        url = _with_database(PG_URL, name).replace("postgresql://", "postgres://", 1)
    try:
        codes = asyncio.run(_stored_codes(url))
    finally:
        if backend == "postgres":
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    assert codes == {"企业管理员": ["system:role:view"], "企业高管": ["message:view", "question:view"],
                     "关务人员": ["message:view", "question:view"], "审单员": ["declaration:review"]}
