"""The registry of job kinds: what a worker runs for each ``job.kind``, and the name its file downloads as.

A handler gets the job's params and owner, the path to write, a progress callback and the service context; it
returns the number of rows written. A DomainError it raises fails the job with its (Chinese) message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from models.errors import DomainError, Forbidden
from models.jobs import Job
from services.declarations.imports import DECLARATION_IMPORT, fail_import, member_for, run_import
from services.declarations.query import QueryFilter, export_declarations
from services.declarations.sync_runs import DECLARATION_SYNC, run_sync_job
from services.jobs.runs import Owner
from services.kit.actors import CustomsActor, PersonActor
from services.kit.context import ServiceContext
from services.library.customs_rows import RowFilter, export_customs_rows
from services.library.enterprise import export_enterprise_rows, member_of
from services.library.filters import LibraryFilter
from services.library.labels import MSG_NOT_AUTHORISED
from services.library.uploads import LIBRARY_UPLOAD, fail_upload, run_upload
from services.questions.export import Progress, export_aeo_record, export_queue
from services.questions.queue import QueueFilter

QUEUE_EXPORT = "queue_export"
AEO_RECORD = "aeo_record"
LIBRARY_EXPORT = "library_export"
ENTERPRISE_LIBRARY_EXPORT = "enterprise_library_export"
DECLARATION_EXPORT = "declaration_export"

Handler = Callable[[dict[str, Any], Owner, Path, Progress, ServiceContext], Awaitable[int]]
MSG_CUSTOMS_ONLY = "仅海关账号可以导出"


@dataclass(frozen=True)
class JobKind:
    run: Handler
    filename: Callable[[Job], str]  # the download's name


def queue_filter_args(params: dict[str, Any]) -> dict[str, list[str]]:
    """The queue filter's arguments as a form or query string has them (key → values)."""
    args: dict[str, list[str]] = {}
    for key, value in params.get("filter", []):
        args.setdefault(str(key), []).append(str(value))
    return args


def _account(owner: Owner) -> int:
    if not isinstance(owner, CustomsActor):
        raise Forbidden(MSG_CUSTOMS_ONLY)
    return owner.account_id


async def _queue_export(params: dict[str, Any], owner: Owner, path: Path, progress: Progress,
                        ctx: ServiceContext) -> int:
    flt = QueueFilter.from_args(queue_filter_args(params))
    return await export_queue(_account(owner), flt, path, progress=progress, ctx=ctx)


async def _aeo_record(params: dict[str, Any], owner: Owner, path: Path, progress: Progress,
                      ctx: ServiceContext) -> int:
    first, last = date.fromisoformat(params["from"]), date.fromisoformat(params["to"])
    rows = await export_aeo_record(_account(owner), int(params["enterprise_id"]), first, last, path, ctx=ctx)
    progress(rows, rows)
    return rows


async def _library_upload(params: dict[str, Any], owner: Owner, path: Path, progress: Progress,
                          ctx: ServiceContext) -> int:
    """Check and store an uploaded workbook; ``path`` receives the annotated workbook of its refused rows."""
    _account(owner)
    try:
        upload = await run_upload(ctx, int(params["upload_id"]), path.parent, path, progress)
    except DomainError as exc:
        await fail_upload(ctx, int(params["upload_id"]), exc.message)
        raise
    return upload.rows_total


async def _library_export(params: dict[str, Any], owner: Owner, path: Path, progress: Progress,
                          ctx: ServiceContext) -> int:
    flt = RowFilter.from_args({str(k): str(v) for k, v in params.get("filter", [])})
    return await export_customs_rows(_account(owner), flt, path, ctx, progress)


async def _enterprise_library_export(params: dict[str, Any], owner: Owner, path: Path, progress: Progress,
                                     ctx: ServiceContext) -> int:
    """An enterprise member's export of every filtered row of its library (access checked again here)."""
    if not isinstance(owner, PersonActor):
        raise Forbidden(MSG_NOT_AUTHORISED)
    membership = await member_of(owner.person_id, int(params["enterprise_id"]))
    flt = LibraryFilter.from_args({str(k): str(v) for k, v in params.get("filter", [])})
    return await export_enterprise_rows(membership, flt, path, ctx, progress=progress)


def _person(owner: Owner) -> int:
    if not isinstance(owner, PersonActor):
        raise Forbidden(MSG_NOT_AUTHORISED)
    return owner.person_id


async def _declaration_export(params: dict[str, Any], owner: Owner, path: Path, progress: Progress,
                              ctx: ServiceContext) -> int:
    """业务数据查询's 列表导出: every filtered row, under the member's permissions and data scope as they are now."""
    member = await member_for(_person(owner), int(params["enterprise_id"]), ctx.now())
    flt = QueryFilter.from_args({str(k): str(v) for k, v in params.get("filter", [])})
    return await export_declarations(member, flt, path, ctx, progress)


async def _declaration_import(params: dict[str, Any], owner: Owner, path: Path, progress: Progress,
                              ctx: ServiceContext) -> int:
    """Check and store an import workbook; ``path`` receives the annotated workbook of its refused rows."""
    _person(owner)
    try:
        done = await run_import(ctx, int(params["import_id"]), path.parent, path, progress)
    except DomainError as exc:
        await fail_import(ctx, int(params["import_id"]), exc.message)
        raise
    return done.rows_total


KINDS: dict[str, JobKind] = {
    QUEUE_EXPORT: JobKind(_queue_export, lambda job: f"qingling-questions-{job.token[:6]}.xlsx"),
    AEO_RECORD: JobKind(_aeo_record, lambda job: "aeo-record-{enterprise_id}-{f}-{t}.xlsx".format(
        enterprise_id=job.params["enterprise_id"], f=job.params["from"].replace("-", ""),
        t=job.params["to"].replace("-", ""))),
    LIBRARY_EXPORT: JobKind(_library_export, lambda job: f"library-rows-{job.token[:6]}.xlsx"),
    ENTERPRISE_LIBRARY_EXPORT: JobKind(_enterprise_library_export,
                                       lambda job: f"enterprise-library-{job.token[:6]}.xlsx"),
    LIBRARY_UPLOAD: JobKind(_library_upload, lambda job: f"library-errors-{job.params['upload_id']}.xlsx"),
    DECLARATION_EXPORT: JobKind(_declaration_export, lambda job: f"declarations-{job.token[:6]}.xlsx"),
    DECLARATION_IMPORT: JobKind(_declaration_import,
                                lambda job: f"declaration-import-errors-{job.params['import_id']}.xlsx"),
    DECLARATION_SYNC: JobKind(run_sync_job, lambda job: f"declaration-sync-{job.params['run_id']}.txt"),
}
