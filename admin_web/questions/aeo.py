"""AEO evidence: the 关企沟通记录 of one enterprise over a period, exported by the worker (same progress page and
download as the queue's export)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.auth import customs_signed_in
from admin_web.questions.bodies import AeoQuery
from handlers.kit.bodies import read_body
from handlers.kit.render import see_other
from services.jobs.exports import start_aeo_record


def aeo_blueprint() -> Blueprint:
    bp = Blueprint("admin_aeo")
    bp.add_route(start, "/admin/enterprises/<enterprise_id:int>/aeo-record", methods=["POST"])
    return bp


async def start(request: Request, enterprise_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    body = read_body(request, AeoQuery)
    body.period()
    first, last = body.date_from, body.date_to
    token = await start_aeo_record(request.app.ctx.services, user.account.id, enterprise_id, first, last)
    return see_other(f"/admin/exports/{token}")
