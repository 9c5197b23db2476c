"""单证复核记录 (what an AEO audit asks for): every review mark made in one calendar month (the district's), of the
declarations the member's enterprise and data scope reach, as an .xlsx — 系统编号, the field, the mark, the
comment, the value marked, the reviewer and the time — oldest first."""

from __future__ import annotations

import io
import re
from datetime import datetime

from tortoise.expressions import Subquery

from core.db import connection
from models.declarations import Declaration, DeclarationMark
from models.errors import ValidationFailed
from services.declarations import labels as L
from services.declarations.fields import HEAD_FIELDS, ITEM_FIELDS
from services.declarations.review import require_reviewer
from services.kit.context import ServiceContext
from services.kit.excel import Column, Kind, SheetWriter, new_workbook
from services.workspace.roles import Member
from services.workspace.scope import visible_to

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_PATH = re.compile(r"items\[(\d+)\]\.(\w+)")
HEAD_LABELS = {spec.key: spec.label for spec in HEAD_FIELDS}
ITEM_LABELS = {spec.key: spec.label for spec in ITEM_FIELDS}
COLUMNS: list[Column[DeclarationMark]] = [
    Column(L.EXPORT_HEADERS[0], lambda m: m.declaration.number, width=20),
    Column(L.EXPORT_HEADERS[1], lambda m: m.declaration.seq_no, width=20),
    Column(L.EXPORT_HEADERS[2], lambda m: m.declaration.kind.label, width=16),
    Column(L.EXPORT_HEADERS[3], lambda m: field_label(m.path), width=24),
    Column(L.EXPORT_HEADERS[4], lambda m: m.path, width=22),
    Column(L.EXPORT_HEADERS[5], lambda m: L.MARK_LABELS[m.mark.value], width=8),
    Column(L.EXPORT_HEADERS[6], lambda m: m.comment, width=40),
    Column(L.EXPORT_HEADERS[7], lambda m: m.value, width=24),
    Column(L.EXPORT_HEADERS[8], lambda m: m.person.name, width=12),
    Column(L.EXPORT_HEADERS[9], lambda m: m.at, Kind.DATETIME, width=18),
]


def field_label(path: str) -> str:
    """The Chinese label of a review path (``items[2].hs_code`` → 第 3 项 商品编号)."""
    item = _PATH.fullmatch(path)
    if item:
        return L.ITEM_FIELD.format(n=int(item[1]) + 1, label=ITEM_LABELS.get(item[2], item[2]))
    key = path.removeprefix("head.")
    return HEAD_LABELS.get(key, key)


def month_range(text: str, ctx: ServiceContext) -> tuple[datetime, datetime]:
    found = _MONTH.fullmatch(text.strip())
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
        raise ValidationFailed(L.MSG_BAD_MONTH, field="month")
    year, month = int(found[1]), int(found[2])
    start = datetime(year, month, 1, tzinfo=ctx.tz)
    return start, datetime(year + month // 12, month % 12 + 1, 1, tzinfo=ctx.tz)


async def export_marks(ctx: ServiceContext, member: Member, month: str) -> tuple[bytes, int]:
    """The month's 单证复核记录 as .xlsx bytes, and how many marks it holds."""
    require_reviewer(member)
    start, end = month_range(month, ctx)
    reached = Subquery(Declaration.filter(await visible_to(member, owner="owner_id", department="department_id"))
                       .values("id"))
    marks = await DeclarationMark.filter(declaration_id__in=reached, at__gte=start, at__lt=end) \
        .using_db(connection()).select_related("declaration", "person").order_by("at", "id")
    workbook = new_workbook()
    sheet = SheetWriter(workbook, L.EXPORT_TITLE, COLUMNS, ctx.tz,
                        preamble=[(f"{L.EXPORT_TITLE} {start:%Y-%m}", member.membership.enterprise.name)])
    for mark in marks:
        sheet.append(mark)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), sheet.rows


def export_name(month: str) -> str:
    return f"{L.EXPORT_TITLE}-{month}.xlsx"

