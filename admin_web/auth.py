"""Who is working in the admin web: the signed-in customs account, from its own cookie (``ql_admin``).

The account is reloaded on every request (a switched-off account is out at once) and every unsafe request
must carry the session's CSRF token, since the admin web is cookie-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sanic import Request
from sanic.response import HTTPResponse

from core.db import connection
from handlers.kit.auth import MSG_SIGN_IN, check_csrf, set_cookie
from handlers.kit.sessions import ADMIN_COOKIE, SessionStore, WebSession
from models.errors import NotFound, NotSignedIn
from services.accounts.labels import CUSTOMS_ROLE_LABELS as ROLE_LABELS
from services.kit.access import access_customs_account
from services.kit.actors import CustomsActor
from services.kit.records import CustomsAccount
from services.notifications.sms_alerts import OpenAlert, open_alerts_for
from services.questions.queue import badge_label, new_work_count


@dataclass(frozen=True)
class AdminUser:
    session: WebSession
    account: CustomsAccount
    new_work: int  # questions submitted to the account's scope and not yet accepted (the badge; counted to 100)
    sms_alerts: tuple[OpenAlert, ...] = ()  # open SMS configuration errors: the banner, for admins only

    @property
    def actor(self) -> CustomsActor:
        return CustomsActor(self.account.id)

    @property
    def new_work_label(self) -> str:
        return badge_label(self.new_work)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.account.role]


ADMIN_SESSION_TTL = 12 * 3600  # seconds without use: a working day


def admin_sessions(request: Request) -> SessionStore:
    return request.app.ctx.admin_sessions


async def admin_session(request: Request) -> WebSession | None:
    if not hasattr(request.ctx, "web_session"):
        request.ctx.by_cookie = True
        session = await admin_sessions(request).find(request.cookies.get(ADMIN_COOKIE))
        request.ctx.web_session = session if session is not None and session.account_id is not None else None
    return request.ctx.web_session


async def customs_signed_in(request: Request) -> AdminUser:
    """The signed-in customs account; NotSignedIn otherwise (pages redirect to /admin/login)."""
    session = await admin_session(request)
    if session is None or session.account_id is None:
        raise NotSignedIn(MSG_SIGN_IN)
    try:
        account = await access_customs_account(session.account_id, connection())
    except NotFound:
        await admin_sessions(request).end(session.token)
        raise NotSignedIn("账号已停用，请联系系统管理员") from None
    if account.sessions_valid_after and session.started < account.sessions_valid_after.timestamp():
        await admin_sessions(request).end(session.token)
        raise NotSignedIn("登录已失效，请重新登录")
    check_csrf(request, session)
    user = AdminUser(session, account, await new_work_count(account.id), await open_alerts_for(account))
    request.ctx.user = user
    return user


def set_admin_cookie(request: Request, response: HTTPResponse, session: WebSession | None) -> HTTPResponse:
    return set_cookie(request, response, ADMIN_COOKIE, session, path="/admin", samesite="Strict",
                      max_age=ADMIN_SESSION_TTL)
