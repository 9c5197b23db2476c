"""申报要素详情: a row's declared element values laid out against its HS code's element list in the catalogue
version in effect today (name, declared value, required, allowed values, the version), and for a 不规范 row the
elements whose declared value differs from customs' audited one (the same item's declared row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.library import CatalogueVersion, CodeItem, CodeTable, HsCode, LibraryMark, LibraryRow, LibrarySource
from services.library import labels as L


@dataclass(frozen=True)
class ElementLine:
    position: int  # 1-based, the catalogue's order
    name: str
    value: str  # as declared on the row
    required: bool
    allowed: list[str]  # "code name" of the element's code table; empty: free text
    declared: str | None = None  # a 不规范 row: the enterprise's declared value when it differs from the audited one

    @property
    def differs(self) -> bool:
        return self.declared is not None


@dataclass(frozen=True)
class ElementDetails:
    row: LibraryRow
    version_code: str  # the catalogue version laid out against
    hs_name: str
    lines: list[ElementLine]
    extra: list[str]  # declared values beyond the catalogue's elements
    problem: str = ""  # why there is no layout (the code left the catalogue)


async def current_version(on: date) -> CatalogueVersion | None:
    """The catalogue version in effect on ``on``: the newest that took effect by then."""
    return await CatalogueVersion.filter(effective_from__lte=on).order_by("-effective_from").first()


async def element_details(row: LibraryRow, today: date) -> ElementDetails:
    """The layout of an accessible ``row`` (the caller checked access)."""
    version = await current_version(today)
    hs = await HsCode.filter(version_id=version.id, code=row.hs_code).first() if version else None
    if version is None or hs is None:
        return ElementDetails(row, version.code if version else "", "", [], list(row.elements), L.MSG_NO_ELEMENTS)
    declared = await _declared_values(row)
    tables = {e["table"] for e in hs.elements if e.get("table")}
    allowed: dict[str, list[str]] = {t: [] for t in tables}
    if tables:
        names = {t.id: t.code for t in await CodeTable.filter(code__in=sorted(tables))}
        for item in await CodeItem.filter(table_id__in=list(names)).order_by("table_id", "sort", "code"):
            allowed[names[item.table_id]].append(f"{item.code} {item.name}")
    lines = []
    for i, element in enumerate(hs.elements):
        value = row.elements[i] if i < len(row.elements) else ""
        other = declared[i] if declared is not None and i < len(declared) else ("" if declared is not None else None)
        lines.append(ElementLine(i + 1, element["name"], value, bool(element["required"]),
                                 allowed.get(element.get("table") or "", []),
                                 other if other is not None and other != value else None))
    return ElementDetails(row, version.code, hs.name, lines, list(row.elements[len(hs.elements):]))


async def _declared_values(row: LibraryRow) -> list[str] | None:
    """A 不规范 row's item as the enterprise declared it (None when customs' audit is all there is)."""
    if row.mark is not LibraryMark.NONSTANDARD:
        return None
    declared = await LibraryRow.filter(entry_number=row.entry_number, item_number=row.item_number,
                                       source=LibrarySource.DECLARED).first()
    return list(declared.elements) if declared else None
