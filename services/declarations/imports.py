"""业务数据查询 → 导入: the template, the upload (kept once per enterprise and file hash: the same file uploaded
again creates nothing), and the job that checks and stores it.

One row per goods item; the head's columns repeated on every row of a declaration, rows of one declaration
grouped by 报关单序号 and contiguous (read once, top to bottom; the file's size is capped, so python-calamine may
hold the sheet meanwhile). Each declaration is typed by the form's field rules (``imports_rows``) and passed
through every submission check (``services.declarations.checks``: code tables, HS elements, units, totals …)
against the reference data of its chunk of declarations; its refusals are mapped back to their cells. A
declaration with any bad row is not created and all its rows go into the annotated workbook (bad cells
highlighted, the reasons in the error column); the good ones are created as drafts set-based
(``imports_store``) — all of them in one transaction for the whole file, so a failure or a worker that dies
mid-file stores nothing and the retried job starts again.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core.db import connection
from models.declaration_lifecycle import DeclarationAction, DeclarationState, decide
from models.declarations import DeclarationImport, DeclarationKind, ImportStatus
from models.departments import DepartmentMember
from models.enterprises import Membership
from models.errors import Forbidden, NotFound, ValidationFailed
from services.declarations import labels as L
from services.declarations.checks import check_submission, load_catalogue_for
from services.declarations.entry import actor_of
from services.declarations.imports_rows import HEADERS, Group, RowReader
from services.declarations.imports_store import Drafts, DraftWriter
from services.jobs.runs import enqueue
from services.kit.actors import PersonActor
from services.kit.annotated_sheet import AnnotatedSheet
from services.kit.context import ServiceContext
from services.kit.excel import CellError, sheet_lines
from services.workspace.company import kind_enabled
from services.workspace.permissions import compute
from services.workspace.roles import Member

DECLARATION_IMPORT = "declaration_import"  # the job kind
MAX_BYTES = 20 * 1024 * 1024
CHUNK = 2000  # declarations checked against one catalogue load, stored in one set
YIELD_EVERY = 100  # declarations read or parsed between turns of the event loop (the writer's statements)
_ZIP = b"PK\x03\x04"


async def member_for(person_id: int, enterprise_id: int, now: datetime) -> Member:
    """The person's member of the enterprise as a job sees it: the decision computed now (Forbidden when they
    left)."""
    membership = await Membership.filter(person_id=person_id, enterprise_id=enterprise_id, active=True) \
        .using_db(connection()).select_related("person", "enterprise").first()
    if membership is None:
        raise Forbidden(L.MSG_IMPORT_NOT_FOUND)
    return Member(membership, await compute(membership, now))


def check_file(data: bytes) -> None:
    """What makes a file unreadable, beside the file field: size, format, the template's headers."""
    if not data:
        raise ValidationFailed(L.MSG_IMPORT_FILE_EMPTY, field="file")
    if len(data) > MAX_BYTES:
        raise ValidationFailed(L.MSG_IMPORT_FILE_TOO_LARGE, field="file")
    if not data.startswith(_ZIP):
        raise ValidationFailed(L.MSG_IMPORT_NOT_XLSX, field="file")
    try:
        _, lines = sheet_lines(data)
        header = next((line for number, line in lines if number == 1), [])
    except ValueError:
        raise ValidationFailed(L.MSG_IMPORT_NOT_XLSX, field="file") from None
    missing = [h for h in HEADERS if h not in {str(c).strip() for c in header}]
    if missing:
        raise ValidationFailed(L.MSG_IMPORT_HEADERS.format(columns="、".join(missing[:8])), field="file")


async def start_import(ctx: ServiceContext, member: Member, filename: str, data: bytes,
                       folder: Path) -> tuple[DeclarationImport, bool]:
    """Keep the file and queue its check; the import and whether it is new (False: this enterprise imported the
    same file before — nothing is queued; a failed one is queued again)."""
    member.decision.require(L.IMPORT)
    decide(DeclarationState(None), DeclarationAction.CREATE, actor_of(member))
    check_file(data)
    digest = hashlib.sha256(data).hexdigest()
    async with in_transaction() as conn:
        found = await DeclarationImport.filter(enterprise_id=member.enterprise_id, file_hash=digest) \
            .using_db(conn).select_for_update().first()
        if found is not None and found.status is not ImportStatus.FAILED:
            return found, False
        folder.mkdir(parents=True, exist_ok=True)
        stored = f"declaration-import-{secrets.token_urlsafe(9)}.xlsx"
        (folder / stored).write_bytes(data)
        fields = {"person_id": member.membership.person_id, "filename": filename[:255], "stored_path": stored,
                  "status": ImportStatus.QUEUED, "created_at": ctx.now(), "error": "", "finished_at": None}
        if found is None:
            found = await DeclarationImport.create(enterprise_id=member.enterprise_id, file_hash=digest, **fields,
                                                   using_db=conn)
        else:
            await DeclarationImport.filter(id=found.id).using_db(conn).update(**fields)
        job = await enqueue(ctx, PersonActor(member.membership.person_id), DECLARATION_IMPORT,
                            {"import_id": found.id, "enterprise_id": member.enterprise_id})
        await DeclarationImport.filter(id=found.id).using_db(conn).update(job_id=job.id)
    return await DeclarationImport.get(id=found.id), True


@dataclass
class _Run:
    record: DeclarationImport
    member: Member
    reader: RowReader
    enabled: dict[DeclarationKind, bool]
    annotated: AnnotatedSheet | None = None
    errors: list[CellError] = field(default_factory=list)
    created: int = 0
    rejected: int = 0
    rows: int = 0
    rows_rejected: int = 0


async def run_import(ctx: ServiceContext, import_id: int, folder: Path, error_path: Path,
                     progress: Callable[[int, int], None] = lambda done, total: None) -> DeclarationImport:
    """Check every declaration of the import's file, create the good ones as drafts, write the refused ones'
    rows to ``error_path``."""
    record = await DeclarationImport.get(id=import_id)
    if record.status is ImportStatus.DONE:  # a retried job after the commit
        return record
    member = await member_for(record.person_id, record.enterprise_id, ctx.now())
    member.decision.require(L.IMPORT)
    await DeclarationImport.filter(id=record.id).update(status=ImportStatus.RUNNING)
    try:
        height, lines = sheet_lines(folder / record.stored_path, held=True)  # the file is capped: MAX_BYTES
        header = next((line for number, line in lines if number == 1), [])
    except (ValueError, StopIteration):
        raise ValidationFailed(L.MSG_IMPORT_NOT_XLSX) from None
    if any(h not in {str(c).strip() for c in header} for h in HEADERS):
        raise ValidationFailed(L.MSG_IMPORT_HEADERS.format(columns="…"))
    primary = await DepartmentMember.filter(person_id=record.person_id, enterprise_id=record.enterprise_id,
                                            primary=True).first()
    enabled = {kind: await kind_enabled(record.enterprise_id, kind.value, connection()) for kind in DeclarationKind}
    drafts = Drafts(record.enterprise_id, record.person_id, primary.department_id if primary else None, ctx.now(),
                    L.MSG_IMPORT_NOTE.format(filename=record.filename))
    run = _Run(record, member, RowReader(header), enabled)
    total = max(height - 1, 0)
    async with in_transaction() as conn, DraftWriter(conn, drafts) as writer:  # the whole file or nothing
        chunk: list[Group] = []
        for group in run.reader.groups(lines):
            chunk.append(group)
            if len(chunk) % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # the previous chunk's drafts move on meanwhile
            if len(chunk) >= CHUNK:
                await _settle(ctx, run, chunk, conn, writer)
                progress(run.rows, total)
                chunk = []
        await _settle(ctx, run, chunk, conn, writer)
        await writer.flush()
        progress(run.rows, total)
        await DeclarationImport.filter(id=record.id).using_db(conn).update(
            status=ImportStatus.DONE, rows_total=run.rows, rows_rejected=run.rows_rejected,
            declarations_created=run.created, declarations_rejected=run.rejected, errors=len(run.errors),
            error_path=error_path.name if run.rejected else "", finished_at=ctx.now())
    _finish(run, folder, error_path)
    return await DeclarationImport.get(id=record.id)


async def _settle(ctx: ServiceContext, run: _Run, chunk: list[Group], conn: BaseDBAsyncClient,
                  writer: DraftWriter) -> None:
    """Check a chunk of declarations against one catalogue load; store the good, annotate the refused."""
    for n, group in enumerate(chunk, start=1):
        if n % YIELD_EVERY == 0:
            await asyncio.sleep(0)
        run.reader.parse(group)
        if group.kind is not None and not run.enabled[group.kind]:
            group.errors.append(CellError(group.lines[0][0], L.IMPORT_KIND,
                                          L.MSG_KIND_OFF.format(kind=group.kind.label)))
    forms = [g.form for g in chunk if g.form is not None]
    catalogue = await load_catalogue_for(forms, ctx.now().astimezone(ctx.tz).date(), conn) if forms else None
    good = []
    for group in chunk:
        checked = check_submission(group.kind, group.form, catalogue) \
            if group.form is not None and group.kind is not None and catalogue is not None else {}
        run.reader.cell_errors(group, {**checked, **group.field_errors})
        run.rows += len(group.lines)
        if group.errors:
            _refuse(run, group)
        elif group.kind is not None and group.form is not None:
            good.append((group.kind, group.form))
    await writer.write(good)
    run.created += len(good)


def _refuse(run: _Run, group: Group) -> None:
    run.rejected += 1
    run.rows_rejected += len(group.lines)
    run.errors.extend(group.errors)
    run.annotated = run.annotated or AnnotatedSheet(run.reader.headers, L.IMPORT_ERROR_COLUMN)
    by_row: dict[int, list[CellError]] = {}
    for error in group.errors:
        by_row.setdefault(error.row, []).append(error)
    for number, line in group.lines:
        run.annotated.append(number, line, by_row.get(number) or [CellError(number, "", L.MSG_OTHER_ROW_BAD)])


def _finish(run: _Run, folder: Path, error_path: Path) -> None:
    """After the commit: the annotated workbook of the refused declarations' rows (with a sheet listing every
    error); the uploaded file goes."""
    if run.annotated is not None:
        run.annotated.save(error_path, run.errors)
    (folder / run.record.stored_path).unlink(missing_ok=True)


async def fail_import(ctx: ServiceContext, import_id: int, reason: str) -> None:
    await DeclarationImport.filter(id=import_id).update(status=ImportStatus.FAILED, error=reason[:500],
                                                        finished_at=ctx.now())


async def access_import(member: Member, import_id: int) -> DeclarationImport:
    """One of the enterprise's imports, uploaded by the member (NotFound for any other)."""
    member.decision.require(L.IMPORT)
    found = await DeclarationImport.filter(id=import_id, enterprise_id=member.enterprise_id,
                                           person_id=member.membership.person_id).using_db(connection()) \
        .prefetch_related("job").first()
    if found is None:
        raise NotFound(L.MSG_IMPORT_NOT_FOUND)
    return found


async def list_imports(member: Member, limit: int = 10) -> list[DeclarationImport]:
    """The member's latest imports in the enterprise, newest first."""
    member.decision.require(L.IMPORT)
    return await DeclarationImport.filter(enterprise_id=member.enterprise_id,
                                          person_id=member.membership.person_id).using_db(connection()) \
        .order_by("-id").limit(limit).prefetch_related("job")


async def error_workbook(member: Member, import_id: int, folder: Path) -> tuple[Path, str] | None:
    """The annotated workbook of an import's refused rows and its download name; None when there is none."""
    found = await access_import(member, import_id)
    if not found.error_path or not (folder / found.error_path).exists():
        return None
    return folder / found.error_path, f"错误数据-{Path(found.filename).stem}.xlsx"


def same_file_message(record: DeclarationImport, ctx: ServiceContext) -> str:
    return L.MSG_IMPORT_SAME_FILE.format(at=record.created_at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M"))

