"""AEO evidence: the 关企沟通记录 of one enterprise over a period, exported by the worker (same progress page and
download as the queue's export)."""

from __future__ import annotations

from datetime import date

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.auth import customs_signed_in
from handlers.kit.inputs import Inputs
from handlers.kit.render import see_other
from models.errors import ValidationFailed
from services.jobs.exports import start_aeo_record


def aeo_blueprint() -> Blueprint:
    bp = Blueprint("admin_aeo")
    bp.add_route(start, "/admin/enterprises/<enterprise_id:int>/aeo-record", methods=["POST"])
    return bp


def _day(data: Inputs, name: str) -> date:
    try:
        return date.fromisoformat(data.text(name))
    except ValueError:
        raise ValidationFailed("请选择起止日期（年-月-日）", field=name) from None


async def start(request: Request, enterprise_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    data = Inputs.of(request)
    first, last = _day(data, "from"), _day(data, "to")
    if first > last:
        raise ValidationFailed("开始日期不能晚于结束日期", field="from")
    token = await start_aeo_record(request.app.ctx.services, user.account.id, enterprise_id, first, last)
    return see_other(f"/admin/exports/{token}")
