"""The library pages of the admin web (supervisors and admins): the upload page with the template, the upload
list and its reports, and the stored rows with their export (a job; its progress page is the exports' one)."""

from __future__ import annotations

from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file, raw

from admin_web.auth import AdminUser, customs_signed_in
from admin_web.library.bodies import RowsQuery, UploadBody
from handlers.kit.auth import client_ip
from handlers.kit.bodies import read_body, read_query
from handlers.kit.forms import Refused, form_action
from handlers.kit.render import page, see_other
from services.jobs.exports import exports_folder, start_library_export
from services.kit.actors import CustomsActor
from services.library.customs_rows import RowFilter, customs_rows
from services.library.labels import MARK_LABELS, SOURCE_LABELS, UPLOAD_KIND_LABELS, UPLOAD_STATUS_LABELS
from services.library.template import template_workbook
from services.library.uploads import access_upload, error_report, error_workbook, list_uploads, start_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABELS = {"marks": MARK_LABELS, "sources": SOURCE_LABELS, "kinds": UPLOAD_KIND_LABELS,
          "statuses": UPLOAD_STATUS_LABELS}


def library_blueprint() -> Blueprint:
    bp = Blueprint("admin_library")
    bp.add_route(uploads, "/admin/library", methods=["GET"])
    bp.add_route(template, "/admin/library/template", methods=["GET"])
    bp.add_route(upload, "/admin/library/uploads", methods=["POST"])
    bp.add_route(report, "/admin/library/uploads/<upload_id:int>", methods=["GET"])
    bp.add_route(errors, "/admin/library/uploads/<upload_id:int>/errors", methods=["GET"])
    bp.add_route(rows, "/admin/library/rows", methods=["GET"])
    bp.add_route(export, "/admin/library/rows/export", methods=["POST"])
    return bp


async def uploads(request: Request, refused: Refused | None = None) -> HTTPResponse:
    user = await customs_signed_in(request)
    found = await list_uploads(user.account.id)
    return page(request, "admin/library.html", uploads=found, labels=LABELS, status=refused.status if refused else 200,
                errors=refused.beside(("kind", "file")) if refused else {},
                values=refused.values if refused else {})


async def template(request: Request) -> HTTPResponse:
    await customs_signed_in(request)
    return raw(await template_workbook(), content_type=XLSX,
               headers={"Content-Disposition": "attachment; filename*=UTF-8''library-template.xlsx"})


async def upload(request: Request) -> HTTPResponse:
    async def change(user: AdminUser, body: UploadBody) -> HTTPResponse:
        chosen = request.files.get("file") if request.files else None
        found = await start_upload(request.app.ctx.services, CustomsActor(user.account.id, client_ip(request)),
                                   body.kind, chosen.name if chosen else "", chosen.body if chosen else b"",
                                   exports_folder(request.app.ctx.settings.web.upload_dir))
        return see_other(f"/admin/library/uploads/{found.id}")

    async def again(user: AdminUser, refused: Refused) -> HTTPResponse:
        return await uploads(request, refused)

    return await form_action(request, customs_signed_in, UploadBody, change, again)


async def report(request: Request, upload_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    found = await access_upload(user.account.id, upload_id)
    lines = await error_report(user.account.id, upload_id, exports_folder(request.app.ctx.settings.web.upload_dir))
    return page(request, "admin/library_upload.html", upload=found, lines=lines, labels=LABELS)


async def errors(request: Request, upload_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    found = await error_workbook(user.account.id, upload_id, exports_folder(request.app.ctx.settings.web.upload_dir))
    if found is None:
        return see_other(f"/admin/library/uploads/{upload_id}")
    path, name = found
    return await file(path, mime_type=XLSX, filename=name)


async def rows(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    query = read_query(request, RowsQuery)
    flt = RowFilter.from_args(query.pairs())
    found = await customs_rows(user.account.id, flt, int(query.cursor) if query.cursor.isdigit() else None)
    return page(request, "admin/library_rows.html", found=found, flt=query.pairs(), labels=LABELS,
                filter_query=urlencode(flt.args()))


async def export(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    flt = RowFilter.from_args(read_body(request, RowsQuery).pairs())
    token = await start_library_export(request.app.ctx.services, user.account.id, flt)
    return see_other(f"/admin/exports/{token}")
