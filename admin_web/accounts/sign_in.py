"""The admin web's door: password sign-in with lock-out, and sign-out."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.auth import admin_session, admin_sessions, customs_signed_in, set_admin_cookie
from handlers.accounts.bodies import PasswordBody
from handlers.kit.auth import client_ip
from handlers.kit.forms import Refused, anyone, form_action
from handlers.kit.render import page, see_other
from models.errors import DomainError
from services.accounts.customs_sign_in import sign_in_customs
from services.accounts.oauth_state import safe_next_path


def admin_blueprint() -> Blueprint:
    bp = Blueprint("admin")
    bp.add_route(login_form, "/admin/login", methods=["GET"])
    bp.add_route(login, "/admin/login", methods=["POST"])
    bp.add_route(logout, "/admin/logout", methods=["POST"])
    return bp


def _admin_next(value: str | None) -> str:
    path = safe_next_path(value)
    return path if path.startswith("/admin/") else "/admin/"


async def login_form(request: Request) -> HTTPResponse:
    return page(request, "admin/login.html", username="", errors={},
                next_path=_admin_next(request.args.get("next")))


async def login(request: Request) -> HTTPResponse:
    async def change(_: None, body: PasswordBody) -> HTTPResponse:
        account = await sign_in_customs(request.app.ctx.services, body.username, body.password, ip=client_ip(request))
        old = await admin_session(request)
        if old is not None:
            await admin_sessions(request).end(old.token)
        session = await admin_sessions(request).start(account_id=account.id, via="password")
        return set_admin_cookie(request, see_other(_admin_next(body.next)), session)

    async def again(_: None, refused: Refused) -> HTTPResponse:
        return page(request, "admin/login.html", status=refused.status, username=refused.values["username"],
                    next_path=_admin_next(str(refused.values["next"])), errors=refused.beside(whole="password"))

    return await form_action(request, anyone, PasswordBody, change, again, catch=(DomainError,))


async def logout(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    await admin_sessions(request).end(user.session.token)
    return set_admin_cookie(request, see_other("/admin/login"), None)
