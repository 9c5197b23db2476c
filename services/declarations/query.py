"""业务数据查询 (seed 004 (八), ``query:print``): the enterprise's declarations under the manual's filters, in the
member's data scope, newest change first, keyset-paged; 提交审核 of the selected drafts (each result reported);
列表导出 of every filtered row; 概要申报数据查询 (the declared ones, the last 7 days by default).

``QueryFilter.from_args`` is the one parser of the filter (page, API, export job): every bad field at once,
beside its field. ``filtered`` is the one query: enterprise + data scope (``visible_to``) + the filter.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.queryset import QuerySet

from core.db import connection
from models.declaration_lifecycle import DeclarationStatus
from models.declarations import Declaration, DeclarationKind
from models.errors import DomainError, ValidationFailed
from services.declarations import entry as E
from services.declarations import labels as L
from services.kit.context import ServiceContext, start_of
from services.kit.excel import Column, Kind, SheetWriter, new_workbook, save
from services.kit.filters import MSG_BAD_DATE, MSG_BAD_STATUS, MSG_FROM_AFTER_TO
from services.kit.paging import after_time_key, check_limit, decode_time_cursor, encode_time_cursor
from services.workspace.roles import Member
from services.workspace.scope import visible_to

PAGE_SIZE, MAX_PAGE = 20, 100
BATCH = 2000  # rows read at once by the export
SUMMARY_DAYS = 7
MAX_SELECTED = 100
# 概要申报: the declarations the single window has (declared, and what its receipts made of them)
DECLARED = (DeclarationStatus.DECLARED, DeclarationStatus.ENTERED, DeclarationStatus.RELEASED,
            DeclarationStatus.CLEARED, DeclarationStatus.CUSTOMS_DELETED, DeclarationStatus.REJECTED)
_CODE = re.compile(r"[0-9A-Z]{1,4}")
_CREDIT = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
_EXACT = {"number": 20, "seq_no": 18, "entry_id": 18, "bill_no": 50}


@dataclass(frozen=True)
class QueryFilter:
    """The manual's filters of 报关数据查询. ``date_from`` / ``date_to``: 最近操作时间 (calendar days, the district's
    time zone). ``trade``: 境内收发货人 — an 18-character credit code matches the code, anything else the name."""

    date_from: date | None = None
    date_to: date | None = None
    status: DeclarationStatus | None = None
    kind: DeclarationKind | None = None
    number: str = ""  # 系统编号
    seq_no: str = ""  # 统一编号
    entry_id: str = ""  # 海关编号
    bill_no: str = ""  # 提运单号
    trade: str = ""  # 境内收发货人
    declare_office: str = ""  # 申报地海关
    trade_mode: str = ""  # 监管方式
    owner: str = ""  # 制单人 (name)

    def args(self) -> list[tuple[str, str]]:
        """The filter as query-string pairs (links, the export job's params)."""
        pairs = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in ("", None):
                pairs.append((f.name, value.isoformat() if isinstance(value, date) else str(getattr(value, "value",
                                                                                                      value))))
        return pairs

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> QueryFilter:
        """The filter of a form or query string; ValidationFailed naming every bad field at once."""
        errors: dict[str, str] = {}

        def text(key: str) -> str:
            value = args.get(key)
            if isinstance(value, list | tuple):
                value = value[0] if value else ""
            return " ".join(str(value or "").split())

        def day(key: str) -> date | None:
            try:
                return date.fromisoformat(text(key)) if text(key) else None
            except ValueError:
                errors[key] = MSG_BAD_DATE
                return None

        def choice(key: str, enum: Any) -> Any:
            try:
                return enum(text(key)) if text(key) else None
            except ValueError:
                errors[key] = MSG_BAD_STATUS if key == "status" else L.MSG_UNKNOWN_KIND
                return None

        exact = {}
        for key, size in _EXACT.items():
            exact[key] = text(key).upper() if key != "bill_no" else text(key)
            if len(exact[key]) > size:
                errors[key] = L.MSG_TOO_LONG.format(label=L.QUERY_LABELS[key], size=size)
        codes = {}
        for key in ("declare_office", "trade_mode"):
            codes[key] = text(key).upper()
            if codes[key] and not _CODE.fullmatch(codes[key]):
                errors[key] = L.MSG_CODE_TOO_LONG.format(label=L.QUERY_LABELS[key], size=4)
        for key in ("trade", "owner"):
            if len(text(key)) > 50:
                errors[key] = L.MSG_TOO_LONG.format(label=L.QUERY_LABELS[key], size=50)
        found = cls(day("date_from"), day("date_to"), choice("status", DeclarationStatus),
                    choice("kind", DeclarationKind), **exact, trade=text("trade"), **codes, owner=text("owner"))
        if found.date_from and found.date_to and found.date_from > found.date_to:
            errors.setdefault("date_to", MSG_FROM_AFTER_TO)
        if errors:
            raise ValidationFailed.of(errors)
        return found


def summary_filter(flt: QueryFilter, today: date) -> QueryFilter:
    """概要申报数据查询: the last ``SUMMARY_DAYS`` days when no date is given."""
    if flt.date_from or flt.date_to:
        return flt
    return replace(flt, date_from=today - timedelta(days=SUMMARY_DAYS - 1), date_to=today)


@dataclass(frozen=True)
class QueryPage:
    items: list[Declaration]
    next_cursor: str | None



async def filtered(member: Member, flt: QueryFilter, tz: ZoneInfo, *, summary: bool = False) -> QuerySet[Declaration]:
    """The one query: the member's enterprise and data scope, then every filter given."""
    member.decision.require(L.QUERY)
    query = Declaration.filter(await visible_to(member, owner="owner_id", department="department_id"))
    if summary:
        query = query.filter(status__in=DECLARED)
    conditions: dict[str, Any] = {key: getattr(flt, key) for key in (*_EXACT, "declare_office", "trade_mode")
                                  if getattr(flt, key)}
    if flt.status:
        conditions["status"] = flt.status
    if flt.kind:
        conditions["kind"] = flt.kind
    if flt.date_from:
        conditions["updated_at__gte"] = start_of(flt.date_from, tz)
    if flt.date_to:
        conditions["updated_at__lt"] = start_of(flt.date_to + timedelta(days=1), tz)
    if flt.trade:
        if _CREDIT.fullmatch(flt.trade.upper()):
            conditions["trade_code"] = flt.trade.upper()
        else:
            conditions["trade_name__contains"] = flt.trade
    if flt.owner:
        conditions["owner__name__contains"] = flt.owner
    return query.filter(**conditions)


async def query_declarations(member: Member, flt: QueryFilter, tz: ZoneInfo, *, cursor: str = "",
                             limit: int = PAGE_SIZE, summary: bool = False) -> QueryPage:
    """One page of the filtered declarations, newest change first (最近操作时间, then id)."""
    size = check_limit(limit, MAX_PAGE)
    query = await filtered(member, flt, tz, summary=summary)
    if cursor:
        query = query.filter(after_time_key("updated_at", *decode_time_cursor(cursor)))
    rows = await query.using_db(connection()).select_related("owner").order_by("-updated_at", "-id") \
        .limit(size + 1)
    more = len(rows) > size
    last = rows[size - 1] if more else None
    return QueryPage(rows[:size], encode_time_cursor(last.updated_at, last.id) if last else None)


async def count_declarations(member: Member, flt: QueryFilter, tz: ZoneInfo) -> int:
    return await (await filtered(member, flt, tz)).using_db(connection()).count()


@dataclass(frozen=True)
class SubmitResult:
    declaration_id: int
    number: str
    submitted: bool
    reason: str = ""  # why not (the first refusals, joined)
    errors: Mapping[str, str] | None = None


async def submit_selected(ctx: ServiceContext, member: Member, ids: list[int]) -> list[SubmitResult]:
    """提交审核 of each selected declaration, one transaction each: which went, which were refused and why."""
    member.decision.require(L.QUERY)
    if not ids:
        raise ValidationFailed(L.MSG_SELECT_SOME, field="ids")
    if len(ids) > MAX_SELECTED:
        raise ValidationFailed(L.MSG_TOO_MANY_SELECTED.format(count=MAX_SELECTED), field="ids")
    visible = await visible_to(member, owner="owner_id", department="department_id")
    found = {d.id: d for d in await Declaration.filter(visible, id__in=ids).using_db(connection())}
    results = []
    for declaration_id in dict.fromkeys(ids):
        declaration = found.get(declaration_id)
        if declaration is None:
            results.append(SubmitResult(declaration_id, "", False, L.MSG_NOT_FOUND))
            continue
        try:
            await E.submit_declaration(ctx, member, declaration_id, declaration.version)
        except ValidationFailed as refused:
            results.append(SubmitResult(declaration_id, declaration.number, False,
                                        L.MSG_SUBMIT_REFUSED.format(count=len(refused.errors)), refused.errors))
        except DomainError as refused:
            results.append(SubmitResult(declaration_id, declaration.number, False, refused.message))
        else:
            results.append(SubmitResult(declaration_id, declaration.number, True))
    return results


EXPORT_SHEET = "报关数据"
EXPORT_COLUMNS: tuple[Column[Declaration], ...] = (
    Column("系统编号", lambda d: d.number, width=20),
    Column("报关单类型", lambda d: d.kind.label, width=18),
    Column("申报状态", lambda d: d.status.label, width=10),
    Column("统一编号", lambda d: d.seq_no, width=20),
    Column("海关编号", lambda d: d.entry_id, width=20),
    Column("申报地海关", lambda d: d.declare_office, width=10),
    Column("出境关别", lambda d: d.ie_port, width=10),
    Column("监管方式", lambda d: d.trade_mode, width=10),
    Column("提运单号", lambda d: d.bill_no, width=20),
    Column("境内收发货人代码", lambda d: d.trade_code, width=20),
    Column("境内收发货人名称", lambda d: d.trade_name, width=30),
    Column("制单人", lambda d: d.owner.name, width=10),
    Column("创建时间", lambda d: d.created_at, Kind.DATETIME, width=18),
    Column("最近操作时间", lambda d: d.updated_at, Kind.DATETIME, width=18),
)


async def _every(query: QuerySet[Declaration]) -> AsyncIterator[list[Declaration]]:
    """Every row of ``query`` in keyset batches (newest change first): memory stays flat."""
    key: tuple[datetime, int] | None = None
    while True:
        page = query.filter(after_time_key("updated_at", *key)) if key else query
        batch = await page.using_db(connection()).select_related("owner").order_by("-updated_at", "-id") \
            .limit(BATCH)
        if not batch:
            return
        yield batch
        key = (batch[-1].updated_at, batch[-1].id)


async def export_declarations(member: Member, flt: QueryFilter, path: Path, ctx: ServiceContext,
                              progress: Callable[[int, int], None] = lambda done, total: None) -> int:
    """Every filtered row to an .xlsx at ``path`` (write-only, read in keyset batches); the row count."""
    query = await filtered(member, flt, ctx.tz)
    total = await query.using_db(connection()).count()
    progress(0, total)
    workbook = new_workbook()
    sheet = SheetWriter(workbook, EXPORT_SHEET, EXPORT_COLUMNS, ctx.tz)
    async for batch in _every(query):
        for row in batch:
            sheet.append(row)
        progress(sheet.rows, total)
    save(workbook, path)
    return sheet.rows
