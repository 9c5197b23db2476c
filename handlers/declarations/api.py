"""The declarations' JSON API under /api/v1/workspace: the entry list, a declaration, a new draft, 暂存 with the
version check (409 on a stale version), 提交审核, 申报 (through the single window: 409 with the reason when it
does not take it); and the code lookups the entry form uses (typing a code or a name finds it; an HS code's units
and ordered declaration elements)."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.declarations.bodies import (
    CodeQuery,
    DeclarationCreateBody,
    DeclarationDeclareBody,
    DeclarationsQuery,
    DeclarationUpdateBody,
    DeclarationVersionBody,
)
from handlers.kit.bodies import read_body, read_query
from handlers.kit.openapi import api_route
from handlers.kit.permissions import current_member, requires
from handlers.kit.responses import ok
from models.errors import ValidationFailed
from services.declarations import entry as E
from services.declarations import labels as L
from services.declarations.codes import find_codes, hs_entry
from services.declarations.fields import form_text, parse_form
from services.kit.records import Declaration, DeclarationKind

TAG = "报关单"
BASE = "/api/v1/workspace/declarations"
ONE = BASE + "/<declaration_id:int>"
_TEXTS = {"type": "object", "additionalProperties": {"type": "string"}}
SUMMARY = {"type": "object", "required": ["id", "number", "kind", "kind_label", "status", "status_label", "version",
                                          "owner", "updated_at", "link"], "properties": {
    "id": {"type": "integer"}, "number": {"type": "string", "description": "系统编号"},
    "kind": {"type": "string"}, "kind_label": {"type": "string"}, "status": {"type": "string"},
    "status_label": {"type": "string"}, "version": {"type": "integer"}, "owner": {"type": "string"},
    "seq_no": {"type": "string", "description": "统一编号（单一窗口，申报后）"},
    "bill_no": {"type": "string"}, "updated_at": {"type": "string", "format": "date-time"}, "link": {"type": "string"}}}
PAGE = {"type": "object", "required": ["items", "next_cursor", "counts"], "properties": {
    "items": {"type": "array", "items": SUMMARY}, "next_cursor": {"type": ["string", "null"]},
    "counts": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "每组条数"}}}
DETAIL = {"type": "object", "required": ["declaration", "head", "items", "containers", "documents", "hints",
                                         "events"], "properties": {
    "declaration": SUMMARY, "head": _TEXTS, "items": {"type": "array", "items": {"type": "object"}},
    "containers": {"type": "array", "items": _TEXTS}, "documents": {"type": "array", "items": _TEXTS},
    "hints": {**_TEXTS, "description": "与规范申报库比对的提示，按字段路径"},
    "events": {"type": "array", "items": {"type": "object"}}}}
CODES = {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
    "type": "object", "required": ["code", "name"],
    "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}}}}
HS = {"type": "object", "required": ["code", "name", "unit1", "unit2", "elements"], "properties": {
    "code": {"type": "string"}, "name": {"type": "string"}, "unit1": {"type": "string"}, "unit2": {"type": "string"},
    "elements": {"type": "array", "items": {"type": "object"}, "description": "申报要素，按目录顺序"}}}


def summary_json(d: Declaration) -> dict[str, Any]:
    return {"id": d.id, "number": d.number, "kind": d.kind.value, "kind_label": d.kind.label,
            "status": d.status.value, "status_label": d.status.label, "version": d.version,
            "owner": d.owner.name, "seq_no": d.seq_no, "bill_no": d.bill_no,
            "updated_at": d.updated_at.isoformat(), "link": E.link_of(d.id)}


async def detail(request: Request, declaration_id: int, status: int = 200) -> HTTPResponse:
    view = await E.get_declaration(await current_member(request), declaration_id)
    head, parts = form_text(view.form)
    return ok({"declaration": summary_json(view.declaration), "head": head, **parts, "hints": view.hints,
               "events": [{"action": e.action.value, "action_label": e.action.label, "to_status": e.to_status.value,
                           "person": e.person.name if e.person else None, "note": e.note, "at": e.at.isoformat()}
                          for e in view.events]}, status)


def _kind(text: str) -> DeclarationKind:
    try:
        return DeclarationKind(text)
    except ValueError:
        raise ValidationFailed(L.MSG_UNKNOWN_KIND, field="kind") from None


def declarations_api_blueprint() -> Blueprint:
    bp = Blueprint("workspace_declarations_api")

    @api_route(bp, "GET", BASE, summary="报关单录入列表（需处理 / 被退回 / 已申报 / 已删除，按数据范围）", tag=TAG,
               query=DeclarationsQuery, response=PAGE)
    @requires(L.ENTRY)
    async def declarations(request: Request) -> HTTPResponse:
        q = read_query(request, DeclarationsQuery)
        found = await E.list_declarations(await current_member(request), q.group, cursor=q.cursor, limit=q.limit)
        return ok({"items": [summary_json(d) for d in found.items], "next_cursor": found.next_cursor,
                   "counts": {g.value: n for g, n in found.counts.items()}})

    @api_route(bp, "POST", BASE, summary="新建报关单草稿（内容可不完整）", tag=TAG, body=DeclarationCreateBody,
               response=DETAIL, status=201)
    @requires(L.ENTRY)
    async def create(request: Request) -> HTTPResponse:
        body = read_body(request, DeclarationCreateBody)
        made = await E.create_draft(request.app.ctx.services, await current_member(request), _kind(body.kind),
                                    parse_form(body.head.model_dump(), body.parts()))
        return await detail(request, made.id, 201)

    @api_route(bp, "GET", ONE, summary="报关单：表头、商品项、集装箱、随附单证、申报库提示、状态记录", tag=TAG,
               response=DETAIL)
    @requires(L.ENTRY)
    async def declaration(request: Request, declaration_id: int) -> HTTPResponse:
        return await detail(request, declaration_id)

    @api_route(bp, "PUT", ONE, summary="暂存（整单替换；version 过期返回 409）", tag=TAG, body=DeclarationUpdateBody,
               response=DETAIL)
    @requires(L.ENTRY)
    async def update(request: Request, declaration_id: int) -> HTTPResponse:
        body = read_body(request, DeclarationUpdateBody)
        await E.save_draft(request.app.ctx.services, await current_member(request), declaration_id, body.version,
                           parse_form(body.head.model_dump(), body.parts()))
        return await detail(request, declaration_id)

    @api_route(bp, "POST", ONE + "/submit", summary="提交审核：全部逻辑检查，不通过时返回每个字段的原因", tag=TAG,
               body=DeclarationVersionBody, response=DETAIL)
    @requires(L.ENTRY)
    async def submit(request: Request, declaration_id: int) -> HTTPResponse:
        body = read_body(request, DeclarationVersionBody)
        await E.submit_declaration(request.app.ctx.services, await current_member(request), declaration_id,
                                   body.version)
        return await detail(request, declaration_id)

    @api_route(bp, "POST", ONE + "/declare", summary="申报：审核通过后经单一窗口发送，返回统一编号（seq_no）；"
               "单一窗口未受理时返回 409，报关单仍为审核通过", tag=TAG, body=DeclarationDeclareBody, response=DETAIL)
    @requires(L.ENTRY)
    async def declare(request: Request, declaration_id: int) -> HTTPResponse:
        body = read_body(request, DeclarationDeclareBody)
        await E.declare_declaration(request.app.ctx.services, await current_member(request), declaration_id,
                                    body.version)
        return await detail(request, declaration_id)

    @api_route(bp, "GET", "/api/v1/workspace/codes/<table:str>", summary="代码表查找：输入代码或名称", tag=TAG,
               query=CodeQuery, response=CODES)
    @requires(L.ENTRY)
    async def codes(request: Request, table: str) -> HTTPResponse:
        found = await find_codes(await current_member(request), table, read_query(request, CodeQuery).q)
        return ok({"items": [{"code": c.code, "name": c.name} for c in found]})

    @api_route(bp, "GET", "/api/v1/workspace/hs-codes/<code:str>", summary="商品编号：法定计量单位与申报要素", tag=TAG,
               response=HS)
    @requires(L.ENTRY)
    async def hs_code(request: Request, code: str) -> HTTPResponse:
        found = await hs_entry(await current_member(request), code)
        return ok({"code": found.code, "name": found.name, "unit1": found.unit1, "unit2": found.unit2,
                   "elements": found.elements})

    return bp
