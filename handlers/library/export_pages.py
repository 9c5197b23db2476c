"""企业库导出 (desktop, ``library:export``): the current page, or every filtered row — written at once when there
are few, queued as a job (its progress page, then the file) when there are many. Either way the rows are read
in keyset batches into a write-only sheet, so memory stays flat."""

from __future__ import annotations

import secrets
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
    exports_folder,
    person_export_file,
    person_export_view,
    start_enterprise_library_export,
)
from services.library.enterprise import count_enterprise_rows, export_enterprise_rows, library_allowed
from services.library.filters import LibraryFilter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DIRECT_LIMIT = 5000  # rows written within the request; more go to a job
EXPORTS = f"{DESK.prefix}/exports"


@requires(EXPORT)
async def export(request: Request) -> HTTPResponse:
    member = await current_member(request)
    if not await library_allowed(member.membership):
        return await locked(DESK, request)
    q = read_query(request, ExportQuery)
    flt = LibraryFilter.from_args(q.filter_args())
    services = request.app.ctx.services
    if q.all and await count_enterprise_rows(member.membership, flt) > DIRECT_LIMIT:
        token = await start_enterprise_library_export(services, member.membership, flt)
        return see_other(f"{EXPORTS}/{token}")
    folder = exports_folder(request.app.ctx.settings.web.upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"library-direct-{secrets.token_hex(8)}.xlsx"
    try:
        await export_enterprise_rows(member.membership, flt, path, services, cursor=None if q.all else q.cursor)
        body = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    name = "规范申报库-全部.xlsx" if q.all else "规范申报库-当前页.xlsx"
    return HTTPResponse(body, content_type=XLSX, headers={
        "content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@requires(EXPORT)
async def progress(request: Request, token: str) -> HTTPResponse:
    member = await current_member(request)
    view = await person_export_view(request.app.ctx.services, member.membership.person_id, token)
    return await workbench_page(request, "workbench/library_export.html", job=view, base=DESK.prefix,
                                again=urlencode([*view.filter_args, ("all", "1")]))


@requires(EXPORT)
async def download(request: Request, token: str) -> HTTPResponse:
    member = await current_member(request)
    found = await person_export_file(member.membership.person_id, token,
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
