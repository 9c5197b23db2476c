"""Signing in on the H5 pages: phone + SMS code outside WeChat, snsapi_base OAuth inside it, and binding.

Inside WeChat: ``/h5/oauth?next=…`` makes a signed, single-use ``state`` and sends the browser to WeChat's
authorize page; WeChat returns to ``/h5/oauth/callback`` with a code, exchanged for the openid. A bound
openid signs its person in; an unbound one gets a session that only carries the openid, and the bind page
asks for phone + SMS code. After sign-in the browser goes to ``next`` — a path of this site only.
"""

from __future__ import annotations

from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from adapters.wechat_api import WechatApiError
from handlers.kit.auth import begin_session, client_ip, current_session, in_wechat, set_session_cookie, signed_in
from handlers.kit.inputs import Inputs
from handlers.kit.render import page, see_other
from models.errors import DomainError, Forbidden, NotFound, ServiceUnavailable
from services.accounts.oauth_state import safe_next_path
from services.accounts.sign_in import first_membership, sign_in_with_code
from services.accounts.wechat_binding import bind_openid, person_for_openid

MSG_CODE_SENT = "验证码已发送，5 分钟内有效"
MSG_OAUTH_EXPIRED = "微信授权已失效，请从公众号菜单重新进入"
MSG_WECHAT_DOWN = "微信服务暂时不可用，请稍后再试"
MSG_ACCOUNT_OFF = "您的账号已停用或已不属于任何企业，请联系企业管理员"
CALLBACK = "/h5/oauth/callback"


def signin_blueprint() -> Blueprint:
    bp = Blueprint("h5_signin")
    bp.add_route(login_form, "/h5/login", methods=["GET"])
    bp.add_route(login_code, "/h5/login/code", methods=["POST"])
    bp.add_route(login, "/h5/login", methods=["POST"])
    bp.add_route(oauth_start, "/h5/oauth", methods=["GET"])
    bp.add_route(oauth_callback, CALLBACK, methods=["GET"])
    bp.add_route(bind_form, "/h5/bind", methods=["GET"])
    bp.add_route(bind_code, "/h5/bind/code", methods=["POST"])
    bp.add_route(bind, "/h5/bind", methods=["POST"])
    bp.add_route(logout, "/h5/logout", methods=["POST"])
    return bp


def _phone_page(request: Request, kind: str, *, status: int = 200, phone: str = "", next_path: str = "/h5/",
                errors: dict[str, str] | None = None, notice: str = "") -> HTTPResponse:
    return page(request, "signin_phone.html", status=status, kind=kind, phone=phone, next_path=next_path,
                errors=errors or {}, notice=notice, central=request.app.ctx.settings.identity_provider.enabled)


async def login_form(request: Request) -> HTTPResponse:
    next_path = safe_next_path(request.args.get("next"))
    if in_wechat(request):
        return redirect(f"/h5/oauth?{urlencode({'next': next_path})}", status=303)
    return _phone_page(request, "login", next_path=next_path)


async def login_code(request: Request) -> HTTPResponse:
    """The no-JavaScript "获取验证码": send the code and show the same form again."""
    return await _send_code(request, "login")


async def bind_code(request: Request) -> HTTPResponse:
    return await _send_code(request, "bind")


async def _send_code(request: Request, kind: str) -> HTTPResponse:
    data = Inputs.of(request)
    phone, next_path = data.text("phone").strip(), safe_next_path(data.text("next"))
    try:
        await request.app.ctx.sms_codes.issue_code(phone, ip=client_ip(request))
    except DomainError as error:
        return _phone_page(request, kind, status=error.status, phone=phone, next_path=next_path,
                           errors={error.field or "phone": error.message})
    return _phone_page(request, kind, phone=phone, next_path=next_path, notice=MSG_CODE_SENT)


async def login(request: Request) -> HTTPResponse:
    data = Inputs.of(request)
    phone, next_path = data.text("phone").strip(), safe_next_path(data.text("next"))
    try:
        membership = await sign_in_with_code(request.app.ctx.sms_codes, phone, data.text("code"))
    except DomainError as error:
        return _phone_page(request, "login", status=error.status, phone=phone, next_path=next_path,
                           errors={error.field or "code": error.message})
    session = await begin_session(request, membership=membership, openid=None, via="sms")
    return set_session_cookie(request, see_other(next_path), session)


async def oauth_start(request: Request) -> HTTPResponse:
    state = await request.app.ctx.oauth_states.make_state(request.args.get("next"))
    callback = request.app.ctx.settings.server.public_url.rstrip("/") + CALLBACK
    return redirect(request.app.ctx.wechat.oauth_url(callback, state), status=302)


async def oauth_callback(request: Request) -> HTTPResponse:
    next_path = await request.app.ctx.oauth_states.open_state(request.args.get("state"))
    code = request.args.get("code")
    if not code:  # the user refused, or the link was cut
        raise Forbidden(MSG_OAUTH_EXPIRED)
    try:
        grant = await request.app.ctx.wechat.oauth_grant(code)
    except WechatApiError as error:
        if error.errcode in (40029, 40163, 41008):
            raise Forbidden(MSG_OAUTH_EXPIRED) from None
        raise ServiceUnavailable(MSG_WECHAT_DOWN) from None
    person = await person_for_openid(grant.openid)
    if person is None:
        session = await begin_session(request, membership=None, openid=grant.openid, via="wechat")
        if next_path.startswith("/h5/register"):  # registering in WeChat: the form binds this openid
            return set_session_cookie(request, see_other(next_path), session)
        return set_session_cookie(request, see_other(f"/h5/bind?{urlencode({'next': next_path})}"), session)
    membership = await first_membership(person.id)
    if membership is None:
        raise NotFound(MSG_ACCOUNT_OFF)
    session = await begin_session(request, membership=membership, openid=grant.openid, via="wechat")
    return set_session_cookie(request, see_other(next_path), session)


async def bind_form(request: Request) -> HTTPResponse:
    next_path = safe_next_path(request.args.get("next"))
    session = await current_session(request)
    if session is not None and session.person_id is not None and session.openid:
        return see_other("/h5/account")  # already bound
    if session is None or not session.openid:
        if in_wechat(request):
            return redirect(f"/h5/oauth?{urlencode({'next': '/h5/bind?' + urlencode({'next': next_path})})}",
                            status=303)
        return see_other("/h5/account/wechat")  # outside WeChat: bind by scanning a QR code
    return _phone_page(request, "bind", next_path=next_path)


async def bind(request: Request) -> HTTPResponse:
    session = await current_session(request)
    data = Inputs.of(request)
    phone, next_path = data.text("phone").strip(), safe_next_path(data.text("next"))
    if session is None or not session.openid:
        raise Forbidden(MSG_OAUTH_EXPIRED)
    try:
        person = await bind_openid(request.app.ctx.services, request.app.ctx.sms_codes, phone, data.text("code"),
                                   session.openid)
    except DomainError as error:
        return _phone_page(request, "bind", status=error.status, phone=phone, next_path=next_path,
                           errors={error.field or "code": error.message})
    membership = await first_membership(person.id)
    if membership is None:
        raise NotFound(MSG_ACCOUNT_OFF)
    new = await begin_session(request, membership=membership, openid=session.openid, via="wechat")
    return set_session_cookie(request, see_other(next_path), new)


async def logout(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    await request.app.ctx.sessions.end(user.session.token)
    return set_session_cookie(request, see_other("/h5/login"), None)
