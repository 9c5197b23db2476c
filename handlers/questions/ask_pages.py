"""我要提问 pages: the ask form, its success page, and the same form to modify and resubmit or to review-edit.

Plain HTML forms (multipart, the image in the same form) that work without JavaScript. A refused form is
shown again with status 400, the message beside its field, every typed value kept and the chosen image kept
(a thumbnail; handlers/kit/uploads.py).
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.auth import WebUser, signed_in
from handlers.kit.bodies import read_query
from handlers.kit.forms import NOTHING_REFUSED, Refused, form_action
from handlers.kit.render import page, see_other
from handlers.kit.uploads import form_image, keep_on_refusal, release_kept
from handlers.questions.ask_schemas import values_of
from handlers.questions.bodies import AskPageQuery, ResubmitBody
from models.lifecycle import NO_EXECUTIVE
from services.kit.pending_images import PendingImage
from services.questions.ask_options import (
    AskOptions,
    EditMode,
    ask_options,
    ask_question,
    asked_question,
    edit_view,
    save_edit,
)
from services.questions.form import check_question_form

FIELDS = frozenset({*ResubmitBody.model_fields, "image"})
HEADINGS = {"ask": ("我要提问", "提交"), EditMode.RESUBMIT: ("修改问题", "重新提交"),
            EditMode.EXEC_EDIT: ("审核修改", "保存修改")}


def form_page(request: Request, options: AskOptions, values: dict[str, Any], *, mode: str, action: str,
              refused: Refused = NOTHING_REFUSED, image_name: str = "", kept: PendingImage | None = None
              ) -> HTTPResponse:
    heading, button = HEADINGS[mode]
    return page(request, "ask_form.html", status=refused.status, options=options, v=values,
                errors=refused.beside(FIELDS), mode=str(mode), action=action, heading=heading, button=button,
                image_name=image_name, kept=kept)


def chosen_unit(values: dict[str, Any]) -> int | None:
    raw = values.get("accepting_office_id", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


async def options_for(request: Request, user: WebUser, unit: int | None) -> AskOptions:
    return await ask_options(request.app.ctx.services, user.actor, user.enterprise.id,
                             request.app.ctx.settings.district.accepting_office_codes, unit)


def new_values(options: AskOptions) -> dict[str, Any]:
    return {"title": "", "contact_name": options.contact_name, "contact_phone": options.contact_phone,
            "description": "", "remarks": "", "accepting_office_id": str(options.accepting_office_id or ""),
            "office_id": str(options.accepting_office_id or ""), "business_category_id": "",
            "executive_id": str(options.executives[0].id) if len(options.executives) == 1 else "",
            "type_ids": [], "allow_publication": False}


def ask_pages_blueprint() -> Blueprint:
    bp = Blueprint("ask_pages")

    @bp.get("/h5/ask")
    async def ask_form(request: Request) -> HTTPResponse:
        user = await signed_in(request)
        query = read_query(request, AskPageQuery)
        options = await options_for(request, user, query.unit)
        if options.refusal:
            return page(request, "ask_refused.html", message=options.refusal,
                        needs_executive=options.refusal == NO_EXECUTIVE)
        if len(options.accepting_offices) > 1 and (query.choose or query.unit is None):
            return page(request, "ask_units.html", options=options)
        return form_page(request, options, new_values(options), mode="ask", action="/h5/ask")

    @bp.post("/h5/ask")
    async def ask(request: Request) -> HTTPResponse:
        async def change(user: WebUser, body: ResubmitBody) -> HTTPResponse:
            image, token = await form_image(request, user.person.id, lambda: check_question_form(body.form()))
            question = await ask_question(
                request.app.ctx.services, user.actor, user.enterprise.id, body.form(), executive_id=body.executive_id,
                image=image, storage=request.app.ctx.storage)
            await release_kept(request, user.person.id, token)
            return see_other(f"/h5/ask/done/{question.id}")

        async def again(user: WebUser, refused: Refused) -> HTTPResponse:
            refused, kept = await keep_on_refusal(request, user.person.id, refused)
            options = await options_for(request, user, chosen_unit(refused.values))
            return form_page(request, options, dict(refused.values), mode="ask", action="/h5/ask", refused=refused,
                             kept=kept)

        return await form_action(request, signed_in, ResubmitBody, change, again)

    @bp.get("/h5/ask/done/<question_id:int>")
    async def done(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        return page(request, "ask_done.html", question=await asked_question(user.actor, question_id))

    @bp.get("/h5/questions/<question_id:int>/edit")
    async def edit_form(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        view = await edit_view(request.app.ctx.services, user.actor, question_id,
                               request.app.ctx.settings.district.accepting_office_codes)
        values = values_of(view.form, view.question.assigned_executive_id)
        return form_page(request, view.options, values, mode=view.mode, action=request.path,
                         image_name=view.image_name)

    @bp.post("/h5/questions/<question_id:int>/edit")
    async def edit(request: Request, question_id: int) -> HTTPResponse:
        ctx = request.app.ctx

        async def change(user: WebUser, body: ResubmitBody) -> HTTPResponse:
            image, token = await form_image(request, user.person.id, lambda: check_question_form(body.form()))
            question, mode = await save_edit(
                ctx.services, user.actor, question_id, body.form(), executive_id=body.executive_id,
                image=image, storage=ctx.storage)
            await release_kept(request, user.person.id, token)
            if mode is EditMode.EXEC_EDIT:
                return see_other(f"/h5/questions/{question.id}")
            return see_other(f"/h5/ask/done/{question.id}")

        async def again(user: WebUser, refused: Refused) -> HTTPResponse:
            refused, kept = await keep_on_refusal(request, user.person.id, refused)
            view = await edit_view(ctx.services, user.actor, question_id, ctx.settings.district.accepting_office_codes)
            return form_page(request, view.options, dict(refused.values), mode=view.mode, action=request.path,
                             refused=refused, image_name=view.image_name, kept=kept)

        return await form_action(request, signed_in, ResubmitBody, change, again)

    return bp
