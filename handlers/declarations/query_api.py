"""业务数据查询's JSON API under /api/v1/workspace/declarations/query: the filtered list (cursor paging), 提交审核
of several (each result), 列表导出 as a job (its progress, then the file's link)."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.declarations.api import SUMMARY, summary_json
from handlers.declarations.bodies import DeclarationQueryFilter, DeclarationSelectionBody
from handlers.declarations.query import EXPORTS, PRINTS, print_link
from handlers.kit.bodies import read_body, read_query
from handlers.kit.openapi import api_route
from handlers.kit.permissions import current_member, requires
from handlers.kit.responses import ok
from services.declarations import labels as L
from services.declarations import query as Q
from services.jobs.exports import enterprise_export_view, start_declaration_export
from services.jobs.kinds import DECLARATION_EXPORT
from services.kit.records import Declaration

TAG = "报关单"
BASE = "/api/v1/workspace/declarations/query"
ROW = {**SUMMARY, "properties": {
    **SUMMARY["properties"], "entry_id": {"type": "string", "description": "海关编号"},
    "trade_name": {"type": "string", "description": "境内收发货人"},
    "declare_office": {"type": "string", "description": "申报地海关"}, "trade_mode": {"type": "string"},
    "prints": {"type": "object", "additionalProperties": {"type": "string"}, "description": "打印报关单 / 打印通知书"}}}
PAGE = {"type": "object", "required": ["items", "next_cursor"], "properties": {
    "items": {"type": "array", "items": ROW}, "next_cursor": {"type": ["string", "null"]}}}
RESULTS = {"type": "object", "required": ["results"], "properties": {"results": {"type": "array", "items": {
    "type": "object", "required": ["id", "submitted"], "properties": {
        "id": {"type": "integer"}, "number": {"type": "string"}, "submitted": {"type": "boolean"},
        "reason": {"type": "string"}, "errors": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}
JOB = {"type": "object", "required": ["token", "state", "done", "total"], "properties": {
    "token": {"type": "string"}, "state": {"type": "string", "enum": ["running", "done", "interrupted"]},
    "done": {"type": "integer"}, "total": {"type": "integer"}, "reason": {"type": "string"},
    "file": {"type": ["string", "null"], "description": "完成后的下载地址（页面会话）"}}}


def row_json(d: Declaration) -> dict[str, Any]:
    return {**summary_json(d), "entry_id": d.entry_id, "trade_name": d.trade_name,
            "declare_office": d.declare_office, "trade_mode": d.trade_mode,
            "prints": {form: print_link(d.id, form) for form, _ in PRINTS}}


async def _job(request: Request, token: str, status: int = 200) -> HTTPResponse:
    member = await current_member(request)
    view = await enterprise_export_view(request.app.ctx.services, member.membership, token, DECLARATION_EXPORT)
    return ok({"token": view.token, "state": view.state, "done": view.done, "total": view.total,
               "reason": view.reason, "file": f"{EXPORTS}/{view.token}/file" if view.state == "done" else None},
              status)


def query_api_blueprint() -> Blueprint:
    bp = Blueprint("workspace_declaration_query_api")

    @api_route(bp, "GET", BASE, summary="业务数据查询：按筛选条件与数据范围，最近操作时间倒序", tag=TAG,
               query=DeclarationQueryFilter, response=PAGE)
    @requires(L.QUERY)
    async def declaration_query(request: Request) -> HTTPResponse:
        q = read_query(request, DeclarationQueryFilter)
        found = await Q.query_declarations(await current_member(request), Q.QueryFilter.from_args(q.filter_args()),
                                           request.app.ctx.services.tz, cursor=q.cursor, limit=q.limit)
        return ok({"items": [row_json(d) for d in found.items], "next_cursor": found.next_cursor})

    @api_route(bp, "POST", BASE + "/submit", summary="提交审核（多份）：逐份返回是否提交及原因", tag=TAG,
               body=DeclarationSelectionBody, response=RESULTS)
    @requires(L.QUERY)
    async def declaration_query_submit(request: Request) -> HTTPResponse:
        results = await Q.submit_selected(request.app.ctx.services, await current_member(request),
                                          read_body(request, DeclarationSelectionBody).ids)
        return ok({"results": [{"id": r.declaration_id, "number": r.number, "submitted": r.submitted,
                                "reason": r.reason, "errors": dict(r.errors or {})} for r in results]})

    @api_route(bp, "POST", BASE + "/export", summary="列表导出：导出全部筛选结果（后台任务）", tag=TAG,
               query=DeclarationQueryFilter, response=JOB, status=202)
    @requires(L.QUERY)
    async def declaration_query_export(request: Request) -> HTTPResponse:
        flt = Q.QueryFilter.from_args(read_query(request, DeclarationQueryFilter).filter_args())
        token = await start_declaration_export(request.app.ctx.services, await current_member(request), flt)
        return await _job(request, token, 202)

    @api_route(bp, "GET", BASE + "/exports/<token:str>", summary="列表导出的进度与下载地址", tag=TAG, response=JOB)
    @requires(L.QUERY)
    async def declaration_query_export_job(request: Request, token: str) -> HTTPResponse:
        return await _job(request, token)

    return bp
