"""我要提问 as JSON: the form's options, create (and submit), edit, modify-and-resubmit, the one image.

The same services as the H5 pages; refusals are ``{"error": {code, message, field}}`` with a 4xx status.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.auth import signed_in
from handlers.kit.bodies import read_body, read_query
from handlers.kit.openapi import api_route
from handlers.kit.responses import ok
from handlers.kit.uploads import uploaded_image
from handlers.questions.ask_schemas import ASK_OPTIONS, IMAGE_REF, QUESTION_REF
from handlers.questions.bodies import AskBody, AskOptionsQuery, ImageBody, QuestionBody, ResubmitBody
from services.kit.records import Question
from services.questions.ask_options import ask_options, ask_question, edit_asked_question
from services.questions.asking import resubmit_question
from services.questions.attachments import attach_image

TAG = "提问"


def question_ref(question: Question) -> dict[str, Any]:
    return {"id": question.id, "number": question.number, "status": question.status.value,
            "status_label": question.status.label}


def ask_api_blueprint() -> Blueprint:
    bp = Blueprint("ask_api")

    @api_route(bp, "GET", "/api/v1/ask/options", summary="提问表单的选项", tag=TAG, response=ASK_OPTIONS,
               query=AskOptionsQuery)
    async def options(request: Request) -> HTTPResponse:
        user = await signed_in(request)
        chosen = read_query(request, AskOptionsQuery).accepting_office_id
        found = await ask_options(request.app.ctx.services, user.actor, user.enterprise.id,
                                  request.app.ctx.settings.district.accepting_office_codes, chosen)
        return ok(asdict(found))

    @api_route(bp, "POST", "/api/v1/questions", summary="提问（提交或保存草稿）", tag=TAG, body=AskBody,
               response=QUESTION_REF, status=201)
    async def create(request: Request) -> HTTPResponse:
        user = await signed_in(request)
        body = read_body(request, AskBody)
        question = await ask_question(request.app.ctx.services, user.actor, user.enterprise.id, body.form(),
                                      executive_id=body.executive_id, submit=body.submit)
        return ok(question_ref(question), status=201)

    @api_route(bp, "PUT", "/api/v1/questions/<question_id:int>", summary="修改问题（草稿、被退回、审核中的高管修改）",
               tag=TAG, body=QuestionBody, response=QUESTION_REF)
    async def edit(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        form = read_body(request, QuestionBody).form()
        return ok(question_ref(await edit_asked_question(request.app.ctx.services, user.actor, question_id, form)))

    @api_route(bp, "POST", "/api/v1/questions/<question_id:int>/resubmit", summary="修改后重新提交", tag=TAG,
               body=ResubmitBody, response=QUESTION_REF)
    async def resubmit(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        body = read_body(request, ResubmitBody)
        question = await resubmit_question(request.app.ctx.services, user.actor, question_id, body.form(),
                                           body.executive_id)
        return ok(question_ref(question))

    @api_route(bp, "POST", "/api/v1/questions/<question_id:int>/image", summary="上传问题图片（限一张）", tag=TAG,
               body=ImageBody, response=IMAGE_REF, multipart=True, status=201)
    async def image(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        checked = await uploaded_image(request, required=True)
        assert checked is not None
        attached = await attach_image(request.app.ctx.services, user.actor, question_id, checked,
                                      request.app.ctx.storage)
        return ok({"id": attached.id, "filename": attached.filename, "content_type": attached.content_type,
                   "size": attached.size}, status=201)

    return bp
