"""The annotated error workbook (services/kit/annotated_sheet.py): the refused rows' cells as they were read — a
date, a time, a number, a boolean, text whose control characters Excel cannot hold are dropped — with exactly the
bad cells highlighted (an empty one too), the bold frozen header plus 原行号 and the error column, and the 错误报告
sheet; read back by openpyxl, by python-calamine (the report the upload pages show) and by the kit's own reader (a
fixed workbook is uploaded again: 错误数据 is its first sheet)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from services.kit.annotated_sheet import AnnotatedSheet
from services.kit.excel import DATE_FORMAT, DATETIME_FORMAT, CellError, sheet_lines

HEADERS = ["商品名称", "申报日期", "成交数量", "是否包装", "申报时间"]
FILL = "FFFFC7CE"
FIRST = [CellError(2, "成交数量", "应为整数")]
SECOND = [CellError(5, "商品名称", "必填"), CellError(5, "", "本报关单其他行有错误")]


def written(path: Path) -> Path:
    sheet = AnnotatedSheet(HEADERS, "错误原因")
    sheet.append(2, ["轴承\x01<6205>&", date(2026, 3, 2), 12.5, True, datetime(2026, 3, 2, 17, 30)], FIRST)
    sheet.append(5, ["", date(1999, 12, 31), 3.0, False], SECOND)  # a short line: the rest is empty
    sheet.save(path, [*FIRST, *SECOND])
    assert sheet.rows == 2
    return path


def test_openpyxl_reads_back_values_highlights_header_and_report(tmp_path: Path) -> None:
    book = load_workbook(written(tmp_path / "errors.xlsx"))
    assert book.sheetnames == ["错误数据", "错误报告"]
    sheet = book["错误数据"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        [*HEADERS, "原行号", "错误原因"],
        ["轴承<6205>&", datetime(2026, 3, 2), 12.5, True, datetime(2026, 3, 2, 17, 30), 2, "成交数量：应为整数"],
        [None, datetime(1999, 12, 31), 3, False, None, 5, "商品名称：必填；本报关单其他行有错误"],
    ]
    assert all(c.font.b for c in sheet[1]) and not any(c.font.b for c in sheet[2])
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["G"].width == 60
    assert sheet["B2"].number_format == DATE_FORMAT and sheet["E2"].number_format == DATETIME_FORMAT
    marked = {c.coordinate for row in sheet.iter_rows() for c in row if c.fill.fgColor.rgb == FILL}
    assert marked == {"C2", "A3"}
    assert sheet["C2"].fill.fill_type == "solid"
    assert [[c.value for c in row] for row in book["错误报告"].iter_rows()] == [
        ["行号", "列", "原因"], [2, "成交数量", "应为整数"], [5, "商品名称", "必填"], [5, None, "本报关单其他行有错误"]]


def test_python_calamine_reads_the_report_and_the_rows(tmp_path: Path) -> None:
    book = CalamineWorkbook.from_path(str(written(tmp_path / "errors.xlsx")))
    assert book.get_sheet_by_name(AnnotatedSheet.REPORT_SHEET).to_python() == [
        ["行号", "列", "原因"], [2.0, "成交数量", "应为整数"], [5.0, "商品名称", "必填"],
        [5.0, "", "本报关单其他行有错误"]]
    assert book.get_sheet_by_index(0).to_python()[1] == [
        "轴承<6205>&", date(2026, 3, 2), 12.5, True, datetime(2026, 3, 2, 17, 30), 2.0, "成交数量：应为整数"]


def test_the_kits_reader_reads_the_rows_back_as_the_first_sheet(tmp_path: Path) -> None:
    _, lines = sheet_lines(written(tmp_path / "errors.xlsx"))
    assert list(lines) == [
        (1, [*HEADERS, "原行号", "错误原因"]),
        (2, ["轴承<6205>&", date(2026, 3, 2), 12.5, True, datetime(2026, 3, 2, 17, 30), 2.0, "成交数量：应为整数"]),
        (3, ["", date(1999, 12, 31), 3.0, False, "", 5.0, "商品名称：必填；本报关单其他行有错误"]),
    ]


def test_without_errors_there_is_no_report_sheet(tmp_path: Path) -> None:
    sheet = AnnotatedSheet(HEADERS, "错误原因")
    sheet.save(tmp_path / "errors.xlsx")
    assert load_workbook(tmp_path / "errors.xlsx").sheetnames == ["错误数据"]
