"""The JSON API of card sign-in, card registration, card binding and legal-person authorisation.

The page gets a challenge here, hands it to the desktop helper on the user's PC (which signs it on the card),
and sends back the certificate, the card data and the signature. Challenges are single-use and short-lived;
login and register challenges are anonymous, bind and authorise ones belong to the signed-in person.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.cards.bodies import CardRegisterBody, ChallengeBody, GrantBody, ProofBody, RegistrableQuery
from handlers.kit.auth import WebUser, begin_session, client_ip, set_session_cookie, signed_in
from handlers.kit.bodies import read_body, read_query
from handlers.kit.openapi import api_route
from handlers.kit.responses import no_content, ok
from services.cards.authorisations import MODULES, authorise, list_authorisations, revoke
from services.cards.certificates import VerifiedCard, load_card_cas, verify_card
from services.cards.challenges import CardChallenges
from services.cards.sign_in import bind_card, card_registrable, login_with_card, register_by_card
from services.kit.records import Membership

TAG = "卡介质（IC卡 / IKey）"
SESSION = {"type": "object", "properties": {"token": {"type": "string"}, "expires_in": {"type": "integer"},
                                            "person": {"type": "object"}, "enterprise": {"type": "object"},
                                            "role": {"type": "string"}}}
AUTHORISATION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "person_id": {"type": "integer"}, "person_name": {"type": "string"},
    "module": {"type": "string"}, "module_name": {"type": "string"}, "legal_person_name": {"type": "string"},
    "granted_at": {"type": "string"}}}
LIST = {"type": "object", "properties": {"items": {"type": "array", "items": AUTHORISATION},
                                         "modules": {"type": "object"}}}


def challenges(request: Request) -> CardChallenges:
    return CardChallenges(request.app.ctx.cache, request.app.ctx.settings.card.challenge_ttl_seconds)


def owner_of(user: WebUser) -> str:
    return f"{user.membership.person_id}:{user.membership.enterprise_id}"


async def verified_card(request: Request, body: ProofBody, purpose: str, owner: str = "") -> VerifiedCard:
    proof = body.proof()
    text = await challenges(request).consume(proof.challenge_id, purpose, owner)
    cas = load_card_cas(request.app.ctx.settings.card.ca_cert_paths)
    return verify_card(cas, proof, text, request.app.ctx.services.now())


async def session_answer(request: Request, membership: Membership, via: str) -> HTTPResponse:
    session = await begin_session(request, membership=membership, openid=None, via=via)
    body = {"token": session.token, "expires_in": request.app.ctx.settings.web.session_ttl_seconds,
            "person": {"id": membership.person_id, "name": membership.person.name},
            "enterprise": {"id": membership.enterprise_id, "name": membership.enterprise.name},
            "role": membership.role.value}
    return set_session_cookie(request, ok(body), session)


def row_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "person_id": row.person_id, "person_name": row.person_name, "module": row.module,
            "module_name": row.module_name, "legal_person_name": row.legal_person_name,
            "granted_at": row.granted_at.isoformat()}


def card_api_blueprint() -> Blueprint:
    bp = Blueprint("api_card")

    @api_route(bp, "POST", "/api/v1/card/challenges", summary="取读卡挑战码（登录、注册、绑定、授权）", tag=TAG,
               auth=False, body=ChallengeBody,
               response={"type": "object", "properties": {"challenge_id": {"type": "string"},
                                                          "challenge": {"type": "string"},
                                                          "expires_in": {"type": "integer"}}})
    async def new_challenge(request: Request) -> HTTPResponse:
        purpose = read_body(request, ChallengeBody).purpose
        owner = owner_of(await signed_in(request)) if purpose in ("bind", "authorise") else ""
        found = await challenges(request).issue(purpose, owner)
        return ok({"challenge_id": found.id, "challenge": found.text, "expires_in": found.expires_in})

    @api_route(bp, "POST", "/api/v1/card/login", summary="卡介质登录", tag=TAG, auth=False, body=ProofBody,
               response=SESSION)
    async def login(request: Request) -> HTTPResponse:
        card = await verified_card(request, read_body(request, ProofBody), "login")
        return await session_answer(request, await login_with_card(card), "card")

    @api_route(bp, "GET", "/api/v1/card/registrable", summary="卡内企业能否注册（读卡后、发验证码前检查）", tag=TAG,
               auth=False, query=RegistrableQuery,
               response={"type": "object", "properties": {"registrable": {"type": "boolean"},
                                                          "reason": {"type": "string"}}})
    async def registrable(request: Request) -> HTTPResponse:
        reason = await card_registrable(read_query(request, RegistrableQuery).credit_code)
        return ok({"registrable": not reason, "reason": reason})

    @api_route(bp, "POST", "/api/v1/card/register", summary="有卡用户注册（企业信息取自卡）", tag=TAG, auth=False,
               body=CardRegisterBody, response=SESSION)
    async def register(request: Request) -> HTTPResponse:
        body = read_body(request, CardRegisterBody)
        card = await verified_card(request, body, "register")
        membership = await register_by_card(request.app.ctx.services, card, body.applicant(),
                                            codes=request.app.ctx.sms_codes, code=body.code, ip=client_ip(request))
        return await session_answer(request, membership, "card")

    @api_route(bp, "POST", "/api/v1/card/bind", summary="把卡介质绑定到当前账号", tag=TAG, body=ProofBody,
               response={"type": "object", "properties": {"card_no": {"type": "string"},
                                                          "holder_name": {"type": "string"}}})
    async def bind(request: Request) -> HTTPResponse:
        user = await signed_in(request)
        card = await verified_card(request, read_body(request, ProofBody), "bind", owner_of(user))
        binding = await bind_card(request.app.ctx.services, user.membership, card, ip=client_ip(request))
        return ok({"card_no": binding.card_no, "holder_name": binding.holder_name})

    @api_route(bp, "GET", "/api/v1/card/authorisations", summary="法人卡授权列表（企业管理员）", tag=TAG,
               response=LIST)
    async def authorisations(request: Request) -> HTTPResponse:
        rows = await list_authorisations((await signed_in(request)).membership)
        return ok({"items": [row_json(r) for r in rows], "modules": MODULES})

    @api_route(bp, "POST", "/api/v1/card/authorisations", summary="使用法人卡为本企业人员授权", tag=TAG,
               body=GrantBody, response=LIST, status=201)
    async def grant(request: Request) -> HTTPResponse:
        user, body = await signed_in(request), read_body(request, GrantBody)
        card = await verified_card(request, body, "authorise", owner_of(user))
        await authorise(request.app.ctx.services, user.membership, card, body.module, list(body.person_ids),
                        ip=client_ip(request))
        rows = await list_authorisations(user.membership)
        return ok({"items": [row_json(r) for r in rows], "modules": MODULES}, status=201)

    @api_route(bp, "DELETE", "/api/v1/card/authorisations/<authorisation_id:int>", summary="撤销授权", tag=TAG,
               status=204)
    async def revoke_one(request: Request, authorisation_id: int) -> HTTPResponse:
        user = await signed_in(request)
        await revoke(request.app.ctx.services, user.membership, authorisation_id, ip=client_ip(request))
        return no_content()

    return bp
