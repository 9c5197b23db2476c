"""Hints from the enterprise's declaration-standard library (规范申报企业专属库), shown beside an item before it is
submitted, never blocking: an item whose 规格型号 differs from every 规范 row customs audited for its HS code, or
equals one audited 不规范.

The library rows read are customs' audited rows (not superseded) in which the enterprise is 申报单位 or 收发货人,
for the HS codes of the form, newest first.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from models.library import LibraryMark, LibraryRow, LibrarySource
from services.declarations import labels as L
from services.declarations.fields import DeclarationForm, path

ROWS_PER_CODE = 50


def _parts(spec: str) -> list[str]:
    """A 规格型号's parts, blanks around them and trailing empty parts dropped (they say nothing)."""
    parts = [part.strip() for part in spec.split("|")]
    while parts and not parts[-1]:
        parts.pop()
    return parts


def _same(a: str, b: str) -> bool:
    return _parts(a) == _parts(b)


async def library_hints(enterprise_id: int, form: DeclarationForm, conn: BaseDBAsyncClient) -> dict[str, str]:
    """The hint of each item that has one, keyed ``items[i].model_spec``."""
    codes = {item["hs_code"] for item in form.items if item["hs_code"]}
    if not codes:
        return {}
    rows = await LibraryRow.filter(
        Q(declarant_enterprise_id=enterprise_id) | Q(consignee_enterprise_id=enterprise_id),
        hs_code__in=codes, source=LibrarySource.AUDITED, superseded=False,
        mark__in=(LibraryMark.STANDARD, LibraryMark.NONSTANDARD),
    ).using_db(conn).order_by("-declared_on", "-id").limit(ROWS_PER_CODE * len(codes))
    hints: dict[str, str] = {}
    for index, item in enumerate(form.items):
        mine = [row for row in rows if row.hs_code == item["hs_code"]]
        bad = next((r for r in mine if r.mark is LibraryMark.NONSTANDARD and _same(r.model_spec, item["model_spec"])),
                   None)
        standard = [r for r in mine if r.mark is LibraryMark.STANDARD]
        if bad is not None:
            hints[path("items", index, "model_spec")] = L.HINT_MATCHES_NONSTANDARD.format(
                entry=bad.entry_number, item=bad.item_number, remarks=bad.remarks or "—")
        elif standard and not any(_same(r.model_spec, item["model_spec"]) for r in standard):
            hints[path("items", index, "model_spec")] = L.HINT_DIFFERS.format(
                entry=standard[0].entry_number, item=standard[0].item_number, spec=standard[0].model_spec)
    return hints
