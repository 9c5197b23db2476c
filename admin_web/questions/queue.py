"""The customs queue (the admin web's start page) and its Excel export in the background."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from admin_web.auth import customs_signed_in
from admin_web.questions.bodies import QueueFilterBody, QueueQuery
from handlers.kit.bodies import read_body, read_query
from handlers.kit.render import page, see_other
from services.jobs.exports import export_path, export_state, start_export
from services.questions.queue import list_queue, queue_options

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def queue_blueprint() -> Blueprint:
    bp = Blueprint("admin_queue")
    bp.add_route(queue, "/admin/", methods=["GET"])
    bp.add_route(export, "/admin/exports", methods=["POST"])
    bp.add_route(progress, "/admin/exports/<token:str>", methods=["GET"])
    bp.add_route(download, "/admin/exports/<token:str>/file", methods=["GET"])
    return bp


def _exports(request: Request) -> Path:
    return Path(request.app.ctx.settings.web.upload_dir) / "exports"


async def queue(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    query = read_query(request, QueueQuery)
    flt, settings = query.filter(), request.app.ctx.settings.customs
    found = await list_queue(user.account.id, flt, cursor=query.cursor or None,
                             ctx=request.app.ctx.services, accept_within_days=settings.accept_within_days,
                             reply_within_days=settings.reply_within_days)
    return page(request, "admin/queue.html", found=found, flt=flt, options=await queue_options(user.account.id),
                filter_query=urlencode(query.pairs()), forwarded=query.forwarded[:24])


async def export(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    body = read_body(request, QueueFilterBody)
    token = await start_export(request.app.ctx.services, request.app.ctx.cache, _exports(request), user.account.id,
                               body.filter(), body.pairs())
    return see_other(f"/admin/exports/{token}")


async def progress(request: Request, token: str) -> HTTPResponse:
    user = await customs_signed_in(request)
    state = await export_state(request.app.ctx.cache, token, user.account.id)
    return page(request, "admin/export.html", job=state)


async def download(request: Request, token: str) -> HTTPResponse:
    user = await customs_signed_in(request)
    state = await export_state(request.app.ctx.cache, token, user.account.id)
    if state.state != "done":
        return see_other(f"/admin/exports/{token}")
    return await file(export_path(_exports(request), token), mime_type=XLSX,
                      filename=f"qingling-questions-{token[:6]}.xlsx")
