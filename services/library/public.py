"""The public library (公共库 §5.3): public 规范 rows only, read by anybody, and never who declared them.

A row is shown only when at least ``min_enterprises`` different enterprises (收发货人) have public 规范 rows of its
HS code, decided in the query (a GROUP BY … HAVING over the rows the public may see, served by the
``(hs_code, public, mark)`` index), so a rare code cannot reveal its one declarant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from models.errors import NotFound
from models.library import IeFlag, LibraryMark, LibraryRow
from services.library import labels as L
from services.library.filters import LibraryFilter
from services.library.rows_sql import Scope, page_of

PAGE = 20
_PUBLIC = ("public = ?", "mark = ?", "superseded = ?")


@dataclass(frozen=True)
class PublicRow:
    """What the public sees of a row: the goods and their elements — no enterprise, no declaration number."""

    id: int
    hs_code: str
    goods_name: str
    model_spec: str
    elements: list[str]
    ie_flag: IeFlag
    trade_mode: str
    declared_on: date
    catalogue_version: str


@dataclass(frozen=True)
class PublicPage:
    items: list[PublicRow]
    next_cursor: str | None


def public_scope(min_enterprises: int) -> Scope:
    """Public 规范 rows of HS codes that at least ``min_enterprises`` enterprises declared publicly."""
    visible: tuple[Any, ...] = (True, LibraryMark.STANDARD.value, False)
    common = (f"hs_code IN (SELECT hs_code FROM library_row WHERE {' AND '.join(_PUBLIC)} GROUP BY hs_code "
              "HAVING COUNT(DISTINCT consignee_code) >= ?)")
    return Scope((*_PUBLIC, common), (*visible, *visible, min_enterprises))


def public_row(row: LibraryRow) -> PublicRow:
    return PublicRow(row.id, row.hs_code, row.goods_name, row.model_spec, list(row.elements), row.ie_flag,
                     row.trade_mode, row.declared_on, row.catalogue_version.code)


async def public_rows(flt: LibraryFilter, min_enterprises: int, cursor: str = "", limit: int = PAGE) -> PublicPage:
    """One page of the public library under ``flt`` (its mark and role are the public library's own)."""
    found = await page_of(public_scope(min_enterprises), _public_filter(flt), cursor, limit)
    return PublicPage([public_row(r) for r in found.items], found.next_cursor)


async def access_public_row(row_id: int, min_enterprises: int) -> LibraryRow:
    """One row the public may see (NotFound for any other)."""
    found = await page_of(public_scope(min_enterprises), LibraryFilter(), "", 1, row_id=row_id)
    if not found.items:
        raise NotFound(L.MSG_ROW_NOT_FOUND)
    return found.items[0]


def _public_filter(flt: LibraryFilter) -> LibraryFilter:
    return LibraryFilter(None, flt.trade_mode, flt.hs_code, flt.ie_flag, "", flt.date_from, flt.date_to, flt.keyword)
