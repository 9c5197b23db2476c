"""The public library (公共库 §5.3): public 规范 rows only, read by anybody, and never who declared them.

A row is shown only when at least ``min_enterprises`` different enterprises (收发货人) have public 规范 rows of its
HS code, decided in the query for each candidate row (a loose index scan of the code's distinct 收发货人 over the
partial index of migration 0022: at most ``min_enterprises`` probes), so a rare code cannot reveal its one
declarant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.errors import NotFound
from models.library import IeFlag, LibraryMark, LibraryRow
from services.library import labels as L
from services.library.filters import LibraryFilter
from services.library.rows_sql import Scope, page_of

PAGE = 20


def visible(alias: str = "") -> str:
    """The rows the public may see, as SQL (literals: the partial indexes of migration 0022 carry the same
    predicate, and a query matches a partial index only through its literal text)."""
    return (f"{alias}public = TRUE AND {alias}mark = '{LibraryMark.STANDARD.value}' "
            f"AND {alias}superseded = FALSE")


VISIBLE = visible()
# "at least N different 收发货人 have visible rows of the outer row's HS code": a loose index scan of the distinct
# consignee codes (library_row_public_parties), at most N probes, instead of grouping every public row
_COMMON = f"""EXISTS (WITH RECURSIVE parties(code, n) AS (
    SELECT MIN(p.consignee_code), 1 FROM library_row p WHERE p.hs_code = library_row.hs_code AND {visible("p.")}
    UNION ALL
    SELECT (SELECT MIN(p.consignee_code) FROM library_row p WHERE p.hs_code = library_row.hs_code
            AND {visible("p.")} AND p.consignee_code > parties.code), parties.n + 1
    FROM parties WHERE parties.code IS NOT NULL AND parties.n < ?)
  SELECT 1 FROM parties WHERE parties.n = ? AND parties.code IS NOT NULL)"""


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
    return Scope((VISIBLE, _COMMON), (max(min_enterprises, 1), max(min_enterprises, 1)))


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
