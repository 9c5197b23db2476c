"""The workspace's JSON API (/api/v1/workspace): what the signed-in member may do, and the enterprise's roles."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.openapi import api_route
from handlers.kit.permissions import current_member, requires
from handlers.kit.responses import ok
from services.workspace.roles import ROLE_VIEW, list_roles

TAG = "企业工作台"
_CODES = {"type": "array", "items": {"type": "string"}}
_SCOPE = {"type": "string", "enum": ["all", "department", "self"],
          "description": "数据范围：全部 / 本部门及下级 / 仅本人"}
ME = {"type": "object", "required": ["enterprise_id", "codes", "data_scope"], "properties": {
    "enterprise_id": {"type": "integer"}, "codes": _CODES, "data_scope": _SCOPE}}
ROLES = {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
    "type": "object", "required": ["id", "name", "codes", "data_scope", "builtin", "holders"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "codes": _CODES, "data_scope": _SCOPE,
        "builtin": {"type": ["string", "null"], "description": "内置角色对应的人员类型"},
        "holders": {"type": "integer", "description": "正在或将要使用该角色的人数"}}}}}}


def workspace_api_blueprint() -> Blueprint:
    bp = Blueprint("workspace_api")

    @api_route(bp, "GET", "/api/v1/workspace/me", summary="当前人员在当前企业的权限与数据范围", tag=TAG,
               response=ME)
    @requires("workbench:view")
    async def me(request: Request) -> HTTPResponse:
        member = await current_member(request)
        return ok({"enterprise_id": member.enterprise_id, "codes": sorted(member.decision.codes),
                   "data_scope": member.decision.scope.value})

    @api_route(bp, "GET", "/api/v1/workspace/roles", summary="企业的角色（含内置角色）", tag=TAG, response=ROLES)
    @requires(ROLE_VIEW)
    async def roles(request: Request) -> HTTPResponse:
        rows = await list_roles(request.app.ctx.services, await current_member(request))
        return ok({"items": [{"id": r.role.id, "name": r.role.name, "codes": sorted(r.role.codes),
                              "data_scope": r.role.data_scope.value,
                              "builtin": r.role.builtin.value if r.role.builtin else None, "holders": r.holders}
                             for r in rows]})

    return bp
