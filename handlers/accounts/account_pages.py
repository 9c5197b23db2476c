"""The signed-in user's own pages: the home page, the account page, WeChat binding by QR code, unbinding."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.auth import WebUser, set_session_cookie, signed_in
from handlers.kit.render import page, see_other
from handlers.kit.responses import ok
from models.errors import ServiceUnavailable
from models.lifecycle import NO_EXECUTIVE
from services.accounts.labels import ENTERPRISE_STATUS_LABELS
from services.accounts.labels import MEMBER_ROLE_LABELS as ROLE_LABELS
from services.accounts.qr_binding import MSG_QR_FAILED, TTL, make_scene
from services.accounts.sign_in import memberships_of
from services.accounts.wechat_binding import unbind_openid
from services.kit.records import MemberRole
from services.messages.centre import Mailbox, counts
from services.questions.ask_options import ask_refusal
from services.questions.views import HomeCount, home_counts


async def unread_count(user: WebUser) -> HomeCount:
    """The message centre's unread messages, beside the question counts of the home page."""
    box = Mailbox(user.person.id, user.enterprise.id)
    return HomeCount("未读消息", (await counts(box)).unread, "/h5/messages")


def account_blueprint() -> Blueprint:
    bp = Blueprint("h5_account")
    bp.add_route(home, "/h5/", methods=["GET"])
    bp.add_route(account, "/h5/account", methods=["GET"])
    bp.add_route(wechat_qr, "/h5/account/wechat", methods=["GET"])
    bp.add_route(wechat_bound, "/h5/account/wechat/status", methods=["GET"])
    bp.add_route(unbind, "/h5/account/unbind", methods=["POST"])
    return bp


async def home(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    refusal = await ask_refusal(request.app.ctx.services, user.actor, user.enterprise.id)
    return page(request, "account_home.html", role_label=ROLE_LABELS[user.role],
                is_executive=user.role is MemberRole.EXECUTIVE,
                counts=(*await home_counts(user.person.id, user.enterprise.id), await unread_count(user)),
                no_executive=refusal if refusal == NO_EXECUTIVE else "")


async def account(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    return page(request, "account.html", role_label=ROLE_LABELS[user.role], done=request.args.get("done", ""),
                memberships=await memberships_of(user.person.id), role_labels=ROLE_LABELS,
                enterprise_status=ENTERPRISE_STATUS_LABELS[user.enterprise.status])


async def wechat_qr(request: Request) -> HTTPResponse:
    """A temporary QR code: scanning it in WeChat binds that WeChat to this signed-in person."""
    user = await signed_in(request)
    if user.person.wechat_openid:
        return see_other("/h5/account")
    scene = await make_scene(request.app.ctx.cache, user.person.id)
    try:
        qrcode = await request.app.ctx.wechat.create_qrcode(scene, TTL)
    except Exception as error:  # noqa: BLE001 - any failure of WeChat is the same to the user
        raise ServiceUnavailable(MSG_QR_FAILED) from error
    image = request.app.ctx.wechat.qrcode_image_url(qrcode["ticket"])
    return page(request, "account_wechat_qr.html", image=image, minutes=TTL // 60)


async def wechat_bound(request: Request) -> HTTPResponse:
    """Whether the QR code was scanned yet: the QR page asks every 2 s and then moves on by itself."""
    user = await signed_in(request)
    return ok({"bound": bool(user.person.wechat_openid)})


async def unbind(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    await unbind_openid(request.app.ctx.services, user.person.id)
    await request.app.ctx.sessions.end(user.session.token)
    return set_session_cookie(request, see_other("/h5/login?unbound=1"), None)
