"""The admin web's door: password sign-in with lock-out, and sign-out."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.auth import admin_session, admin_sessions, customs_signed_in, set_admin_cookie
from handlers.kit.auth import client_ip
from handlers.kit.inputs import Inputs
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
    data = Inputs.of(request)
    username, next_path = data.text("username"), _admin_next(data.text("next"))
    try:
        account = await sign_in_customs(request.app.ctx.services, username, data.text("password"),
                                        ip=client_ip(request))
    except DomainError as error:
        return page(request, "admin/login.html", status=error.status, username=username, next_path=next_path,
                    errors={error.field or "password": error.message})
    old = await admin_session(request)
    if old is not None:
        await admin_sessions(request).end(old.token)
    session = await admin_sessions(request).start(account_id=account.id, via="password")
    return set_admin_cookie(request, see_other(next_path), session)


async def logout(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    await admin_sessions(request).end(user.session.token)
    return set_admin_cookie(request, see_other("/admin/login"), None)
