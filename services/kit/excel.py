"""The one Excel kit, driven by column specs (RuoYi's ``ExcelUtil``): every export writes through ``SheetWriter``,
every import reads through ``read_rows``.

Writing uses openpyxl's write-only workbook (memory stays flat however many rows): a bold header row frozen
below any preamble, column widths, times as real Excel datetimes in the district's time zone with a number
format, and text cleaned of the control characters an .xlsx cannot hold (openpyxl raises IllegalCharacterError
on them, which would break a whole export for one odd question title).

Reading uses python-calamine (a Rust reader, many times faster than openpyxl): the header row names the
columns, every cell is converted to its column's kind, and every bad cell is reported as
(row, column, reason in Chinese) — all of them at once, so the user fixes the file in one go.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from math import isfinite
from pathlib import Path
from typing import IO, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from services.kit.xlsx_stream import stream_sheet

R = TypeVar("R")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Control characters other than tab, newline and carriage return: not allowed in the XML of an .xlsx.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

MSG_REQUIRED = "必填"
MSG_INTEGER = "应为整数"
MSG_NUMBER = "应为数字"
MSG_DATE = "应为日期（年-月-日）"
MSG_DATETIME = "应为日期时间（年-月-日 时:分）"
MSG_MISSING_COLUMN = "缺少此列"
MSG_NOT_A_WORKBOOK = "无法读取文件，请上传 Excel（.xlsx）文件"
MSG_EMPTY = "文件中没有数据"


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"


def _none(_: Any) -> None:
    return None


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its Chinese header, how to get its value from a record (export), its kind and width.

    ``key`` names the typed value of an imported row (the header by default).
    """

    header: str
    value: Callable[[R], Any] = _none
    kind: Kind = Kind.TEXT
    width: float = 14
    required: bool = False
    key: str = ""

    @property
    def name(self) -> str:
        return self.key or self.header

    @property
    def number_format(self) -> str | None:
        return {Kind.DATE: DATE_FORMAT, Kind.DATETIME: DATETIME_FORMAT}.get(self.kind)


def clean_text(value: str) -> str:
    """``value`` without the characters an .xlsx cannot hold (dropped, not replaced)."""
    return _ILLEGAL.sub("", value) if _ILLEGAL.search(value) else value


def _cell_maker(column: Column[Any], sheet: Any, tz: ZoneInfo) -> Callable[[Any], Any]:
    """How a raw value becomes what ``sheet.append`` gets, decided once per column (not once per cell)."""
    fmt = column.number_format
    # The format is set before the value: openpyxl then keeps it instead of first setting its default date format.
    if column.kind is Kind.DATETIME:
        def as_datetime(value: Any) -> Any:
            if value is None:
                return None
            cell = WriteOnlyCell(sheet)
            cell.number_format = DATETIME_FORMAT
            cell.value = value.astimezone(tz).replace(tzinfo=None) if value.tzinfo else value
            return cell
        return as_datetime
    if fmt is not None:
        def formatted(value: Any) -> Any:
            if value is None:
                return None
            cell = WriteOnlyCell(sheet)
            cell.number_format = fmt
            cell.value = value
            return cell
        return formatted
    if column.kind is Kind.TEXT:
        return lambda value: clean_text(value) if isinstance(value, str) else value
    return lambda value: value


class SheetWriter(Generic[R]):
    """One sheet of a write-only workbook: optional preamble lines, the bold frozen header, then records."""

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column[R]], tz: ZoneInfo,
                 preamble: Iterable[Sequence[Any]] = ()) -> None:
        self.sheet: Any = workbook.create_sheet(title)  # openpyxl's write-only sheet (its class is private)
        lines = [tuple(clean_text(v) if isinstance(v, str) else v for v in line) for line in preamble]
        for index, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        self.sheet.freeze_panes = f"A{len(lines) + 2}"  # before the first append: write-only sheets write it first
        for line in lines:
            self.sheet.append(line)
        bold = Font(bold=True)
        header = []
        for column in columns:
            cell = WriteOnlyCell(self.sheet, column.header)
            cell.font = bold
            header.append(cell)
        self.sheet.append(header)
        self._plan = [(column.value, _cell_maker(column, self.sheet, tz)) for column in columns]
        self._texts = [i for i, column in enumerate(columns) if column.kind is Kind.TEXT]
        self._formatted = [(i, make) for i, (column, (_, make)) in enumerate(zip(columns, self._plan, strict=True))
                           if column.number_format is not None]
        self.rows = 0

    def append(self, record: R) -> None:
        """One record, each cell from its column's getter."""
        self.sheet.append([make(get(record)) for get, make in self._plan])
        self.rows += 1

    def append_values(self, values: Sequence[Any]) -> None:
        """One row whose values are already in column order (the fast path of large exports: the text is
        checked once per row, and only the formatted columns are touched cell by cell)."""
        row = list(values)
        if _ILLEGAL.search("".join(map(str, row))):
            for i in self._texts:
                if isinstance(row[i], str):
                    row[i] = clean_text(row[i])
        for i, make in self._formatted:
            row[i] = make(row[i])
        self.sheet.append(row)
        self.rows += 1


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def save(workbook: Workbook, path: Path | str) -> None:
    workbook.save(path)


# ---- reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    row: int  # the Excel row number (the header is row 1 unless a preamble comes first)
    column: str  # the column's header
    reason: str


@dataclass
class ReadResult:
    rows: list[dict[str, Any]] = field(default_factory=list)  # typed values by column name, good rows only
    row_numbers: list[int] = field(default_factory=list)  # the Excel row number of each good row
    errors: list[CellError] = field(default_factory=list)


class _Bad(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_rows(source: Path | str | bytes | IO[bytes], columns: Sequence[Column[Any]], *, tz: ZoneInfo,
              header_row: int = 1) -> ReadResult:
    """The first sheet's rows below ``header_row`` as typed values per column, and every bad cell.

    Columns are found by their header text (in any order; other columns are ignored). Blank rows are skipped.
    """
    result = ReadResult()
    _, lines = sheet_lines(source)
    typer = RowTyper.from_lines(lines, columns, tz, header_row)
    result.errors.extend(typer.missing)
    if result.errors:
        return result
    for number, line in lines:
        values, errors = typer.typed(number, line)
        if errors:
            result.errors.extend(errors)
        elif values is not None:
            result.rows.append(values)
            result.row_numbers.append(number)
    return result


def sheet_lines(source: Path | str | bytes | IO[bytes], *,
                held: bool = False) -> tuple[int, Iterator[tuple[int, list[Any]]]]:
    """The first sheet's height and its rows as (Excel row number, raw cell values), one at a time, streamed from
    the sheet's XML (``services.kit.xlsx_stream``: memory stays flat; python-calamine would hold the whole sheet).
    Rows never written in the file are not yielded (blank rows are skipped anyway).

    ``held``: read by python-calamine instead — the same values about twice as fast, the whole sheet held while
    its rows are read (~20× the file's size): only for uploads whose size is capped. Blank rows may be yielded."""
    if held:
        return _held_lines(source)
    try:
        return stream_sheet(str(source) if isinstance(source, (str, Path)) else _filelike(source))
    except ValueError as exc:
        raise ValueError(MSG_NOT_A_WORKBOOK) from exc


def _held_lines(source: Path | str | bytes | IO[bytes]) -> tuple[int, Iterator[tuple[int, list[Any]]]]:
    try:
        book = CalamineWorkbook.from_path(str(source)) if isinstance(source, (str, Path)) \
            else CalamineWorkbook.from_filelike(_filelike(source))
        sheet = book.get_sheet_by_index(0)
    except (CalamineError, OSError, IndexError) as exc:
        raise ValueError(MSG_NOT_A_WORKBOOK) from exc
    # iter_rows starts at the sheet's first row (blank rows above the used range included) but at the used
    # range's first column: the columns before it are put back (tests/unit/test_xlsx_stream.py pins both)
    pad = [""] * (sheet.start or (0, 0))[1]

    def lines() -> Iterator[tuple[int, list[Any]]]:
        for number, line in enumerate(sheet.iter_rows(), start=1):
            yield number, [*pad, *line] if pad else line

    return (sheet.end[0] + 1 if sheet.end else 0), lines()


MEMO = 4096  # distinct cell values remembered per column while typing a file
_MISS = object()


@dataclass
class RowTyper:
    """Types one raw row after another by the columns found in the header row (read from ``lines``).

    Each column keeps a memo of the distinct raw cells it has typed (codes, names, dates and units recur on
    thousands of rows of an upload): a recurring cell is one dictionary look-up, its value or its reason. A cell is
    its own key — 1 and 1.0, equal keys, type alike in every kind — but a boolean is keyed with its class (True
    equals 1.0 and is no integer)."""

    places: list[tuple[Column[Any], int, Callable[[Any], Any]]]
    missing: list[CellError]
    headers: list[str]
    _plan: list[tuple[str, str, int, Callable[[Any], Any], dict[Any, Any]]] = field(default_factory=list)
    _width: int = 0  # a line at least this wide holds every column read

    def __post_init__(self) -> None:
        self._plan = [(column.name, column.header, index, convert, {}) for column, index, convert in self.places]
        self._width = max((index + 1 for _, index, _ in self.places), default=0)

    @classmethod
    def from_lines(cls, lines: Iterator[tuple[int, list[Any]]], columns: Sequence[Column[Any]], tz: ZoneInfo,
                   header_row: int = 1) -> RowTyper:
        headers: list[str] = []
        for number, line in lines:
            if number == header_row:
                headers = [str(h).strip() for h in line]
                break
        if not headers:
            return cls([], [CellError(header_row, "", MSG_EMPTY)], [])
        places, missing = [], []
        for column in columns:
            if column.header in headers:
                places.append((column, headers.index(column.header), _converter(column, tz)))
            else:
                missing.append(CellError(header_row, column.header, MSG_MISSING_COLUMN))
        return cls(places, missing, headers)

    def typed(self, number: int, line: list[Any]) -> tuple[dict[str, Any] | None, list[CellError]]:
        """The row's typed values by column name (None for a blank row) and its bad cells."""
        if line.count("") + line.count(None) == len(line):
            return None, []
        if len(line) < self._width:
            line = [*line, *[""] * (self._width - len(line))]
        values: dict[str, Any] = {}
        errors = []
        for name, header, index, convert, memo in self._plan:
            raw = line[index]
            key = (bool, raw) if raw.__class__ is bool else raw
            found = memo.get(key, _MISS)
            if found is _MISS:
                try:
                    found = convert(raw)
                except _Bad as problem:
                    found = problem
                if len(memo) < MEMO:
                    memo[key] = found
            if found.__class__ is _Bad:
                errors.append(CellError(number, header, found.reason))
            else:
                values[name] = found
        return values, errors


def _filelike(source: bytes | IO[bytes]) -> IO[bytes]:
    import io

    return io.BytesIO(source) if isinstance(source, bytes) else source


def _converter(column: Column[Any], tz: ZoneInfo) -> Callable[[Any], Any]:
    """How one raw cell of ``column`` becomes its typed value (decided once per column)."""
    parse, required = _PARSERS[column.kind], column.required

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
        if value == "" or value is None:
            if required:
                raise _Bad(MSG_REQUIRED)
            return None
        return parse(value, tz)

    return convert


def _text(value: Any, tz: ZoneInfo) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number or code typed as a number
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return clean_text(str(value))


def _integer(value: Any, tz: ZoneInfo) -> int:
    if isinstance(value, bool):
        raise _Bad(MSG_INTEGER)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,18}", value):  # longer: no integer we keep
        return int(value)
    raise _Bad(MSG_INTEGER)


def _number(value: Any, tz: ZoneInfo) -> float:
    """A finite number (a text "inf", "nan" or "1e999" is none)."""
    found: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        found = float(value)
    elif isinstance(value, str):
        with suppress(ValueError):
            found = float(value)
    if found is None or not isfinite(found):
        raise _Bad(MSG_NUMBER)
    return found


def _date(value: Any, tz: ZoneInfo) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.replace("/", "-"))
        except ValueError:
            pass
    raise _Bad(MSG_DATE)


def _datetime(value: Any, tz: ZoneInfo) -> datetime:
    """An aware time: a cell's wall-clock time is the district's."""
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, date):
        found = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            found = datetime.fromisoformat(value.replace("/", "-"))
        except ValueError:
            raise _Bad(MSG_DATETIME) from None
    else:
        raise _Bad(MSG_DATETIME)
    return found if found.tzinfo else found.replace(tzinfo=tz)


_PARSERS: dict[Kind, Callable[[Any, ZoneInfo], Any]] = {
    Kind.TEXT: _text, Kind.INTEGER: _integer, Kind.NUMBER: _number, Kind.DATE: _date, Kind.DATETIME: _datetime,
}
