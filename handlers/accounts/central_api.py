"""The JSON API of local accounts and the central link: password sign-in (the mini-program and scripts can use
it like the SMS sign-in) and unlinking the central single-window account."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.accounts.auth_api import TAG, TOKEN, _token
from handlers.accounts.bodies import PasswordBody
from handlers.kit.auth import begin_session, client_ip, signed_in
from handlers.kit.bodies import read_body
from handlers.kit.openapi import api_route
from handlers.kit.responses import no_content, ok
from services.accounts.central_accounts import unlink_central
from services.accounts.local_accounts import sign_in_with_password


def central_api_blueprint() -> Blueprint:
    bp = Blueprint("api_central")

    @api_route(bp, "POST", "/api/v1/auth/password-login", summary="地方用户名 + 密码登录", tag=TAG, auth=False,
               body=PasswordBody, response=TOKEN)
    async def password_login(request: Request) -> HTTPResponse:
        body = read_body(request, PasswordBody)
        membership = await sign_in_with_password(request.app.ctx.services, body.username, body.password,
                                                 ip=client_ip(request))
        session = await begin_session(request, membership=membership, openid=None, via="password")
        return ok(await _token(request, session, membership))

    @api_route(bp, "DELETE", "/api/v1/me/central-identity", summary="解除单一窗口账号绑定", tag=TAG, status=204)
    async def unlink(request: Request) -> HTTPResponse:
        user = await signed_in(request)
        await unlink_central(request.app.ctx.services, user.person.id, ip=client_ip(request))
        return no_content()

    return bp
