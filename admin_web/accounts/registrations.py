"""Customs review of enterprise registrations without a card: list, detail with the licence, approve, reject.

Who may review is decided by ``services.accounts.registration_review.access_reviewer`` (supervisors and admins of the
district); everyone else gets 403. The business licence image is served only here, to reviewers.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from admin_web.accounts.bodies import RejectBody
from admin_web.auth import AdminUser, customs_signed_in
from handlers.kit.auth import client_ip
from handlers.kit.forms import Refused, form_action
from handlers.kit.render import page, see_other
from models.errors import ValidationFailed
from services.accounts.labels import REGISTRATION_CHANNEL_LABELS, REVIEW_STATUS_LABELS
from services.accounts.registration_review import (
    approve_registration,
    licence_for_review,
    registration_for_review,
    reject_registration,
    review_lists,
)
from services.kit.actors import CustomsActor

DONE = {"approved": "已审核通过，已通知企业管理员", "rejected": "已驳回，已通知企业管理员"}


def registration_review_blueprint() -> Blueprint:
    bp = Blueprint("admin_registrations")
    bp.add_route(index, "/admin/registrations", methods=["GET"])
    bp.add_route(show, "/admin/registrations/<registration_id:int>", methods=["GET"])
    bp.add_route(licence, "/admin/registrations/<registration_id:int>/licence", methods=["GET"])
    bp.add_route(approve, "/admin/registrations/<registration_id:int>/approve", methods=["POST"])
    bp.add_route(reject, "/admin/registrations/<registration_id:int>/reject", methods=["POST"])
    return bp


def _district(request: Request) -> tuple[str, ...]:
    return request.app.ctx.settings.district.accepting_office_codes


def _actor(request: Request, user: AdminUser) -> CustomsActor:
    return CustomsActor(user.account.id, client_ip(request))


async def index(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    lists = await review_lists(user.account.id, _district(request))
    return page(request, "admin/registrations.html", lists=lists, channels=REGISTRATION_CHANNEL_LABELS,
                statuses=REVIEW_STATUS_LABELS, notice=DONE.get(request.args.get("done", ""), ""))


async def _detail(request: Request, user: AdminUser, registration_id: int, *, status: int = 200,
                  errors: dict[str, str] | None = None, reason: str = "") -> HTTPResponse:
    found = await registration_for_review(user.account.id, _district(request), registration_id)
    return page(request, "admin/registration.html", status=status, r=found, channels=REGISTRATION_CHANNEL_LABELS,
                statuses=REVIEW_STATUS_LABELS, errors=errors or {}, reason=reason)


async def show(request: Request, registration_id: int) -> HTTPResponse:
    return await _detail(request, await customs_signed_in(request), registration_id)


async def licence(request: Request, registration_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    found, path = await licence_for_review(user.account.id, _district(request), registration_id,
                                           request.app.ctx.storage)
    return await file(path, mime_type=found.licence_content_type, headers={"cache-control": "private, no-store"})


async def approve(request: Request, registration_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    await approve_registration(request.app.ctx.services, _actor(request, user), _district(request), registration_id)
    return see_other("/admin/registrations?done=approved")


async def reject(request: Request, registration_id: int) -> HTTPResponse:
    async def change(user: AdminUser, body: RejectBody) -> HTTPResponse:
        await reject_registration(request.app.ctx.services, _actor(request, user), _district(request),
                                  registration_id, body.reason)
        return see_other("/admin/registrations?done=rejected")

    async def again(user: AdminUser, refused: Refused) -> HTTPResponse:
        return await _detail(request, user, registration_id, status=refused.status,
                             errors=refused.beside(whole="reason"), reason=str(refused.values["reason"]))

    return await form_action(request, customs_signed_in, RejectBody, change, again, catch=(ValidationFailed,))
