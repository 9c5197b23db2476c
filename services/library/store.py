"""Storing checked library rows set-based: batched inserts that skip rows already stored (the natural key 海关编号 +
项号 + source), each batch's enterprises looked up by credit code in one query, then one statement marking the
declared rows that customs audited as superseded (the audited row wins)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from core.db import dialect, execute, portable_sql
from models.enterprises import Enterprise
from models.library import LibraryRow, LibrarySource
from services.library.keywords import stored_keywords

ROW_COLUMNS = (
    "entry_number", "item_number", "source", "declared_on", "ie_flag", "trade_mode", "customs_office",
    "transport_mode", "transaction_mode", "hs_code", "goods_name", "model_spec", "elements", "declarant_code",
    "declarant_name", "consignee_code", "consignee_name", "origin_country", "destination_country", "quantity",
    "unit", "legal_quantity", "legal_unit", "total_price", "currency", "mark", "remarks", "public", "superseded",
    "mark_note", "catalogue_change", "catalogue_version_id", "upload_id", "version", "created_at", "updated_at",
    "keywords",
    "declarant_enterprise_id", "consignee_enterprise_id",  # added by ``insert_rows``
)
_MADE = len(ROW_COLUMNS) - 2  # the values ``row_values`` makes
_DECLARANT, _CONSIGNEE = ROW_COLUMNS.index("declarant_code"), ROW_COLUMNS.index("consignee_code")
_TEXTS = ("transport_mode", "transaction_mode", "origin_country", "destination_country", "unit", "legal_unit",
          "currency")
_DECIMALS = ("quantity", "legal_quantity", "total_price")
_FIELDS = LibraryRow._meta.fields_map


def _insert_sql() -> str:
    return (f"INSERT INTO library_row ({', '.join(ROW_COLUMNS)}) VALUES ({', '.join('?' for _ in ROW_COLUMNS)}) "
            "ON CONFLICT (entry_number, item_number, source) DO NOTHING")


# PostgreSQL: each batch is COPYed (binary) into a temporary table of the transaction, then moved over in one
# INSERT … SELECT that skips stored natural keys (COPY itself cannot skip conflicts).
_STAGE = "library_row_stage"
_STAGE_SQL = (f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (LIKE library_row INCLUDING DEFAULTS) ON COMMIT DROP; "
              f"TRUNCATE {_STAGE}")
_FROM_STAGE_SQL = (f"INSERT INTO library_row ({', '.join(ROW_COLUMNS)}) SELECT {', '.join(ROW_COLUMNS)} FROM {_STAGE} "
                   "ON CONFLICT (entry_number, item_number, source) DO NOTHING")


def row_values(row: dict[str, Any], source: LibrarySource, version_id: int, upload_id: int | None,
               now: datetime, postgres: bool) -> tuple[Any, ...]:
    """One checked row as the insert's arguments, in ``ROW_COLUMNS`` order (SQLite: as tortoise stores them)."""
    values = {**row, "source": source.value, "ie_flag": row["ie_flag"].value, "mark": row["mark"].value,
              "elements": json.dumps(row.get("elements", []), ensure_ascii=False), "superseded": False,
              "mark_note": "", "catalogue_change": "", "catalogue_version_id": version_id, "upload_id": upload_id,
              "version": 1, "created_at": now, "updated_at": now}
    for key in _TEXTS:
        values[key] = values[key] or ""
    for key in _DECIMALS:
        if values[key] is not None:
            values[key] = Decimal(str(values[key]))
    if not postgres:
        for key in ("declared_on", "created_at", "updated_at", *_DECIMALS):
            values[key] = _FIELDS[key].to_db_value(values[key], LibraryRow)
    values["keywords"] = stored_keywords(row["keywords"], "postgres" if postgres else "sqlite")
    return tuple(values[c] for c in ROW_COLUMNS[:_MADE])


async def insert_rows(conn: BaseDBAsyncClient, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert rows made by ``row_values``, with the ids of the registered enterprises their credit codes name; a row
    whose natural key is stored already is skipped. ``conn`` is a transaction (PostgreSQL stages the batch in a
    temporary table dropped at its commit)."""
    if not rows:
        return
    codes = {row[_DECLARANT] for row in rows} | {row[_CONSIGNEE] for row in rows}
    known = dict(await Enterprise.filter(credit_code__in=codes).using_db(conn).values_list("credit_code", "id"))
    linked = [(*row, known.get(row[_DECLARANT]), known.get(row[_CONSIGNEE])) for row in rows]
    if dialect(conn) == "postgres":
        async with conn.acquire_connection() as raw:
            await raw.execute(_STAGE_SQL)
            await raw.copy_records_to_table(_STAGE, records=linked, columns=ROW_COLUMNS)
            await raw.execute(_FROM_STAGE_SQL)
    else:
        await conn.execute_many(portable_sql(_insert_sql(), conn), [list(row) for row in linked])


async def settle_upload(conn: BaseDBAsyncClient, upload_id: int, source: LibrarySource) -> None:
    """After an upload's inserts: the declared rows of the items customs audited are superseded (the audited row
    wins), driven from the upload's own rows (its index), whichever side came first."""
    if source is LibrarySource.AUDITED:
        await execute(conn, "UPDATE library_row SET superseded = TRUE FROM library_row a WHERE a.upload_id = ? "
                            "AND library_row.source = 'declared' AND NOT library_row.superseded "
                            "AND library_row.entry_number = a.entry_number AND library_row.item_number = a.item_number",
                      upload_id)
    else:
        await execute(conn, "UPDATE library_row SET superseded = TRUE WHERE upload_id = ? AND EXISTS (SELECT 1 FROM "
                            "library_row a WHERE a.source = 'audited' AND a.entry_number = library_row.entry_number "
                            "AND a.item_number = library_row.item_number)", upload_id)
