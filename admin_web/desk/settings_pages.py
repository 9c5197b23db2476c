"""Settings (设置) for customs admins: the overview, and question types / business categories.

Offices and departments are in ``office_settings_pages.py``, accounts in ``account_settings_pages.py``; the
forms' shared handling is in ``settings_support.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.auth import AdminUser
from admin_web.desk.bodies import ActiveBody, CodeNameBody, MoveBody, NameBody
from admin_web.desk.settings_support import DONE_COMMON, NOTHING_FAILED, Failed, settings_actor, settings_user, submit
from handlers.kit.bodies import B
from handlers.kit.render import page
from models.errors import NotFound
from services.desk.account_settings import accounts_in_scope
from services.desk.catalog_settings import (
    CatalogKind,
    add_catalog_item,
    catalog,
    move_catalog_item,
    rename_catalog_item,
    set_catalog_item_active,
)
from services.desk.office_settings import office_tree
from services.kit.actors import CustomsActor

CATALOG = "/admin/settings/catalog"
ITEM = CATALOG + "/<kind:str>/<item_id:int>"
DONE = DONE_COMMON | {"added": "已新增", "moved": "顺序已调整"}



def settings_blueprint() -> Blueprint:
    bp = Blueprint("admin_settings")
    bp.add_route(overview, "/admin/settings", methods=["GET"])
    bp.add_route(show_catalog, CATALOG, methods=["GET"])
    bp.add_route(add, CATALOG + "/<kind:str>/add", methods=["POST"])
    bp.add_route(rename, ITEM + "/rename", methods=["POST"])
    bp.add_route(move, ITEM + "/move", methods=["POST"])
    bp.add_route(activate, ITEM + "/active", methods=["POST"])
    return bp


async def overview(request: Request) -> HTTPResponse:
    user = await settings_user(request)
    actor = settings_actor(request, user)
    types, categories = await catalog(actor, CatalogKind.TYPES), await catalog(actor, CatalogKind.CATEGORIES)
    offices = await office_tree(actor)
    accounts = await accounts_in_scope(request.app.ctx.services, actor)
    return page(request, "admin/settings.html", types=types, categories=categories, offices=offices,
                accounts=accounts)


def _kind(value: str) -> CatalogKind:
    try:
        return CatalogKind(value)
    except ValueError:
        raise NotFound("页面不存在") from None


async def _render_catalog(request: Request, user: AdminUser, failed: Failed = NOTHING_FAILED,
                          status: int = 200) -> HTTPResponse:
    actor = settings_actor(request, user)
    lists = [(kind, await catalog(actor, kind)) for kind in CatalogKind]
    return page(request, "admin/settings_catalog.html", status=status, lists=lists, failed=failed,
                notice=DONE.get(request.args.get("done", ""), ""))


async def show_catalog(request: Request) -> HTTPResponse:
    return await _render_catalog(request, await settings_user(request))


async def _catalog_submit(request: Request, form: str, done: str, body: type[B],
                          change: Callable[[CustomsActor, B], Awaitable[Any]]) -> HTTPResponse:
    async def render(user: AdminUser, failed: Failed, status: int) -> HTTPResponse:
        return await _render_catalog(request, user, failed, status)
    return await submit(request, form, f"{CATALOG}?done={done}#{form.split(':')[0]}", render, body, change)


async def add(request: Request, kind: str) -> HTTPResponse:
    which = _kind(kind)

    async def run(actor: CustomsActor, data: CodeNameBody) -> object:
        return await add_catalog_item(request.app.ctx.services, actor, which, data.code, data.name)
    return await _catalog_submit(request, f"{which}:add", "added", CodeNameBody, run)


async def rename(request: Request, kind: str, item_id: int) -> HTTPResponse:
    which = _kind(kind)

    async def run(actor: CustomsActor, data: NameBody) -> None:
        await rename_catalog_item(request.app.ctx.services, actor, which, item_id, data.name)
    return await _catalog_submit(request, f"{which}:{item_id}", "renamed", NameBody, run)


async def move(request: Request, kind: str, item_id: int) -> HTTPResponse:
    which = _kind(kind)

    async def run(actor: CustomsActor, data: MoveBody) -> None:
        await move_catalog_item(request.app.ctx.services, actor, which, item_id, data.up)
    return await _catalog_submit(request, f"{which}:{item_id}", "moved", MoveBody, run)


async def activate(request: Request, kind: str, item_id: int) -> HTTPResponse:
    which = _kind(kind)

    async def run(actor: CustomsActor, data: ActiveBody) -> None:
        await set_catalog_item_active(request.app.ctx.services, actor, which, item_id, data.active)
    return await _catalog_submit(request, f"{which}:{item_id}", "active", ActiveBody, run)
