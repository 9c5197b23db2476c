"""JSON API of 我的问题 (list, detail, withdraw, delete, submit, evaluate, append, image) and 高管审核.

Each handler: who is asking → parse → one service call → the question as it is now. Refusals are the
services' DomainErrors, answered once as JSON by the app (4xx with the Chinese reason).
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from core.db import on_held_connection
from handlers.kit.auth import WebUser, signed_in
from handlers.kit.bodies import read_body, read_query
from handlers.kit.openapi import api_route
from handlers.kit.responses import ok
from handlers.questions.bodies import (
    AppendBody,
    ApproveBody,
    EvaluateBody,
    ImageQuery,
    MyQuestionsQuery,
    ReturnBody,
    SubmitBody,
)
from handlers.questions.schemas import DELETED, DETAIL, PAGE, QUEUE
from services.kit.context import ServiceContext
from services.questions.asking import delete_question, submit_question, withdraw_question
from services.questions.evaluation import append_question, evaluate_question
from services.questions.exec_review import exec_approve_question, exec_return_question
from services.questions.views import list_questions, question_detail, question_image, review_queue

TAG = "我的问题"
TAG_REVIEW = "高管审核"
Q = "/api/v1/questions/<question_id:int>"


def ctx(request: Request) -> ServiceContext:
    return request.app.ctx.services


async def current(request: Request, user: WebUser, question_id: int) -> HTTPResponse:
    """The question as the user sees it now: every action answers this."""
    return ok(await question_detail(ctx(request), user.person.id, question_id))


def questions_api_blueprint() -> Blueprint:
    bp = Blueprint("api_questions")

    @api_route(bp, "GET", "/api/v1/questions", summary="我的问题：本企业的问题列表（按状态分组筛选、分页）",
               tag=TAG, query=MyQuestionsQuery, response=PAGE)
    @on_held_connection  # sign-in, the page and its types: three queries on one connection
    async def questions(request: Request) -> HTTPResponse:
        user, q = await signed_in(request), read_query(request, MyQuestionsQuery)
        found = await list_questions(ctx(request), user.person.id, user.enterprise.id, status=q.status,
                                     cursor=q.cursor or None, limit=q.limit)
        return ok(found)

    @api_route(bp, "GET", Q, summary="问题详情：内容、回复、评价、全部办理记录和可进行的操作", tag=TAG,
               response=DETAIL)
    async def question(request: Request, question_id: int) -> HTTPResponse:
        return await current(request, await signed_in(request), question_id)

    @api_route(bp, "GET", f"{Q}/image", summary="问题的图片附件（默认最新一张）", tag=TAG,
               query=ImageQuery)
    async def image(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        attachment_id = read_query(request, ImageQuery).attachment_id
        found, path = await question_image(user.person.id, question_id, attachment_id, request.app.ctx.storage)
        return await file(path, mime_type=found.content_type,
                          headers={"cache-control": "private, max-age=3600", "x-content-type-options": "nosniff"})

    @api_route(bp, "POST", f"{Q}/submit", summary="提交（草稿、高管退回或撤回后）：需审核时交给高管，否则交海关",
               tag=TAG, body=SubmitBody, response=DETAIL)
    async def submit(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        await submit_question(ctx(request), user.actor, question_id, read_body(request, SubmitBody).executive_id)
        return await current(request, user, question_id)

    @api_route(bp, "POST", f"{Q}/withdraw", summary="撤回（海关受理前；追加的问题不可撤回）", tag=TAG,
               response=DETAIL)
    async def withdraw(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        await withdraw_question(ctx(request), user.actor, question_id)
        return await current(request, user, question_id)

    @api_route(bp, "DELETE", Q, summary="删除（草稿、高管退回、已撤回的问题）", tag=TAG, response=DELETED)
    async def delete(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        await delete_question(ctx(request), user.actor, question_id)
        return ok({"id": question_id, "status": "deleted"})

    @api_route(bp, "POST", f"{Q}/evaluate", summary="评价海关答复（已回复），或在待追加时重新选择评价类型",
               tag=TAG, body=EvaluateBody, response=DETAIL)
    async def evaluate(request: Request, question_id: int) -> HTTPResponse:
        user, body = await signed_in(request), read_body(request, EvaluateBody)
        await evaluate_question(ctx(request), user.actor, question_id, body.evaluation, note=body.note,
                                appended_text=body.appended_text)
        return await current(request, user, question_id)

    @api_route(bp, "POST", f"{Q}/append", summary="追加问题（待追加，评价后 7 天内）", tag=TAG, body=AppendBody,
               response=DETAIL)
    async def append(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        await append_question(ctx(request), user.actor, question_id, read_body(request, AppendBody).appended_text)
        return await current(request, user, question_id)

    review_routes(bp)
    return bp


def review_routes(bp: Blueprint) -> None:
    """The executive's side: the waiting list, return with a reason, approve with an importance."""

    @api_route(bp, "GET", "/api/v1/review/questions", summary="待我审核的问题", tag=TAG_REVIEW, response=QUEUE)
    async def queue(request: Request) -> HTTPResponse:
        user = await signed_in(request)
        return ok({"items": await review_queue(ctx(request), user.person.id, user.enterprise.id)})

    @api_route(bp, "POST", f"{Q}/review/return", summary="高管退回（须填写退回原因）", tag=TAG_REVIEW, body=ReturnBody,
               response=DETAIL)
    async def exec_return(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        await exec_return_question(ctx(request), user.actor, question_id, read_body(request, ReturnBody).reason)
        return await current(request, user, question_id)

    @api_route(bp, "POST", f"{Q}/review/approve", summary="高管审核通过：选择重要性并提交海关", tag=TAG_REVIEW,
               body=ApproveBody, response=DETAIL)
    async def exec_approve(request: Request, question_id: int) -> HTTPResponse:
        user = await signed_in(request)
        importance = read_body(request, ApproveBody).importance
        await exec_approve_question(ctx(request), user.actor, question_id, importance)
        return await current(request, user, question_id)
