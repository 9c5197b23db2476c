"""Storing checked library rows set-based: batched inserts that skip rows already stored (the natural key 海关编号 +
项号 + source), each batch's enterprises looked up by credit code in one query, then one statement marking the
declared rows that customs audited as superseded (the audited row wins)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from core.db import dialect, execute, portable_sql
from models.enterprises import Enterprise
from models.library import LibraryRow, LibrarySource
from services.library.keywords import stored_keywords

# each row's own values (``row_values``), then the enterprises the credit codes name (``insert_rows``), then what
# every row of an insert shares (``Shared``: on PostgreSQL one parameter each, not an array)
_OWN = (
    "entry_number", "item_number", "source", "declared_on", "ie_flag", "trade_mode", "customs_office",
    "transport_mode", "transaction_mode", "hs_code", "goods_name", "model_spec", "elements", "declarant_code",
    "declarant_name", "consignee_code", "consignee_name", "origin_country", "destination_country", "quantity",
    "unit", "legal_quantity", "legal_unit", "total_price", "currency", "mark", "remarks", "public", "keywords",
)
_LINKS = ("declarant_enterprise_id", "consignee_enterprise_id")
_SHARED = ("superseded", "mark_note", "catalogue_change", "catalogue_version_id", "upload_id", "version",
           "created_at", "updated_at")
ROW_COLUMNS = (*_OWN, *_LINKS, *_SHARED)
_DECLARANT, _CONSIGNEE = _OWN.index("declarant_code"), _OWN.index("consignee_code")
_FIELDS = LibraryRow._meta.fields_map
_SQLITE_VALUES = tuple((i, _FIELDS[c]) for i, c in enumerate(_OWN)
                       if c in ("declared_on", "quantity", "legal_quantity", "total_price"))


@dataclass(frozen=True)
class Shared:
    """What every row of one insert shares: the catalogue version it was checked against, its upload, the time."""

    version_id: int
    upload_id: int | None
    now: datetime

    def values(self) -> tuple[Any, ...]:
        return False, "", "", self.version_id, self.upload_id, 1, self.now, self.now


def _insert_sql() -> str:
    return (f"INSERT INTO library_row ({', '.join(ROW_COLUMNS)}) VALUES ({', '.join('?' for _ in ROW_COLUMNS)}) "
            "ON CONFLICT (entry_number, item_number, source) DO NOTHING")


# PostgreSQL: each batch is one INSERT … SELECT FROM unnest(one array per column) that skips stored natural keys
# (COPY itself cannot skip conflicts; COPYing into a temporary table and moving the rows over took twice as long).
# The keywords travel joined by spaces (a token holds none: services.library.keywords), elements as JSON text,
# numbers as their text (PostgreSQL reads them exactly as Decimal(str(…)) would, without Python building one).
_PG_TYPES = {"item_number": "int2", "declared_on": "date", "model_spec": "text", "elements": "text",
             "quantity": "text", "legal_quantity": "text", "total_price": "text", "remarks": "text",
             "public": "bool", "superseded": "bool", "version": "int4", "created_at": "timestamptz",
             "updated_at": "timestamptz", "catalogue_version_id": "int4", "upload_id": "int8", "keywords": "text",
             "declarant_enterprise_id": "int4", "consignee_enterprise_id": "int4"}  # others: varchar
_PG_VALUES = {"elements": "u.elements::jsonb", "keywords": "string_to_array(u.keywords, ' ')",
              "quantity": "u.quantity::numeric", "legal_quantity": "u.legal_quantity::numeric",
              "total_price": "u.total_price::numeric"}
_ARRAYS = (*_OWN, *_LINKS)
_UNNEST_SQL = (f"INSERT INTO library_row ({', '.join(ROW_COLUMNS)}) "
               f"SELECT {', '.join(_PG_VALUES.get(c, f'u.{c}') for c in _ARRAYS)}, "
               + ", ".join(f"${i}::{_PG_TYPES.get(c, 'varchar')}" for i, c in enumerate(_SHARED, start=1))
               + " FROM unnest("
               + ", ".join(f"${i}::{_PG_TYPES.get(c, 'varchar')}[]" for i, c in enumerate(_ARRAYS, len(_SHARED) + 1))
               + f") AS u({', '.join(_ARRAYS)}) ON CONFLICT (entry_number, item_number, source) DO NOTHING")


@lru_cache(maxsize=65536)
def _elements_json(elements: tuple[str, ...]) -> str:
    return json.dumps(elements, ensure_ascii=False)


def _number(value: float | None) -> str | None:
    return None if value is None else str(value)


def row_values(row: dict[str, Any], source: LibrarySource, postgres: bool) -> tuple[Any, ...]:
    """One checked row as the insert's own arguments, in ``_OWN`` order (SQLite: as tortoise stores them)."""
    values = (
        row["entry_number"], row["item_number"], source.value, row["declared_on"], row["ie_flag"].value,
        row["trade_mode"], row["customs_office"], row["transport_mode"] or "", row["transaction_mode"] or "",
        row["hs_code"], row["goods_name"], row["model_spec"], _elements_json(tuple(row.get("elements", ()))),
        row["declarant_code"], row["declarant_name"], row["consignee_code"], row["consignee_name"],
        row["origin_country"] or "", row["destination_country"] or "", _number(row["quantity"]), row["unit"] or "",
        _number(row["legal_quantity"]), row["legal_unit"] or "", _number(row["total_price"]), row["currency"] or "",
        row["mark"].value, row["remarks"], row["public"],
        " ".join(row["keywords"]) if postgres else stored_keywords(row["keywords"], "sqlite"),
    )
    if postgres:
        return values
    changed = list(values)
    for index, column in _SQLITE_VALUES:
        value = changed[index] if column.model_field_name == "declared_on" or changed[index] is None \
            else Decimal(changed[index])
        changed[index] = column.to_db_value(value, LibraryRow)
    return tuple(changed)


async def insert_rows(conn: BaseDBAsyncClient, rows: Sequence[tuple[Any, ...]], shared: Shared) -> None:
    """Insert rows made by ``row_values``, with the ids of the registered enterprises their credit codes name; a row
    whose natural key is stored already is skipped."""
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    declarants, consignees = columns[_DECLARANT], columns[_CONSIGNEE]
    known = dict(await Enterprise.filter(credit_code__in={*declarants, *consignees}).using_db(conn)
                 .values_list("credit_code", "id"))
    columns += [tuple(known.get(c) for c in declarants), tuple(known.get(c) for c in consignees)]
    if dialect(conn) == "postgres":
        async with conn.acquire_connection() as raw:
            await raw.execute(_UNNEST_SQL, *shared.values(), *columns)
    else:
        await conn.execute_many(portable_sql(_insert_sql(), conn),
                                [[*row, *shared.values()] for row in zip(*columns, strict=True)])


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
