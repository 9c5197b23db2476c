"""Who is asking: the signed-in enterprise user of a request, from the session cookie or a Bearer token.

Every H5 page and API handler starts with ``user = await signed_in(request)``. The membership is loaded
fresh on every request, so a person removed from the enterprise (or switched off) loses access at once,
open sessions included. Unsafe methods with cookie authentication must carry the session's CSRF token
(form field ``csrf_token`` or header ``X-CSRF-Token``); Bearer tokens are not sent by browsers on their
own, so they need none.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sanic import Request
from sanic.response import HTTPResponse

from core.db import connection
from handlers.kit.sessions import COOKIE, SessionStore, WebSession
from models.errors import Forbidden, NotFound, NotSignedIn
from services.kit.access import access_membership
from services.kit.actors import PersonActor
from services.kit.records import Enterprise, MemberRole, Membership, Person

MSG_CSRF = "页面已过期，请刷新后重试"
MSG_SIGN_IN = "请先登录"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class WebUser:
    session: WebSession
    membership: Membership

    @property
    def actor(self) -> PersonActor:
        return PersonActor(self.membership.person_id)

    @property
    def person(self) -> Person:
        return self.membership.person

    @property
    def enterprise(self) -> Enterprise:
        return self.membership.enterprise

    @property
    def role(self) -> MemberRole:
        return self.membership.role


def sessions(request: Request) -> SessionStore:
    return request.app.ctx.sessions


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def current_session(request: Request) -> WebSession | None:
    """The request's session (cached on the request), or None."""
    if not hasattr(request.ctx, "web_session"):
        token = bearer_token(request)
        request.ctx.by_cookie = token is None
        request.ctx.web_session = await sessions(request).find(token or request.cookies.get(COOKIE))
    return request.ctx.web_session


async def signed_in(request: Request) -> WebUser:
    """The signed-in user; NotSignedIn without a (still valid) sign-in, Forbidden for a missing CSRF token."""
    session = await current_session(request)
    if session is None or session.person_id is None or session.enterprise_id is None:
        raise NotSignedIn(MSG_SIGN_IN)
    try:
        membership = await access_membership(session.person_id, session.enterprise_id, connection())
    except NotFound:
        await sessions(request).end(session.token)
        raise NotSignedIn("您的账号已不在该企业，请重新登录") from None
    check_csrf(request, session)
    user = WebUser(session, membership)
    request.ctx.user = user
    return user


def check_csrf(request: Request, session: WebSession) -> None:
    if request.method in SAFE_METHODS or not getattr(request.ctx, "by_cookie", True):
        return
    sent = request.headers.get("x-csrf-token") or (request.form.get("csrf_token") if request.form else None) or ""
    if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise Forbidden(MSG_CSRF)


def in_wechat(request: Request) -> bool:
    """Opened inside WeChat: its browser's user agent, or a link WeChat wrapped in an authorization (it adds
    ``code`` and ``state``). Such visitors sign in through OAuth rather than with an SMS code."""
    if "micromessenger" in request.headers.get("user-agent", "").lower():
        return True
    args = request.get_args(keep_blank_values=True)  # WeChat sends an empty state as "state="
    return "code" in args and "state" in args


async def begin_session(request: Request, *, membership: Membership | None, openid: str | None,
                        via: str) -> WebSession:
    """A fresh session (never the old token: no fixation); the previous one of this browser ends."""
    old = await current_session(request)
    if old is not None:
        await sessions(request).end(old.token)
    session = await sessions(request).start(
        person_id=membership.person_id if membership else None,
        enterprise_id=membership.enterprise_id if membership else None, openid=openid, via=via)
    request.ctx.web_session = session
    return session


def set_session_cookie(request: Request, response: HTTPResponse, session: WebSession | None) -> HTTPResponse:
    return set_cookie(request, response, COOKIE, session, path="/", samesite="Lax",
                      max_age=request.app.ctx.settings.web.session_ttl_seconds)


def set_cookie(request: Request, response: HTTPResponse, name: str, session: WebSession | None, *, path: str,
               samesite: str, max_age: int) -> HTTPResponse:
    """The session's cookie on ``response`` (HttpOnly, Secure behind TLS), or its deletion when ``session`` is None."""
    if session is None:
        response.delete_cookie(name, path=path)
    else:
        response.add_cookie(name, session.token, path=path, httponly=True, samesite=samesite,
                            secure=request.app.ctx.settings.web.cookie_secure, max_age=max_age)
    return response


def client_ip(request: Request) -> str | None:
    return request.remote_addr or request.ip or None
