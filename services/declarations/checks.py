"""The checks a declaration passes before it is submitted for review: every field's refusal at once, keyed by
its path (``services.declarations.fields``).

``load_catalogue`` reads what the typed form needs of the reference data (the typed codes, the typed HS codes of
the catalogue in effect, the values of enumerated elements) in a few queries; ``check_submission`` is pure:

- required fields; transit fields only on the 转关 kinds, whose 申报地海关 must be 南方模式 (the manual: the 转关
  提前报关 screens show only for the Guangdong districts);
- every code in its table; credit codes well formed;
- 净重 ≤ 毛重; at least one item;
- 运费 / 保费 / 杂费: a mark of 1 / 2 / 3 with its value, a rate (percent) without currency, an amount with
  one; declared as the 成交方式 requires;
- per item: the HS code in the catalogue, its elements (the library's rule: required elements present,
  enumerated ones from their table; each refusal under ``items[i].elements[j]``), the legal units the
  catalogue gives, equal quantities when the units are the same,
  总价 = 数量 × 单价 within ``TOTAL_TOLERANCE``;
- containers: the ISO 6346 number form, item numbers that exist; documents complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.declarations import DeclarationKind
from models.identifiers import credit_code_problem
from models.library import CodeItem, CodeTable, HsCode
from services.declarations import labels as L
from services.declarations.fields import (
    FEE_MARKS,
    FEES,
    HEAD_FIELDS,
    PARTS,
    DeclarationForm,
    FieldSpec,
    Kind,
    path,
    plain,
    split_elements,
)
from services.library import labels as LL
from services.library.checks import Reference, element_problems, version_in_effect
from services.library.reference import ENUMERATED_ELEMENTS

TOTAL_TOLERANCE = Decimal(1)  # one unit of the currency, as the customs' own 总价 check allows
# 南方模式: the 直属海关 of Guangdong (广州 51, 黄埔 52, 深圳 53, 拱北 57, 汕头 60, 湛江 67, 江门 68)
SOUTHERN_DISTRICTS = frozenset({"51", "52", "53", "57", "60", "67", "68"})
CREDIT_CODES = ("trade_code", "owner_code", "agent_code")
CONTAINER_NO = re.compile(r"[A-Z]{4}\d{7}")
# 成交方式 (export): the price includes the freight (CIF 1, C&F 2) or the insurance (CIF 1, C&I 4), so it is
# declared; FOB (3) and EXW (7) include neither, so neither is declared (报关单填制规范, 运费 / 保费).
FEE_INCLUDED = {"fee": frozenset({"1", "2"}), "insur": frozenset({"1", "4"})}
NO_FEES = frozenset({"3", "7"})
RATE_MARK, AMOUNT_MARKS, MAX_RATE = FEE_MARKS[0][0], {code for code, _ in FEE_MARKS[1:]}, Decimal(100)
Errors = dict[str, str]


@dataclass(frozen=True)
class HsEntry:
    name: str
    unit1: str  # unit names, as the catalogue gives them
    unit2: str
    elements: list[dict[str, Any]]


@dataclass(frozen=True)
class Catalogue:
    """The reference data one form needs: its typed codes that exist (table -> code -> name), its HS codes."""

    version_code: str
    codes: dict[str, dict[str, str]]
    table_names: dict[str, str]
    hs: dict[str, HsEntry]
    unit_codes: dict[str, str]  # unit name -> code, for the HS codes' legal units
    elements: Reference  # the enumerated elements' values, for the library's element rule

    def known(self, table: str, code: str) -> bool:
        return code in self.codes.get(table, {})


def southern(office: str) -> bool:
    return office[:2] in SOUTHERN_DISTRICTS


@dataclass(frozen=True)
class _Specs:
    """A list of fields as the checks walk it: its required, coded and fixed-choice fields (decided once)."""

    required: tuple[FieldSpec, ...]
    codes: tuple[FieldSpec, ...]
    choices: tuple[FieldSpec, ...]  # fields with a fixed list of values (运费标记 …)

    @classmethod
    def of(cls, specs: Iterable[FieldSpec]) -> _Specs:
        listed = tuple(specs)
        return cls(tuple(s for s in listed if s.required), tuple(s for s in listed if s.kind is Kind.CODE),
                   tuple(s for s in listed if s.choices))


_HEAD = _Specs.of(HEAD_FIELDS)
_SHOWN = {transit: _Specs.of(s for s in HEAD_FIELDS if transit or not s.transit) for transit in (False, True)}
_TRANSIT_ONLY = tuple(spec for spec in HEAD_FIELDS if spec.transit)
_PARTS = {name: _Specs.of(specs) for name, specs in PARTS.items()}
_LABELS = {spec.key: spec.label for spec in HEAD_FIELDS}


def _typed_codes(forms: Sequence[DeclarationForm]) -> set[tuple[str, str]]:
    """(table, code) of every code typed in the forms, each field's distinct values collected at once."""
    parts = [(_HEAD.codes, [form.head for form in forms]),
             *((_PARTS[name].codes, [row for form in forms for row in form.part(name)]) for name in PARTS)]
    typed: set[tuple[str, str]] = set()
    for codes, rows in parts:
        for spec in codes:
            typed.update((spec.table, str(code)) for code in {row.get(spec.key) for row in rows} if code)
    return typed


async def load_catalogue(form: DeclarationForm, on: date, conn: BaseDBAsyncClient) -> Catalogue:
    return await load_catalogue_for([form], on, conn)


async def load_catalogue_for(forms: Sequence[DeclarationForm], on: date, conn: BaseDBAsyncClient) -> Catalogue:
    """The reference data of several forms at once (an import checks a batch of declarations with one)."""
    version = await version_in_effect(on, conn)
    typed = _typed_codes(forms)
    hs_rows = await HsCode.filter(version_id=version.id, code__in={i["hs_code"] for f in forms for i in f.items}) \
        .using_db(conn).values("code", "name", "unit1", "unit2", "elements")
    hs = {r["code"]: HsEntry(r["name"], r["unit1"], r["unit2"], r["elements"]) for r in hs_rows}
    unit_names = {name for entry in hs.values() for name in (entry.unit1, entry.unit2) if name}
    codes: dict[str, dict[str, str]] = {}
    found = CodeItem.filter(table__code__in={t for t, _ in typed}, code__in={c for _, c in typed})
    for table, code, name in await found.using_db(conn).values_list("table__code", "code", "name"):
        if (table, code) in typed:
            codes.setdefault(table, {})[code] = name
    allowed: dict[str, set[str]] = {}
    for table, code in await CodeItem.filter(table__code__in=set(ENUMERATED_ELEMENTS.values())).using_db(conn) \
            .values_list("table__code", "code"):
        allowed.setdefault(table, set()).add(code)
    units = await CodeItem.filter(table__code="unit", name__in=unit_names).using_db(conn).values_list("name", "code")
    names = dict(await CodeTable.all().using_db(conn).values_list("code", "name"))
    ref = Reference(version.id, version.code, {}, {t: frozenset(c) for t, c in allowed.items()}, names, {})
    return Catalogue(version.code, codes, names, hs, dict(units), ref)


def _required(specs: _Specs, values: dict[str, Any], prefix: str, errors: Errors) -> None:
    for spec in specs.required:
        value = values.get(spec.key)
        if value is None or isinstance(value, str) and value == "":
            errors.setdefault(prefix + spec.key, L.MSG_REQUIRED.format(label=spec.label))


def _choices(specs: _Specs, values: dict[str, Any], prefix: str, errors: Errors) -> None:
    for spec in specs.choices:
        if values.get(spec.key) and values[spec.key] not in dict(spec.choices):
            errors.setdefault(prefix + spec.key, L.MSG_CHOICE.format(label=spec.label))


def _fees(head: dict[str, Any], cat: Catalogue, errors: Errors) -> None:
    trans = head.get("trans_mode") or ""
    mode = cat.codes.get("transaction_mode", {}).get(trans, trans)
    for key, label, _ in FEES:
        mark, rate, currency = head.get(f"{key}_mark"), head.get(f"{key}_rate"), head.get(f"{key}_curr")
        if rate is None and (mark or currency):
            errors.setdefault(f"{key}_rate", L.MSG_REQUIRED.format(label=label))
        if rate is not None and not mark:
            errors.setdefault(f"{key}_mark", L.MSG_FEE_MARK_NEEDED.format(label=label))
        if mark == RATE_MARK:
            if rate is not None and not 0 < abs(rate) <= MAX_RATE:
                errors.setdefault(f"{key}_rate", L.MSG_FEE_RATE.format(label=label))
            if currency:
                errors.setdefault(f"{key}_curr", L.MSG_FEE_RATE_NO_CURRENCY.format(label=label))
        elif mark in AMOUNT_MARKS:
            if rate == 0:
                errors.setdefault(f"{key}_rate", L.MSG_FEE_AMOUNT.format(label=label))
            if not currency:
                errors.setdefault(f"{key}_curr", L.MSG_REQUIRED.format(label=f"{label}币制"))
        if trans in FEE_INCLUDED.get(key, ()) and rate is None:
            errors.setdefault(f"{key}_rate", L.MSG_FEE_NEEDED.format(mode=mode, label=label))
        if trans in NO_FEES and key in FEE_INCLUDED and (rate is not None or mark):
            errors.setdefault(f"{key}_rate", L.MSG_FEE_NOT_INCLUDED.format(mode=mode, label=label))


def _codes(specs: _Specs, values: dict[str, Any], prefix: str, cat: Catalogue, errors: Errors) -> None:
    for spec in specs.codes:
        code = values.get(spec.key)
        if code and not cat.known(spec.table, code):
            errors.setdefault(prefix + spec.key, L.MSG_UNKNOWN_CODE.format(
                label=spec.label, code=code, table=cat.table_names.get(spec.table, spec.table)))


def _head(kind: DeclarationKind, head: dict[str, Any], cat: Catalogue, errors: Errors) -> None:
    transit = kind.transit
    shown = _SHOWN[transit]
    _required(shown, head, "", errors)
    for spec in () if transit else _TRANSIT_ONLY:
        if head.get(spec.key):
            errors[spec.key] = L.MSG_TRANSIT_ONLY.format(label=spec.label)
    _codes(shown, head, "", cat, errors)
    _choices(shown, head, "", errors)
    _fees(head, cat, errors)
    if transit and head.get("declare_office") and not southern(head["declare_office"]):
        errors.setdefault("declare_office", L.MSG_SOUTHERN_ONLY)
    for key in CREDIT_CODES:
        problem = credit_code_problem(head[key]) if head.get(key) else None
        if problem:
            errors.setdefault(key, L.MSG_CREDIT_CODE.format(label=_LABELS[key], problem=problem))
    gross, net = head.get("gross_weight"), head.get("net_weight")
    if gross is not None and net is not None and net > gross:
        errors.setdefault("net_weight", L.MSG_NET_OVER_GROSS)


def _units(item: dict[str, Any], entry: HsEntry, prefix: str, cat: Catalogue, errors: Errors) -> None:
    by_name = cat.unit_codes
    hs = item["hs_code"]
    legal = by_name.get(entry.unit1)
    if legal and item["legal_unit"] and item["legal_unit"] != legal:
        errors.setdefault(prefix + "legal_unit", L.MSG_LEGAL_UNIT.format(hs=hs, unit=f"{legal} {entry.unit1}"))
    second = by_name.get(entry.unit2)
    if second and item["second_unit"] != second:
        errors.setdefault(prefix + "second_unit", L.MSG_SECOND_UNIT.format(hs=hs, unit=f"{second} {entry.unit2}"))
    elif not entry.unit2 and (item["second_unit"] or item["second_quantity"] is not None):
        errors.setdefault(prefix + "second_unit", L.MSG_NO_SECOND_UNIT.format(hs=hs))
    if second and item["second_quantity"] is None:
        errors.setdefault(prefix + "second_quantity", L.MSG_REQUIRED.format(label="法定第二数量"))
    if item["unit"] and item["unit"] == item["legal_unit"] and item["quantity"] is not None \
            and item["legal_quantity"] is not None and item["quantity"] != item["legal_quantity"]:
        errors.setdefault(prefix + "legal_quantity", L.MSG_SAME_UNIT_QUANTITY.format(legal=item["legal_quantity"]))


def _item(index: int, item: dict[str, Any], cat: Catalogue, errors: Errors) -> None:
    prefix = path("items", index, "")
    specs = _PARTS["items"]
    _required(specs, item, prefix, errors)
    _codes(specs, item, prefix, cat, errors)
    hs = item["hs_code"]
    entry = cat.hs.get(hs)
    if hs and not (len(hs) == 10 and hs.isdigit()):
        errors.setdefault(prefix + "hs_code", LL.MSG_HS_SHAPE)
    elif hs and entry is None:
        errors.setdefault(prefix + "hs_code", LL.MSG_UNKNOWN_HS.format(version=cat.version_code))
    if entry is not None:
        parts = split_elements(item["model_spec"])
        if len(parts) > len(entry.elements):
            errors[prefix + "model_spec"] = LL.MSG_ELEMENTS_TOO_MANY.format(count=len(entry.elements))
        parts += [""] * (len(entry.elements) - len(parts))
        for position, problem in element_problems(parts, entry.elements, cat.elements).items():
            errors[path("items", index, f"elements[{position}]")] = problem
        _units(item, entry, prefix, cat, errors)
    quantity, price, total = item["quantity"], item["price"], item["total"]
    if quantity is not None and price is not None and total is not None \
            and abs(quantity * price - total) > TOTAL_TOLERANCE:
        errors.setdefault(prefix + "total", L.MSG_TOTAL.format(
            quantity=plain(quantity), price=plain(price), expected=(quantity * price).quantize(Decimal("0.01")),
            tolerance=TOTAL_TOLERANCE))


def _containers(form: DeclarationForm, cat: Catalogue, errors: Errors) -> None:
    numbers = {str(n) for n in range(1, len(form.items) + 1)}
    for index, row in enumerate(form.containers):
        prefix = path("containers", index, "")
        _required(_PARTS["containers"], row, prefix, errors)
        _codes(_PARTS["containers"], row, prefix, cat, errors)
        if row["container_no"] and not CONTAINER_NO.fullmatch(row["container_no"].upper()):
            errors.setdefault(prefix + "container_no", L.MSG_CONTAINER_NO)
        given = {n.strip() for n in row["goods_numbers"].replace("，", ",").split(",") if n.strip()}
        if not given <= numbers:
            errors.setdefault(prefix + "goods_numbers", L.MSG_GOODS_NUMBERS)


def check_submission(kind: DeclarationKind, form: DeclarationForm, cat: Catalogue) -> Errors:
    """Every refusal of the form, by field path (empty: it may be submitted)."""
    errors: Errors = {}
    _head(kind, form.head, cat, errors)
    if not form.items:
        errors["items"] = L.MSG_NO_ITEMS
    for index, item in enumerate(form.items):
        _item(index, item, cat, errors)
    _containers(form, cat, errors)
    for index, row in enumerate(form.documents):
        _required(_PARTS["documents"], row, path("documents", index, ""), errors)
        _codes(_PARTS["documents"], row, path("documents", index, ""), cat, errors)
    return errors
