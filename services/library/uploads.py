"""Customs uploads of library rows (审核数据 / 申报数据): accept a workbook, check and store it in the worker, list
the uploads, hand out the annotated workbook of the refused rows.

A supervisor or an admin uploads (``access_uploader``); the upload, its rows and its list are scoped to the
offices under the uploader's office. The file is checked at once for what makes it unreadable (size, format,
headers) — a Chinese error beside the file field — and then checked row by row in a job: every refused row goes,
with all its problems, into the annotated workbook; good rows are stored in one
transaction for the whole file (all of them commit or none: a failure or a worker that dies mid-file stores
nothing, and the retried job starts again; a re-upload skips stored rows by the natural key), inserted in batches
while the next ones are checked (``services.library.upload_check``, in a thread up to ``AHEAD`` batches ahead: the
event loop keeps serving the batch being stored). The progress bar moves meanwhile: the job's heartbeat
records it on another connection (on SQLite, one connection, it waits for the commit).
"""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from collections.abc import AsyncGenerator, Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from python_calamine import CalamineWorkbook
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
from services.kit.annotated_sheet import AnnotatedSheet
from services.kit.context import ServiceContext
from services.kit.excel import MSG_EMPTY, CellError, RowTyper, sheet_lines
from services.library import labels as L
from services.library.checks import load_reference
from services.library.columns import COLUMNS
from services.library.store import Shared, insert_rows, settle_upload
from services.library.upload_check import Batch, FileCheck, Outcome, checked_batches

LIBRARY_UPLOAD = "library_upload"  # the job kind
MAX_BYTES = 20 * 1024 * 1024
REPORT_LINES = 200
AHEAD = 3  # batches checked ahead of the insert (each holds its rows' JSON: about 1 MB)
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


async def run_upload(ctx: ServiceContext, upload_id: int, folder: Path, error_path: Path,
                     progress: Callable[[int, int], None] = lambda done, total: None) -> LibraryUpload:
    """Check every row of the upload's file, store the good ones, write the refused ones to ``error_path``."""
    upload = await LibraryUpload.get(id=upload_id).prefetch_related("office")
    await LibraryUpload.filter(id=upload.id).update(status=UploadStatus.RUNNING)
    path, now = folder / upload.stored_path, ctx.now()
    today = now.astimezone(ctx.tz).date()
    check = FileCheck(path, error_path, upload.kind, _SOURCES[upload.kind], await load_reference(today),
                      await office_codes(upload.office), today, ctx.tz, dialect() == "postgres")
    items, shared = _in_thread(check), Shared(check.ref.version_id, upload.id, now)
    try:
        async with in_transaction() as conn:  # the whole file or nothing
            storing: asyncio.Future[None] | None = None  # one batch in flight while the next one is checked
            outcome = Outcome(0, 0, 0)
            try:
                async for item in items:
                    if storing is not None:
                        await storing
                    if isinstance(item, Outcome):
                        outcome = item
                        break
                    storing = asyncio.ensure_future(insert_rows(conn, item.rows, shared))
                    progress(item.done, item.total)
            finally:  # the transaction ends only once its connection is idle
                if storing is not None and not storing.done():
                    await asyncio.wait([storing])
                await items.aclose()
            await settle_upload(conn, upload.id, check.source)
            stored = await LibraryRow.filter(upload_id=upload.id).using_db(conn).count()
            await LibraryUpload.filter(id=upload.id).using_db(conn).update(
                status=UploadStatus.DONE, rows_total=outcome.accepted + outcome.rejected,
                rows_accepted=outcome.accepted, rows_stored=stored, rows_rejected=outcome.rejected,
                errors=outcome.errors, error_path=error_path.name if outcome.rejected else "",
                finished_at=ctx.now())
    except BaseException:
        error_path.unlink(missing_ok=True)  # written before the rows were stored: nothing refers to it
        raise
    path.unlink(missing_ok=True)  # its refused rows live on in the annotated copy
    return await LibraryUpload.get(id=upload.id)


async def _in_thread(check: FileCheck) -> AsyncGenerator[Batch | Outcome, None]:
    """The file checked in a thread of this process, up to ``AHEAD`` batches ahead of the one being stored: the
    event loop keeps serving the insert, and a batch that checks slowly does not leave PostgreSQL idle."""
    loop, items = asyncio.get_running_loop(), checked_batches(check)
    with ThreadPoolExecutor(1, thread_name_prefix="library-check") as thread:  # one thread: in order, one at a time
        ahead = deque(loop.run_in_executor(thread, next, items, None) for _ in range(AHEAD))
        try:
            while (item := await ahead.popleft()) is not None:
                ahead.append(loop.run_in_executor(thread, next, items, None))
                yield item
        finally:  # stopped early (a failed insert): the batches asked for are dropped, the file closed
            for pending in ahead:
                pending.cancel()
            await asyncio.gather(*ahead, return_exceptions=True)
            await loop.run_in_executor(thread, items.close)


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

