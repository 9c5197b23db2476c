"""The personal centre's JSON API (/api/v1/workspace/personal/…): the same use cases as the tabs."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.auth import client_ip
from handlers.kit.bodies import read_body, same_password
from handlers.kit.openapi import api_route
from handlers.kit.permissions import current_member, requires
from handlers.kit.responses import no_content, ok
from handlers.kit.uploads import chosen_image
from handlers.personal.bodies import (
    NewPhoneBody,
    NewPhoneCodeBody,
    PasswordChangeBody,
    PersonalImageBody,
    PreferencesBody,
    ProfileBody,
)
from models.errors import NotFound
from services.kit.images import MSG_IMAGE_GONE, shown_image
from services.personal import preferences as P
from services.personal import profile as R
from services.personal import security as S
from services.personal.preference_rules import Effective

TAG = "个人中心"
VIEW = "personal:view"
BASE = "/api/v1/workspace/personal"
_IMAGE = {"type": ["object", "null"], "properties": {"filename": {"type": "string"}, "sha256": {"type": "string"},
                                                       "width": {"type": "integer"}, "height": {"type": "integer"},
                                                       "transparent": {"type": "boolean",
                                                                       "description": "报关员章是否透明背景"}}}
PROFILE = {"type": "object", "required": ["name", "phone", "gender", "avatar", "stamp"], "properties": {
    "name": {"type": "string"}, "phone": {"type": "string"},
    "gender": {"type": "string", "enum": ["unset", "male", "female"]}, "avatar": _IMAGE, "stamp": _IMAGE}}
SECURITY = {"type": "object", "required": ["phone", "wechat_bound", "cards", "username"], "properties": {
    "phone": {"type": "string"}, "wechat_bound": {"type": "boolean"},
    "username": {"type": ["string", "null"], "description": "地方账号用户名；没有地方账号时为 null"},
    "cards": {"type": "array", "items": {"type": "object", "properties": {
        "card_no": {"type": "string"}, "holder_name": {"type": "string"}, "card_type": {"type": "string"},
        "created_at": {"type": "string"}}}}}}
_VALUES = {"type": "object", "description": "设置代码 → 值（代码字段为字符串，开关为布尔）"}
PREFERENCES = {"type": "object", "required": ["mine", "company", "effective"], "properties": {
    "mine": _VALUES, "company": _VALUES, "effective": {"type": "object", "additionalProperties": {
        "type": "object", "properties": {"value": {}, "source": {"type": "string",
                                                                 "enum": ["person", "company", "system"]}}}}}}


def effective_json(effective: dict[str, Effective]) -> dict[str, Any]:
    return {key: {"value": e.value, "source": e.source.value} for key, e in effective.items()}


async def profile_json(person_id: int) -> dict[str, Any]:
    found = await R.profile_of(person_id)
    return {"name": found.name, "phone": found.phone, "gender": found.gender.value, "avatar": shown_image(found.avatar),
            "stamp": shown_image(found.stamp)}


def personal_api_blueprint() -> Blueprint:
    bp = Blueprint("personal_api")

    @api_route(bp, "GET", f"{BASE}/profile", summary="个人资料", tag=TAG, response=PROFILE)
    @requires(VIEW)
    async def profile(request: Request) -> HTTPResponse:
        return ok(await profile_json((await current_member(request)).membership.person_id))

    @api_route(bp, "POST", f"{BASE}/profile", summary="修改姓名、性别", tag=TAG, body=ProfileBody, response=PROFILE)
    @requires(VIEW)
    async def save_profile(request: Request) -> HTTPResponse:
        member, body = await current_member(request), read_body(request, ProfileBody)
        await R.save_profile(request.app.ctx.services, member, body.name, body.gender)
        return ok(await profile_json(member.membership.person_id))

    @api_route(bp, "POST", f"{BASE}/images/<kind:str>", summary="上传头像（avatar）或报关员章（stamp，PNG）",
               tag=TAG, body=PersonalImageBody, response=PROFILE, multipart=True)
    @requires(VIEW)
    async def set_image(request: Request, kind: str) -> HTTPResponse:
        member = await current_member(request)
        if kind not in R.IMAGE_KINDS:
            raise NotFound(MSG_IMAGE_GONE)
        await R.set_image(request.app.ctx.services, request.app.ctx.storage, member, kind,
                          await chosen_image(request, kind))
        return ok(await profile_json(member.membership.person_id))

    @api_route(bp, "GET", f"{BASE}/security", summary="账号安全：手机号、微信绑定、IC 卡、地方账号", tag=TAG,
               response=SECURITY)
    @requires(VIEW)
    async def security(request: Request) -> HTTPResponse:
        found = await S.security_of(await current_member(request))
        return ok({"phone": found.phone, "wechat_bound": found.wechat_bound, "username": found.username,
                   "cards": [{"card_no": c.card_no, "holder_name": c.holder_name, "card_type": c.card_type.value,
                              "created_at": c.created_at.isoformat()} for c in found.cards]})

    @api_route(bp, "POST", f"{BASE}/phone/code", summary="更换手机号：向新手机号发送验证码", tag=TAG,
               body=NewPhoneCodeBody, status=204)
    @requires(VIEW)
    async def phone_code(request: Request) -> HTTPResponse:
        member, body = await current_member(request), read_body(request, NewPhoneCodeBody)
        await S.send_phone_code(request.app.ctx.sms_codes, member, body.phone, ip=client_ip(request))
        return no_content()

    @api_route(bp, "POST", f"{BASE}/phone", summary="更换手机号（新手机号收到的验证码）", tag=TAG, body=NewPhoneBody,
               status=204)
    @requires(VIEW)
    async def phone(request: Request) -> HTTPResponse:
        member, body = await current_member(request), read_body(request, NewPhoneBody)
        await S.change_phone(request.app.ctx.services, request.app.ctx.sms_codes, member, body.phone, body.code)
        return no_content()

    @api_route(bp, "POST", f"{BASE}/password", summary="修改地方账号密码（或开通地方账号）", tag=TAG,
               body=PasswordChangeBody, status=204)
    @requires(VIEW)
    async def password(request: Request) -> HTTPResponse:
        member, body = await current_member(request), read_body(request, PasswordChangeBody)
        await S.set_password(request.app.ctx.services, member, current=body.current_password, username=body.username,
                             password=same_password(body.password, body.password2))
        return no_content()

    @api_route(bp, "GET", f"{BASE}/preferences", summary="表单设置：个人设置、企业默认与生效值", tag=TAG,
               response=PREFERENCES)
    @requires(VIEW)
    async def preferences(request: Request) -> HTTPResponse:
        found = await P.preferences_of(await current_member(request))
        return ok({"mine": found.mine, "company": found.company, "effective": effective_json(found.effective)})

    @api_route(bp, "POST", f"{BASE}/preferences", summary="保存个人表单设置（空值跟随企业默认）", tag=TAG,
               body=PreferencesBody, response=PREFERENCES)
    @requires(VIEW)
    async def save_preferences(request: Request) -> HTTPResponse:
        member = await current_member(request)
        await P.save_mine(request.app.ctx.services, member, read_body(request, PreferencesBody).model_dump())
        return await preferences(request)

    @api_route(bp, "POST", f"{BASE}/preferences/reset", summary="恢复企业默认（清除个人表单设置）", tag=TAG,
               response=PREFERENCES)
    @requires(VIEW)
    async def reset_preferences(request: Request) -> HTTPResponse:
        await P.reset_mine(request.app.ctx.services, await current_member(request))
        return await preferences(request)

    @api_route(bp, "POST", f"{BASE}/preferences/company", summary="保存企业默认表单设置（企业管理员）", tag=TAG,
               body=PreferencesBody, response=PREFERENCES)
    @requires(VIEW)
    async def save_company_defaults(request: Request) -> HTTPResponse:
        member = await current_member(request)
        await P.save_company_defaults(request.app.ctx.services, member,
                                      read_body(request, PreferencesBody).model_dump())
        return await preferences(request)

    return bp
