"""The streaming sheet reader gives the values python-calamine gives (the reader it replaced), row by row, for
every kind of cell; rows never written are not yielded; a broken file is a ValueError. The Excel kit's held
reader (python-calamine) numbers and places the cells the same way."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from python_calamine import CalamineWorkbook

from services.kit.excel import sheet_lines
from services.kit.xlsx_stream import stream_sheet


def book_bytes() -> bytes:
    book = Workbook()
    book.create_sheet("第二张").append(["不读"])
    sheet = book.active
    sheet.append(["海关编号", "项号", "日期", "时间", "是否", "空", "数量", "富文本"])
    sheet.append(["090120260000000001", 1, date(2026, 3, 2), datetime(2026, 3, 2, 9, 30), True, None, 12.5,
                  CellRichText("深沟", TextBlock(InlineFont(b=True), "球轴承"))])
    sheet.append([])
    sheet.append(["x", "一", "2026-13-40", None, False, "", 0, "=1/0"])
    sheet["J7"] = "远处"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_values_match_python_calamine_row_by_row() -> None:
    data = book_bytes()
    calamine = list(CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).iter_rows())
    height, rows = stream_sheet(io.BytesIO(data))
    found = list(rows)

    assert height == 7 and [n for n, _ in found] == [1, 2, 4, 7]
    assert [line for _, line in found] == [calamine[n - 1] for n, _ in found]
    assert found[1][1][:5] == ["090120260000000001", 1.0, date(2026, 3, 2), datetime(2026, 3, 2, 9, 30), True]
    assert found[1][1][7] == "深沟球轴承"


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 truncated", b"not a zip at all"])
def test_a_broken_file_is_a_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        stream_sheet(io.BytesIO(data))


def test_rows_split_across_chunks_read_the_same() -> None:
    """Tiny chunks: every row straddles a chunk boundary (and a character its bytes)."""
    data = book_bytes()
    whole = list(stream_sheet(io.BytesIO(data))[1])
    assert list(stream_sheet(io.BytesIO(data), chunk=7)[1]) == whole


def offset_book_bytes() -> bytes:
    """Data from C3 on: the used range does not start at A1."""
    book = Workbook()
    sheet = book.active
    sheet["C3"], sheet["D3"], sheet["C5"], sheet["E5"] = "表头", "数量", "值", 7
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("make", [book_bytes, offset_book_bytes])
def test_the_held_reader_gives_the_streamed_rows(make: Callable[[], bytes]) -> None:
    """``sheet_lines(held=True)`` (python-calamine, the sheet held) numbers and places every cell as the streaming
    reader does; it may add blank rows, which readers skip."""
    data = make()
    height, streamed = sheet_lines(data)
    held_height, held = sheet_lines(data, held=True)
    rows = {n: line for n, line in held if any(c not in ("", None) for c in line)}
    assert held_height == height
    assert rows == {n: line for n, line in streamed if any(c not in ("", None) for c in line)}


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 truncated", b"not a zip at all"])
def test_the_held_reader_refuses_a_broken_file(data: bytes) -> None:
    with pytest.raises(ValueError, match="Excel"):
        sheet_lines(data, held=True)
