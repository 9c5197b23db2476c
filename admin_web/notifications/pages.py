"""Notifications that failed (WeChat and SMS both refused or gave up), with "send again"; and, for admins,
the open SMS configuration errors (services/notifications/sms_alerts.py), with "mark handled"."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.auth import customs_signed_in
from handlers.kit.auth import client_ip
from handlers.kit.bodies import PageQuery, read_query
from handlers.kit.render import page, see_other
from services.kit.actors import CustomsActor
from services.notifications.outbox_admin import failed_notices, retry_notice
from services.notifications.sms_alerts import resolve_alert


def notification_blueprint() -> Blueprint:
    bp = Blueprint("admin_notifications")
    bp.add_route(show, "/admin/notifications", methods=["GET"])
    bp.add_route(retry, "/admin/notifications/<notice_id:int>/retry", methods=["POST"])
    bp.add_route(resolve, "/admin/notifications/sms-alerts/<alert_id:int>/resolve", methods=["POST"])
    return bp


async def show(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    found = await failed_notices(user.account.id, cursor=read_query(request, PageQuery).cursor or None)
    return page(request, "admin/notifications.html", notices=found, retried=request.args.get("retried", ""),
                resolved=request.args.get("resolved", ""))


async def retry(request: Request, notice_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    await retry_notice(request.app.ctx.services, CustomsActor(user.account.id, client_ip(request)), notice_id)
    return see_other(f"/admin/notifications?retried={notice_id}")


async def resolve(request: Request, alert_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    await resolve_alert(request.app.ctx.services, CustomsActor(user.account.id, client_ip(request)), alert_id)
    return see_other(f"/admin/notifications?resolved={alert_id}")
