"""Checking one uploaded row against the reference data: every problem of the row, each as (column, reason).

``Reference`` is a snapshot of the catalogue version in effect and the code tables, loaded once per upload, so
checking a row touches no database. ``check_row`` turns a typed row (the Excel kit's values) into the values a
library row stores, or lists why it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import DecimalField

from models.errors import NotFound
from models.identifiers import credit_code_problem
from models.library import (
    CatalogueVersion,
    CodeItem,
    CodeTable,
    HsCode,
    IeFlag,
    LibraryMark,
    LibraryRow,
    UploadKind,
)
from services.library import labels as L
from services.library.columns import CODED, HEADERS
from services.library.keywords import keyword_tokens

_IE = {"I": IeFlag.IMPORT, "E": IeFlag.EXPORT, "进口": IeFlag.IMPORT, "出口": IeFlag.EXPORT}
Problems = list[tuple[str, str]]  # (column header, reason)
SPECS_REMEMBERED = 65536
_CODED = tuple(CODED.items())


def _integer_digits(key: str) -> int:
    column = LibraryRow._meta.fields_map[key]
    assert isinstance(column, DecimalField)
    return column.max_digits - column.decimal_places


# the numbers a row stores, each with the largest value its column holds (a larger one would fail the whole file)
_NUMBERS = tuple((key, _integer_digits(key), 10.0 ** _integer_digits(key))
                 for key in ("quantity", "legal_quantity", "total_price"))


@dataclass(frozen=True)
class Reference:
    version_id: int
    version_code: str
    hs: dict[str, list[dict[str, Any]]]  # 10-digit code -> ordered elements
    tables: dict[str, frozenset[str]]  # code table -> its item codes
    table_names: dict[str, str]
    widths: dict[str, int]  # code table -> the width of its all-digit codes (a lost leading zero is put back)
    # (cell, table) -> its code and whether the table holds it: the same cells recur on thousands of rows
    seen: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)
    # (HS code, 规格型号) -> ``check_elements``: the same goods are declared with the same elements again and again
    specs: dict[tuple[str, str], tuple[tuple[str, ...], list[str]]] = field(default_factory=dict)

    def allowed(self, table: str) -> frozenset[str]:
        return self.tables.get(table, frozenset())


async def version_in_effect(on: date, conn: BaseDBAsyncClient | None = None) -> CatalogueVersion:
    """The catalogue version in effect on ``on``: the newest before it (the oldest when all are later)."""
    version = await CatalogueVersion.filter(effective_from__lte=on).using_db(conn).order_by("-effective_from") \
        .first()
    if version is None:
        version = await CatalogueVersion.all().using_db(conn).order_by("effective_from").first()
    if version is None:
        raise NotFound(L.MSG_NO_CATALOGUE)
    return version


async def load_reference(on: date, conn: BaseDBAsyncClient | None = None) -> Reference:
    """The catalogue version in effect on ``on`` and every code table."""
    version = await version_in_effect(on, conn)
    hs = {code: elements for code, elements in
          await HsCode.filter(version_id=version.id).using_db(conn).values_list("code", "elements")}
    names = {t.id: (t.code, t.name) for t in await CodeTable.all().using_db(conn)}
    items: dict[str, set[str]] = {code: set() for code, _ in names.values()}
    for table_id, code in await CodeItem.all().using_db(conn).values_list("table_id", "code"):
        items[names[table_id][0]].add(code)
    widths = {}
    for table, codes in items.items():
        lengths = {len(c) for c in codes}
        if len(lengths) == 1 and all(c.isdigit() for c in codes):
            widths[table] = lengths.pop()
    return Reference(version.id, version.code, hs, {t: frozenset(c) for t, c in items.items()},
                     dict(names.values()), widths)


@lru_cache(maxsize=65536)
def _credit_problem(code: str) -> str | None:
    """The credit code rule, once per distinct code of a file (the same enterprises recur on thousands of rows)."""
    return credit_code_problem(code)


def _code(value: str, table: str, ref: Reference) -> tuple[str, bool]:
    """The code in a cell — "0110", "0110 一般贸易" (the template's drop-down), 110 (Excel dropped the zero) — and
    whether the table holds it."""
    found = ref.seen.get((value, table))
    if found is None:
        code = value.split(" ", 1)[0].strip().upper() if value else ""
        width = ref.widths.get(table)
        if width and code.isdigit() and len(code) < width:
            code = code.zfill(width)
        found = ref.seen[(value, table)] = code, code in ref.allowed(table)
    return found


def element_problems(parts: list[str], elements: list[dict[str, Any]], ref: Reference) -> dict[int, str]:
    """The problem of each element by its position: a required one left empty, an enumerated one whose value is
    not in its table (the declaration form shows each beside its element)."""
    found: dict[int, str] = {}
    for index, (element, value) in enumerate(zip(elements, parts, strict=False)):
        table = element.get("table")
        if element["required"] and not value:
            found[index] = L.MSG_ELEMENT_MISSING.format(names=element["name"])
        elif table and value and value not in ref.allowed(table):
            found[index] = L.MSG_ELEMENT_VALUE.format(name=element["name"], value=value,
                                                      allowed="、".join(sorted(ref.allowed(table))))
    return found


def check_elements(spec: str, elements: list[dict[str, Any]], ref: Reference) -> tuple[list[str], list[str]]:
    """The 规格型号's parts in catalogue order (padded to the catalogue's length) and its problems (the missing
    elements named in one)."""
    parts = [part.strip() for part in spec.split("|")] if spec else []
    problems = []
    if len(parts) > len(elements):
        problems.append(L.MSG_ELEMENTS_TOO_MANY.format(count=len(elements)))
    parts += [""] * (len(elements) - len(parts))
    found = element_problems(parts, elements, ref)
    missing = [elements[i]["name"] for i in found if not parts[i]]
    if missing:
        problems.append(L.MSG_ELEMENT_MISSING.format(names="、".join(missing)))
    problems += [message for i, message in found.items() if parts[i]]
    return parts, problems


def check_row(values: dict[str, Any], kind: UploadKind, ref: Reference, today: date) -> tuple[dict[str, Any], Problems]:
    """The stored values of one typed row, and every problem of it (the values mean nothing when there are any)."""
    problems: Problems = []
    row = dict(values)
    entry = values["entry_number"]
    if not (len(entry) == 18 and entry.isdigit()):
        problems.append((HEADERS["entry_number"], L.MSG_ENTRY_NUMBER))
    if not 1 <= values["item_number"] <= 999:
        problems.append((HEADERS["item_number"], L.MSG_ITEM_NUMBER))
    if values["declared_on"] > today:
        problems.append((HEADERS["declared_on"], L.MSG_FUTURE_DATE))
    for key, digits, limit in _NUMBERS:
        if values[key] is not None and not 0 <= values[key] < limit:
            problems.append((HEADERS[key], L.MSG_NUMBER_RANGE.format(digits=digits)))
    ie = _IE.get(values["ie_flag"].upper())
    if ie is None:
        problems.append((HEADERS["ie_flag"], L.MSG_IE_FLAG))
    row["ie_flag"] = ie
    for key, table in _CODED:
        code, known = _code(values[key] or "", table, ref)
        row[key] = code
        if code and not known:
            problems.append((HEADERS[key], L.MSG_UNKNOWN_CODE.format(table=ref.table_names.get(table, table),
                                                                     code=code)))
    for key in ("declarant_code", "consignee_code"):
        row[key] = values[key].upper()
        problem = _credit_problem(row[key])
        if problem:
            problems.append((HEADERS[key], L.MSG_CREDIT_CODE.format(problem=problem)))
    hs = values["hs_code"].replace(".", "")
    row["hs_code"] = hs
    elements = ref.hs.get(hs)
    if not (len(hs) == 10 and hs.isdigit()):
        problems.append((HEADERS["hs_code"], L.MSG_HS_SHAPE))
    elif elements is None:
        problems.append((HEADERS["hs_code"], L.MSG_UNKNOWN_HS.format(version=ref.version_code)))
    else:
        spec = values["model_spec"] or ""
        checked = ref.specs.get((hs, spec))
        if checked is None:
            parts, reasons = check_elements(spec, elements, ref)
            checked = tuple(parts), reasons
            if len(ref.specs) < SPECS_REMEMBERED:
                ref.specs[(hs, spec)] = checked
        row["elements"] = checked[0]
        problems.extend((HEADERS["model_spec"], reason) for reason in checked[1])
    row["model_spec"] = values["model_spec"] or ""
    if kind is UploadKind.AUDITED:
        mark = L.AUDIT_CONCLUSIONS.get(values["conclusion"] or "")
        if mark is None:
            problems.append((HEADERS["conclusion"], L.MSG_CONCLUSION))
        elif mark is LibraryMark.NONSTANDARD and not values["remarks"]:
            problems.append((HEADERS["remarks"], L.MSG_REMARKS_REQUIRED))
        row["mark"] = mark
    else:
        row["mark"] = LibraryMark.MATCHED
    row["remarks"] = (values["remarks"] or "") if kind is UploadKind.AUDITED else ""
    row["public"] = row["mark"] is LibraryMark.STANDARD
    row["keywords"] = keyword_tokens(values["goods_name"], row["model_spec"])
    return row, problems
