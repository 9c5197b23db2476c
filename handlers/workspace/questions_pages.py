"""问题清零 → 问题清单 (/workbench/questions) and its API twin (/api/v1/workspace/questions): the enterprise's
questions under the member's data scope, newest first, read-only; each links to its H5 page."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.bodies import read_query
from handlers.kit.openapi import api_route
from handlers.kit.permissions import current_member, requires
from handlers.kit.responses import ok
from handlers.workspace.bodies import QuestionsQuery
from handlers.workspace.shell import workbench_page
from services.messages.events import QUESTION_LINK
from services.workspace.question_list import QUESTION_VIEW, list_questions

QUESTIONS = "/workbench/questions"
IMPLEMENTED = frozenset({QUESTIONS})
TAG = "企业工作台"
QUESTION = {"type": "object", "required": ["id", "number", "title", "status", "status_label", "creator",
                                           "department", "created_at", "link"], "properties": {
    "id": {"type": "integer"}, "number": {"type": "string"}, "title": {"type": "string"},
    "status": {"type": "string"}, "status_label": {"type": "string"},
    "creator": {"type": "string", "description": "提问人"},
    "department": {"type": ["string", "null"], "description": "提问时提问人的主部门"},
    "created_at": {"type": "string", "format": "date-time"}, "link": {"type": "string"}}}
PAGE = {"type": "object", "required": ["items", "next_cursor"], "properties": {
    "items": {"type": "array", "items": QUESTION}, "next_cursor": {"type": ["string", "null"]}}}


def question_json(q: Any) -> dict[str, Any]:
    return {"id": q.id, "number": q.number, "title": q.title, "status": q.status.value,
            "status_label": q.status.label, "creator": q.creator.name,
            "department": q.department.name if q.department else None, "created_at": q.created_at.isoformat(),
            "link": QUESTION_LINK.format(id=q.id)}


def questions_blueprint() -> Blueprint:
    bp = Blueprint("workbench_questions")

    @bp.get(QUESTIONS)
    @requires(QUESTION_VIEW)
    async def questions(request: Request) -> HTTPResponse:
        q = read_query(request, QuestionsQuery)
        found = await list_questions(await current_member(request), cursor=q.cursor, limit=q.limit)
        return await workbench_page(request, "workbench/questions.html", items=found.items,
                                    next_cursor=found.next_cursor, link=QUESTION_LINK)

    @api_route(bp, "GET", "/api/v1/workspace/questions", summary="问题清单（按数据范围，新的在前）", tag=TAG,
               query=QuestionsQuery, response=PAGE)
    @requires(QUESTION_VIEW)
    async def questions_api(request: Request) -> HTTPResponse:
        q = read_query(request, QuestionsQuery)
        found = await list_questions(await current_member(request), cursor=q.cursor, limit=q.limit)
        return ok({"items": [question_json(item) for item in found.items], "next_cursor": found.next_cursor})

    return bp
