"""审单's JSON API under /api/v1/workspace/declarations/review (``declaration:review``) and …/review2
(``declaration:review2``): the review list with the manual's filters, a declaration's review state (every field's
mark, what changed since), a mark (409 with the field's fresh state when the mark seen is stale), approve and
return."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.declarations.api import SUMMARY, summary_json
from handlers.declarations.bodies import ReviewApproveBody, ReviewMarkBody, ReviewQuery, ReviewReturnBody
from handlers.kit.bodies import read_body, read_query
from handlers.kit.openapi import api_route
from handlers.kit.permissions import current_member, requires
from handlers.kit.responses import ok
from models.errors import Conflict
from services.declarations import labels as L
from services.declarations import review as R
from services.declarations.marks import FieldState, field_state, set_mark
from services.declarations.review_filters import FIELDS, ReviewFilter

TAG = "审单"
BASE = "/api/v1/workspace/declarations"
FIELD = {"type": "object", "required": ["path", "label", "value", "mark", "comment", "last_id", "changed"],
         "properties": {
             "path": {"type": "string", "description": "head.trade_mode、items[0].hs_code"},
             "label": {"type": "string"}, "value": {"type": "string", "description": "当前值"},
             "mark": {"type": "string", "enum": ["right", "wrong", "none"]}, "comment": {"type": "string"},
             "last_id": {"type": "integer", "description": "该字段最近一次标记的 id（下次标记时作为 seen）"},
             "by": {"type": "string"}, "at": {"type": ["string", "null"], "format": "date-time"},
             "changed": {"type": "boolean", "description": "标记后制单人修改过（标记已复位）"},
             "marked_value": {"type": "string", "description": "标记时的值"}}}
STATE = {"type": "object", "required": ["declaration", "fields", "may_decide", "second_review"], "properties": {
    "declaration": SUMMARY, "fields": {"type": "array", "items": FIELD},
    "may_decide": {"type": "boolean", "description": "当前用户现在可以标记、通过或退回"},
    "second_review": {"type": "boolean", "description": "企业已开启二复核"},
    "events": {"type": "array", "items": {"type": "object"}}}}
PAGE = {"type": "object", "required": ["items", "next_cursor"], "properties": {
    "items": {"type": "array", "items": SUMMARY}, "next_cursor": {"type": ["string", "null"]}}}
CODES = {"review": L.REVIEW, "review2": L.REVIEW2}


def field_json(s: FieldState) -> dict[str, Any]:
    return {"path": s.field.path, "label": s.field.label, "value": s.field.value, "mark": s.mark.value,
            "comment": s.comment, "last_id": s.last_id, "by": s.by, "at": s.at.isoformat() if s.at else None,
            "changed": s.changed, "marked_value": s.marked_value}


async def state_json(request: Request, declaration_id: int) -> HTTPResponse:
    view = await R.get_review(await current_member(request), declaration_id)
    return ok({"declaration": summary_json(view.declaration), "fields": [field_json(s) for s in view.states.values()],
               "may_decide": view.may_decide, "second_review": view.second_review,
               "events": [{"action": e.action.value, "action_label": e.action.label, "to_status": e.to_status.value,
                           "person": e.person.name if e.person else None, "note": e.note, "at": e.at.isoformat()}
                          for e in view.events]})


async def review_list(request: Request) -> HTTPResponse:
    q = read_query(request, ReviewQuery)
    flt = ReviewFilter.from_args({key: getattr(q, key) for key in FIELDS}, request.app.ctx.services.tz)
    found = await R.list_for_review(await current_member(request), flt, cursor=q.cursor, limit=q.limit)
    return ok({"items": [summary_json(d) for d in found.items], "next_cursor": found.next_cursor})


async def review_state(request: Request, declaration_id: int) -> HTTPResponse:
    return await state_json(request, declaration_id)


async def mark(request: Request, declaration_id: int) -> HTTPResponse:
    body = read_body(request, ReviewMarkBody)
    member = await current_member(request)
    try:
        done = await set_mark(request.app.ctx.services, member, declaration_id, body.path, body.mark, body.comment,
                              body.seen)
    except Conflict as stale:
        fresh = await field_state(member, declaration_id, body.path)
        return ok({**stale.to_dict(), "state": field_json(fresh) if fresh else None}, stale.status)
    return ok(field_json(done))


async def approve(request: Request, declaration_id: int) -> HTTPResponse:
    body = read_body(request, ReviewApproveBody)
    await R.approve(request.app.ctx.services, await current_member(request), declaration_id, body.version, body.mode)
    return await state_json(request, declaration_id)


async def send_back(request: Request, declaration_id: int) -> HTTPResponse:
    body = read_body(request, ReviewReturnBody)
    await R.send_back(request.app.ctx.services, await current_member(request), declaration_id, body.version,
                      body.reason)
    return await state_json(request, declaration_id)


def _named(handler: Callable[..., Awaitable[HTTPResponse]], tag: str) -> Callable[..., Awaitable[HTTPResponse]]:
    async def routed(*args: Any, **kwargs: Any) -> HTTPResponse:
        return await handler(*args, **kwargs)
    routed.__name__ = f"{tag}_{handler.__name__}"
    return requires(CODES[tag])(routed)


def review_api_blueprint() -> Blueprint:
    """Every route twice: …/review with ``declaration:review`` and …/review2 with ``declaration:review2``."""
    bp = Blueprint("workspace_declaration_review_api")
    for tag in CODES:
        base, one = f"{BASE}/{tag}", f"{BASE}/{tag}/<declaration_id:int>"
        menu = "报关单审核" if tag == "review" else "二复核"
        api_route(bp, "GET", base, summary=f"{menu}列表（按筛选条件、企业与数据范围）", tag=TAG, query=ReviewQuery,
                  response=PAGE)(_named(review_list, tag))
        api_route(bp, "GET", one, summary=f"{menu}：每个字段的标记与修改情况", tag=TAG,
                  response=STATE)(_named(review_state, tag))
        api_route(bp, "POST", one + "/marks", summary=f"{menu}：标记一个字段（seen 过期返回 409 与最新状态）", tag=TAG,
                  body=ReviewMarkBody, response=FIELD)(_named(mark, tag))
        api_route(bp, "POST", one + "/approve", summary=f"{menu}：审核通过（高级审核须全部字段已标记）", tag=TAG,
                  body=ReviewApproveBody, response=STATE)(_named(approve, tag))
        api_route(bp, "POST", one + "/return", summary=f"{menu}：审核退回（标红字段及意见为退回内容）", tag=TAG,
                  body=ReviewReturnBody, response=STATE)(_named(send_back, tag))
    return bp
