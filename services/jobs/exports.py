"""Exports as the admin web sees them: start one (a queued job the worker runs), follow its progress, download
its file. Only the account that started an export sees it.

What the progress page shows is decided here, once: a queued or running job is "running"; a failed one —
its handler failed, or its worker died ``MAX_ATTEMPTS`` times — is "interrupted" and offers to export the same
thing again; a running one whose lease passed on its last attempt reads as interrupted already (no worker will
take it again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from models.enterprises import Membership
from models.errors import NotFound
from models.jobs import Job, JobStatus
from services.declarations.query import QueryFilter, filtered
from services.jobs.kinds import (
    AEO_RECORD,
    DECLARATION_EXPORT,
    ENTERPRISE_LIBRARY_EXPORT,
    KINDS,
    LIBRARY_EXPORT,
    QUEUE_EXPORT,
    queue_filter_args,
)
from services.jobs.runs import MAX_ATTEMPTS, MSG_INTERRUPTED, MSG_NOT_FOUND, Owner, enqueue, owned_job
from services.kit.actors import CustomsActor, PersonActor
from services.kit.context import ServiceContext
from services.library.customs_rows import RowFilter
from services.library.enterprise import access_library
from services.library.filters import LibraryFilter
from services.library.uploads import access_uploader
from services.questions.export import check_aeo_record
from services.questions.queue import QueueFilter
from services.workspace.roles import Member

__all__ = ["MSG_NOT_FOUND", "ExportView", "enterprise_export_file", "enterprise_export_view", "export_file",
           "export_view", "exports_folder", "person_export_view", "start_aeo_record",
           "start_declaration_export", "start_enterprise_library_export", "start_library_export", "start_queue_export"]


def exports_folder(upload_dir: str) -> Path:
    """Where the worker writes export files and the web reads them (shared storage when they are two hosts)."""
    return Path(upload_dir) / "exports"


@dataclass(frozen=True)
class ExportView:
    token: str
    kind: str
    state: str  # running / done / interrupted
    done: int
    total: int
    reason: str = ""  # why it was interrupted
    filter_args: tuple[tuple[str, str], ...] = ()  # the form fields that start the same export again
    enterprise_id: int | None = None  # an AEO record's enterprise, an enterprise library export's

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


async def start_queue_export(ctx: ServiceContext, account_id: int, filter_args: Sequence[tuple[str, str]]) -> str:
    """Queue the export of the account's queue under the filter given as its form arguments; the job's token.

    A bad filter is ValidationFailed here, at once; the worker parses the same arguments again.
    """
    params = {"filter": [list(pair) for pair in filter_args]}
    QueueFilter.from_args(queue_filter_args(params))
    job = await enqueue(ctx, CustomsActor(account_id), QUEUE_EXPORT, params)
    return job.token


async def start_library_export(ctx: ServiceContext, account_id: int, flt: RowFilter) -> str:
    """Queue the export of the library rows in the account's scope under ``flt``; Forbidden for an officer."""
    await access_uploader(account_id)
    job = await enqueue(ctx, CustomsActor(account_id), LIBRARY_EXPORT, {"filter": [list(p) for p in flt.args()]})
    return job.token


async def start_enterprise_library_export(ctx: ServiceContext, membership: Membership, flt: LibraryFilter) -> str:
    """Queue the export of every row of the member's library under ``flt``; Forbidden without the card's
    authorisation."""
    await access_library(membership)
    job = await enqueue(ctx, PersonActor(membership.person_id), ENTERPRISE_LIBRARY_EXPORT,
                        {"enterprise_id": membership.enterprise_id, "filter": [list(p) for p in flt.args()]})
    return job.token


async def start_declaration_export(ctx: ServiceContext, member: Member, flt: QueryFilter) -> str:
    """Queue 业务数据查询's 列表导出 of every row under ``flt`` (the permission checked at once and again in the
    worker)."""
    await filtered(member, flt, ctx.tz)
    job = await enqueue(ctx, PersonActor(member.membership.person_id), DECLARATION_EXPORT,
                        {"enterprise_id": member.enterprise_id, "filter": [list(p) for p in flt.args()]})
    return job.token


async def start_aeo_record(ctx: ServiceContext, account_id: int, enterprise_id: int, first: date,
                           last: date) -> str:
    """Queue an enterprise's 关企沟通记录; NotFound at once for an enterprise outside the account's scope."""
    await check_aeo_record(account_id, enterprise_id, ctx)
    job = await enqueue(ctx, CustomsActor(account_id), AEO_RECORD,
                        {"enterprise_id": enterprise_id, "from": first.isoformat(), "to": last.isoformat()})
    return job.token


async def export_view(ctx: ServiceContext, account_id: int, token: str) -> ExportView:
    return await _view(ctx, CustomsActor(account_id), token)


async def person_export_view(ctx: ServiceContext, person_id: int, token: str) -> ExportView:
    """An enterprise person's export, as their own progress page shows it."""
    return await _view(ctx, PersonActor(person_id), token)


async def enterprise_export_view(ctx: ServiceContext, membership: Membership, token: str,
                                 kind: str = ENTERPRISE_LIBRARY_EXPORT) -> ExportView:
    """A member's export of ``kind`` (the library's, the declarations'), seen from the enterprise it was started in
    only (NotFound from another)."""
    view = await person_export_view(ctx, membership.person_id, token)
    if view.kind != kind or view.enterprise_id != membership.enterprise_id:
        raise NotFound(MSG_NOT_FOUND)
    return view


async def _view(ctx: ServiceContext, owner: Owner, token: str) -> ExportView:
    job = await owned_job(owner, token)
    if job.kind == AEO_RECORD:
        filter_args: tuple[tuple[str, str], ...] = (("from", job.params["from"]), ("to", job.params["to"]))
    else:
        filter_args = tuple((str(k), str(v)) for k, v in job.params.get("filter", []))
    state = {JobStatus.DONE: "done", JobStatus.FAILED: "interrupted"}.get(job.status, "running")
    reason = job.error
    if (job.status is JobStatus.RUNNING and job.attempts >= MAX_ATTEMPTS and job.lease_until is not None
            and job.lease_until < ctx.now()):
        state, reason = "interrupted", MSG_INTERRUPTED
    return ExportView(job.token, job.kind, state, job.done, job.total, reason, filter_args,
                      job.params.get("enterprise_id"))


async def export_file(account_id: int, token: str, folder: Path) -> tuple[Path, str] | None:
    """The finished export's file and download name; None while it is not done."""
    return await _file(CustomsActor(account_id), token, folder)


async def enterprise_export_file(ctx: ServiceContext, membership: Membership, token: str, folder: Path,
                                 kind: str = ENTERPRISE_LIBRARY_EXPORT) -> tuple[Path, str] | None:
    """The member's finished export of ``kind`` of this enterprise; None while it runs, NotFound from another."""
    await enterprise_export_view(ctx, membership, token, kind)
    return await _file(PersonActor(membership.person_id), token, folder)


async def _file(owner: Owner, token: str, folder: Path) -> tuple[Path, str] | None:
    job: Job = await owned_job(owner, token)
    if job.status is not JobStatus.DONE:
        return None
    return folder / job.result_path, KINDS[job.kind].filename(job)
