"""The public library (公共库 §5.3): public 规范 rows only, read by anybody, and never who declared them.

A row is shown only when at least ``min_enterprises`` different enterprises (收发货人) have public 规范 rows of its
HS code, decided in the query (a loose index scan of the code's distinct 收发货人 over the partial index of
migration 0022: at most ``min_enterprises`` probes) — for each candidate row, or, under an HS filter, once for each
code of its range — so a rare code cannot reveal its one declarant."""

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


def _common(code: str) -> str:
    """"At least N different 收发货人 have visible rows of HS code ``code`` (an SQL expression)": a loose index
    scan of the code's distinct consignee codes (library_row_public_parties), at most N probes, instead of grouping
    every public row. Two arguments: N, N."""
    return f"""EXISTS (WITH RECURSIVE parties(code, n) AS (
    SELECT MIN(p.consignee_code), 1 FROM library_row p WHERE p.hs_code = {code} AND {visible("p.")}
    UNION ALL
    SELECT (SELECT MIN(p.consignee_code) FROM library_row p WHERE p.hs_code = {code}
            AND {visible("p.")} AND p.consignee_code > parties.code), parties.n + 1
    FROM parties WHERE parties.code IS NOT NULL AND parties.n < ?)
  SELECT 1 FROM parties WHERE parties.n = ? AND parties.code IS NOT NULL)"""


# each candidate row checks its own code: cheap while a page's first rows qualify (no filter, a keyword)
_COMMON = _common("library_row.hs_code")
# the codes of an HS range that pass, each checked once (a loose index scan of the range's distinct visible codes):
# an HS filter's candidates are thousands of rows of a few codes. Arguments: low, high, high, N, N.
_COMMON_IN_RANGE = f"""library_row.hs_code IN (WITH RECURSIVE codes(code) AS (
    SELECT MIN(c.hs_code) FROM library_row c WHERE c.hs_code BETWEEN ? AND ? AND {visible("c.")}
    UNION ALL
    SELECT (SELECT MIN(c.hs_code) FROM library_row c WHERE c.hs_code > codes.code AND c.hs_code <= ?
            AND {visible("c.")})
    FROM codes WHERE codes.code IS NOT NULL)
  SELECT codes.code FROM codes WHERE codes.code IS NOT NULL AND {_common("codes.code")})"""


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


def public_scope(min_enterprises: int, hs_code: str = "") -> Scope:
    """Public 规范 rows of HS codes that at least ``min_enterprises`` enterprises declared publicly; ``hs_code``,
    the filter's code or prefix, lets the threshold be decided once per code of its range."""
    n = max(min_enterprises, 1)
    if not hs_code:
        return Scope((VISIBLE, _COMMON), (n, n))
    low, high = hs_code.ljust(10, "0"), hs_code.ljust(10, "9")
    return Scope((VISIBLE, _COMMON_IN_RANGE), (low, high, high, n, n))


def public_row(row: LibraryRow) -> PublicRow:
    return PublicRow(row.id, row.hs_code, row.goods_name, row.model_spec, list(row.elements), row.ie_flag,
                     row.trade_mode, row.declared_on, row.catalogue_version.code)


async def public_rows(flt: LibraryFilter, min_enterprises: int, cursor: str = "", limit: int = PAGE) -> PublicPage:
    """One page of the public library under ``flt`` (its mark and role are the public library's own)."""
    found = await page_of(public_scope(min_enterprises, flt.hs_code), _public_filter(flt), cursor, limit)
    return PublicPage([public_row(r) for r in found.items], found.next_cursor)


async def access_public_row(row_id: int, min_enterprises: int) -> LibraryRow:
    """One row the public may see (NotFound for any other)."""
    found = await page_of(public_scope(min_enterprises), LibraryFilter(), "", 1, row_id=row_id)
    if not found.items:
        raise NotFound(L.MSG_ROW_NOT_FOUND)
    return found.items[0]


def _public_filter(flt: LibraryFilter) -> LibraryFilter:
    return LibraryFilter(None, flt.trade_mode, flt.hs_code, flt.ie_flag, "", flt.date_from, flt.date_to, flt.keyword)
