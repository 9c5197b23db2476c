"""What the settings pages share: the admin who may change settings, and which of a page's forms was refused.

A settings page holds several small forms. A POST is the kit's ``form_action`` (one service call: done → 303
back to the page with a notice; refused → the page again, status 4xx, every message beside its field of the
form that was sent and that form's typed values kept); ``Failed`` tells the template which form that was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from admin_web.auth import AdminUser, customs_signed_in
from handlers.kit.auth import client_ip
from handlers.kit.bodies import B
from handlers.kit.forms import Refused, form_action
from handlers.kit.render import see_other
from models.errors import Forbidden
from services.desk.settings_scope import MSG_ADMINS_ONLY
from services.kit.actors import CustomsActor
from services.kit.records import CustomsRole

# The notices after a change every settings list offers (``?done=…``); each page adds its own.
DONE_COMMON = {"renamed": "名称已保存", "active": "状态已更改"}


@dataclasses.dataclass(frozen=True)
class Failed:
    """The refused form (``form``), each message by field, and what was typed into it."""

    form: str = ""
    errors: Mapping[str, str] = dataclasses.field(default_factory=dict)
    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def at(self, form: str, name: str) -> str:
        return self.errors.get(name, "") if self.form == form else ""

    def value(self, form: str, name: str, default: object = "") -> object:
        return self.values.get(name, default) if self.form == form else default


NOTHING_FAILED = Failed()
Render = Callable[[AdminUser, Failed, int], Awaitable[HTTPResponse]]


async def settings_user(request: Request) -> AdminUser:
    """The signed-in admin (others are refused before anything is read)."""
    user = await customs_signed_in(request)
    if user.account.role is not CustomsRole.ADMIN:
        raise Forbidden(MSG_ADMINS_ONLY)
    return user


def settings_actor(request: Request, user: AdminUser) -> CustomsActor:
    return CustomsActor(user.account.id, client_ip(request))


async def submit(request: Request, form: str, done_url: str, render: Render, body: type[B],
                 change: Callable[[CustomsActor, B], Awaitable[Any]], *, default_field: str = "name") -> HTTPResponse:
    """Run ``change`` for the signed-in admin; see the module docstring for what is answered."""
    async def changed(user: AdminUser, data: B) -> HTTPResponse:
        await change(settings_actor(request, user), data)
        return see_other(done_url)

    async def again(user: AdminUser, refused: Refused) -> HTTPResponse:
        return await render(user, Failed(form, refused.beside(whole=default_field), refused.values), refused.status)

    return await form_action(request, settings_user, body, changed, again)
