"""企业库导出 (desktop, ``library:export``): the current page, or every filtered row — written at once when there
are few, queued as a job (its progress page, then the file) when there are many. Either way the rows are read
in keyset batches into a write-only sheet, so memory stays flat."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import quote, urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from handlers.kit.bodies import read_query
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import see_other
from handlers.library.bodies import ExportQuery
from handlers.library.pages import DESK, EXPORT, locked
from handlers.workspace.shell import workbench_page
from services.jobs.exports import (
    enterprise_export_file,
    enterprise_export_view,
    exports_folder,
    start_enterprise_library_export,
)
from services.kit.records import Membership
from services.library.enterprise import count_enterprise_rows, export_enterprise_rows, library_allowed
from services.library.filters import LibraryFilter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS = f"{DESK.prefix}/exports"
CHUNK = 256 * 1024


def direct_limit(request: Request) -> int:
    """Rows written within the request; an export of more goes to a job (config ``library.export_direct_limit``)."""
    return int(request.app.ctx.settings.library.export_direct_limit)


async def queued_export(request: Request, membership: Membership, q: ExportQuery) -> str | None:
    """The job's token when every filtered row is asked for and there are more than the direct limit; else None
    (the request writes the file itself). ValidationFailed for a bad filter, Forbidden without the card."""
    flt = LibraryFilter.from_args(q.filter_args())
    if q.all and await count_enterprise_rows(membership, flt) > direct_limit(request):
        return await start_enterprise_library_export(request.app.ctx.services, membership, flt)
    return None


async def send_export(request: Request, membership: Membership, q: ExportQuery) -> None:
    """The current page (or every filtered row, when few) written to a scratch file — keyset batches into a
    write-only sheet — then streamed to the client in chunks and removed."""
    flt = LibraryFilter.from_args(q.filter_args())
    folder = exports_folder(request.app.ctx.settings.web.upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"library-direct-{secrets.token_hex(8)}.xlsx"
    try:
        await export_enterprise_rows(membership, flt, path, request.app.ctx.services,
                                     cursor=None if q.all else q.cursor, limit=min(max(q.limit, 1), 100))
        await stream_file(request, path, "规范申报库-全部.xlsx" if q.all else "规范申报库-当前页.xlsx")
    finally:
        path.unlink(missing_ok=True)


async def stream_file(request: Request, path: Path, name: str) -> None:
    response = await request.respond(content_type=XLSX, headers={
        "content-disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "content-length": str(path.stat().st_size)})
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            await response.send(chunk)
    await response.eof()


@requires(EXPORT)
async def export(request: Request) -> HTTPResponse | None:
    member = await current_member(request)
    if not await library_allowed(member.membership):
        return await locked(DESK, request)
    q = read_query(request, ExportQuery)
    token = await queued_export(request, member.membership, q)
    if token is not None:
        return see_other(f"{EXPORTS}/{token}")
    await send_export(request, member.membership, q)
    return None


@requires(EXPORT)
async def progress(request: Request, token: str) -> HTTPResponse:
    member = await current_member(request)
    view = await enterprise_export_view(request.app.ctx.services, member.membership, token)
    return await workbench_page(request, "workbench/library_export.html", job=view, base=DESK.prefix,
                                again=urlencode([*view.filter_args, ("all", "1")]))


@requires(EXPORT)
async def download(request: Request, token: str) -> HTTPResponse:
    member = await current_member(request)
    found = await enterprise_export_file(request.app.ctx.services, member.membership, token,
                                         exports_folder(request.app.ctx.settings.web.upload_dir))
    if found is None:
        return see_other(f"{EXPORTS}/{token}")
    path, name = found
    return await file(path, mime_type=XLSX, filename=name)


def library_export_blueprint() -> Blueprint:
    bp = Blueprint("library_export")
    bp.add_route(export, f"{DESK.prefix}/export", methods=["GET"])
    bp.add_route(progress, f"{EXPORTS}/<token:str>", methods=["GET"])
    bp.add_route(download, f"{EXPORTS}/<token:str>/file", methods=["GET"])
    return bp
