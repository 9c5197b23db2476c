"""Storing checked library rows set-based: batched inserts that skip rows already stored (the natural key 海关编号 +
项号 + source), each batch's enterprises looked up by credit code in one query, then one statement marking the
declared rows that customs audited as superseded (the audited row wins); and an enterprise registered later linked
to the rows that name it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson
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
_ROLES = ("declarant", "consignee")  # the two parties a row names by credit code and links by enterprise id
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


# PostgreSQL: each batch is one INSERT … SELECT FROM jsonb_array_elements(the batch as one JSON array of rows) that
# links the registered enterprises and skips stored natural keys. One JSON text, not an array per column: asyncpg's
# array encoder checks every element against two abstract base classes (a Python call each), which took more CPU
# than checking the rows; PostgreSQL parses the JSON as fast as the arrays. (COPY cannot skip conflicts; COPYing
# into a temporary table and moving the rows over took twice as long.) The keywords travel joined by spaces (a
# token holds none: services.library.keywords), the elements as a JSON array, numbers as JSON numbers.
_PG_TYPES = {"item_number": "int2", "declared_on": "date", "quantity": "numeric", "legal_quantity": "numeric",
             "total_price": "numeric", "public": "bool", "superseded": "bool", "version": "int4",
             "created_at": "timestamptz", "updated_at": "timestamptz", "catalogue_version_id": "int4",
             "upload_id": "int8", "declarant_enterprise_id": "int4", "consignee_enterprise_id": "int4"}  # others text


def _pg_value(index: int, column: str) -> str:
    if column == "elements":
        return f"r->{index}"
    if column == "keywords":
        return f"string_to_array(r->>{index}, ' ')"
    return f"(r->>{index})::{_PG_TYPES[column]}" if column in _PG_TYPES else f"r->>{index}"


_JSON_SQL = (f"INSERT INTO library_row ({', '.join(ROW_COLUMNS)}) SELECT "
             + ", ".join(_pg_value(i, c) for i, c in enumerate(_OWN)) + ", d.id, c.id, "
             + ", ".join(f"${i}::{_PG_TYPES.get(c, 'text')}" for i, c in enumerate(_SHARED, start=1))
             + f" FROM jsonb_array_elements(${len(_SHARED) + 1}::jsonb) AS r "
             f"LEFT JOIN enterprise d ON d.credit_code = r->>{_DECLARANT} "  # the registered enterprises named
             f"LEFT JOIN enterprise c ON c.credit_code = r->>{_CONSIGNEE} "
             "ON CONFLICT (entry_number, item_number, source) DO NOTHING")
_DATE, _ELEMENTS, _KEYWORDS = (_OWN.index(c) for c in ("declared_on", "elements", "keywords"))


@lru_cache(maxsize=65536)
def _elements_json(elements: tuple[str, ...]) -> str:
    return json.dumps(elements, ensure_ascii=False)


def row_values(row: dict[str, Any], source: LibrarySource, postgres: bool) -> tuple[Any, ...]:
    """One checked row as the insert's own values, in ``_OWN`` order: for PostgreSQL as JSON values, for SQLite as
    tortoise stores them."""
    values = [
        row["entry_number"], row["item_number"], source.value, row["declared_on"], row["ie_flag"].value,
        row["trade_mode"], row["customs_office"], row["transport_mode"] or "", row["transaction_mode"] or "",
        row["hs_code"], row["goods_name"], row["model_spec"], tuple(row.get("elements", ())),
        row["declarant_code"], row["declarant_name"], row["consignee_code"], row["consignee_name"],
        row["origin_country"] or "", row["destination_country"] or "", row["quantity"], row["unit"] or "",
        row["legal_quantity"], row["legal_unit"] or "", row["total_price"], row["currency"] or "",
        row["mark"].value, row["remarks"], row["public"], row["keywords"],
    ]
    if postgres:
        values[_DATE] = values[_DATE].isoformat()
        values[_KEYWORDS] = " ".join(values[_KEYWORDS])
        return tuple(values)
    values[_ELEMENTS] = _elements_json(values[_ELEMENTS])
    values[_KEYWORDS] = stored_keywords(values[_KEYWORDS], "sqlite")
    for index, column in _SQLITE_VALUES:
        value = values[index]
        if value is not None and column.model_field_name != "declared_on":
            value = Decimal(str(value))
        values[index] = column.to_db_value(value, LibraryRow)
    return tuple(values)


def as_json(rows: Sequence[tuple[Any, ...]]) -> str:
    """PostgreSQL's form of a batch of ``row_values`` (the upload makes it in its checking thread; orjson: a tenth
    of the standard encoder's time, which was a tenth of the upload's Python)."""
    return orjson.dumps(rows).decode()


async def insert_rows(conn: BaseDBAsyncClient, rows: Sequence[tuple[Any, ...]] | str, shared: Shared) -> None:
    """Insert rows made by ``row_values`` (on PostgreSQL also as ``as_json`` of them), with the ids of the registered
    enterprises their credit codes name; a row whose natural key is stored already is skipped."""
    if dialect(conn) == "postgres":
        async with conn.acquire_connection() as raw:
            await raw.execute(_JSON_SQL, *shared.values(), rows if isinstance(rows, str) else as_json(rows))
        return
    assert not isinstance(rows, str)
    codes = {row[_DECLARANT] for row in rows} | {row[_CONSIGNEE] for row in rows}
    known = dict(await Enterprise.filter(credit_code__in=codes).using_db(conn).values_list("credit_code", "id"))
    await conn.execute_many(portable_sql(_insert_sql(), conn), [
        [*row, known.get(row[_DECLARANT]), known.get(row[_CONSIGNEE]), *shared.values()] for row in rows])


async def link_enterprise(conn: BaseDBAsyncClient, enterprise_id: int, credit_code: str) -> None:
    """An enterprise registered after customs uploaded its rows: the rows naming its credit code as 申报单位 or
    收发货人 become its own (an upload links the enterprises registered before it by itself, ``settle_upload``
    those registered while it ran)."""
    for role in _ROLES:
        await execute(conn, f"UPDATE library_row SET {role}_enterprise_id = ? "
                            f"WHERE {role}_code = ? AND {role}_enterprise_id IS NULL", enterprise_id, credit_code)


async def _link_registered_meanwhile(conn: BaseDBAsyncClient, upload_id: int) -> None:
    """Neither the upload's insert nor a registration's ``link_enterprise`` sees the other's uncommitted rows: the
    enterprises created since shortly before this transaction began (now(); ten minutes for clock skew and a slow
    registration) are linked to the upload's rows here, driven from those few enterprises."""
    for role in _ROLES:
        await execute(conn, f"UPDATE library_row SET {role}_enterprise_id = e.id FROM enterprise e "
                            "WHERE e.created_at >= now() - interval '10 minutes' "
                            f"AND library_row.{role}_code = e.credit_code AND library_row.upload_id = ? "
                            f"AND library_row.{role}_enterprise_id IS NULL", upload_id)


async def settle_upload(conn: BaseDBAsyncClient, upload_id: int, source: LibrarySource) -> None:
    """After an upload's inserts: its rows naming an enterprise registered while it ran are linked; the declared
    rows of the items customs audited are superseded (the audited row wins), driven from the upload's own rows (its
    index), whichever side came first."""
    if dialect(conn) == "postgres":  # SQLite has one writer: an upload and a registration never overlap
        await _link_registered_meanwhile(conn, upload_id)
    if source is LibrarySource.AUDITED:
        await execute(conn, "UPDATE library_row SET superseded = TRUE FROM library_row a WHERE a.upload_id = ? "
                            "AND library_row.source = 'declared' AND NOT library_row.superseded "
                            "AND library_row.entry_number = a.entry_number AND library_row.item_number = a.item_number",
                      upload_id)
    else:
        await execute(conn, "UPDATE library_row SET superseded = TRUE WHERE upload_id = ? AND EXISTS (SELECT 1 FROM "
                            "library_row a WHERE a.source = 'audited' AND a.entry_number = library_row.entry_number "
                            "AND a.item_number = library_row.item_number)", upload_id)
