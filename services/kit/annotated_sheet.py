"""The annotated error workbook of an upload: the rows a reader refused, as a workbook the user fixes and uploads
again. Sheet 错误数据 (the first: the upload's reader reads it back) holds the original header (bold, frozen) plus
原行号 and an error column, then each refused row's cells as they were read — text, numbers, dates, booleans — with
the bad cells highlighted; sheet 错误报告 lists every error (行号, 列, 原因).

Written by the streamed writer (``services.kit.xlsx_writer``): the refused rows go to the zip in a temporary file as
they come (memory flat); ``save`` adds the report and copies the package to its place, so a run that fails before
leaves nothing there.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from services.kit.excel import CellError
from services.kit.xlsx_writer import HIGHLIGHTED, PLAIN, Package, value_cell

MSG_SOURCE_ROW = "原行号"
ERROR_WIDTH = 60  # the error column's width, and the report's reasons'


class AnnotatedSheet:
    """The refused rows (``append``, in the order read), then the workbook (``save``)."""

    SHEET = "错误数据"
    REPORT_SHEET = "错误报告"  # every error of the file, one per line
    REPORT_HEADERS = ("行号", "列", "原因")

    def __init__(self, headers: Sequence[str], error_header: str) -> None:
        self.headers = list(headers)
        # a header's first column, as headers.index finds it
        self._columns = {header: i for i, header in reversed(list(enumerate(self.headers)))}
        self._letters = [get_column_letter(i) for i in range(1, len(self.headers) + 3)]
        # held across calls: closed by save (or, when a run fails before, when collected)
        self._file = tempfile.TemporaryFile()  # noqa: SIM115
        self._package = Package(self._file)
        self._package.begin_sheet(self.SHEET, {len(self.headers) + 2: ERROR_WIDTH}, frozen=1)
        self._package.header([*self.headers, MSG_SOURCE_ROW, error_header])
        self.rows = 0

    def append(self, number: int, line: Sequence[Any], errors: Sequence[CellError]) -> None:
        """One refused row: its Excel row ``number``, its cells as read (the bad ones highlighted) and its errors."""
        bad = {self._columns[e.column] for e in errors if e.column in self._columns}
        r = self._package.row()
        letters, width = self._letters, len(self.headers)
        cells = [value_cell(letters[i] + r, line[i] if i < len(line) else None, HIGHLIGHTED if i in bad else PLAIN)
                 for i in range(width)]
        reasons = "；".join(f"{e.column}：{e.reason}" if e.column else e.reason for e in errors)
        self._package.write(f'<row r="{r}">{"".join(cells)}{value_cell(letters[width] + r, number)}'
                            f"{value_cell(letters[width + 1] + r, reasons)}</row>")
        self.rows += 1

    def save(self, path: Path | str, errors: Sequence[CellError] = ()) -> None:
        """The workbook at ``path``, with a sheet listing ``errors`` when there are any."""
        if errors:
            self._package.begin_sheet(self.REPORT_SHEET, {len(self.REPORT_HEADERS): ERROR_WIDTH}, frozen=1)
            self._package.header(self.REPORT_HEADERS)
            for error in errors:
                self._package.values((error.row, error.column, error.reason))
        self._package.close()
        self._file.seek(0)
        with open(path, "wb") as out:
            shutil.copyfileobj(self._file, out)
        self._file.close()
