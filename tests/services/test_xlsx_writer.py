"""The streamed .xlsx writer (services/kit/xlsx_writer.py) makes a valid workbook: openpyxl and python-calamine both
read back what was written — Chinese text, numbers, dates and times (in the district's time zone), XML's markup
characters, a cell whose control characters are dropped by the kit's rule — with the bold frozen header, widths
and number formats of the kit's ``SheetWriter``, and the same cell values as it for the same rows."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from services.kit.excel import DATE_FORMAT, DATETIME_FORMAT, Column, Kind, SheetWriter, new_workbook, save
from services.kit.xlsx_writer import StreamedSheet, serial

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS: tuple[Column[tuple[Any, ...]], ...] = (
    Column("商品名称", itemgetter(0), width=20),
    Column("申报日期", itemgetter(1), Kind.DATE, width=12),
    Column("时间", itemgetter(2), Kind.DATETIME, width=17),
    Column("数量", itemgetter(3), Kind.NUMBER, width=8),
    Column("项号", itemgetter(4), Kind.INTEGER, width=6),
)
ROWS = [
    ("深沟球轴承 SKF 6205-2RS", date(2026, 3, 2), datetime(2026, 3, 2, 17, 30, tzinfo=UTC), Decimal("12.50000"), 1),
    ("A\x01-\x1b2\t<b>&amp;\r\n", None, None, 0.1, -3),  # control characters dropped, markup kept as text
    (" 前后空格 ", date(1900, 1, 1), datetime(2026, 1, 1, 0, 0, 59, tzinfo=SHANGHAI), 1e-7, None),
    ("", date(2026, 12, 31), None, None, 0),
]
EXPECTED = [
    ["深沟球轴承 SKF 6205-2RS", datetime(2026, 3, 2), datetime(2026, 3, 3, 1, 30), 12.5, 1],
    ["A-2\t<b>&amp;\r\n", None, None, 0.1, -3],
    [" 前后空格 ", datetime(1900, 1, 1), datetime(2026, 1, 1, 0, 0, 59), 1e-7, None],
    [None, datetime(2026, 12, 31), None, None, 0],
]


def write(path: Path, rows: list[tuple[Any, ...]] = ROWS, **options: Any) -> StreamedSheet[tuple[Any, ...]]:
    with StreamedSheet(path, "规范申报库", COLUMNS, SHANGHAI, **options) as sheet:
        for row in rows:
            sheet.append(row)
    return sheet


def test_openpyxl_reads_back_values_header_widths_and_formats(tmp_path: Path) -> None:
    sheet = write(tmp_path / "out.xlsx", preamble=[("导出条件：全部", 3)])
    assert sheet.rows == 4
    ws = load_workbook(tmp_path / "out.xlsx").active
    assert ws.title == "规范申报库" and ws.freeze_panes == "A3"  # below the preamble and the header
    assert [c.value for c in ws[1]][:2] == ["导出条件：全部", 3]
    assert [c.value for c in ws[2]] == [c.header for c in COLUMNS] and all(c.font.b for c in ws[2])
    assert [ws.column_dimensions[letter].width for letter in "ABCDE"] == [20, 12, 17, 8, 6]
    assert [[c.value for c in line] for line in ws.iter_rows(min_row=3, max_col=5)] == EXPECTED
    assert ws["B3"].is_date and ws["B3"].number_format == DATE_FORMAT
    assert ws["C3"].is_date and ws["C3"].number_format == DATETIME_FORMAT
    assert not ws["A3"].font.b


def test_python_calamine_reads_back_the_same(tmp_path: Path) -> None:
    write(tmp_path / "out.xlsx")
    lines = CalamineWorkbook.from_path(str(tmp_path / "out.xlsx")).get_sheet_by_name("规范申报库").to_python()
    assert lines[0] == [c.header for c in COLUMNS]
    assert lines[1] == ["深沟球轴承 SKF 6205-2RS", date(2026, 3, 2), datetime(2026, 3, 3, 1, 30), 12.5, 1.0]
    assert lines[2] == ["A-2\t<b>&amp;\r\n", "", "", 0.1, -3.0]
    assert lines[3][0] == " 前后空格 " and lines[3][2] == datetime(2026, 1, 1, 0, 0, 59) and lines[3][3] == 1e-7
    assert lines[4] == ["", date(2026, 12, 31), "", "", 0.0]


def test_the_same_cells_as_the_openpyxl_sheet_writer(tmp_path: Path) -> None:
    rows = [(f"货物{n}", date(2026, 1, 1 + n % 28), datetime(2026, 1, 1, n % 24, tzinfo=UTC), n / 4, n)
            for n in range(300)]
    workbook = new_workbook()
    kit = SheetWriter(workbook, "规范申报库", COLUMNS, SHANGHAI)
    for row in rows:
        kit.append(row)
    save(workbook, tmp_path / "openpyxl.xlsx")
    write(tmp_path / "streamed.xlsx", rows)

    def cells(name: str) -> list[list[Any]]:
        return [list(line) for line in load_workbook(tmp_path / name).active.iter_rows(values_only=True)]
    assert cells("streamed.xlsx") == cells("openpyxl.xlsx")


def test_the_package_holds_the_parts_excel_needs(tmp_path: Path) -> None:
    write(tmp_path / "out.xlsx")
    with zipfile.ZipFile(tmp_path / "out.xlsx") as package:
        assert package.testzip() is None
        assert sorted(package.namelist()) == ["[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels",
                                              "xl/styles.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]


def test_a_failed_export_leaves_the_file_closed(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), StreamedSheet(tmp_path / "out.xlsx", "清单", COLUMNS, SHANGHAI) as sheet:
        sheet.append(ROWS[0])
        raise RuntimeError("the database went away")
    assert zipfile.is_zipfile(tmp_path / "out.xlsx")


@pytest.mark.parametrize(("value", "expected"), [
    (date(1899, 12, 31), 0), (date(1900, 1, 1), 1), (date(1900, 2, 28), 59), (date(1900, 3, 1), 61),
    (date(2026, 3, 2), 46083),     (datetime(2026, 3, 2, 12), 46083.5),
])
def test_excel_serials(value: date, expected: float) -> None:
    assert serial(value) == expected
