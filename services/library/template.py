"""The upload template: the 25 columns with a drop-down list from the code tables on every row of each coded
column (openpyxl data validation referencing a hidden sheet of "代码 名称" lines; the reader takes the code before
the space), I/E and 审核结论 as inline lists, and a sheet of instructions."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from models.library import CodeItem, CodeTable
from services.library.columns import CODED, COLUMNS, CONCLUSION_VALUES, HEADERS, IE_VALUES

LAST_ROW = 1048576  # every row of the sheet
CODES_SHEET = "代码表"
INSTRUCTIONS = (
    "填写说明",
    "1. 每行一个商品项（海关编号 + 项号）；同一文件中不得重复。",
    "2. 代码列可从下拉列表选择（“代码 名称”），也可只填代码。",
    "3. 规格型号按商品目录的申报要素顺序以“|”分隔，如“0|3|深沟球|SKF|6205-2RS|||”。",
    "4. 审核数据须填写审核结论（规范/不规范），不规范时须填写审核意见；申报数据这两列留空。",
    "5. 上传后有误的行将列入“错误数据”文件，修改后只需重新上传该文件。",
)


async def template_workbook() -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    sheet = book.create_sheet("数据")
    sheet.append([column.header for column in COLUMNS])
    bold = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=index).font = bold
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    codes = book.create_sheet(CODES_SHEET)
    codes.sheet_state = "hidden"
    tables = {t.code: t for t in await CodeTable.all()}
    lists: dict[str, str] = {}
    for n, table_code in enumerate(sorted(set(CODED.values())), start=1):
        table = tables.get(table_code)
        items = await CodeItem.filter(table_id=table.id).order_by("sort", "code") if table else []
        letter = get_column_letter(n)
        codes.cell(row=1, column=n, value=table.name if table else table_code)
        for row, item in enumerate(items, start=2):
            codes.cell(row=row, column=n, value=f"{item.code} {item.name}")
        lists[table_code] = f"'{CODES_SHEET}'!${letter}$2:${letter}${max(len(items) + 1, 2)}"
    keys = list(HEADERS)
    for key, formula in [*((k, lists[t]) for k, t in CODED.items()),
                         ("ie_flag", '"' + ",".join(IE_VALUES) + '"'),
                         ("conclusion", '"' + ",".join(CONCLUSION_VALUES) + '"')]:
        letter = get_column_letter(keys.index(key) + 1)
        check = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
        check.add(f"{letter}2:{letter}{LAST_ROW}")
        sheet.add_data_validation(check)
    notes = book.create_sheet("填写说明")
    for line in INSTRUCTIONS:
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
