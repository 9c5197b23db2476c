"""The Excel kit (services/kit/excel.py): a sheet from column specs (bold frozen header, widths, real datetimes in
the district's time zone with their format, text Excel cannot hold cleaned), and an uploaded workbook read back
into typed values with every bad cell reported in Chinese."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook

from services.kit.excel import (
    DATETIME_FORMAT,
    CellError,
    Column,
    Kind,
    SheetWriter,
    clean_text,
    new_workbook,
    read_rows,
    save,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS: tuple[Column[tuple[Any, ...]], ...] = (
    Column("编号", itemgetter(0), width=20),
    Column("时间", itemgetter(1), Kind.DATETIME, width=17),
    Column("数量", itemgetter(2), Kind.INTEGER, width=8),
)


def test_a_sheet_has_a_bold_frozen_header_widths_and_shanghai_datetimes(tmp_path: Path) -> None:
    workbook = new_workbook()
    sheet = SheetWriter(workbook, "清单", COLUMNS, SHANGHAI, preamble=[("标题行",)])
    sheet.append(("A-1", datetime(2026, 3, 2, 17, 30, tzinfo=UTC), 3))
    sheet.append(("A\x01-\x1b2\t", None, None))  # control characters: dropped, tab kept
    save(workbook, tmp_path / "out.xlsx")

    ws = load_workbook(tmp_path / "out.xlsx").active
    assert ws.title == "清单" and ws.freeze_panes == "A3"  # below the preamble and the header
    assert [c.value for c in ws[2]] == ["编号", "时间", "数量"] and all(c.font.b for c in ws[2])
    assert (ws.column_dimensions["A"].width, ws.column_dimensions["B"].width) == (20, 17)
    when = ws["B3"]
    assert when.value == datetime(2026, 3, 3, 1, 30) and when.is_date and when.number_format == DATETIME_FORMAT
    assert ws["A4"].value == "A-2\t" and ws["B4"].value is None
    assert sheet.rows == 2


def test_clean_text_drops_only_what_an_xlsx_cannot_hold() -> None:
    assert clean_text("\x00a\x08b\x0bc\x1fd") == "abcd"
    assert clean_text("行1\n行2\r\t完") == "行1\n行2\r\t完"


def upload(*rows: tuple[Any, ...]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def test_reading_types_every_cell_and_reports_every_bad_one() -> None:
    columns = (Column[Any]("企业名称", required=True, key="name"), Column[Any]("联系电话", key="phone"),
               Column[Any]("人数", kind=Kind.INTEGER, key="staff"),
               Column[Any]("成立日期", kind=Kind.DATE, key="founded"),
               Column[Any]("提交时间", kind=Kind.DATETIME, key="at"),
               Column[Any]("金额", kind=Kind.NUMBER, key="amount"))
    data = upload(
        ("企业名称", "联系电话", "人数", "成立日期", "提交时间", "金额", "备注（不读）"),
        ("大连示例进出口有限公司", 13800138000, 12, date(2020, 5, 1), datetime(2026, 3, 3, 9, 30), 12.5, "x"),
        ("", "0411-1234", "十二", "2020-13-01", "昨天", "很多", None),
        (None, None, None, None, None, None, None),  # a blank row: skipped
        ("辽宁单人贸易有限公司", None, "7", "2021/06/30", "2026-03-04 08:00", "3", None),
    )
    found = read_rows(data, columns, tz=SHANGHAI)
    assert found.rows == [
        {"name": "大连示例进出口有限公司", "phone": "13800138000", "staff": 12, "founded": date(2020, 5, 1),
         "at": datetime(2026, 3, 3, 9, 30, tzinfo=SHANGHAI), "amount": 12.5},
        {"name": "辽宁单人贸易有限公司", "phone": None, "staff": 7, "founded": date(2021, 6, 30),
         "at": datetime(2026, 3, 4, 8, 0, tzinfo=SHANGHAI), "amount": 3.0},
    ]
    assert found.row_numbers == [2, 5]
    assert found.errors == [
        CellError(3, "企业名称", "必填"), CellError(3, "人数", "应为整数"),
        CellError(3, "成立日期", "应为日期（年-月-日）"), CellError(3, "提交时间", "应为日期时间（年-月-日 时:分）"),
        CellError(3, "金额", "应为数字"),
    ]


def test_reading_a_file_without_a_column_or_not_a_workbook() -> None:
    found = read_rows(upload(("企业名称",), ("甲",)), (Column[Any]("企业名称"), Column[Any]("人数")), tz=SHANGHAI)
    assert found.rows == [] and found.errors == [CellError(1, "人数", "缺少此列")]
    with pytest.raises(ValueError, match="无法读取文件"):
        read_rows(b"not a workbook", (Column[Any]("企业名称"),), tz=SHANGHAI)


def test_a_boolean_is_typed_apart_from_the_number_it_equals() -> None:
    """The typer remembers each distinct cell: TRUE (equal to 1.0 in Python) must not borrow 1.0's integer."""
    columns = (Column[Any]("人数", kind=Kind.INTEGER, key="staff"),)
    found = read_rows(upload(("人数",), (1,), (True,), (1.0,)), columns, tz=SHANGHAI)
    assert found.rows == [{"staff": 1}, {"staff": 1}]
    assert found.errors == [CellError(3, "人数", "应为整数")]


def test_a_number_must_be_finite_and_an_integer_short_enough_to_keep() -> None:
    columns = (Column[Any]("人数", kind=Kind.INTEGER, key="staff"), Column[Any]("金额", kind=Kind.NUMBER, key="amount"))
    found = read_rows(upload(("人数", "金额"), ("1" * 19, "1e999"), ("-" + "9" * 18, "nan"), ("7", "-2.5")), columns,
                      tz=SHANGHAI)
    assert found.rows == [{"staff": 7, "amount": -2.5}]
    assert found.errors == [CellError(2, "人数", "应为整数"), CellError(2, "金额", "应为数字"),
                            CellError(3, "金额", "应为数字")]
