"""The published questions' JSON API, open to anybody (what customs published is public), and the type list."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.bodies import read_query
from handlers.kit.openapi import api_route
from handlers.kit.responses import ok
from handlers.questions.bodies import PublicQuestionsQuery, SimilarQuery
from services.questions.public import (
    PublicType,
    PublishedPage,
    PublishedQuestion,
    active_types,
    list_published,
    published_detail,
    similar_published,
)

TAG = "已公开问题"

_TYPE = {"type": "object", "required": ["id", "name"],
         "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
_TYPES = {"type": "array", "items": _TYPE}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_SUMMARY = {"type": "object", "required": ["id", "title", "types", "published_at", "excerpt"], "properties": {
    "id": {"type": "integer"}, "title": {"type": "string", "description": "公开标题"}, "types": _TYPES,
    "published_at": _TIME, "excerpt": {"type": "string", "description": "公开问题内容的开头"}}}
LIST = {"type": "object", "required": ["items", "next_cursor"], "properties": {
    "items": {"type": "array", "items": _SUMMARY},
    "next_cursor": {"type": ["string", "null"], "description": "下一页的 cursor；null 表示没有更多"}}}
DETAIL = {"type": "object", "description": "海关公开的内容；不含企业名称、信用代码、问题编号、联系人等企业信息",
          "required": ["id", "title", "description", "reply", "types", "asked_at", "replied_at", "published_at"],
          "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": "string"},
                         "reply": {"type": "string", "description": "海关答复（公开版本）"}, "types": _TYPES,
                         "asked_at": _TIME, "replied_at": _TIME, "published_at": _TIME}}
SIMILAR = {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
    "type": "object", "required": ["id", "title"],
    "properties": {"id": {"type": "integer"}, "title": {"type": "string"}}}}}}
TYPES = {"type": "object", "required": ["items"], "properties": {"items": _TYPES}}


def type_json(item: PublicType) -> dict[str, Any]:
    return {"id": item.id, "name": item.name}


def page_json(page: PublishedPage) -> dict[str, Any]:
    items = [{"id": i.id, "title": i.title, "types": [type_json(t) for t in i.types],
              "published_at": i.published_at.isoformat(), "excerpt": i.excerpt} for i in page.items]
    return {"items": items, "next_cursor": page.next_cursor}


def detail_json(q: PublishedQuestion) -> dict[str, Any]:
    def iso(moment: Any) -> str | None:
        return moment.isoformat() if moment else None

    return {"id": q.id, "title": q.title, "description": q.description, "reply": q.reply,
            "types": [type_json(t) for t in q.types], "asked_at": iso(q.asked_at), "replied_at": iso(q.replied_at),
            "published_at": iso(q.published_at)}


def public_api_blueprint() -> Blueprint:
    bp = Blueprint("public_api")

    @api_route(bp, "GET", "/api/v1/public/questions", summary="已公开问题列表（按公开时间倒序，可按类型筛选）",
               tag=TAG, response=LIST, query=PublicQuestionsQuery, auth=False)
    async def public_questions(request: Request) -> HTTPResponse:
        args = read_query(request, PublicQuestionsQuery)
        page = await list_published(type_id=args.type_id, cursor=args.cursor or None, limit=args.limit)
        return ok(page_json(page))

    @api_route(bp, "GET", "/api/v1/public/questions/similar", summary="与输入标题相似的已公开问题（提问时提示）",
               tag=TAG, response=SIMILAR, query=SimilarQuery,
               auth=False)
    async def similar_questions(request: Request) -> HTTPResponse:
        found = await similar_published(read_query(request, SimilarQuery).q)
        return ok({"items": [{"id": s.id, "title": s.title} for s in found]})

    @api_route(bp, "GET", "/api/v1/public/questions/<question_id:int>", summary="已公开问题详情（问题与海关答复）",
               tag=TAG, response=DETAIL, auth=False)
    async def public_question(request: Request, question_id: int) -> HTTPResponse:
        return ok(detail_json(await published_detail(question_id)))

    @api_route(bp, "GET", "/api/v1/question-types", summary="可选的问题类型（筛选与提问用）", tag=TAG,
               response=TYPES, auth=False)
    async def question_types(request: Request) -> HTTPResponse:
        return ok({"items": [type_json(t) for t in await active_types()]})

    return bp
