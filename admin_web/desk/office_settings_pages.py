"""Settings → 海关与部门: the office tree of the admin's scope, and one office's page with its changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.auth import AdminUser
from admin_web.desk.bodies import AcceptsBody, ActiveBody, CodeNameBody, NameBody
from admin_web.desk.settings_support import DONE_COMMON, NOTHING_FAILED, Failed, settings_actor, settings_user, submit
from handlers.kit.bodies import B
from handlers.kit.render import page
from services.desk.office_settings import (
    add_department,
    office_in_scope,
    office_tree,
    rename_office,
    set_accepts_questions,
    set_office_active,
)
from services.kit.actors import CustomsActor

OFFICES = "/admin/settings/offices"
OFFICE = OFFICES + "/<office_id:int>"
DONE = DONE_COMMON | {"added": "部门已新增", "accepts": "受理设置已保存"}



def office_settings_blueprint() -> Blueprint:
    bp = Blueprint("admin_settings_offices")
    bp.add_route(tree, OFFICES, methods=["GET"])
    bp.add_route(show, OFFICE, methods=["GET"])
    bp.add_route(add, OFFICE + "/departments", methods=["POST"])
    bp.add_route(rename, OFFICE + "/rename", methods=["POST"])
    bp.add_route(accepts, OFFICE + "/accepts", methods=["POST"])
    bp.add_route(activate, OFFICE + "/active", methods=["POST"])
    return bp


async def tree(request: Request) -> HTTPResponse:
    user = await settings_user(request)
    rows = await office_tree(settings_actor(request, user))
    return page(request, "admin/settings_offices.html", rows=rows)


async def _render(request: Request, user: AdminUser, office_id: int, failed: Failed = NOTHING_FAILED,
                  status: int = 200) -> HTTPResponse:
    row, parent = await office_in_scope(settings_actor(request, user), office_id)
    return page(request, "admin/settings_office.html", status=status, row=row, parent=parent, failed=failed,
                notice=DONE.get(request.args.get("done", ""), ""))


async def show(request: Request, office_id: int) -> HTTPResponse:
    return await _render(request, await settings_user(request), office_id)


async def _office_submit(request: Request, office_id: int, form: str, done: str, body: type[B],
                         change: Callable[[CustomsActor, B], Awaitable[Any]]) -> HTTPResponse:
    async def render(user: AdminUser, failed: Failed, status: int) -> HTTPResponse:
        return await _render(request, user, office_id, failed, status)
    return await submit(request, form, f"{OFFICES}/{office_id}?done={done}", render, body, change)


async def add(request: Request, office_id: int) -> HTTPResponse:
    async def run(actor: CustomsActor, data: CodeNameBody) -> object:
        return await add_department(request.app.ctx.services, actor, office_id, data.code, data.name)
    return await _office_submit(request, office_id, "add", "added", CodeNameBody, run)


async def rename(request: Request, office_id: int) -> HTTPResponse:
    async def run(actor: CustomsActor, data: NameBody) -> None:
        await rename_office(request.app.ctx.services, actor, office_id, data.name)
    return await _office_submit(request, office_id, "rename", "renamed", NameBody, run)


async def accepts(request: Request, office_id: int) -> HTTPResponse:
    async def run(actor: CustomsActor, data: AcceptsBody) -> None:
        await set_accepts_questions(request.app.ctx.services, actor, office_id, data.accepts)
    return await _office_submit(request, office_id, "accepts", "accepts", AcceptsBody, run)


async def activate(request: Request, office_id: int) -> HTTPResponse:
    async def run(actor: CustomsActor, data: ActiveBody) -> None:
        await set_office_active(request.app.ctx.services, actor, office_id, data.active)
    return await _office_submit(request, office_id, "active", "active", ActiveBody, run)
