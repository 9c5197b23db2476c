"""Finding a code of the declaration form's tables: typing a code or a name finds it (the page's autocomplete and
the lookup API), and the HS code's catalogue entry (its units and ordered declaration elements)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.expressions import Q

from core.db import connection
from models.errors import NotFound
from models.library import CodeItem, HsCode
from services.declarations import labels as L
from services.declarations.fields import FORM_TABLES
from services.library import labels as LL
from services.library.checks import version_in_effect
from services.library.reference import ENUMERATED_ELEMENTS
from services.workspace.roles import Member

LOOKUP_LIMIT = 20
HS_TABLE = "hs_code"


@dataclass(frozen=True)
class CodeChoice:
    code: str
    name: str


@dataclass(frozen=True)
class HsChoice:
    code: str
    name: str
    unit1: str
    unit2: str
    elements: list[dict[str, Any]]  # [{"name", "required", "table", "choices": [[code, name], …]}]


async def find_codes(member: Member, table: str, query: str, limit: int = LOOKUP_LIMIT) -> list[CodeChoice]:
    """The items of ``table`` whose code starts with ``query`` or whose name contains it, codes first."""
    member.decision.require(L.ENTRY)
    text = query.strip()
    if table == HS_TABLE:
        version = await version_in_effect(date.today(), connection())
        hs = HsCode.filter(Q(code__startswith=text) | Q(name__contains=text), version_id=version.id) \
            if text else HsCode.filter(version_id=version.id)
        return [CodeChoice(c, n) for c, n in await hs.using_db(connection()).order_by("code").limit(limit)
                .values_list("code", "name")]
    if table not in FORM_TABLES | set(ENUMERATED_ELEMENTS.values()):
        raise NotFound(L.MSG_UNKNOWN_TABLE)
    items = CodeItem.filter(table__code=table)
    if text:
        items = items.filter(Q(code__startswith=text.upper()) | Q(name__contains=text))
    rows = await items.using_db(connection()).order_by("sort").limit(limit).values_list("code", "name")
    return sorted((CodeChoice(c, n) for c, n in rows), key=lambda c: not c.code.startswith(text.upper()))


async def code_names(specs: list[tuple[str, str]]) -> dict[str, str]:
    """The names of typed codes, keyed "table:code" (a form shows each code's name beside it)."""
    wanted = {(table, code) for table, code in specs if table and code}
    if not wanted:
        return {}
    rows = await CodeItem.filter(table__code__in={t for t, _ in wanted}, code__in={c for _, c in wanted}) \
        .using_db(connection()).values_list("table__code", "code", "name")
    return {f"{table}:{code}": name for table, code, name in rows if (table, code) in wanted}


async def hs_entry(member: Member, code: str) -> HsChoice:
    """The catalogue's entry for an HS code in effect today, its enumerated elements with their choices."""
    member.decision.require(L.ENTRY)
    version = await version_in_effect(date.today(), connection())
    code = code.strip()
    found = await HsCode.filter(version_id=version.id, code=code).using_db(connection()).first() \
        if len(code) == 10 and code.isdigit() else None
    if found is None:
        raise NotFound(LL.MSG_UNKNOWN_HS.format(version=version.code), field="hs_code")
    tables = {e["table"] for e in found.elements if e.get("table")}
    choices: dict[str, list[list[str]]] = {}
    for table, item_code, name in await CodeItem.filter(table__code__in=tables).using_db(connection()) \
            .order_by("sort").values_list("table__code", "code", "name"):
        choices.setdefault(table, []).append([item_code, name])
    elements = [{**e, "choices": choices.get(e.get("table") or "", [])} for e in found.elements]
    return HsChoice(found.code, found.name, found.unit1, found.unit2, elements)
