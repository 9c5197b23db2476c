"""Customs' query and export of stored library rows: the rows whose 申报地海关 is the account's office or one
under it, filtered, newest id first, keyset-paged; the export writes every filtered row through the Excel kit
(a job in the worker)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any

from tortoise.expressions import Q

from models.errors import ValidationFailed
from models.library import LibraryMark, LibraryRow, LibrarySource
from services.kit.context import ServiceContext
from services.kit.excel import MSG_DATE, Column, Kind
from services.kit.xlsx_writer import StreamedSheet
from services.library.columns import COLUMNS
from services.library.labels import IE_LABELS, MARK_LABELS, MSG_CHOOSE, SOURCE_LABELS
from services.library.uploads import access_uploader, office_codes

PAGE = 50
BATCH = 2000
EXPORT_SHEET = "规范申报库"


@dataclass(frozen=True)
class RowFilter:
    entry_number: str = ""
    hs_code: str = ""  # the code or its 4/6/8-digit prefix
    credit_code: str = ""  # 申报单位 or 收发货人
    mark: LibraryMark | None = None
    source: LibrarySource | None = None
    date_from: date | None = None
    date_to: date | None = None

    def args(self) -> list[tuple[str, str]]:
        """The filter as query-string pairs (an export job's params; the page's links)."""
        values = {"entry_number": self.entry_number, "hs_code": self.hs_code, "credit_code": self.credit_code,
                  "mark": self.mark.value if self.mark else "", "source": self.source.value if self.source else "",
                  "date_from": self.date_from.isoformat() if self.date_from else "",
                  "date_to": self.date_to.isoformat() if self.date_to else ""}
        return [(k, v) for k, v in values.items() if v]

    @classmethod
    def from_args(cls, args: dict[str, str]) -> RowFilter:
        """The filter of a form or query string; ValidationFailed naming every bad field at once."""
        errors: dict[str, str] = {}

        def parsed(key: str, parse: Callable[[str], Any], message: str) -> Any:
            if not args.get(key):
                return None
            try:
                return parse(args[key])
            except ValueError:
                errors[key] = message
                return None

        found = cls(args.get("entry_number", "").strip(), args.get("hs_code", "").strip(),
                    args.get("credit_code", "").strip(), parsed("mark", LibraryMark, MSG_CHOOSE),
                    parsed("source", LibrarySource, MSG_CHOOSE), parsed("date_from", date.fromisoformat, MSG_DATE),
                    parsed("date_to", date.fromisoformat, MSG_DATE))
        if errors:
            raise ValidationFailed.of(errors)
        return found


@dataclass(frozen=True)
class RowPage:
    items: list[LibraryRow]
    next_cursor: int | None


async def _scope(account_id: int, flt: RowFilter) -> Q:
    account = await access_uploader(account_id)
    q = Q(customs_office__in=sorted(await office_codes(account.office)))
    if flt.entry_number:
        q &= Q(entry_number=flt.entry_number)
    if flt.hs_code:
        q &= Q(hs_code__startswith=flt.hs_code)
    if flt.credit_code:
        q &= Q(declarant_code=flt.credit_code.upper()) | Q(consignee_code=flt.credit_code.upper())
    if flt.mark:
        q &= Q(mark=flt.mark)
    if flt.source:
        q &= Q(source=flt.source)
    if flt.date_from:
        q &= Q(declared_on__gte=flt.date_from)
    if flt.date_to:
        q &= Q(declared_on__lte=flt.date_to)
    return q


async def customs_rows(account_id: int, flt: RowFilter, cursor: int | None = None, limit: int = PAGE) -> RowPage:
    """One page of the rows in the account's scope under ``flt``; Forbidden for an officer."""
    query = LibraryRow.filter(await _scope(account_id, flt))
    if cursor:
        query = query.filter(id__lt=cursor)
    items = await query.order_by("-id").limit(limit + 1)
    return RowPage(items[:limit], items[limit - 1].id if len(items) > limit else None)


def _labelled(header: str, key: str, labels: Mapping[Any, str], width: float) -> Column[Any]:
    get = attrgetter(key)
    return Column[Any](header, lambda row: labels[get(row)], Kind.TEXT, width, key=key)


EXPORT_COLUMNS: tuple[Column[Any], ...] = (
    *[column for column in COLUMNS if column.name not in ("ie_flag", "conclusion")],
    _labelled("进出口", "ie_flag", IE_LABELS, 8),
    _labelled("标记", "mark", MARK_LABELS, 10),
    _labelled("数据来源", "source", SOURCE_LABELS, 12),
    Column[Any]("商品目录版本", lambda row: row.catalogue_version.code, Kind.TEXT, 10, key="catalogue_version"),
)
# The LibraryRow attributes the columns read, each column's key: all a plain record of an exported row needs
# (services.library.rows_sql.every_row).
EXPORT_FIELDS = tuple(column.key for column in EXPORT_COLUMNS)


async def export_customs_rows(account_id: int, flt: RowFilter, path: Path, ctx: ServiceContext,
                              progress: Callable[[int, int], None] = lambda done, total: None) -> int:
    """Every row under ``flt`` in the account's scope to an .xlsx at ``path`` (keyset batches); the row count."""
    scope = await _scope(account_id, flt)
    total = await LibraryRow.filter(scope).count()
    progress(0, total)
    last: int | None = None
    with StreamedSheet(path, EXPORT_SHEET, EXPORT_COLUMNS, ctx.tz) as sheet:
        while True:
            query = LibraryRow.filter(scope).order_by("-id").limit(BATCH).prefetch_related("catalogue_version")
            rows = await (query.filter(id__lt=last) if last else query)
            for row in rows:
                sheet.append(row)
            progress(sheet.rows, total)
            if len(rows) < BATCH:
                break
            last = rows[-1].id
    return sheet.rows
