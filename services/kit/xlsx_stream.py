"""A streaming reader of an .xlsx workbook's first sheet: one row at a time from the sheet's XML, so memory stays
flat however many rows the file has (python-calamine materialises the whole sheet first: ~380 MB for a 15 MB
file of 100,000 rows × 25 columns).

The zip's sheet XML is parsed with the standard library's expat-backed ``iterparse``; each ``<row>`` is turned
into its cell values and dropped. Values as python-calamine gives them: shared and inline strings as ``str``,
numbers as ``float``, booleans as ``bool``, numbers in a date format as ``date`` (a whole day) or ``datetime``,
errors as their text (``#N/A``), missing cells as ``""``. The shared strings table is held (Excel stores each
distinct text once). Pure apart from reading the file.
"""

from __future__ import annotations

import codecs
import html
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, fromstring, iterparse

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_C, _V, _IS, _T, _R, _ROW, _SHEET_DATA = (f"{_MAIN}{tag}" for tag in ("c", "v", "is", "t", "r", "row", "sheetData"))
# Excel's built-in number formats that show a date or time
_DATE_FORMATS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_EPOCH = datetime(1899, 12, 30)
_COLUMN = re.compile(r"[A-Z]+")
CHUNK = 1 << 20  # bytes of the sheet's XML read at once


def _column_index(ref: str) -> int:
    letters = _COLUMN.match(ref)
    index = 0
    for char in letters.group(0) if letters else "A":
        index = index * 26 + ord(char) - 64
    return index - 1


def _first_sheet(book: zipfile.ZipFile) -> str:
    with book.open("xl/workbook.xml") as f:
        sheet = next((e for _, e in iterparse(f) if e.tag == f"{_MAIN}sheet"), None)
    if sheet is None:
        raise ValueError("no sheet")
    rel_id = sheet.get(f"{_REL}id")
    with book.open("xl/_rels/workbook.xml.rels") as f:
        for _, rel in iterparse(f):
            if rel.tag == f"{_PKG_REL}Relationship" and rel.get("Id") == rel_id:
                target = rel.get("Target", "")
                return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise ValueError("no sheet")


def _text_of(item: Element) -> str:
    """The text of a shared or inline string: its ``<t>`` or its runs' ``<t>`` (phonetic runs left out)."""
    direct = item.find(_T)
    if direct is not None:
        return direct.text or ""
    return "".join(t.text or "" for run in item.iter(_R) for t in run.iter(_T))


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    found = []
    with book.open("xl/sharedStrings.xml") as f:
        for _, item in iterparse(f):
            if item.tag == f"{_MAIN}si":
                found.append(_text_of(item))
                item.clear()
    return found


def _date_styles(book: zipfile.ZipFile) -> frozenset[int]:
    """The indexes of the cell styles (``s``) whose number format shows a date."""
    if "xl/styles.xml" not in book.namelist():
        return frozenset()
    custom: dict[int, bool] = {}
    styles: list[int] = []
    with book.open("xl/styles.xml") as f:
        inside_cell_xfs = False
        for event, element in iterparse(f, events=("start", "end")):
            if element.tag == f"{_MAIN}cellXfs":
                inside_cell_xfs = event == "start"
            elif event == "end" and element.tag == f"{_MAIN}numFmt":
                code = _QUOTED.sub("", element.get("formatCode", "")).lower()
                custom[int(element.get("numFmtId", "0"))] = any(ch in code for ch in "dmyhs")
            elif event == "start" and inside_cell_xfs and element.tag == f"{_MAIN}xf":
                styles.append(int(element.get("numFmtId", "0")))
    return frozenset(i for i, fmt in enumerate(styles) if custom.get(fmt, fmt in _DATE_FORMATS))


def _as_date(serial: float) -> date | datetime:
    moment = _EPOCH + timedelta(milliseconds=round(serial * 86_400_000))  # a float day: round off its noise
    return moment.date() if serial.is_integer() else moment


def _dimension(book: zipfile.ZipFile, path: str) -> tuple[int, int]:
    """The sheet's (height, width) from its ``<dimension ref="A1:Y100001">`` (0, 0 when it has none)."""
    with book.open(path) as f:
        head = f.read(4096).decode("utf-8", "replace")
    found = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+\d+:([A-Z]+)(\d+)"', head)
    return (int(found.group(2)), _column_index(found.group(1)) + 1) if found else (0, 0)


def stream_sheet(source: str | IO[bytes], chunk: int = CHUNK) -> tuple[int, Iterator[tuple[int, list[Any]]]]:
    """The first sheet's height and its rows as (Excel row number, cell values); ValueError when it is no
    workbook. Rows absent from the file (never written) are not yielded."""
    try:
        book = zipfile.ZipFile(source)
        path = _first_sheet(book)
        shared, dates = _shared_strings(book), _date_styles(book)
        height, width = _dimension(book, path)
    except (zipfile.BadZipFile, KeyError, OSError, ParseError, StopIteration) as exc:
        raise ValueError(str(exc)) from exc
    return height, _rows(book, path, shared, dates, width, chunk)


def _rows(book: zipfile.ZipFile, path: str, shared: list[str], dates: frozenset[int],
          width: int, chunk: int) -> Iterator[tuple[int, list[Any]]]:
    with book.open(path) as f:
        prefixed = b":sheetData" in f.read(4096)  # a namespace prefix (x:row …): the general parser
    try:
        if prefixed:
            yield from _parse(book, path, shared, dates, width)
        else:
            yield from _scan(book, path, shared, dates, width, chunk)
    except (ParseError, zipfile.BadZipFile, OSError, IndexError, ValueError) as exc:  # broken further down
        raise ValueError(str(exc)) from exc


_ROW_NUMBER = re.compile(r'\br="(\d+)"')
# a cell as Excel and openpyxl write it: r first, then s and t in either order
# and its value as a plain <v> or a plain inline string captured at once (anything else: the last group)
_CELL_TEXT = re.compile(r'<c r="([A-Z]+)\d+"(?: s="(\d+)")?(?: t="(\w+)")?(?: s="(\d+)")?[^>]*?'
                        r'(?:/>|>(?:<v>([^<]*)</v>|<is><t>([^<]*)</t></is>|(.*?))</c>)', re.S)
_V_TEXT = re.compile(r"<v>(.*?)</v>", re.S)
_T_TEXT = re.compile(r"<t(?: [^>]*)?>(.*?)</t>", re.S)


def _scan(book: zipfile.ZipFile, path: str, shared: list[str], dates: frozenset[int],
          width: int, size: int) -> Iterator[tuple[int, list[Any]]]:
    """The fast path: the sheet's text read in chunks, its rows found by ``str.find`` and their cells matched by a
    regular expression within the row's bounds (no copy of the row's text); a row whose cells do not all match the
    common shape goes through the XML parser."""
    columns: dict[str, int] = {}
    decoder = codecs.getincrementaldecoder("utf-8")()
    rest, number = "", 0
    with book, book.open(path) as f:
        while True:
            chunk = f.read(size)
            text = rest + decoder.decode(chunk, final=not chunk)
            last = text.rfind("</row>")
            end = len(text) if not chunk else last + len("</row>") if last >= 0 else 0
            for found, start, stop in _row_bounds(text, end, number):
                number, cells = found, _CELL_TEXT.findall(text, start, stop)
                if len(cells) != text.count("<c", start, stop):
                    line = _parsed_row(text[start:stop], shared, dates, width)
                elif cells and cells[0][0] == "A" and cells[-1][0] == _letters(len(cells)):  # A, B, C … no gap
                    line = [c[5] if c[2] == "inlineStr" and not c[6] and "&" not in c[5]
                            else shared[int(c[4])] if c[2] == "s" and c[4] else _cell(c, shared, dates)
                            for c in cells]
                    line.extend([""] * (width - len(line)))
                else:
                    line = [""] * width
                    for cell in cells:
                        index = columns.get(cell[0])
                        if index is None:
                            index = columns[cell[0]] = _column_index(cell[0])
                        if index >= len(line):
                            line.extend([""] * (index + 1 - len(line)))
                        line[index] = _cell(cell, shared, dates)
                yield number, line
            if not chunk:
                return
            rest = text[end:]


def _row_bounds(text: str, end: int, number: int) -> Iterator[tuple[int, int, int]]:
    """Each ``<row>`` of ``text[:end]``: its number (its ``r``, else the one after the previous row) and where its
    cells start and stop (equal for an empty ``<row/>``)."""
    find, position = text.find, 0
    while (start := find("<row", position, end)) >= 0:
        close = find(">", start, end)
        if close < 0:
            return
        position = close + 1
        if text[start + 4] not in " \t\r\n>/":  # another tag: <rowBreaks> …
            continue
        found = _ROW_NUMBER.search(text, start, close)
        number = int(found.group(1)) if found else number + 1
        if text[close - 1] == "/":
            yield number, close, close
            continue
        stop = find("</row>", close, end)
        if stop < 0:
            return
        position = stop + len("</row>")
        yield number, close + 1, stop


@lru_cache(maxsize=1024)
def _letters(count: int) -> str:
    """The letters of the ``count``-th column (1: A, 27: AA)."""
    letters = ""
    while count:
        count, rest = divmod(count - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(cell: tuple[str, ...], shared: list[str], dates: frozenset[int]) -> Any:
    """One cell matched by ``_CELL_TEXT``: (letters, s, t, s, plain v, plain inline text, other content)."""
    _, s1, kind, s2, v, inline, other = cell
    if other:
        return _text_value(kind, s1 or s2, other, shared, dates)
    if kind == "s":
        return shared[int(v)]
    if kind == "inlineStr":
        return _unescape(inline)
    if kind in ("", "n") and v:
        style = s1 or s2
        return _as_date(float(v)) if style and int(style) in dates else float(v)
    return _text_value(kind, s1 or s2, f"<v>{v}</v>" if v else "", shared, dates)


def _text_value(kind: str, style: str, inner: str, shared: list[str], dates: frozenset[int]) -> Any:
    if kind == "inlineStr":
        return _unescape("".join(_T_TEXT.findall(inner)))
    found = _V_TEXT.search(inner) if inner else None
    if found is None:
        return ""
    text = found.group(1)
    if kind == "s":
        return shared[int(text)]
    if kind in ("str", "e"):
        return _unescape(text)
    if kind == "b":
        return text == "1"
    number = float(text)
    return _as_date(number) if style and int(style) in dates else number


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text  # the five XML entities and character references


def _parsed_row(body: str, shared: list[str], dates: frozenset[int], width: int) -> list[Any]:
    row = fromstring(f'<row xmlns="{_MAIN[1:-1]}">{body}</row>')
    line: list[Any] = [""] * width
    for position, cell in enumerate(row.iter(_C)):
        ref = cell.get("r")
        index = _column_index(ref) if ref else position
        if index >= len(line):
            line.extend([""] * (index + 1 - len(line)))
        line[index] = _value(cell, shared, dates)
    return line


def _parse(book: zipfile.ZipFile, path: str, shared: list[str], dates: frozenset[int],
           width: int) -> Iterator[tuple[int, list[Any]]]:
    with book, book.open(path) as f:
        sheet_data: Element | None = None  # emptied after each row: nothing read stays in memory
        number = 0
        for event, element in iterparse(f, events=("start", "end")):
            if event == "start":
                if element.tag == _SHEET_DATA:
                    sheet_data = element
                continue
            if element.tag != _ROW:
                continue
            number = int(element.get("r") or number + 1)
            line: list[Any] = [""] * width
            for position, cell in enumerate(element.iter(_C)):
                ref = cell.get("r")
                index = _column_index(ref) if ref else position
                if index >= len(line):
                    line.extend([""] * (index + 1 - len(line)))
                line[index] = _value(cell, shared, dates)
            if sheet_data is not None:
                sheet_data.clear()
            yield number, line


def _value(cell: Element, shared: list[str], dates: frozenset[int]) -> Any:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        item = cell.find(_IS)
        return _text_of(item) if item is not None else ""
    v = cell.find(_V)
    text = v.text if v is not None else None
    if text is None:
        return ""
    if kind == "s":
        return shared[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    number = float(text)
    style = cell.get("s")
    return _as_date(number) if style is not None and int(style) in dates else number
