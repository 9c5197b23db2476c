"""The library in the JSON API: the enterprise library (/api/v1/workspace/library…, ``library:query`` and the
legal-person card's authorisation) and the public library (/api/v1/library/public, anonymous), keyset-paged."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.auth import client_ip
from handlers.kit.bodies import read_body, read_query
from handlers.kit.openapi import api_route
from handlers.kit.permissions import current_member, requires
from handlers.kit.responses import ok
from handlers.library.bodies import ChooseBody, ExportQuery, LibraryQuery, PublicBody, VersionBody
from handlers.library.export_pages import XLSX, queued_export, send_export, stream_file
from handlers.library.pages import EXPORT, QUERY, today
from handlers.library.public_pages import min_enterprises
from models.errors import Conflict
from services.jobs.exports import ExportView, enterprise_export_file, enterprise_export_view, exports_folder
from services.library import labels as L
from services.library.details import ElementDetails, element_details
from services.library.enterprise import access_row, choose, enterprise_rows, set_public, unchoose
from services.library.filters import LibraryFilter
from services.library.public import PublicRow, access_public_row, public_row, public_rows

TAG = "规范申报库"
BASE = "/api/v1/workspace/library"
PUBLIC = "/api/v1/library/public"
_S = {"type": "string"}
_GOODS = {"id": {"type": "integer"}, "hs_code": _S, "goods_name": _S, "model_spec": {**_S, "description": "规格型号"},
          "elements": {"type": "array", "items": _S}, "ie_flag": {**_S, "enum": ["I", "E"]}, "trade_mode": _S,
          "declared_on": {**_S, "format": "date"}, "catalogue_version": _S}
PUBLIC_ROW = {"type": "object", "description": "公共库数据：不含企业名称、信用代码、海关编号",
              "required": list(_GOODS), "properties": _GOODS}
ROW = {"type": "object", "required": [*_GOODS, "entry_number", "item_number", "mark", "source", "public", "version"],
       "properties": {**_GOODS, "entry_number": _S, "item_number": {"type": "integer"},
                      "mark": {**_S, "enum": ["standard", "nonstandard", "matched", "chosen"]}, "source": _S,
                      "declarant_code": _S, "declarant_name": _S, "consignee_code": _S, "consignee_name": _S,
                      "remarks": _S, "mark_note": _S, "public": {"type": "boolean"},
                      "version": {"type": "integer", "description": "修改时回传的版本号"}}}
_CURSOR = {"type": ["string", "null"], "description": "下一页的 cursor；null 表示没有更多"}
PAGE = {"type": "object", "required": ["items", "next_cursor"],
        "properties": {"items": {"type": "array", "items": ROW}, "next_cursor": _CURSOR}}
PUBLIC_PAGE = {"type": "object", "required": ["items", "next_cursor"],
               "properties": {"items": {"type": "array", "items": PUBLIC_ROW}, "next_cursor": _CURSOR}}
_LINE = {"type": "object", "required": ["position", "name", "value", "required", "allowed", "declared"],
         "properties": {"position": {"type": "integer"}, "name": _S, "value": _S, "required": {"type": "boolean"},
                        "allowed": {"type": "array", "items": _S},
                        "declared": {"type": ["string", "null"],
                                     "description": "不规范数据：企业申报值（与审核值不同时）"}}}
_ELEMENTS = {"type": "object", "required": ["catalogue_version", "hs_name", "lines", "extra", "problem"],
             "properties": {"catalogue_version": _S, "hs_name": _S, "lines": {"type": "array", "items": _LINE},
                            "extra": {"type": "array", "items": _S}, "problem": _S}}
DETAIL = {"type": "object", "required": ["row", "elements"], "properties": {"row": ROW, "elements": _ELEMENTS}}
PUBLIC_DETAIL = {"type": "object", "required": ["row", "elements"],
                 "properties": {"row": PUBLIC_ROW, "elements": _ELEMENTS}}

EXPORT_JOB = {"type": "object", "description": "导出任务（数据较多时在后台生成文件）",
              "required": ["token", "state", "done", "total", "percent", "reason", "status_url", "file_url"],
              "properties": {"token": _S, "state": {**_S, "enum": ["running", "done", "interrupted"]},
                             "done": {"type": "integer"}, "total": {"type": "integer"},
                             "percent": {"type": "integer"}, "reason": {**_S, "description": "中断原因"},
                             "status_url": {**_S, "description": "查询进度"},
                             "file_url": {**_S, "description": "完成后下载文件"}}}
XLSX_FILE = {"type": "string", "format": "binary", "description": "Excel 文件（.xlsx）"}


def export_json(view: ExportView) -> dict[str, Any]:
    status = f"{BASE}/exports/{view.token}"
    return {"token": view.token, "state": view.state, "done": view.done, "total": view.total,
            "percent": view.percent, "reason": view.reason, "status_url": status, "file_url": f"{status}/file"}


def goods_json(row: PublicRow) -> dict[str, Any]:
    return {"id": row.id, "hs_code": row.hs_code, "goods_name": row.goods_name, "model_spec": row.model_spec,
            "elements": row.elements, "ie_flag": row.ie_flag.value, "trade_mode": row.trade_mode,
            "declared_on": row.declared_on.isoformat(), "catalogue_version": row.catalogue_version}


def row_json(row: Any) -> dict[str, Any]:
    return {**goods_json(public_row(row)), "entry_number": row.entry_number, "item_number": row.item_number,
            "mark": row.mark.value, "source": row.source.value, "declarant_code": row.declarant_code,
            "declarant_name": row.declarant_name, "consignee_code": row.consignee_code,
            "consignee_name": row.consignee_name, "remarks": row.remarks, "mark_note": row.mark_note,
            "public": row.public, "version": row.version}


def elements_json(details: ElementDetails) -> dict[str, Any]:
    return {"catalogue_version": details.version_code, "hs_name": details.hs_name, "extra": details.extra,
            "problem": details.problem,
            "lines": [{"position": line.position, "name": line.name, "value": line.value, "required": line.required,
                       "allowed": line.allowed, "declared": line.declared} for line in details.lines]}


def _limit(q: LibraryQuery) -> int:
    return min(max(q.limit, 1), 100)


def library_api_blueprint() -> Blueprint:
    bp = Blueprint("library_api")

    @api_route(bp, "GET", BASE, summary="企业库查询（本企业作为申报单位或收发货人的数据，需法人卡授权）", tag=TAG,
               query=LibraryQuery, response=PAGE)
    @requires(QUERY)
    async def rows(request: Request) -> HTTPResponse:
        q = read_query(request, LibraryQuery)
        found = await enterprise_rows((await current_member(request)).membership,
                                      LibraryFilter.from_args(q.filter_args()), q.cursor, _limit(q))
        return ok({"items": [row_json(r) for r in found.items], "next_cursor": found.next_cursor})

    @api_route(bp, "GET", f"{BASE}/export", summary="企业库导出：当前页或全部筛选结果（all=true）；数据较多时返回 202 "
               "与导出任务，完成后从 file_url 下载", tag=TAG, query=ExportQuery, response=XLSX_FILE, produces=XLSX,
               also={202: EXPORT_JOB})
    @requires(EXPORT)
    async def export(request: Request) -> HTTPResponse | None:
        membership = (await current_member(request)).membership
        q = read_query(request, ExportQuery)
        token = await queued_export(request, membership, q)
        if token is None:
            await send_export(request, membership, q)
            return None
        view = await enterprise_export_view(request.app.ctx.services, membership, token)
        return ok(export_json(view), status=202)

    @api_route(bp, "GET", f"{BASE}/exports/<token:str>", summary="导出任务进度", tag=TAG, response=EXPORT_JOB)
    @requires(EXPORT)
    async def export_job(request: Request, token: str) -> HTTPResponse:
        membership = (await current_member(request)).membership
        return ok(export_json(await enterprise_export_view(request.app.ctx.services, membership, token)))

    @api_route(bp, "GET", f"{BASE}/exports/<token:str>/file", summary="下载导出任务生成的文件（任务完成后）", tag=TAG,
               response=XLSX_FILE, produces=XLSX)
    @requires(EXPORT)
    async def export_download(request: Request, token: str) -> HTTPResponse | None:
        membership = (await current_member(request)).membership
        found = await enterprise_export_file(request.app.ctx.services, membership, token,
                                             exports_folder(request.app.ctx.settings.web.upload_dir))
        if found is None:
            raise Conflict(L.MSG_EXPORT_RUNNING)
        await stream_file(request, *found)
        return None

    @api_route(bp, "GET", f"{BASE}/<row_id:int>", summary="申报要素详情（按最新商品目录）", tag=TAG, response=DETAIL)
    @requires(QUERY)
    async def one(request: Request, row_id: int) -> HTTPResponse:
        row = await access_row((await current_member(request)).membership, row_id)
        return ok({"row": row_json(row), "elements": elements_json(await element_details(row, today(request)))})

    @api_route(bp, "POST", f"{BASE}/<row_id:int>/choose", summary="设为自选（系统匹配数据）", tag=TAG,
               body=ChooseBody, response=ROW)
    @requires(QUERY)
    async def choosing(request: Request, row_id: int) -> HTTPResponse:
        body = read_body(request, ChooseBody)
        row = await choose(request.app.ctx.services, (await current_member(request)).membership, row_id,
                           body.version, body.note, ip=client_ip(request))
        return ok(row_json(row))

    @api_route(bp, "POST", f"{BASE}/<row_id:int>/unchoose", summary="取消自选", tag=TAG, body=VersionBody,
               response=ROW)
    @requires(QUERY)
    async def unchoosing(request: Request, row_id: int) -> HTTPResponse:
        body = read_body(request, VersionBody)
        row = await unchoose(request.app.ctx.services, (await current_member(request)).membership, row_id,
                             body.version, ip=client_ip(request))
        return ok(row_json(row))

    @api_route(bp, "POST", f"{BASE}/<row_id:int>/public", summary="设置公开状态（规范数据）", tag=TAG,
               body=PublicBody, response=ROW)
    @requires(QUERY)
    async def publishing(request: Request, row_id: int) -> HTTPResponse:
        body = read_body(request, PublicBody)
        row = await set_public(request.app.ctx.services, (await current_member(request)).membership, row_id,
                               body.version, body.public, ip=client_ip(request))
        return ok(row_json(row))

    @api_route(bp, "GET", PUBLIC, summary="公共库查询（公开的规范数据，不含企业信息）", tag=TAG,
               query=LibraryQuery, response=PUBLIC_PAGE, auth=False)
    async def public(request: Request) -> HTTPResponse:
        q = read_query(request, LibraryQuery)
        found = await public_rows(LibraryFilter.from_args(q.filter_args()), min_enterprises(request), q.cursor,
                                  _limit(q))
        return ok({"items": [goods_json(r) for r in found.items], "next_cursor": found.next_cursor})

    @api_route(bp, "GET", f"{PUBLIC}/<row_id:int>", summary="公共库申报要素详情", tag=TAG, response=PUBLIC_DETAIL,
               auth=False)
    async def public_one(request: Request, row_id: int) -> HTTPResponse:
        row = await access_public_row(row_id, min_enterprises(request))
        return ok({"row": goods_json(public_row(row)),
                   "elements": elements_json(await element_details(row, today(request)))})

    return bp
