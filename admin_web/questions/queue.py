"""The customs queue (the admin web's start page) and its Excel export, run by the worker as a background job:
start → progress page (polls) → download; the same progress page serves every export kind (the AEO record too)."""

from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import Markup
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from admin_web.auth import customs_signed_in
from admin_web.questions.bodies import QueueFilterBody, QueueQuery
from core.db import on_held_connection
from handlers.kit.bodies import read_body, read_query
from handlers.kit.render import fragment, page, see_other
from services.jobs.exports import export_file, export_view, exports_folder, start_queue_export
from services.questions.queue import list_queue, queue_options

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def queue_blueprint() -> Blueprint:
    bp = Blueprint("admin_queue")
    bp.add_route(queue, "/admin/", methods=["GET"])
    bp.add_route(export, "/admin/exports", methods=["POST"])
    bp.add_route(progress, "/admin/exports/<token:str>", methods=["GET"])
    bp.add_route(download, "/admin/exports/<token:str>/file", methods=["GET"])
    return bp


@on_held_connection  # the account, the offices, the page, its types and handlers, the choices, the badge
async def queue(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    query = read_query(request, QueueQuery)
    flt, settings = query.filter(), request.app.ctx.settings.customs
    found = await list_queue(user.account.id, flt, cursor=query.cursor or None,
                             ctx=request.app.ctx.services, accept_within_days=settings.accept_within_days,
                             reply_within_days=settings.reply_within_days)
    # The filter form and each row depend on what they show alone: rendered once, then reused.
    filters = fragment("admin/queue_filters.html", options=await queue_options(user.account.id), flt=flt)
    tz = request.app.ctx.services.tz
    rows = Markup().join(fragment("admin/queue_row.html", q=q, tz=tz) for q in found.items)
    return page(request, "admin/queue.html", found=found, flt=flt, filters=filters, rows=rows,
                filter_query=urlencode(query.pairs()), forwarded=query.forwarded[:24])


async def export(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    body = read_body(request, QueueFilterBody)
    token = await start_queue_export(request.app.ctx.services, user.account.id, body.pairs())
    return see_other(f"/admin/exports/{token}")


async def progress(request: Request, token: str) -> HTTPResponse:
    user = await customs_signed_in(request)
    view = await export_view(request.app.ctx.services, user.account.id, token)
    return page(request, "admin/export.html", job=view)


async def download(request: Request, token: str) -> HTTPResponse:
    user = await customs_signed_in(request)
    found = await export_file(user.account.id, token, exports_folder(request.app.ctx.settings.web.upload_dir))
    if found is None:
        return see_other(f"/admin/exports/{token}")
    path, name = found
    return await file(path, mime_type=XLSX, filename=name)
