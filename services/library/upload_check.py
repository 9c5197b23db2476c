"""Checking an uploaded file of library rows, apart from the database: every row read, typed and checked against a
snapshot of the reference data, the good ones turned into the insert's values in batches, the refused ones (with
all their problems) written to the annotated workbook at the end.

Pure apart from reading the file and writing the annotated workbook, and touching no database: the upload job
runs it in a thread, up to ``uploads.AHEAD`` batches ahead of the one its event loop stores.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from models.errors import ValidationFailed
from models.library import LibrarySource, UploadKind
from services.kit.annotated_sheet import AnnotatedSheet
from services.kit.excel import MSG_NOT_A_WORKBOOK, CellError, RowTyper, sheet_lines
from services.library import labels as L
from services.library.checks import Reference, check_row
from services.library.columns import COLUMNS, HEADERS
from services.library.store import as_json, row_values

BATCH = 2000


@dataclass(frozen=True)
class FileCheck:
    """What checking one file needs."""

    path: Path
    error_path: Path  # where the annotated workbook of the refused rows goes
    kind: UploadKind
    source: LibrarySource
    ref: Reference
    offices: frozenset[str]  # the codes a row's 申报地海关 may have
    today: date
    tz: ZoneInfo
    postgres: bool  # the insert's values as PostgreSQL takes them (else as SQLite does)


@dataclass(frozen=True)
class Batch:
    rows: list[tuple[Any, ...]] | str  # ``store.row_values`` of good rows (PostgreSQL: ``store.as_json`` of them)
    done: int  # rows read so far
    total: int  # rows in the file (below the header)


@dataclass(frozen=True)
class Outcome:
    """The last item: the file's counts (the annotated workbook is written when ``rejected``)."""

    accepted: int
    rejected: int
    errors: int


@dataclass
class _State:
    check: FileCheck
    headers: list[str]
    seen: dict[tuple[str, int], int] = field(default_factory=dict)  # (海关编号, 项号) -> the row first seen on
    errors: list[CellError] = field(default_factory=list)
    annotated: AnnotatedSheet | None = None  # opened at the first refused row
    accepted: int = 0
    rejected: int = 0


def checked_batches(check: FileCheck) -> Generator[Batch | Outcome, None, None]:
    """The file's good rows in batches of ``BATCH``, then its ``Outcome``; ValidationFailed (a Chinese message)
    when the file cannot be read or its headers are wrong."""
    try:
        height, lines = sheet_lines(check.path)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None
    typer = RowTyper.from_lines(lines, COLUMNS, check.tz)
    if typer.missing:
        raise ValidationFailed(L.MSG_WRONG_HEADERS.format(columns="、".join(e.column for e in typer.missing)))
    state = _State(check, typer.headers)
    total = max(height - 1, 0)
    batch: list[tuple[Any, ...]] = []
    try:
        for number, line in lines:
            values, errors = typer.typed(number, line)
            if values is None:
                continue
            row, errors = _checked(state, number, values, errors)
            if row is None:
                state.annotated = state.annotated or AnnotatedSheet(state.headers, L.MSG_ERROR_COLUMN)
                state.annotated.append(number, line, errors)
                continue
            batch.append(row_values(row, check.source, check.postgres))
            if len(batch) >= BATCH:
                yield _batch(check, batch, state, total)
                batch = []
    except ValueError:  # the file is broken further down
        raise ValidationFailed(MSG_NOT_A_WORKBOOK) from None
    if batch:
        yield _batch(check, batch, state, total)
    if state.annotated is not None:
        state.annotated.save(check.error_path, state.errors)
    yield Outcome(state.accepted, state.rejected, len(state.errors))


def _batch(check: FileCheck, rows: list[tuple[Any, ...]], state: _State, total: int) -> Batch:
    """The batch as the insert takes it (PostgreSQL's JSON made here, in the checking thread: the event loop only
    sends it)."""
    return Batch(as_json(rows) if check.postgres else rows, state.accepted + state.rejected, total)


def _checked(state: _State, number: int, values: dict[str, Any],
             errors: list[CellError]) -> tuple[dict[str, Any] | None, list[CellError]]:
    """The row to store (None when it is refused) and its problems (kept in ``state.errors`` too)."""
    if not errors:
        check = state.check
        row, problems = check_row(values, check.kind, check.ref, check.today)
        if row["customs_office"] and row["customs_office"] not in check.offices:
            problems.append((HEADERS["customs_office"], L.MSG_OFFICE_OUT_OF_SCOPE))
        first = state.seen.setdefault((row["entry_number"], row["item_number"]), number)
        if first != number:
            problems.append((HEADERS["item_number"], L.MSG_DUPLICATE_IN_FILE.format(row=first)))
        errors = [CellError(number, column, reason) for column, reason in problems]
    if errors:
        state.rejected += 1
        state.errors.extend(errors)
        return None, errors
    state.accepted += 1
    return row, errors
