"""The customs question page: everything about one question, and accept / reply / forward / publish on it.

Each POST is parse → one service → 303 back to the page with a notice; a refused form is shown again with
the message beside the field and the typed text kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from admin_web.auth import AdminUser, customs_signed_in
from admin_web.questions.bodies import ForwardBody, PublishBody, ReplyBody
from handlers.kit.auth import client_ip
from handlers.kit.bodies import B, Body
from handlers.kit.forms import Refused, form_action
from handlers.kit.render import page, see_other
from models.errors import ValidationFailed
from models.lifecycle import Action, ReplyKind
from services.questions.attachments import image_for_customs
from services.questions.customs_views import customs_question
from services.questions.forwarding import can_see_question, forward_question, forward_targets
from services.questions.handling import accept_question, publish_question, reply_question, unpublish_question

DONE = {"accepted": "已受理", "replied": "已回复企业", "published": "已公开（或已更新公开内容）",
        "unpublished": "已取消公开", "forwarded": "已转交"}
Q = "/admin/questions/<question_id:int>"
CUSTOMS_ACTIONS = frozenset({Action.ACCEPT, Action.REPLY, Action.PUBLISH, Action.UNPUBLISH, Action.FORWARD})



def question_blueprint() -> Blueprint:
    bp = Blueprint("admin_questions")
    bp.add_route(show, Q, methods=["GET"])
    bp.add_route(image, f"{Q}/images/<attachment_id:int>", methods=["GET"])
    bp.add_route(accept, f"{Q}/accept", methods=["POST"])
    bp.add_route(reply, f"{Q}/reply", methods=["POST"])
    bp.add_route(publish, f"{Q}/publish", methods=["POST"])
    bp.add_route(unpublish, f"{Q}/unpublish", methods=["POST"])
    bp.add_route(forward, f"{Q}/forward", methods=["POST"])
    return bp


async def _render(request: Request, user: AdminUser, question_id: int, *, status: int = 200,
                  errors: dict[str, str] | None = None, values: dict[str, str] | None = None) -> HTTPResponse:
    found = await customs_question(request.app.ctx.services, user.account.id, question_id)
    targets = await forward_targets(found.question) if Action.FORWARD in found.actions else ()
    return page(request, "admin/question.html", status=status, q=found, errors=errors or {}, values=values or {},
                notice=DONE.get(request.args.get("done", ""), ""), reply_kinds=list(ReplyKind),
                can_act=bool(found.actions & CUSTOMS_ACTIONS), forward_targets=targets)


async def show(request: Request, question_id: int) -> HTTPResponse:
    return await _render(request, await customs_signed_in(request), question_id)


async def image(request: Request, question_id: int, attachment_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    attachment, path = await image_for_customs(user.account.id, attachment_id, request.app.ctx.storage)
    return await file(path, mime_type=attachment.content_type, headers={"cache-control": "private, max-age=3600"})


async def _act(request: Request, question_id: int, done: str, body: type[B],
               action: Callable[[AdminUser, B], Awaitable[Any]]) -> HTTPResponse:
    async def change(user: AdminUser, data: B) -> HTTPResponse:
        await action(user, data)
        return see_other(f"/admin/questions/{question_id}?done={done}")

    return await form_action(request, customs_signed_in, body, change, _again(request, question_id),
                             catch=(ValidationFailed,))


def _again(request: Request, question_id: int) -> Callable[[AdminUser, Refused], Awaitable[HTTPResponse]]:
    """The page again, with the messages beside their fields and the typed text kept."""
    async def again(user: AdminUser, refused: Refused) -> HTTPResponse:
        return await _render(request, user, question_id, status=400, values=dict(refused.values),
                             errors=refused.beside(whole="text"))

    return again


async def accept(request: Request, question_id: int) -> HTTPResponse:
    async def run(user: AdminUser, data: Body) -> Any:
        return await accept_question(request.app.ctx.services, user.actor, question_id)
    return await _act(request, question_id, "accepted", Body, run)


async def reply(request: Request, question_id: int) -> HTTPResponse:
    async def run(user: AdminUser, data: ReplyBody) -> Any:
        return await reply_question(request.app.ctx.services, user.actor, question_id, *data.checked())
    return await _act(request, question_id, "replied", ReplyBody, run)


async def publish(request: Request, question_id: int) -> HTTPResponse:
    async def run(user: AdminUser, data: PublishBody) -> Any:
        return await publish_question(request.app.ctx.services, user.actor, question_id, title=data.title,
                                      description=data.description, reply=data.reply)
    return await _act(request, question_id, "published", PublishBody, run)


async def unpublish(request: Request, question_id: int) -> HTTPResponse:
    async def run(user: AdminUser, data: Body) -> Any:
        return await unpublish_question(request.app.ctx.services, user.actor, question_id)
    return await _act(request, question_id, "unpublished", Body, run)


async def forward(request: Request, question_id: int) -> HTTPResponse:
    """Forward; an officer whose office no longer holds the question goes back to the queue."""
    async def change(user: AdminUser, data: ForwardBody) -> HTTPResponse:
        question = await forward_question(request.app.ctx.services, replace(user.actor, ip=client_ip(request)),
                                          question_id, data.office_id, data.reason)
        if await can_see_question(user.account.id, question_id):
            return see_other(f"/admin/questions/{question_id}?done=forwarded")
        return see_other(f"/admin/?forwarded={question.number}")

    return await form_action(request, customs_signed_in, ForwardBody, change, _again(request, question_id),
                             catch=(ValidationFailed,))
