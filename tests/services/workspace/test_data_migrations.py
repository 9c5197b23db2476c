"""Data migrations, each from a database one migration older holding the old rows, on SQLite and PostgreSQL:
0018 gives the built-in executive and staff roles an enterprise already stored the new 问题清单 code (as a new
enterprise's built-in roles get it) and leaves the admin's and custom roles alone; 0025 renames the business
switches' declaration kinds to the declarations module's; 0031 keeps only the bigrams of stored library keywords;
0032 drops library_row's foreign-key checks of its catalogue version and upload on PostgreSQL and leaves the table
(its rows and indexes) as it was on SQLite."""

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


ENTERPRISE = ("INSERT INTO enterprise (id, name, credit_code, status, exec_review_required, created_at) "
              "VALUES (1, '甲公司', '91350200MA2XXXXX0X', 'active', ?, CURRENT_TIMESTAMP)")


async def _migrated(url: str, before: str, rows: list[tuple[str, tuple[object, ...]]], query: str) -> list[dict]:
    """Migrate to ``before``, insert ``rows`` (SQL, arguments), migrate to the newest; the rows of ``query``."""
    db = DatabaseSettings(url=url)
    try:
        await migrate(config=tortoise_config(db), target=f"{APP}.{before}")
        for sql, args in rows:
            await execute(connection(), sql, *args)
    finally:
        await close_database()
    try:  # closed even when the upgrade fails: an open aiosqlite thread would hang the run's exit
        await upgrade(db)
        return await fetch(connection(), query)
    finally:
        await close_database()


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


async def _stored_codes(url: str) -> dict[str, list[str]]:
    role = ("INSERT INTO workspace_role (enterprise_id, name, codes, data_scope, builtin, created_at, updated_at) "
            "VALUES (1, ?, ?, 'all', ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
    rows = await _migrated(url, "0017_messages", [(ENTERPRISE, (True,)), *(
        (role, (name, json.dumps(codes), builtin)) for builtin, name, codes in ROLES)],
        "SELECT name, codes FROM workspace_role ORDER BY id")
    return {r["name"]: _json(r["codes"]) for r in rows}  # type: ignore[misc]


async def _stored_kinds(url: str) -> list[str]:
    empty = ", ''"  # one empty text per column
    texts = ("address", "contact", "phone", "email", "invoice_name", "invoice_tax_id", "invoice_address_phone",
             "invoice_bank_account")
    settings = (f"INSERT INTO company_settings (enterprise_id, declaration_kinds, aircraft_auto, carousel, links, "
                f"{', '.join(texts)}) VALUES (1, ?, ?, '[]', '[]'{empty * len(texts)})")
    rows = await _migrated(url, "0024_library_notices", [
        (ENTERPRISE, (True,)), (settings, (json.dumps(["export_declaration", "exit_transit_record_list"]), False))],
        "SELECT declaration_kinds FROM company_settings")
    return _json(rows[0]["declaration_kinds"])  # type: ignore[return-value]


def _scratch(backend: str, tmp_path: Path, run):  # noqa: ANN001, ANN202 - a coroutine function of the url
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
        return asyncio.run(run(url))
    finally:
        if backend == "postgres":
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.parametrize("backend", BACKENDS)
def test_stored_builtin_roles_gain_the_question_list_once(backend: str, tmp_path: Path) -> None:
    codes = _scratch(backend, tmp_path, _stored_codes)
    assert codes == {"企业管理员": ["system:role:view"], "企业高管": ["message:view", "question:view"],
                     "关务人员": ["message:view", "question:view"], "审单员": ["declaration:review"]}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_business_switches_keep_their_kinds_under_the_declarations_names(backend: str, tmp_path: Path) -> None:
    assert _scratch(backend, tmp_path, _stored_kinds) == ["export", "export_transit_record"]


def _library_row(postgres: bool) -> list[tuple[str, tuple[object, ...]]]:
    """A catalogue version and one library row with its keywords, as migration 0030 left the table."""
    version = ("INSERT INTO catalogue_version (id, code, name, effective_from, source, loaded_at) "
               "VALUES (1, '2026', '2026版', '2026-01-01', '', CURRENT_TIMESTAMP)")
    texts = ("trade_mode", "customs_office", "transport_mode", "transaction_mode", "hs_code", "model_spec",
             "declarant_code", "declarant_name", "consignee_code", "consignee_name", "origin_country",
             "destination_country", "unit", "legal_unit", "currency", "remarks", "mark_note")
    blanks = ", ''" * len(texts)
    row = (f"INSERT INTO library_row (entry_number, item_number, source, declared_on, ie_flag, goods_name, elements, "
           f"mark, superseded, public, catalogue_version_id, version, created_at, updated_at, keywords, "
           f"{', '.join(texts)}) VALUES ('090120260000000001', 1, 'audited', '2026-03-02', 'E', '轴承', '[]', "
           f"'standard', FALSE, TRUE, 1, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?{blanks})")
    tokens = ["sk", "s", "轴", "轴承", "承"]
    return [(version, ()), (row, (tokens if postgres else " " + " ".join(tokens) + " ",))]


async def _stored_keywords(url: str) -> list[str]:
    postgres = url.startswith("postgres")
    rows = await _migrated(url, "0030_library_public_hs_date", _library_row(postgres),
                           "SELECT keywords FROM library_row")
    stored = rows[0]["keywords"]
    return list(stored) if postgres else stored.split()


async def _library_row_schema(url: str) -> tuple[int, list[str], list[str]]:
    """After 0032: the rows kept, the foreign keys library_row still checks, the indexes it still has."""
    postgres = url.startswith("postgres")
    keys = ("SELECT conname::text AS name FROM pg_constraint WHERE conrelid = 'library_row'::regclass "
            "AND contype = 'f'" if postgres else "SELECT \"table\" AS name FROM pragma_foreign_key_list('library_row')")
    indexes = ("SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = 'library_row'::regclass"
               if postgres else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'library_row'")
    rows = await _migrated(url, "0031_library_keyword_bigrams", _library_row(postgres),
                           f"SELECT 'rows' AS kind, CAST(COUNT(*) AS TEXT) AS name FROM library_row UNION ALL "
                           f"SELECT 'key', name FROM ({keys}) k UNION ALL SELECT 'index', name FROM ({indexes}) i")
    found = {kind: sorted(r["name"] for r in rows if r["kind"] == kind) for kind in ("rows", "key", "index")}
    return int(found["rows"][0]), found["key"], found["index"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_stored_library_keywords_keep_only_their_bigrams(backend: str, tmp_path: Path) -> None:
    assert _scratch(backend, tmp_path, _stored_keywords) == ["sk", "轴承"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_library_rows_keep_their_table_without_the_version_and_upload_checks(backend: str, tmp_path: Path) -> None:
    rows, keys, indexes = _scratch(backend, tmp_path, _library_row_schema)
    assert rows == 1
    named = {"library_row_declarant_mark", "library_row_consignee_hs", "library_row_upload", "library_row_public_hs"}
    assert named <= set(indexes)  # SQLite: not rebuilt (a rebuilt table loses its indexes)
    if backend == "postgres":
        assert keys == ["library_row_consignee_enterprise_id_fkey", "library_row_declarant_enterprise_id_fkey"]
        assert {"library_row_keywords", "library_row_public_date"} <= set(indexes)
    else:  # SQLite cannot drop a constraint in place: all four stay
        assert keys == ["catalogue_version", "enterprise", "enterprise", "library_upload"]
