"""H5 pages of 我的问题: the list, the question page with every action form, the evaluation form, 待我审核.

GETs render read models of ``services.questions.views``; POSTs call one service and answer 303 back to the
question page with a notice (``?done=…``). A ValidationFailed re-renders the form it came from with the
message beside the field and the typed text kept; any other refusal is the error page with the table's reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.auth import WebUser, signed_in
from handlers.kit.bodies import Body, read_query
from handlers.kit.forms import NOTHING_REFUSED, Refused, form_action
from handlers.kit.render import page, see_other
from handlers.questions.bodies import AppendBody, ApproveBody, EvaluateBody, MyQuestionsQuery, ReturnBody, SubmitBody
from models.errors import ValidationFailed
from models.lifecycle import Action, Evaluation, Policy, Status, note_hint
from services.kit.context import ServiceContext
from services.kit.records import MemberRole
from services.questions.asking import delete_question, submit_question, withdraw_question
from services.questions.evaluation import append_question, evaluate_question
from services.questions.exec_review import exec_approve_question, exec_return_question
from services.questions.views import STATUS_GROUPS, list_questions, question_detail, review_queue

Q = "/h5/questions/<question_id:int>"
DONE = {
    "withdrawn": "已撤回", "deleted": "已删除", "submitted": "已提交海关", "sent_to_exec": "已提交高管审核",
    "evaluated": "评价已提交", "appended": "追加问题已提交海关", "returned": "已退回提问人",
    "approved": "已提交海关",
}
# What one action form does: (context, user, body, question id) → the ``done`` key of the notice.
Run = Callable[[ServiceContext, WebUser, Any, int], Awaitable[str]]
Again = Callable[[Request, WebUser, int, Refused], Awaitable[HTTPResponse]]


def ctx(request: Request) -> ServiceContext:
    return request.app.ctx.services


def questions_pages_blueprint() -> Blueprint:
    bp = Blueprint("h5_questions")
    bp.add_route(questions, "/h5/questions", methods=["GET"])
    bp.add_route(question, Q, methods=["GET"])
    bp.add_route(evaluation_form, f"{Q}/evaluate", methods=["GET"])
    bp.add_route(review, "/h5/review", methods=["GET"])
    for name, run, body, again in ACTIONS:
        route = f"post_{name.replace('/', '_')}"
        bp.add_route(_action_handler(run, body, again), f"{Q}/{name}", methods=["POST"], name=route)
    return bp


async def questions(request: Request) -> HTTPResponse:
    user, q = await signed_in(request), read_query(request, MyQuestionsQuery)
    found = await list_questions(ctx(request), user.person.id, user.enterprise.id, status=q.status,
                                 cursor=q.cursor or None)
    return page(request, "questions_list.html", found=found, current=q.status, groups=STATUS_GROUPS,
                is_executive=user.role is MemberRole.EXECUTIVE, done=DONE.get(request.args.get("done", ""), ""))


async def question(request: Request, question_id: int) -> HTTPResponse:
    user = await signed_in(request)
    return await detail_page(request, user, question_id)


async def detail_page(request: Request, user: WebUser, question_id: int,
                      refused: Refused = NOTHING_REFUSED) -> HTTPResponse:
    detail = await question_detail(ctx(request), user.person.id, question_id)
    return page(request, "questions_detail.html", status=refused.status, q=detail,
                done=DONE.get(request.args.get("done", ""), ""), **_form_state(refused))


async def evaluation_form(request: Request, question_id: int) -> HTTPResponse:
    user = await signed_in(request)
    return await evaluation_page(request, user, question_id)


async def evaluation_page(request: Request, user: WebUser, question_id: int,
                          refused: Refused = NOTHING_REFUSED) -> HTTPResponse:
    detail = await question_detail(ctx(request), user.person.id, question_id, require=Action.EVALUATE)
    return page(request, "questions_evaluate.html", status=refused.status, q=detail,
                kinds=list(Evaluation), hints=note_hints(ctx(request).policy), **_form_state(refused))


async def review(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    items = await review_queue(ctx(request), user.person.id, user.enterprise.id)
    return page(request, "questions_review.html", items=items)


def note_hints(policy: Policy) -> dict[str, str]:
    """The configured note rule of each evaluation kind, as a hint under its radio button."""
    return {kind.value: note_hint(kind, policy) for kind in Evaluation}


def _form_state(refused: Refused) -> dict[str, object]:
    return {"errors": refused.beside(whole="form"), "values": refused.values}


def _action_handler(run: Run, body: type[Body], again: Again) -> Callable[..., Awaitable[HTTPResponse]]:
    async def handler(request: Request, question_id: int) -> HTTPResponse:
        async def change(user: WebUser, data: Body) -> HTTPResponse:
            done = await run(ctx(request), user, data, question_id)
            if done == "deleted":
                return see_other("/h5/questions?done=deleted")
            return see_other(f"/h5/questions/{question_id}?done={done}")

        async def refused(user: WebUser, refusal: Refused) -> HTTPResponse:
            return await again(request, user, question_id, refusal)

        return await form_action(request, signed_in, body, change, refused, catch=(ValidationFailed,))

    return handler


async def _submit(c: ServiceContext, user: WebUser, data: SubmitBody, question_id: int) -> str:
    found = await submit_question(c, user.actor, question_id, data.executive_id)
    return "sent_to_exec" if found.status is Status.PENDING_EXEC_REVIEW else "submitted"


async def _withdraw(c: ServiceContext, user: WebUser, data: Body, question_id: int) -> str:
    await withdraw_question(c, user.actor, question_id)
    return "withdrawn"


async def _delete(c: ServiceContext, user: WebUser, data: Body, question_id: int) -> str:
    await delete_question(c, user.actor, question_id)
    return "deleted"


async def _evaluate(c: ServiceContext, user: WebUser, data: EvaluateBody, question_id: int) -> str:
    found = await evaluate_question(c, user.actor, question_id, data.evaluation, note=data.note,
                                    appended_text=data.appended_text)
    return "appended" if found.status is Status.SUBMITTED else "evaluated"


async def _append(c: ServiceContext, user: WebUser, data: AppendBody, question_id: int) -> str:
    await append_question(c, user.actor, question_id, data.appended_text)
    return "appended"


async def _return(c: ServiceContext, user: WebUser, data: ReturnBody, question_id: int) -> str:
    await exec_return_question(c, user.actor, question_id, data.reason)
    return "returned"


async def _approve(c: ServiceContext, user: WebUser, data: ApproveBody, question_id: int) -> str:
    await exec_approve_question(c, user.actor, question_id, data.importance)
    return "approved"


# (path under the question, what it does, its body, the form page shown again on a ValidationFailed)
ACTIONS: tuple[tuple[str, Run, type[Body], Again], ...] = (
    ("submit", _submit, SubmitBody, detail_page), ("withdraw", _withdraw, Body, detail_page),
    ("delete", _delete, Body, detail_page), ("evaluate", _evaluate, EvaluateBody, evaluation_page),
    ("append", _append, AppendBody, detail_page), ("review/return", _return, ReturnBody, detail_page),
    ("review/approve", _approve, ApproveBody, detail_page),
)
