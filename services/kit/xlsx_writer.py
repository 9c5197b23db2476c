"""A streamed .xlsx writer: each sheet's XML written straight into the zip as the rows come, for the large exports
(``StreamedSheet``, driven by the Excel kit's column specs ``services.kit.excel.Column``) and the annotated error
workbook of an upload (``services.kit.annotated_sheet``).

openpyxl's write-only workbook builds a cell object (and styles) per cell and took ~95 % of a 10,000-row export;
this writes the same workbook — the bold header frozen below any preamble, column widths, dates and times as real
Excel serials with the kit's number formats (times in the district's time zone), text cleaned by the kit's rule
(``clean_text``: the control characters an .xlsx cannot hold are dropped), bad cells highlighted — as text, several
times faster, memory flat. A ``Package`` holds only the parts Excel needs: ``[Content_Types].xml``, ``_rels/.rels``,
``xl/workbook.xml`` and its rels, ``xl/styles.xml`` and its sheets ``xl/worksheets/sheetN.xml`` (written one after
another: a zip has one entry open at a time) with inline strings.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from math import isfinite
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from openpyxl.utils import get_column_letter

from services.kit.excel import DATE_FORMAT, DATETIME_FORMAT, Column, Kind, clean_text

R = TypeVar("R")
_EPOCH = datetime(1899, 12, 30)
_DAY = timedelta(days=1)
# what a text cell must not hold as is: XML's markup characters, a carriage return (XML readers turn it into a
# line feed unless it is a character reference) and the characters ``clean_text`` drops
_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]")
_FLUSH = 500  # rows written to the zip at once
# A cell's style attribute by what it holds (text, number or boolean; a date; a time): the cellXfs of STYLES
Look = tuple[str, str, str]
PLAIN: Look = ("", ' s="2"', ' s="3"')
HIGHLIGHTED: Look = (' s="4"', ' s="5"', ' s="6"')  # a bad cell of the annotated error workbook
_BOLD = ' s="1"'

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
ROOT_RELS = (f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
             f'Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
_XF = 'borderId="0" xfId="0"'
STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{DATETIME_FORMAT}"/></numFmts>'
    f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor rgb="FFFFC7CE"/></patternFill></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" {_XF}/>'
    f'<xf numFmtId="0" fontId="1" fillId="0" {_XF} applyFont="1"/>'
    f'<xf numFmtId="164" fontId="0" fillId="0" {_XF} applyNumberFormat="1"/>'
    f'<xf numFmtId="165" fontId="0" fillId="0" {_XF} applyNumberFormat="1"/>'
    f'<xf numFmtId="0" fontId="0" fillId="2" {_XF} applyFill="1"/>'
    f'<xf numFmtId="164" fontId="0" fillId="2" {_XF} applyNumberFormat="1" applyFill="1"/>'
    f'<xf numFmtId="165" fontId="0" fillId="2" {_XF} applyNumberFormat="1" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def escaped(text: str) -> str:
    """``text`` cleaned by the kit's rule and escaped for XML character data."""
    if not _SPECIAL.search(text):
        return text
    return (clean_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def serial(value: date | datetime) -> float | int:
    """A date or a naive time as Excel's 1900 serial number (openpyxl's rule, with Excel's missing 1900-02-29)."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    days = (moment - _EPOCH).days
    if 0 < days <= 60:
        days -= 1
    rest = (moment - datetime.combine(moment.date(), time())) / _DAY
    return days + rest if rest else days


def _text_cell(ref: str, value: str, style: str = "") -> str:
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{escaped(value)}</t></is></c>'


def value_cell(ref: str, value: Any, look: Look = PLAIN) -> str:
    """One cell of any value: text inline, numbers and booleans as such, dates formatted. A plain cell without a
    value (None, an empty text) is no cell, as with openpyxl; a highlighted one is an empty styled cell."""
    kind = type(value)
    if kind is str or isinstance(value, str):
        return _text_cell(ref, value, look[0]) if value else _blank(ref, look)
    if kind is bool:
        return f'<c r="{ref}"{look[0]} t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is Decimal or (kind is float and isfinite(value)):
        return f'<c r="{ref}"{look[0]}><v>{value}</v></c>'
    if isinstance(value, datetime):
        return f'<c r="{ref}"{look[2]}><v>{serial(value.replace(tzinfo=None))}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}"{look[1]}><v>{serial(value)}</v></c>'
    if value is None:
        return _blank(ref, look)
    return _text_cell(ref, str(value), look[0])


def _blank(ref: str, look: Look) -> str:
    return f'<c r="{ref}"{look[0]}/>' if look[0] else ""


def _text(ref: str, value: Any) -> str:
    """A text column's cell: its strings without ``value_cell``'s look at the type (the bulk of an export)."""
    if value.__class__ is not str:
        return value_cell(ref, value)
    if not value:
        return ""
    if _SPECIAL.search(value) is not None:
        value = escaped(value)
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


def _number(ref: str, value: Any) -> str:
    """A number column's cell: integers and decimals written straight, anything else as ``value_cell`` says."""
    if value.__class__ is int or value.__class__ is Decimal:
        return f'<c r="{ref}"><v>{value}</v></c>'
    return value_cell(ref, value)


def _cell_maker(column: Column[Any], tz: ZoneInfo) -> Callable[[str, Any], str]:
    """How a column's raw value becomes its cell's XML, decided once per column."""
    if column.kind is Kind.DATETIME:
        def local_time(ref: str, value: Any) -> str:
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.astimezone(tz)
            return value_cell(ref, value)
        return local_time
    if column.kind is Kind.DATE:
        def day(ref: str, value: Any) -> str:  # a date column formats whatever time it holds as a date
            if value.__class__ is date:
                return f'<c r="{ref}"{PLAIN[1]}><v>{serial(value)}</v></c>'
            if isinstance(value, datetime):
                value = value.astimezone(tz).replace(tzinfo=None) if value.tzinfo else value
                return f'<c r="{ref}"{PLAIN[1]}><v>{serial(value)}</v></c>'
            return value_cell(ref, value)
        return day
    if column.kind in (Kind.INTEGER, Kind.NUMBER):
        return _number
    return _text


class Package:
    """An .xlsx package written into ``target`` (a path or a seekable binary file) one sheet after another: each
    sheet's rows go to the zip as they come (``begin_sheet``, ``header``, ``row`` and ``write``); ``close`` ends
    the last sheet and writes the other parts."""

    def __init__(self, target: Path | str | IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._out: IO[bytes] | None = None
        self._pending: list[str] = []
        self._titles: list[str] = []
        self.line = 0  # the current sheet's last row number
        self.closed = False

    def begin_sheet(self, title: str, widths: Mapping[int, float], frozen: int) -> None:
        """A new sheet (the one before it ended): column widths by column number, the rows above ``frozen`` + 1
        frozen."""
        self._end_sheet()
        self._titles.append(clean_text(title))
        self._out = self._zip.open(f"xl/worksheets/sheet{len(self._titles)}.xml", "w", force_zip64=True)
        self.line = 0
        top = f"A{frozen + 1}"
        cols = "".join(f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>' for i, width in widths.items())
        self._pending.append(
            f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_REL}"><sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{frozen}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{"<cols>" + cols + "</cols>" if cols else ""}<sheetData>')

    def row(self) -> str:
        """The next row's number, as the text its cells' references end with."""
        self.line += 1
        return str(self.line)

    def write(self, row: str) -> None:
        """One row's XML (``<row r="…">…</row>``), numbered by ``row``."""
        self._pending.append(row)
        if len(self._pending) >= _FLUSH:
            self._flush()

    def header(self, texts: Iterable[str]) -> None:
        """The next row, of bold texts."""
        r = self.row()
        self.write(f'<row r="{r}">' + "".join(
            _text_cell(get_column_letter(i) + r, text, _BOLD) for i, text in enumerate(texts, start=1)) + "</row>")

    def values(self, values: Iterable[Any]) -> None:
        """The next row, of plain values (None is no cell)."""
        r = self.row()
        self.write(f'<row r="{r}">' + "".join(
            value_cell(get_column_letter(i) + r, v) for i, v in enumerate(values, start=1)) + "</row>")

    def _flush(self) -> None:
        assert self._out is not None, "begin_sheet first"
        self._out.write("".join(self._pending).encode())
        self._pending.clear()

    def _end_sheet(self) -> None:
        if self._out is not None:
            self._pending.append("</sheetData></worksheet>")
            self._flush()
            self._out.close()
            self._out = None

    def close(self) -> None:
        """The last sheet's end and the package's other parts; the package is complete after this."""
        if self.closed:
            return
        self.closed = True
        self._end_sheet()
        numbers = range(1, len(self._titles) + 1)
        names = [t.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;") for t in self._titles]
        self._zip.writestr("[Content_Types].xml", (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_SHEET_TYPE}"/>'
                      for n in numbers)
            + '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'))
        self._zip.writestr("_rels/.rels", ROOT_RELS)
        self._zip.writestr("xl/workbook.xml", (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_REL}"><bookViews><workbookView/></bookViews><sheets>'
            + "".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(names, start=1))
            + "</sheets></workbook>"))
        self._zip.writestr("xl/_rels/workbook.xml.rels", (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="rId{n}" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                      for n in numbers)
            + f'<Relationship Id="rId{len(numbers) + 1}" Type="{_DOC_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"))
        self._zip.writestr("xl/styles.xml", STYLES)
        self._zip.close()

    def abort(self) -> None:
        """A failed write: nothing left open (the package is incomplete)."""
        self.closed = True
        if self._out is not None:
            self._out.close()
        self._zip.close()


class StreamedSheet(Generic[R]):
    """A one-sheet .xlsx at ``path`` written as the rows come: optional preamble lines, the bold frozen header,
    then records (``append``) or rows of values in column order (``append_values``); ``close`` (or the end of a
    ``with``) writes the rest of the package. ``SheetWriter``'s interface, without openpyxl."""

    def __init__(self, path: Path | str, title: str, columns: Sequence[Column[R]], tz: ZoneInfo,
                 preamble: Iterable[Sequence[Any]] = ()) -> None:
        self.title = clean_text(title)
        self._getters = [column.value for column in columns]
        self._makers = [(get_column_letter(i), _cell_maker(c, tz)) for i, c in enumerate(columns, start=1)]
        self._package = Package(path)
        lines = [list(line) for line in preamble]
        self._package.begin_sheet(title, {i: c.width for i, c in enumerate(columns, start=1)}, len(lines) + 1)
        for line in lines:
            self._package.values(line)
        self._package.header(c.header for c in columns)
        self.rows = 0

    def append(self, record: R) -> None:
        """One record, each cell from its column's getter."""
        self.append_values([get(record) for get in self._getters])

    def append_values(self, values: Sequence[Any]) -> None:
        """One row whose values are already in column order."""
        r = self._package.row()
        self._package.write(f'<row r="{r}">' + "".join([
            make(letter + r, v) for (letter, make), v in zip(self._makers, values, strict=True)
            if v is not None]) + "</row>")
        self.rows += 1

    def close(self) -> None:
        """The sheet's end and the package's other parts; the file is complete after this."""
        self._package.close()

    def __enter__(self) -> StreamedSheet[R]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:  # a failed export leaves no half-written package open
            self._package.abort()
