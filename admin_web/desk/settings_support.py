"""What the settings pages share: one way to run a form's change and to show a refusal beside its field.

A settings page holds several small forms. A POST runs one service call: done → 303 back to the page with
a notice; refused (bad input, a rule of the domain) → the page again, status 4xx, the Chinese message beside
the field of the form that was sent and that form's typed values kept. Not found and forbidden go to the
error page as everywhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from admin_web.auth import AdminUser, customs_signed_in
from handlers.kit.auth import client_ip
from handlers.kit.inputs import Inputs
from handlers.kit.render import see_other
from models.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from services.desk.settings_scope import MSG_ADMINS_ONLY
from services.kit.actors import CustomsActor
from services.kit.records import CustomsRole

REFUSALS = (ValidationFailed, IllegalTransition, Conflict)


@dataclasses.dataclass(frozen=True)
class Failed:
    """The refused form (``form``), its message beside ``field``, and what was typed into it."""

    form: str = ""
    field: str = ""
    message: str = ""
    values: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def at(self, form: str, name: str) -> str:
        return self.message if self.form == form and self.field == name else ""

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


async def submit(request: Request, form: str, done_url: str, render: Render,
                 change: Callable[[CustomsActor, Inputs], Awaitable[Any]], *,
                 default_field: str = "name", keep: tuple[str, ...] = ()) -> HTTPResponse:
    """Run ``change`` for the signed-in admin; see the module docstring for what is answered."""
    user = await settings_user(request)
    data = Inputs.of(request)
    try:
        await change(settings_actor(request, user), data)
    except REFUSALS as error:
        values = {name: str((data.values.get(name) or [""])[0] or "")[:200] for name in keep}
        return await render(user, Failed(form, error.field or default_field, error.message, values), error.status)
    return see_other(done_url)
