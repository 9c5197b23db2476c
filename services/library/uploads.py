"""Customs uploads of library rows (审核数据 / 申报数据): accept a workbook, check and store it in the worker, list
the uploads, hand out the annotated workbook of the refused rows.

A supervisor or an admin uploads (``access_uploader``); the upload, its rows and its list are scoped to the
offices under the uploader's office. The file is checked at once for what makes it unreadable (size, format,
headers) — a Chinese error beside the file field — and then checked row by row in a job: every refused row goes,
with all its problems, into the annotated workbook; good rows are stored in one
transaction for the whole file (all of them commit or none: a failure or a worker that dies mid-file stores
nothing, and the retried job starts again; a re-upload skips stored rows by the natural key), inserted in batches
while the next batch is checked. The progress bar moves meanwhile: the job's heartbeat records it on another
connection (on SQLite, one connection, it waits for the commit).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from python_calamine import CalamineWorkbook
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core.db import dialect
from models.customs_accounts import CustomsAccount
from models.errors import Forbidden, NotFound, ValidationFailed
from models.library import LibraryRow, LibrarySource, LibraryUpload, UploadKind, UploadStatus
from models.offices import CustomsOffice, OfficeKind
from services.desk.audit import AuditActor, record
from services.jobs.runs import enqueue
from services.kit.access import SUBTREE_ROLES, access_customs_account, customs_scope, under_office
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from services.kit.excel import MSG_EMPTY, AnnotatedSheet, CellError, RowTyper, sheet_lines
from services.library import labels as L
from services.library.checks import Reference, check_row, load_reference
from services.library.columns import COLUMNS, HEADERS
from services.library.store import insert_rows, row_values, settle_upload

LIBRARY_UPLOAD = "library_upload"  # the job kind
MAX_BYTES = 20 * 1024 * 1024
BATCH = 2000
YIELD_EVERY = 100
REPORT_LINES = 200
_ZIP = b"PK\x03\x04"
_SOURCES = {UploadKind.AUDITED: LibrarySource.AUDITED, UploadKind.DECLARED: LibrarySource.DECLARED}


async def access_uploader(account_id: int, conn: Any = None) -> CustomsAccount:
    """The active supervisor or admin account (with its office); Forbidden for an officer."""
    account = await access_customs_account(account_id, conn)
    if account.role not in SUBTREE_ROLES:
        raise Forbidden(L.MSG_UPLOADERS_ONLY)
    return account


async def office_codes(office: CustomsOffice) -> frozenset[str]:
    """The 关区 codes of ``office`` and the customs offices under it (departments have none): the 申报地海关 an
    account's uploads may carry and its queries see."""
    codes = await CustomsOffice.filter(under_office(office)).exclude(kind=OfficeKind.DEPARTMENT) \
        .values_list("code", flat=True)
    return frozenset(str(code) for code in codes)


def check_file(data: bytes, tz: ZoneInfo) -> None:
    """What makes a file unreadable, as a Chinese error beside the file field; the headers included."""
    if not data:
        raise ValidationFailed(L.MSG_FILE_EMPTY, field="file")
    if len(data) > MAX_BYTES:
        raise ValidationFailed(L.MSG_FILE_TOO_LARGE, field="file")
    if not data.startswith(_ZIP):
        raise ValidationFailed(L.MSG_NOT_XLSX, field="file")
    try:
        lines = sheet_lines(data)[1]
    except ValueError:
        raise ValidationFailed(L.MSG_NOT_XLSX, field="file") from None
    typer = RowTyper.from_lines(lines, COLUMNS, tz)
    if typer.missing and typer.missing[0].column:
        raise ValidationFailed(L.MSG_WRONG_HEADERS.format(columns="、".join(e.column for e in typer.missing)),
                               field="file")
    if typer.missing or not any(cell not in ("", None) for _, line in lines for cell in line):
        raise ValidationFailed(MSG_EMPTY, field="file")


async def start_upload(ctx: ServiceContext, actor: CustomsActor, kind_text: str, filename: str, data: bytes,
                       folder: Path) -> LibraryUpload:
    """Keep the file and queue its check; the upload (its list entry). ``kind_text``: audited / declared."""
    account = await access_uploader(actor.account_id)
    errors: dict[str, str] = {}
    if kind_text not in {k.value for k in UploadKind}:
        errors["kind"] = L.MSG_CHOOSE
    try:
        check_file(data, ctx.tz)
    except ValidationFailed as refused:
        errors.update(refused.errors)
    if errors:
        raise ValidationFailed.of(errors)
    kind = UploadKind(kind_text)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"library-upload-{secrets.token_urlsafe(9)}.xlsx"
    (folder / stored).write_bytes(data)
    async with in_transaction() as conn:
        upload = await LibraryUpload.create(kind=kind, account_id=account.id, office_id=account.office_id,
                                            filename=filename[:255], stored_path=stored, created_at=ctx.now(),
                                            using_db=conn)
        job = await enqueue(ctx, actor, LIBRARY_UPLOAD, {"upload_id": upload.id})
        await LibraryUpload.filter(id=upload.id).using_db(conn).update(job_id=job.id)
        await record(ctx, AuditActor.customs(account), "library_upload", "library_upload", upload.id,
                     detail={"kind": kind.value, "filename": filename[:100]}, ip=actor.ip, conn=conn)
    upload.job_id = job.id
    return upload


@dataclass
class _Run:
    upload: LibraryUpload
    ref: Reference
    offices: frozenset[str]  # the codes a row's 申报地海关 may have
    headers: list[str]
    seen: dict[tuple[str, int], int]  # (海关编号, 项号) -> the row it was first seen on
    batch: list[tuple[Any, ...]]
    errors: list[CellError]
    annotated: AnnotatedSheet | None = None  # opened at the first refused row
    storing: asyncio.Future[None] | None = None  # the batch being inserted
    accepted: int = 0
    rejected: int = 0
    errors_before: int = 0  # where the current row's errors start in ``errors``


async def run_upload(ctx: ServiceContext, upload_id: int, folder: Path, error_path: Path,
                     progress: Callable[[int, int], None] = lambda done, total: None) -> LibraryUpload:
    """Check every row of the upload's file, store the good ones, write the refused ones to ``error_path``."""
    upload = await LibraryUpload.get(id=upload_id).prefetch_related("office")
    await LibraryUpload.filter(id=upload.id).update(status=UploadStatus.RUNNING)
    offices = await office_codes(upload.office)
    today, now = ctx.now().astimezone(ctx.tz).date(), ctx.now()
    try:
        height, lines = sheet_lines(folder / upload.stored_path)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None
    typer = RowTyper.from_lines(lines, COLUMNS, ctx.tz)
    if typer.missing:
        raise ValidationFailed(L.MSG_WRONG_HEADERS.format(columns="、".join(e.column for e in typer.missing)))
    run = _Run(upload, await load_reference(today), offices, typer.headers, {}, [], [])
    postgres = dialect() == "postgres"
    source, total = _SOURCES[upload.kind], max(height - 1, 0)
    async with in_transaction() as conn:  # the whole file or nothing
        for number, line in lines:
            values, errors = typer.typed(number, line)
            if values is None:
                continue
            row = _checked(run, number, values, errors, today)
            if row is None:
                run.annotated = run.annotated or AnnotatedSheet(run.headers, L.MSG_ERROR_COLUMN)
                run.annotated.append(number, line, run.errors[run.errors_before:])
                continue
            run.batch.append(row_values(row, source, run.ref.version_id, upload.id, now, postgres))
            if len(run.batch) >= BATCH:
                await _flush(run, conn)
                progress(run.accepted + run.rejected, total)
            elif (run.accepted + run.rejected) % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # the batch in flight moves on while the next one is checked
        await _flush(run, conn)
        if run.storing is not None:
            await run.storing
        await settle_upload(conn, upload.id, source)
        stored = await LibraryRow.filter(upload_id=upload.id).using_db(conn).count()
        await LibraryUpload.filter(id=upload.id).using_db(conn).update(
            status=UploadStatus.DONE, rows_total=run.accepted + run.rejected, rows_accepted=run.accepted,
            rows_stored=stored, rows_rejected=run.rejected, errors=len(run.errors),
            error_path=error_path.name if run.rejected else "", finished_at=ctx.now())
    _finish(run, folder, error_path)
    return await LibraryUpload.get(id=upload.id)


def _checked(run: _Run, number: int, values: dict[str, Any], errors: list[CellError],
             today: date) -> dict[str, Any] | None:
    """The row to store, or None when it is refused (its problems then end ``run.errors``)."""
    run.errors_before = len(run.errors)
    if not errors:
        row, problems = check_row(values, run.upload.kind, run.ref, today)
        if row["customs_office"] and row["customs_office"] not in run.offices:
            problems.append((HEADERS["customs_office"], L.MSG_OFFICE_OUT_OF_SCOPE))
        first = run.seen.setdefault((row["entry_number"], row["item_number"]), number)
        if first != number:
            problems.append((HEADERS["item_number"], L.MSG_DUPLICATE_IN_FILE.format(row=first)))
        errors = [CellError(number, column, reason) for column, reason in problems]
    if errors:
        run.rejected += 1
        run.errors.extend(errors)
        return None
    run.accepted += 1
    return row


async def _flush(run: _Run, conn: BaseDBAsyncClient) -> None:
    """Insert the batch in the background (one batch in flight at a time, in the file's transaction), so the
    database's work on it overlaps the checking of the next one."""
    if run.storing is not None:
        await run.storing
    run.storing = asyncio.ensure_future(insert_rows(conn, run.batch)) if run.batch else None
    run.batch = []


def _finish(run: _Run, folder: Path, error_path: Path) -> None:
    """After the commit: the annotated workbook of the refused rows; the uploaded file goes (its refused rows
    live on in the annotated copy)."""
    if run.annotated is not None:
        run.annotated.save(error_path, run.errors)
    (folder / run.upload.stored_path).unlink(missing_ok=True)


async def fail_upload(ctx: ServiceContext, upload_id: int, reason: str) -> None:
    await LibraryUpload.filter(id=upload_id).update(status=UploadStatus.FAILED, error=reason[:500],
                                                    finished_at=ctx.now())


async def list_uploads(account_id: int, limit: int = 50) -> list[LibraryUpload]:
    """The uploads of the account's office and the offices under it, newest first (with uploader and job)."""
    account = await access_uploader(account_id)
    return await LibraryUpload.filter(customs_scope(account)).order_by("-id").limit(limit) \
        .prefetch_related("account", "job")


async def access_upload(account_id: int, upload_id: int) -> LibraryUpload:
    account = await access_uploader(account_id)
    upload = await LibraryUpload.filter(customs_scope(account), id=upload_id).prefetch_related("job").first()
    if upload is None:
        raise NotFound(L.MSG_UPLOAD_NOT_FOUND)
    return upload


async def error_report(account_id: int, upload_id: int, folder: Path, limit: int = REPORT_LINES) -> list[CellError]:
    """The first ``limit`` lines of an upload's error report (row, column, reason); the workbook holds them all."""
    upload = await access_upload(account_id, upload_id)
    if not upload.error_path or not (folder / upload.error_path).exists():
        return []
    sheet = CalamineWorkbook.from_path(str(folder / upload.error_path)).get_sheet_by_name(AnnotatedSheet.REPORT_SHEET)
    lines = []
    for row, column, reason in islice(sheet.iter_rows(), 1, limit + 1):
        lines.append(CellError(int(row) if isinstance(row, int | float) else 0, str(column), str(reason)))
    return lines


async def error_workbook(account_id: int, upload_id: int, folder: Path) -> tuple[Path, str] | None:
    """The annotated workbook of an upload's refused rows and its download name; None when there is none."""
    upload = await access_upload(account_id, upload_id)
    if not upload.error_path or not (folder / upload.error_path).exists():  # none, or past the jobs' retention
        return None
    return folder / upload.error_path, f"错误数据-{Path(upload.filename).stem}.xlsx"

