"""Signing in on the H5 pages: phone + SMS code outside WeChat, snsapi_base OAuth inside it, and binding.

Inside WeChat: ``/h5/oauth?next=…`` makes a signed, single-use ``state`` and sends the browser to WeChat's
authorize page; WeChat returns to ``/h5/oauth/callback`` with a code, exchanged for the openid. A bound
openid signs its person in; an unbound one gets a session that only carries the openid, and the bind page
asks for phone + SMS code. After sign-in the browser goes to ``next`` — a path of this site only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from adapters.wechat_api import WechatApiError
from handlers.accounts.bodies import PhoneBody, SmsSignInBody
from handlers.accounts.central_pages import central_name
from handlers.kit.auth import begin_session, client_ip, current_session, in_wechat, set_session_cookie, signed_in
from handlers.kit.forms import Refused, anyone, form_action
from handlers.kit.render import page, see_other
from handlers.kit.responses import page_error
from handlers.kit.sessions import WebSession
from models.errors import DomainError, Forbidden, NotFound, ServiceUnavailable
from services.accounts.local_accounts import MSG_NO_ENTERPRISE
from services.accounts.oauth_state import safe_next_path
from services.accounts.sign_in import first_membership, sign_in_with_code
from services.accounts.sms_codes import MSG_CODE_SENT
from services.accounts.wechat_binding import MSG_WECHAT_DOWN, bind_openid, person_for_openid

MSG_OAUTH_EXPIRED = "微信授权已失效，请从公众号菜单重新进入"
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
                errors=errors or {}, notice=notice, central_name=central_name(request))


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


def _phone_again(request: Request, kind: str, whole: str) -> Callable[[object, Refused], Awaitable[HTTPResponse]]:
    """The phone form again after a refusal: the messages beside their fields, the phone number kept."""
    async def again(_: object, refused: Refused) -> HTTPResponse:
        return _phone_page(request, kind, status=refused.status, phone=str(refused.values.get("phone", "")).strip(),
                           next_path=safe_next_path(str(refused.values.get("next", ""))),
                           errors=refused.beside(whole=whole))

    return again


async def _send_code(request: Request, kind: str) -> HTTPResponse:
    async def change(_: None, body: PhoneBody) -> HTTPResponse:
        await request.app.ctx.sms_codes.issue_code(body.phone, ip=client_ip(request))
        return _phone_page(request, kind, phone=body.phone, next_path=safe_next_path(body.next), notice=MSG_CODE_SENT)

    return await form_action(request, anyone, PhoneBody, change, _phone_again(request, kind, "phone"),
                             catch=(DomainError,))


async def login(request: Request) -> HTTPResponse:
    async def change(_: None, body: SmsSignInBody) -> HTTPResponse:
        membership = await sign_in_with_code(request.app.ctx.sms_codes, body.phone, body.code)
        session = await begin_session(request, membership=membership, openid=None, via="sms")
        return set_session_cookie(request, see_other(safe_next_path(body.next)), session)

    return await form_action(request, anyone, SmsSignInBody, change, _phone_again(request, "login", "code"),
                             catch=(DomainError,))


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
        raise NotFound(MSG_NO_ENTERPRISE)
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


async def _wechat_visitor(request: Request) -> WebSession:
    session = await current_session(request)
    if session is None or not session.openid:
        raise Forbidden(MSG_OAUTH_EXPIRED)
    return session


async def bind(request: Request) -> HTTPResponse:
    async def change(session: WebSession, body: SmsSignInBody) -> HTTPResponse:
        assert session.openid is not None
        person = await bind_openid(request.app.ctx.services, request.app.ctx.sms_codes, body.phone, body.code,
                                   session.openid)
        membership = await first_membership(person.id)
        if membership is None:  # not a refusal of the form: the error page, as for any other visit
            return page_error(request, NotFound(MSG_NO_ENTERPRISE))
        new = await begin_session(request, membership=membership, openid=session.openid, via="wechat")
        return set_session_cookie(request, see_other(safe_next_path(body.next)), new)

    return await form_action(request, _wechat_visitor, SmsSignInBody, change, _phone_again(request, "bind", "code"),
                             catch=(DomainError,))


async def logout(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    await request.app.ctx.sessions.end(user.session.token)
    return set_session_cookie(request, see_other("/h5/login"), None)
