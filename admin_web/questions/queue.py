"""The customs queue (the admin web's start page) and its Excel export, run by the worker as a background job:
start → progress page (polls) → download; the same progress page serves every export kind (the AEO record too)."""

from __future__ import annotations

from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from admin_web.auth import customs_signed_in
from handlers.kit.inputs import Inputs
from handlers.kit.render import page, see_other
from services.jobs.exports import export_file, export_view, exports_folder, start_queue_export
from services.questions.queue import QueueFilter, list_queue, queue_options

FILTER_KEYS = ("status", "type_id", "office_id", "importance", "submitted_from", "submitted_to", "keyword")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def queue_blueprint() -> Blueprint:
    bp = Blueprint("admin_queue")
    bp.add_route(queue, "/admin/", methods=["GET"])
    bp.add_route(export, "/admin/exports", methods=["POST"])
    bp.add_route(progress, "/admin/exports/<token:str>", methods=["GET"])
    bp.add_route(download, "/admin/exports/<token:str>/file", methods=["GET"])
    return bp


def _filter_query(args: dict[str, list[str]]) -> str:
    return urlencode([(k, v) for k in FILTER_KEYS for v in args.get(k, []) if v])


async def queue(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    flt = QueueFilter.from_args(request.args)
    settings = request.app.ctx.settings.customs
    found = await list_queue(user.account.id, flt, cursor=request.args.get("cursor") or None,
                             ctx=request.app.ctx.services, accept_within_days=settings.accept_within_days,
                             reply_within_days=settings.reply_within_days)
    return page(request, "admin/queue.html", found=found, flt=flt, options=await queue_options(user.account.id),
                filter_query=_filter_query(dict(request.args)), forwarded=request.args.get("forwarded", "")[:24])


async def export(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    data = Inputs.of(request)
    pairs = [(k, str(v)) for k in FILTER_KEYS for v in data.values.get(k, []) if v]
    token = await start_queue_export(request.app.ctx.services, user.account.id, pairs)
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
