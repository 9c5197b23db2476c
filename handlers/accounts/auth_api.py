"""Sign-in over the JSON API (the mini-program, and the pages' "获取验证码" button).

A successful sign-in answers a session token for ``Authorization: Bearer``; it is the same kind of session
the pages keep in their cookie, so removal from the enterprise ends both at once. A mini-program user whose
openid is not bound yet gets a token that can only bind (``POST /auth/bind``).
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.accounts.bodies import MiniProgramBody, PhoneBody, SmsSignInBody
from handlers.kit.auth import WebUser, begin_session, client_ip, current_session, signed_in
from handlers.kit.bodies import read_body
from handlers.kit.openapi import api_route
from handlers.kit.responses import no_content, ok
from handlers.kit.sessions import WebSession
from models.errors import NotFound, NotSignedIn
from models.identifiers import mask_phone
from services.accounts.local_accounts import MSG_NO_ENTERPRISE
from services.accounts.sign_in import first_membership, memberships_of, sign_in_with_code
from services.accounts.wechat_binding import bind_openid, miniprogram_sign_in, unbind_openid
from services.kit.records import Membership

TAG = "登录与账号"
ME = {"type": "object", "properties": {
    "person": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                "phone": {"type": "string", "description": "打码的手机号"},
                                                "wechat_bound": {"type": "boolean"}}},
    "enterprise": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                    "status": {"type": "string"},
                                                    "exec_review_required": {"type": "boolean"}}},
    "role": {"type": "string", "enum": ["admin", "executive", "staff"]},
    "enterprises": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "role": {"type": "string"}}}},
}}
TOKEN = {"type": "object", "required": ["token", "expires_in"], "properties": {
    "token": {"type": "string"}, "expires_in": {"type": "integer", "description": "秒，不使用则到期"},
    "needs_binding": {"type": "boolean"}, "me": {"oneOf": [ME, {"type": "null"}]}}}
MSG_BIND_TOKEN = "请先通过小程序登录获取绑定凭证"


def auth_api_blueprint() -> Blueprint:
    bp = Blueprint("api_auth")

    @api_route(bp, "POST", "/api/v1/auth/sms-code", summary="发送短信验证码", tag=TAG, auth=False, status=204,
               body=PhoneBody)
    async def send_code(request: Request) -> HTTPResponse:
        await request.app.ctx.sms_codes.issue_code(read_body(request, PhoneBody).phone, ip=client_ip(request))
        return no_content()

    @api_route(bp, "POST", "/api/v1/auth/login", summary="手机号 + 验证码登录", tag=TAG, auth=False,
               body=SmsSignInBody, response=TOKEN)
    async def login(request: Request) -> HTTPResponse:
        body = read_body(request, SmsSignInBody)
        membership = await sign_in_with_code(request.app.ctx.sms_codes, body.phone, body.code)
        session = await begin_session(request, membership=membership, openid=None, via="sms")
        return ok(await _token(request, session, membership))

    @api_route(bp, "POST", "/api/v1/auth/miniprogram", summary="小程序登录（wx.login 的 code）", tag=TAG,
               auth=False, body=MiniProgramBody, response=TOKEN)
    async def miniprogram(request: Request) -> HTTPResponse:
        found = await miniprogram_sign_in(request.app.ctx.wechat, read_body(request, MiniProgramBody).code,
                                          enabled=bool(request.app.ctx.settings.wechat.miniprogram_app_id))
        membership = await first_membership(found.person.id) if found.person else None
        session = await begin_session(request, membership=membership, openid=found.openid, via="miniprogram")
        return ok(await _token(request, session, membership))

    @api_route(bp, "POST", "/api/v1/auth/bind", summary="小程序首次使用：验证手机号并绑定", tag=TAG,
               body=SmsSignInBody, response=TOKEN)
    async def bind(request: Request) -> HTTPResponse:
        session = await current_session(request)
        if session is None or not session.openid:
            raise NotSignedIn(MSG_BIND_TOKEN)
        body = read_body(request, SmsSignInBody)
        person = await bind_openid(request.app.ctx.services, request.app.ctx.sms_codes, body.phone, body.code,
                                   session.openid)
        membership = await first_membership(person.id)
        if membership is None:
            raise NotFound(MSG_NO_ENTERPRISE)
        new = await begin_session(request, membership=membership, openid=session.openid, via=session.via)
        return ok(await _token(request, new, membership))

    @api_route(bp, "DELETE", "/api/v1/auth/session", summary="退出登录", tag=TAG, status=204)
    async def logout(request: Request) -> HTTPResponse:
        user = await signed_in(request)
        await request.app.ctx.sessions.end(user.session.token)
        return no_content()

    @api_route(bp, "GET", "/api/v1/me", summary="当前用户、企业与身份", tag=TAG, response=ME)
    async def me(request: Request) -> HTTPResponse:
        return ok(await _me(await signed_in(request)))

    @api_route(bp, "DELETE", "/api/v1/me/wechat", summary="解除微信绑定", tag=TAG, status=204)
    async def unbind(request: Request) -> HTTPResponse:
        user = await signed_in(request)
        await unbind_openid(request.app.ctx.services, user.person.id)
        return no_content()

    return bp


async def _token(request: Request, session: WebSession, membership: Membership | None) -> dict[str, Any]:
    me = None
    if membership is not None:
        me = await _me(WebUser(session, membership))
    return {"token": session.token, "expires_in": request.app.ctx.settings.web.session_ttl_seconds,
            "needs_binding": membership is None, "me": me}


async def _me(user: WebUser) -> dict[str, Any]:
    person, enterprise = user.person, user.enterprise
    return {
        "person": {"id": person.id, "name": person.name, "phone": mask_phone(person.phone),
                   "wechat_bound": person.wechat_openid is not None},
        "enterprise": {"id": enterprise.id, "name": enterprise.name, "status": enterprise.status.value,
                       "exec_review_required": enterprise.exec_review_required},
        "role": user.role.value,
        "enterprises": [{"id": m.enterprise_id, "name": m.enterprise.name, "role": m.role.value}
                        for m in await memberships_of(person.id)],
    }
