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


# PostgreSQL: each batch is one INSERT … SELECT FROM unnest(one array per column) that skips stored natural keys
# (COPY itself cannot skip conflicts; COPYing into a temporary table and moving the rows over took twice as long).
# The keywords travel joined by spaces (a token holds none: services.library.keywords), elements as JSON text.
_PG_TYPES = {"item_number": "int2", "declared_on": "date", "model_spec": "text", "elements": "text",
             "quantity": "numeric", "legal_quantity": "numeric", "total_price": "numeric", "remarks": "text",
             "public": "bool", "superseded": "bool", "version": "int4", "created_at": "timestamptz",
             "updated_at": "timestamptz", "catalogue_version_id": "int4", "upload_id": "int8", "keywords": "text",
             "declarant_enterprise_id": "int4", "consignee_enterprise_id": "int4"}  # others: varchar
_PG_VALUES = {"elements": "u.elements::jsonb", "keywords": "string_to_array(u.keywords, ' ')"}
_UNNEST_SQL = (f"INSERT INTO library_row ({', '.join(ROW_COLUMNS)}) "
               f"SELECT {', '.join(_PG_VALUES.get(c, f'u.{c}') for c in ROW_COLUMNS)} FROM unnest("
               + ", ".join(f"${i}::{_PG_TYPES.get(c, 'varchar')}[]" for i, c in enumerate(ROW_COLUMNS, start=1))
               + f") AS u({', '.join(ROW_COLUMNS)}) ON CONFLICT (entry_number, item_number, source) DO NOTHING")


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
    values["keywords"] = " ".join(row["keywords"]) if postgres else stored_keywords(row["keywords"], "sqlite")
    return tuple(values[c] for c in ROW_COLUMNS[:_MADE])


async def insert_rows(conn: BaseDBAsyncClient, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert rows made by ``row_values``, with the ids of the registered enterprises their credit codes name; a row
    whose natural key is stored already is skipped."""
    if not rows:
        return
    codes = {row[_DECLARANT] for row in rows} | {row[_CONSIGNEE] for row in rows}
    known = dict(await Enterprise.filter(credit_code__in=codes).using_db(conn).values_list("credit_code", "id"))
    linked = [(*row, known.get(row[_DECLARANT]), known.get(row[_CONSIGNEE])) for row in rows]
    if dialect(conn) == "postgres":
        async with conn.acquire_connection() as raw:
            await raw.execute(_UNNEST_SQL, *(list(column) for column in zip(*linked, strict=True)))
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
