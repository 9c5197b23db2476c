"""Settings → 海关账号: the accounts of the admin's scope, a new account, and one account's page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.auth import ROLE_LABELS, AdminUser
from admin_web.desk.bodies import AccountBody, ActiveBody, NewAccountBody, PasswordBody
from admin_web.desk.settings_support import NOTHING_FAILED, Failed, settings_actor, settings_user, submit
from handlers.kit.bodies import B, Body
from handlers.kit.render import page
from services.accounts.passwords import PASSWORD_MIN
from services.desk.account_settings import (
    account_in_scope,
    accounts_in_scope,
    create_account,
    edit_account,
    reset_password,
    set_account_active,
    unlock_account,
)
from services.desk.office_settings import office_tree
from services.kit.actors import CustomsActor

ACCOUNTS = "/admin/settings/accounts"
ACCOUNT = ACCOUNTS + "/<account_id:int>"
DONE = {"created": "账号已新建", "saved": "账号信息已保存", "password": "密码已重置，请当面告知本人",
        "unlocked": "账号已解锁", "active": "账号状态已更改"}


def account_settings_blueprint() -> Blueprint:
    bp = Blueprint("admin_settings_accounts")
    bp.add_route(index, ACCOUNTS, methods=["GET"])
    bp.add_route(new, ACCOUNTS + "/new", methods=["GET"])
    bp.add_route(create, ACCOUNTS + "/new", methods=["POST"])
    bp.add_route(show, ACCOUNT, methods=["GET"])
    bp.add_route(edit, ACCOUNT + "/edit", methods=["POST"])
    bp.add_route(password, ACCOUNT + "/password", methods=["POST"])
    bp.add_route(unlock, ACCOUNT + "/unlock", methods=["POST"])
    bp.add_route(activate, ACCOUNT + "/active", methods=["POST"])
    return bp


async def _choices(request: Request, user: AdminUser) -> dict[str, Any]:
    offices = [row for row in await office_tree(settings_actor(request, user)) if row.office.active]
    return {"offices": offices, "roles": list(ROLE_LABELS.items()), "password_min": PASSWORD_MIN}


async def index(request: Request) -> HTTPResponse:
    user = await settings_user(request)
    rows = await accounts_in_scope(request.app.ctx.services, settings_actor(request, user))
    return page(request, "admin/settings_accounts.html", rows=rows, role_labels=ROLE_LABELS,
                notice=DONE.get(request.args.get("done", ""), ""))


async def _render_new(request: Request, user: AdminUser, failed: Failed = NOTHING_FAILED,
                      status: int = 200) -> HTTPResponse:
    return page(request, "admin/settings_account_new.html", status=status, failed=failed,
                **await _choices(request, user))


async def new(request: Request) -> HTTPResponse:
    return await _render_new(request, await settings_user(request))


async def create(request: Request) -> HTTPResponse:
    async def run(actor: CustomsActor, data: NewAccountBody) -> object:
        return await create_account(request.app.ctx.services, actor, data.username, data.form(),
                                    data.checked_password())

    async def render(user: AdminUser, failed: Failed, status: int) -> HTTPResponse:
        return await _render_new(request, user, failed, status)
    return await submit(request, "new", f"{ACCOUNTS}?done=created", render, NewAccountBody, run)


async def _render(request: Request, user: AdminUser, account_id: int, failed: Failed = NOTHING_FAILED,
                  status: int = 200) -> HTTPResponse:
    row = await account_in_scope(request.app.ctx.services, settings_actor(request, user), account_id)
    return page(request, "admin/settings_account.html", status=status, row=row, failed=failed,
                role_labels=ROLE_LABELS, notice=DONE.get(request.args.get("done", ""), ""),
                **await _choices(request, user))


async def show(request: Request, account_id: int) -> HTTPResponse:
    return await _render(request, await settings_user(request), account_id)


async def _account_submit(request: Request, account_id: int, form: str, done: str, body: type[B],
                          change: Callable[[CustomsActor, B], Awaitable[Any]]) -> HTTPResponse:
    async def render(user: AdminUser, failed: Failed, status: int) -> HTTPResponse:
        return await _render(request, user, account_id, failed, status)
    return await submit(request, form, f"{ACCOUNTS}/{account_id}?done={done}", render, body, change,
                        default_field="password" if form == "password" else "name")


async def edit(request: Request, account_id: int) -> HTTPResponse:
    async def run(actor: CustomsActor, data: AccountBody) -> None:
        await edit_account(request.app.ctx.services, actor, account_id, data.form())
    return await _account_submit(request, account_id, "edit", "saved", AccountBody, run)


async def password(request: Request, account_id: int) -> HTTPResponse:
    async def run(actor: CustomsActor, data: PasswordBody) -> None:
        await reset_password(request.app.ctx.services, actor, account_id, data.checked_password())
    return await _account_submit(request, account_id, "password", "password", PasswordBody, run)


async def unlock(request: Request, account_id: int) -> HTTPResponse:
    async def run(actor: CustomsActor, data: Body) -> None:
        await unlock_account(request.app.ctx.services, actor, account_id)
    return await _account_submit(request, account_id, "unlock", "unlocked", Body, run)


async def activate(request: Request, account_id: int) -> HTTPResponse:
    async def run(actor: CustomsActor, data: ActiveBody) -> None:
        await set_account_active(request.app.ctx.services, actor, account_id, data.active)
    return await _account_submit(request, account_id, "active", "active", ActiveBody, run)
