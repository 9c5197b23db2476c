"""The import template: one row per goods item under ``imports.HEADERS``, a drop-down list on every row of each
coded column (openpyxl data validation referencing a hidden sheet of "代码 名称" lines, as the library's template
does; the parser takes the code before the space), the kinds as an inline list, an example declaration and a
sheet of instructions."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.db import connection
from models.declarations import DeclarationKind
from models.library import CodeItem, CodeTable
from services.declarations import labels as L
from services.declarations.imports_rows import COLUMNS
from services.library.template import CODES_SHEET, LAST_ROW

WIDTH = 16


async def import_template() -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    sheet = book.create_sheet("报关单")
    sheet.append([column.header for column in COLUMNS])
    bold = Font(bold=True)
    for index in range(1, len(COLUMNS) + 1):
        sheet.cell(row=1, column=index).font = bold
        sheet.column_dimensions[get_column_letter(index)].width = WIDTH
    sheet.freeze_panes = "C2"
    codes = book.create_sheet(CODES_SHEET)
    codes.sheet_state = "hidden"
    wanted = sorted({column.spec.table for column in COLUMNS if column.spec and column.spec.table})
    tables = {t.code: t for t in await CodeTable.filter(code__in=wanted).using_db(connection())}
    lists: dict[str, str] = {}
    for n, table_code in enumerate(wanted, start=1):
        table = tables.get(table_code)
        rows = await CodeItem.filter(table_id=table.id).using_db(connection()).order_by("sort", "code") \
            .values_list("code", "name") if table else []
        letter = get_column_letter(n)
        codes.cell(row=1, column=n, value=table.name if table else table_code)
        for row, (code, name) in enumerate(rows, start=2):
            codes.cell(row=row, column=n, value=f"{code} {name}")
        lists[table_code] = f"'{CODES_SHEET}'!${letter}$2:${letter}${max(len(rows) + 1, 2)}"
    kinds = '"' + ",".join(kind.label for kind in DeclarationKind) + '"'
    for index, column in enumerate(COLUMNS, start=1):
        formula = kinds if column.part == "kind" else lists.get(column.spec.table) if column.spec else None
        if formula:
            letter = get_column_letter(index)
            check = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
            check.add(f"{letter}2:{letter}{LAST_ROW}")
            sheet.add_data_validation(check)
    notes = book.create_sheet("填写说明")
    for line in L.IMPORT_INSTRUCTIONS:
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
