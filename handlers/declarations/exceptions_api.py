"""异常状态登记's JSON API under /api/v1/workspace/declaration-exceptions: the filtered list, 新增, 修改 (version
check, 409 when stale), 变更状态, 删除 of several, and the 报关差错率. Refusals are ``{"error": {code, message,
field, fields}}`` with a 4xx status. The 附件 is uploaded on the page."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.declarations.bodies import (
    ErrorRateQuery,
    ExceptionCreateBody,
    ExceptionIdsBody,
    ExceptionQuery,
    ExceptionStatusBody,
    ExceptionUpdateBody,
)
from handlers.declarations.exceptions import EXCEPTIONS, checked_input, exception_kind, exception_status
from handlers.kit.bodies import read_body, read_query
from handlers.kit.openapi import api_route
from handlers.kit.permissions import current_member, requires
from handlers.kit.responses import ok
from services.declarations import exceptions as X
from services.declarations import labels as L
from services.declarations.error_rate import RateLine, error_rate, period
from services.declarations.exception_form import ExceptionFilter

TAG = "异常状态登记"
BASE = "/api/v1/workspace/declaration-exceptions"
ONE = BASE + "/<exception_id:int>"
_STR, _DAY = {"type": "string"}, {"type": ["string", "null"], "format": "date"}
ROW = {"type": "object", "required": ["id", "kind", "number", "exception_type", "status", "version", "link"],
       "properties": {"id": {"type": "integer"}, "kind": _STR, "number": _STR, "trade_name": _STR, "ie_flag": _STR,
                      "client_name": _STR, "exception_type": _STR, "exception_type_label": _STR,
                      "occurred_on": _DAY, "post": _STR, "responsible": _STR, "penalized": {"type": "boolean"},
                      "penalty_target": _STR, "status": _STR, "status_label": _STR, "done_on": _DAY,
                      "reason": _STR, "attachment": _STR, "declaration_id": {"type": ["integer", "null"]},
                      "automatic": {"type": "boolean", "description": "由海关回执自动登记"},
                      "version": {"type": "integer"}, "link": _STR}}
PAGE = {"type": "object", "required": ["items", "next_cursor", "total"], "properties": {
    "items": {"type": "array", "items": ROW}, "next_cursor": {"type": ["string", "null"]},
    "total": {"type": "integer"}}}
DELETED = {"type": "object", "required": ["deleted"], "properties": {"deleted": {"type": "integer"}}}
LINE = {"type": "object", "properties": {"label": _STR, "errors": {"type": "integer"},
                                         "declared": {"type": "integer"}, "percent": _STR}}
RATE = {"type": "object", "required": ["from", "to", "total", "months", "posts", "people"], "properties": {
    "from": _DAY, "to": _DAY, "total": LINE, "months": {"type": "array", "items": LINE},
    "posts": {"type": "array", "items": LINE}, "people": {"type": "array", "items": LINE}}}


def row_json(e: Any) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind.value, "number": e.number, "trade_name": e.trade_name, "ie_flag": e.ie_flag,
            "client_name": e.client_name, "exception_type": e.exception_type.value,
            "exception_type_label": L.TYPE_LABELS[e.exception_type.value],
            "occurred_on": e.occurred_on.isoformat(), "post": e.post, "responsible": e.responsible,
            "penalized": e.penalized, "penalty_target": e.penalty_target, "status": e.status.value,
            "status_label": L.EXCEPTION_STATUS_LABELS[e.status.value],
            "done_on": e.done_on.isoformat() if e.done_on else None, "reason": e.reason,
            "attachment": e.attachment_name, "declaration_id": e.declaration_id,
            "automatic": e.receipt_action is not None, "version": e.version, "link": f"{EXCEPTIONS}/{e.id}"}


def _line(line: RateLine) -> dict[str, Any]:
    return {"label": line.label, "errors": line.errors, "declared": line.declared, "percent": str(line.percent)}


def exceptions_api_blueprint() -> Blueprint:
    bp = Blueprint("workspace_declaration_exceptions_api")

    @api_route(bp, "GET", BASE, summary="异常列表（报关单异常 / 核注清单异常，按查询条件与数据范围）", tag=TAG,
               query=ExceptionQuery, response=PAGE)
    @requires(L.EXCEPTION_EDIT)
    async def exceptions(request: Request) -> HTTPResponse:
        q = read_query(request, ExceptionQuery)
        found = await X.list_exceptions(await current_member(request), ExceptionFilter.from_args(q.filter_args()),
                                        cursor=q.cursor, limit=q.limit)
        return ok({"items": [row_json(e) for e in found.items], "next_cursor": found.next_cursor,
                   "total": found.total})

    @api_route(bp, "POST", BASE, summary="新增异常登记", tag=TAG, body=ExceptionCreateBody, response=ROW,
               status=201)
    @requires(L.EXCEPTION_EDIT)
    async def create(request: Request) -> HTTPResponse:
        body = read_body(request, ExceptionCreateBody)
        kind = exception_kind(body.kind)
        form, _ = await checked_input(request, kind, body)
        made = await X.add_exception(request.app.ctx.services, await current_member(request), kind, form)
        return ok(row_json(made), 201)

    @api_route(bp, "GET", ONE, summary="异常登记", tag=TAG, response=ROW)
    @requires(L.EXCEPTION_EDIT)
    async def one(request: Request, exception_id: int) -> HTTPResponse:
        return ok(row_json(await X.get_exception(await current_member(request), exception_id)))

    @api_route(bp, "PUT", ONE, summary="修改异常登记（version 过期返回 409）", tag=TAG, body=ExceptionUpdateBody,
               response=ROW)
    @requires(L.EXCEPTION_EDIT)
    async def update(request: Request, exception_id: int) -> HTTPResponse:
        body, member = read_body(request, ExceptionUpdateBody), await current_member(request)
        row = await X.get_exception(member, exception_id)
        form, _ = await checked_input(request, row.kind, body, row.number)
        saved = await X.edit_exception(request.app.ctx.services, member, exception_id, body.version, form,
                                       storage=request.app.ctx.storage, drop_attachment=body.drop_attachment)
        return ok(row_json(saved))

    @api_route(bp, "POST", ONE + "/status", summary="变更处理状态（已完成时填写完成日期）", tag=TAG,
               body=ExceptionStatusBody, response=ROW)
    @requires(L.EXCEPTION_EDIT)
    async def status(request: Request, exception_id: int) -> HTTPResponse:
        body = read_body(request, ExceptionStatusBody)
        changed = await X.change_status(request.app.ctx.services, await current_member(request), exception_id,
                                        exception_status(body.status), body.version)
        return ok(row_json(changed))

    @api_route(bp, "POST", BASE + "/delete", summary="删除勾选的异常记录", tag=TAG, body=ExceptionIdsBody,
               response=DELETED)
    @requires(L.EXCEPTION_EDIT)
    async def delete(request: Request) -> HTTPResponse:
        body = read_body(request, ExceptionIdsBody)
        count = await X.delete_exceptions(await current_member(request), body.ids, request.app.ctx.storage)
        return ok({"deleted": count})

    @api_route(bp, "GET", BASE + "/error-rate", summary="报关差错率：按月、按责任岗位、按责任人", tag=TAG,
               query=ErrorRateQuery, response=RATE)
    @requires(L.EXCEPTION_EDIT)
    async def rate(request: Request) -> HTTPResponse:
        q = read_query(request, ErrorRateQuery)
        services = request.app.ctx.services
        first, end = period(services, q.date_from, q.date_to)
        found = await error_rate(services, await current_member(request), first, end)
        return ok({"from": found.first.isoformat(), "to": found.last.isoformat(), "total": _line(found.total),
                   "months": [_line(m) for m in found.months], "posts": [_line(p) for p in found.posts],
                   "people": [_line(p) for p in found.people]})

    return bp
