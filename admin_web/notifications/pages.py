"""Notifications that failed (WeChat and SMS both refused or gave up), with "send again"."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.auth import customs_signed_in
from handlers.kit.auth import client_ip
from handlers.kit.render import page, see_other
from services.kit.actors import CustomsActor
from services.notifications.outbox_admin import failed_notices, retry_notice


def notification_blueprint() -> Blueprint:
    bp = Blueprint("admin_notifications")
    bp.add_route(show, "/admin/notifications", methods=["GET"])
    bp.add_route(retry, "/admin/notifications/<notice_id:int>/retry", methods=["POST"])
    return bp


async def show(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    found = await failed_notices(user.account.id, cursor=request.args.get("cursor") or None)
    return page(request, "admin/notifications.html", notices=found, retried=request.args.get("retried", ""))


async def retry(request: Request, notice_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    await retry_notice(request.app.ctx.services, CustomsActor(user.account.id, client_ip(request)), notice_id)
    return see_other(f"/admin/notifications?retried={notice_id}")
