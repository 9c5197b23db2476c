"""单一窗口账号快捷登录 (§2.2 of the Liaoning 单一窗口 问题清零系统 user manual): the round trip to the central
identity provider, the first-time choice between quick registration and binding an existing local account, and
the local user name + password login.

The callback never answers 500: a bad, replayed or foreign ``state``, a used or expired code, a provider
error or an id_token that fails validation all end on a Chinese page offering to start again. A linked
central account gets its session at once (the question pages open without a second login).
"""

from __future__ import annotations

from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from handlers.accounts.bodies import CentralFirstBody, PasswordBody
from handlers.kit.auth import begin_session, check_csrf, client_ip, current_session, set_session_cookie, signed_in
from handlers.kit.bodies import read_body, same_password, typed_values
from handlers.kit.forms import Refused, anyone, form_action
from handlers.kit.render import page, see_other
from models.errors import DomainError, Forbidden
from services.accounts import central_sign_in as flow
from services.accounts.central_accounts import (
    bind_central,
    central_link_of,
    linked_membership,
    register_from_central,
    unlink_central,
)
from services.accounts.local_accounts import local_account_of, sign_in_with_password
from services.accounts.oauth_state import safe_next_path
from services.kit.records import Membership

FLOW_COOKIE = "ql_central"
CALLBACK = "/h5/central/callback"  # identity_provider.redirect_path by default; core/app.py adds another one
MSG_UNLINKED = "已解除单一窗口账号绑定"



def central_name(request: Request) -> str:
    """The central identity provider's name for the sign-in pages; "" when central sign-in is off."""
    provider = request.app.ctx.settings.identity_provider
    return provider.display_name if provider.enabled else ""

def central_blueprint() -> Blueprint:
    bp = Blueprint("h5_central")
    bp.add_route(start, "/h5/central/start", methods=["GET"])
    bp.add_route(callback, CALLBACK, methods=["GET"])
    bp.add_route(first_form, "/h5/central/first", methods=["GET"])
    bp.add_route(register, "/h5/central/register", methods=["POST"])
    bp.add_route(bind, "/h5/central/bind", methods=["POST"])
    bp.add_route(done, "/h5/central/done", methods=["GET"])
    bp.add_route(password_login, "/h5/login/password", methods=["POST"])
    bp.add_route(account_central, "/h5/account/central", methods=["GET"])
    bp.add_route(unlink, "/h5/account/central/unlink", methods=["POST"])
    return bp


def _redirect_uri(request: Request) -> str:
    settings = request.app.ctx.settings
    return settings.server.public_url.rstrip("/") + settings.identity_provider.redirect_path


def _failed(request: Request, error: DomainError, next_path: str = "/h5/") -> HTTPResponse:
    return page(request, "central_error.html", status=error.status, message=error.message, next_path=next_path)


async def start(request: Request) -> HTTPResponse:
    ctx = request.app.ctx
    next_path = safe_next_path(request.args.get("next"))
    try:
        if not ctx.settings.identity_provider.enabled:
            raise Forbidden(flow.MSG_NOT_ENABLED)
        begun = await flow.start(ctx.identity_provider, ctx.oauth_states, ctx.cache, _redirect_uri(request), next_path)
    except DomainError as error:
        return _failed(request, error, next_path)
    response = redirect(begun.url, status=302)
    response.add_cookie(FLOW_COOKIE, begun.browser, path=ctx.settings.identity_provider.redirect_path,
                        httponly=True, samesite="Lax",
                        secure=ctx.settings.web.cookie_secure, max_age=ctx.oauth_states.ttl)
    return response


async def callback(request: Request) -> HTTPResponse:
    ctx = request.app.ctx
    args = {k: v[0] for k, v in request.args.items()}
    try:
        profile, next_path = await flow.finish(ctx.identity_provider, ctx.oauth_states, ctx.cache,
                                               _redirect_uri(request), args, request.cookies.get(FLOW_COOKIE))
        membership = await linked_membership(profile)
    except DomainError as error:
        return _failed(request, error)
    if membership is not None:
        return await _signed_in(request, membership, see_other(next_path))
    session = await begin_session(request, membership=None, openid=None, via="central")
    await flow.remember_pending(ctx.cache, session.token, profile, next_path)
    return set_session_cookie(request, see_other("/h5/central/first"), session)


def _first_page(request: Request, profile: flow.CentralProfile, *, mode: str, status: int = 200,
                username: str = "", errors: dict[str, str] | None = None) -> HTTPResponse:
    return page(request, "central_first.html", status=status, profile=profile, mode=mode,
                username=username or (profile.username.lower() if mode == "register" else ""), errors=errors or {})


async def first_form(request: Request) -> HTTPResponse:
    session = await current_session(request)
    try:
        profile, _ = await flow.pending(request.app.ctx.cache, session.token if session else None)
    except DomainError as error:
        return _failed(request, error)
    mode = "bind" if request.args.get("mode") == "bind" else "register"
    return _first_page(request, profile, mode=mode)


async def register(request: Request) -> HTTPResponse:
    return await _finish_first(request, "register")


async def bind(request: Request) -> HTTPResponse:
    return await _finish_first(request, "bind")


async def _finish_first(request: Request, mode: str) -> HTTPResponse:
    """Register or bind for the pending central account, then sign in; errors beside the fields."""
    ctx, session = request.app.ctx, await current_session(request)
    try:
        profile, next_path = await flow.pending(ctx.cache, session.token if session else None)
        check_csrf(request, session)
    except DomainError as error:
        return _failed(request, error)
    try:
        body = read_body(request, CentralFirstBody)
        if mode == "register":
            password = same_password(body.password, body.password2)
            membership = await register_from_central(ctx.services, profile, body.username, password,
                                                     ip=client_ip(request))
        else:
            membership = await bind_central(ctx.services, profile, body.username, body.password, ip=client_ip(request))
    except DomainError as error:
        refused = Refused.of(error, typed_values(request, CentralFirstBody))
        return _first_page(request, profile, mode=mode, status=refused.status, errors=refused.beside(whole="form"),
                           username=str(refused.values["username"]))
    await flow.forget_pending(ctx.cache, session.token)
    target = f"/h5/central/done?{urlencode({'next': next_path, 'kind': mode})}"
    return await _signed_in(request, membership, see_other(target))


async def _signed_in(request: Request, membership: Membership, response: HTTPResponse) -> HTTPResponse:
    session = await begin_session(request, membership=membership, openid=None, via="central")
    response.delete_cookie(FLOW_COOKIE, path=request.app.ctx.settings.identity_provider.redirect_path)
    return set_session_cookie(request, response, session)


async def done(request: Request) -> HTTPResponse:
    await signed_in(request)
    title = "绑定成功" if request.args.get("kind") == "bind" else "快速注册成功"
    return page(request, "central_done.html", title=title, next_path=safe_next_path(request.args.get("next")))


async def password_login(request: Request) -> HTTPResponse:
    async def change(_: None, body: PasswordBody) -> HTTPResponse:
        membership = await sign_in_with_password(request.app.ctx.services, body.username, body.password,
                                                 ip=client_ip(request))
        session = await begin_session(request, membership=membership, openid=None, via="password")
        return set_session_cookie(request, see_other(safe_next_path(body.next)), session)

    async def again(_: None, refused: Refused) -> HTTPResponse:
        return page(request, "signin_password.html", status=refused.status,
                    username=str(refused.values["username"]).strip(),
                    next_path=safe_next_path(str(refused.values["next"])),
                    password_errors=refused.beside(whole="password"),
                    central_name=central_name(request))

    return await form_action(request, anyone, PasswordBody, change, again, catch=(DomainError,))


async def account_central(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    return page(request, "account_central.html", link=await central_link_of(user.person.id),
                local=await local_account_of(user.person.id),
                notice=MSG_UNLINKED if request.args.get("unlinked") else "")


async def unlink(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    await unlink_central(request.app.ctx.services, user.person.id, ip=client_ip(request))
    return see_other("/h5/account/central?unlinked=1")
