"""Registration without a card, its status, the admin's people and the enterprise switch over the JSON API.

``POST /api/v1/registrations`` is multipart (the business licence is the ``image`` file); the SMS code comes
from ``POST /api/v1/auth/sms-code``. A successful registration answers a session token for the new admin.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.accounts.bodies import EnterpriseBody, PersonBody, RegistrationBody
from handlers.kit.auth import begin_session, check_csrf, current_session, signed_in
from handlers.kit.bodies import read_body
from handlers.kit.openapi import api_route
from handlers.kit.responses import no_content, ok
from handlers.kit.uploads import uploaded_image
from models.identifiers import mask_phone
from services.accounts.people import add_person, edit_person, list_people, remove_person, switch_enterprise
from services.accounts.registration import applicant_membership, register_without_card, registration_status
from services.kit.records import Membership, Registration, RegistrationChannel

TAG = "企业注册与人员"
TEXT = {"type": "string"}
REGISTRATION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "enterprise_id": {"type": "integer"}, "enterprise_name": TEXT, "credit_code": TEXT,
    "channel": {"type": "string", "enum": [c.value for c in RegistrationChannel]},
    "status": {"type": "string", "enum": ["pending", "approved", "rejected"]},
    "reason": {"type": "string", "description": "未通过的原因"}, "created_at": TEXT,
    "decided_at": {"type": ["string", "null"]}}}
PERSON = {"type": "object", "properties": {
    "id": {"type": "integer", "description": "成员编号"}, "person_id": {"type": "integer"}, "name": TEXT,
    "phone": {"type": "string", "description": "打码的手机号"}, "role": TEXT, "wechat_bound": {"type": "boolean"}}}


def registration_json(r: Registration | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"id": r.id, "enterprise_id": r.enterprise_id, "enterprise_name": r.enterprise_name,
            "credit_code": r.credit_code, "channel": r.channel.value, "status": r.status.value, "reason": r.reason,
            "created_at": r.created_at.isoformat(), "decided_at": r.decided_at.isoformat() if r.decided_at else None}


def person_json(m: Membership) -> dict[str, Any]:
    return {"id": m.id, "person_id": m.person_id, "name": m.person.name, "phone": mask_phone(m.person.phone),
            "role": m.role.value, "wechat_bound": m.person.wechat_openid is not None}


def registration_api_blueprint() -> Blueprint:
    bp = Blueprint("api_registration")

    @api_route(bp, "POST", "/api/v1/registrations", summary="无卡企业注册（表单 + 营业执照），待海关审核", tag=TAG,
               auth=False, status=201, multipart=True, body=RegistrationBody,
               response={"type": "object", "properties": {"registration": REGISTRATION, "token": TEXT}})
    async def register(request: Request) -> HTTPResponse:
        ctx, session = request.app.ctx, await current_session(request)
        if session is not None:
            check_csrf(request, session)
        openid, body = session.openid if session is not None else None, read_body(request, RegistrationBody)
        registration = await register_without_card(
            ctx.services, body.form(), await uploaded_image(request), codes=ctx.sms_codes,
            code=body.code, storage=ctx.storage, openid=openid,
            channel=RegistrationChannel.WECHAT if openid else RegistrationChannel.FORM)
        membership = await applicant_membership(registration)
        new = await begin_session(request, membership=membership, openid=openid, via="sms")
        return ok({"registration": registration_json(registration), "token": new.token}, status=201)

    @api_route(bp, "GET", "/api/v1/registrations/current", summary="本企业的注册审核状态", tag=TAG,
               response={"type": "object", "properties": {"registration": {"oneOf": [REGISTRATION, {"type": "null"}]},
                                                          "enterprise_status": TEXT}})
    async def current(request: Request) -> HTTPResponse:
        user = await signed_in(request)
        found = await registration_status(user.enterprise.id)
        return ok({"registration": registration_json(found), "enterprise_status": user.enterprise.status.value})

    @api_route(bp, "GET", "/api/v1/people", summary="企业人员（企业管理员）", tag=TAG,
               response={"type": "object", "properties": {"people": {"type": "array", "items": PERSON}}})
    async def people(request: Request) -> HTTPResponse:
        user = await signed_in(request)
        return ok({"people": [person_json(m) for m in await list_people(user.actor, user.enterprise.id)]})

    @api_route(bp, "POST", "/api/v1/people", summary="添加企业高管或关务人员", tag=TAG, status=201, body=PersonBody,
               response=PERSON)
    async def add(request: Request) -> HTTPResponse:
        user, body = await signed_in(request), read_body(request, PersonBody)
        added = await add_person(request.app.ctx.services, user.actor, user.enterprise.id, body.name, body.phone,
                                 body.role)
        return ok(person_json(added), status=201)

    @api_route(bp, "PUT", "/api/v1/people/<membership_id:int>", summary="修改企业人员", tag=TAG, body=PersonBody,
               response=PERSON)
    async def edit(request: Request, membership_id: int) -> HTTPResponse:
        user, body = await signed_in(request), read_body(request, PersonBody)
        changed = await edit_person(request.app.ctx.services, user.actor, user.enterprise.id, membership_id,
                                    body.name, body.phone, body.role)
        return ok(person_json(changed))

    @api_route(bp, "DELETE", "/api/v1/people/<membership_id:int>", summary="移除企业人员（立即失去访问权限）",
               tag=TAG, status=204)
    async def remove(request: Request, membership_id: int) -> HTTPResponse:
        user = await signed_in(request)
        await remove_person(request.app.ctx.services, user.actor, user.enterprise.id, membership_id)
        return no_content()

    @api_route(bp, "PUT", "/api/v1/me/enterprise", summary="切换当前企业", tag=TAG,
               body=EnterpriseBody,
               response={"type": "object", "properties": {"enterprise_id": {"type": "integer"}, "role": TEXT}})
    async def switch(request: Request) -> HTTPResponse:
        user, body = await signed_in(request), read_body(request, EnterpriseBody)
        membership = await switch_enterprise(user.actor, body.enterprise_id)
        await request.app.ctx.sessions.change(user.session, enterprise_id=membership.enterprise_id)
        return ok({"enterprise_id": membership.enterprise_id, "role": membership.role.value})

    return bp
