"""消息中心 in the JSON API (/api/v1/workspace/messages): the list, the badge counts, one message (read on
opening), star, mark all read — the signed-in member's own messages in the current enterprise only."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.bodies import read_body, read_query
from handlers.kit.openapi import api_route
from handlers.kit.permissions import current_member, requires
from handlers.kit.responses import ok
from handlers.workspace.bodies import MessagesQuery, ReadAllBody, StarBody
from handlers.workspace.messages_pages import VIEW, mailbox
from handlers.workspace.messages_stream import BADGE, badge_of
from services.messages.centre import (
    counts,
    list_messages,
    mark_all_read,
    parse_category,
    parse_period,
    read_message,
    set_starred,
)

TAG = "消息中心"
BASE = "/api/v1/workspace/messages"
_TIME = {"type": ["string", "null"], "format": "date-time"}
MESSAGE = {"type": "object", "required": ["id", "category", "severity", "title", "body", "link", "created_at",
                                          "read_at", "starred"], "properties": {
    "id": {"type": "integer"}, "category": {"type": "string", "enum": ["notice", "warning"]},
    "severity": {"type": "string", "enum": ["info", "important"]}, "title": {"type": "string"},
    "body": {"type": "string"}, "link": {"type": "string", "description": "所涉对象的页面地址"},
    "created_at": {"type": "string", "format": "date-time"}, "read_at": _TIME, "starred": {"type": "boolean"}}}
PAGE = {"type": "object", "required": ["items", "next_cursor"], "properties": {
    "items": {"type": "array", "items": MESSAGE}, "next_cursor": {"type": ["string", "null"]}}}
DONE = {"type": "object", "required": ["marked"], "properties": {"marked": {"type": "integer"}}}


def message_json(m: Any) -> dict[str, Any]:
    return {"id": m.id, "category": m.category.value, "severity": m.severity.value, "title": m.title,
            "body": m.body, "link": m.link, "created_at": m.created_at.isoformat(),
            "read_at": m.read_at.isoformat() if m.read_at else None, "starred": m.starred}


def messages_api_blueprint() -> Blueprint:
    bp = Blueprint("messages_api")

    @api_route(bp, "GET", BASE, summary="消息列表（通知 / 预警，新的在前；可按发送日期范围筛选）", tag=TAG,
               query=MessagesQuery,
               response=PAGE)
    @requires(VIEW)
    async def messages(request: Request) -> HTTPResponse:
        q = read_query(request, MessagesQuery)
        found = await list_messages(mailbox(await current_member(request)), parse_category(q.category),
                                    state=q.state, starred=q.starred, cursor=q.cursor, limit=q.limit,
                                    period=parse_period(q.date_from, q.date_to), tz=request.app.ctx.services.tz)
        return ok({"items": [message_json(m) for m in found.items], "next_cursor": found.next_cursor})

    @api_route(bp, "GET", f"{BASE}/counts", summary="未读数（按类别）与星标数，精确计数", tag=TAG,
               response=BADGE)
    @requires(VIEW)
    async def badge(request: Request) -> HTTPResponse:
        return ok(badge_of(await counts(mailbox(await current_member(request)))))

    @api_route(bp, "GET", f"{BASE}/<message_id:int>", summary="消息详情（首次打开即标为已读）", tag=TAG,
               response=MESSAGE)
    @requires(VIEW)
    async def one(request: Request, message_id: int) -> HTTPResponse:
        message = await read_message(mailbox(await current_member(request)), message_id,
                                     request.app.ctx.services.now())
        return ok(message_json(message))

    @api_route(bp, "POST", f"{BASE}/<message_id:int>/star", summary="加星标 / 取消星标", tag=TAG, body=StarBody,
               response=DONE)
    @requires(VIEW)
    async def star(request: Request, message_id: int) -> HTTPResponse:
        await set_starred(mailbox(await current_member(request)), message_id, read_body(request, StarBody).starred)
        return ok({"marked": 1})

    @api_route(bp, "POST", f"{BASE}/read-all", summary="当前类别全部标为已读", tag=TAG, body=ReadAllBody,
               response=DONE)
    @requires(VIEW)
    async def read_all(request: Request) -> HTTPResponse:
        category = parse_category(read_body(request, ReadAllBody).category)
        marked = await mark_all_read(mailbox(await current_member(request)), category, request.app.ctx.services.now())
        return ok({"marked": marked})

    return bp
