"""The signed-in customs account's WeChat: bind by scanning a temporary QR code, or unbind.

A bound WeChat receives the new-question template message (services/notifications/officer_notices.py).
"""

from __future__ import annotations

import logging

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.auth import customs_signed_in
from handlers.kit.auth import client_ip
from handlers.kit.render import page, see_other
from services.accounts.customs_wechat import unbind_customs_openid
from services.accounts.qr_binding import MSG_QR_FAILED, TTL, make_customs_scene

log = logging.getLogger("qingling.admin_account")
DONE = {"unbound": "已解除微信绑定，不再接收新问题提醒"}


def account_blueprint() -> Blueprint:
    bp = Blueprint("admin_account")
    bp.add_route(wechat, "/admin/account/wechat", methods=["GET"])
    bp.add_route(unbind, "/admin/account/wechat/unbind", methods=["POST"])
    return bp


async def wechat(request: Request) -> HTTPResponse:
    """Bound: the state and an unbind button; else a fresh QR code naming this account."""
    user = await customs_signed_in(request)
    notice = DONE.get(request.args.get("done", ""), "")
    if user.account.wechat_openid:
        return page(request, "admin/account_wechat.html", bound=True, image="", minutes=0, notice=notice,
                    error="")
    scene = await make_customs_scene(request.app.ctx.cache, user.account.id)
    try:
        qrcode = await request.app.ctx.wechat.create_qrcode(scene, TTL)
    except Exception:  # noqa: BLE001 - any failure of WeChat is the same to the user
        log.warning("binding QR code for customs account %s failed", user.account.id, exc_info=True)
        return page(request, "admin/account_wechat.html", status=503, bound=False, image="", minutes=0,
                    notice=notice, error=MSG_QR_FAILED)
    image = request.app.ctx.wechat.qrcode_image_url(qrcode["ticket"])
    return page(request, "admin/account_wechat.html", bound=False, image=image, minutes=TTL // 60, notice=notice,
                error="")


async def unbind(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    await unbind_customs_openid(request.app.ctx.services, user.account.id, ip=client_ip(request))
    return see_other("/admin/account/wechat?done=unbound")
