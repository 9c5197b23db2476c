"""The one gate of the workspace: ``@requires("code")`` on every route under /workbench and /api/v1/workspace.

It signs the person in (the same session as the H5 pages), asks ``services.workspace.permissions.decide`` once
per request (kept on ``request.ctx.member``), and refuses with ``Forbidden`` (403: a Chinese page for pages,
JSON for the API, by the error handlers). The code must be one of the permission tree's (data/permissions.yaml):
a typo fails at import. The gated handler carries its code as ``permission_code``, which the route test reads.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from handlers.kit.auth import signed_in
from services.workspace.permissions import decide
from services.workspace.roles import Member
from services.workspace.tree import permission_tree

Handler = Callable[..., Awaitable[HTTPResponse]]


async def current_member(request: Request) -> Member:
    """The signed-in member with this request's decision, decided once per request."""
    member: Member | None = getattr(request.ctx, "member", None)
    if member is None:
        user = await signed_in(request)
        decision = await decide(request.app.ctx.services, request.app.ctx.cache, user.membership)
        member = request.ctx.member = Member(user.membership, decision)
    return member


def requires(code: str) -> Callable[[Handler], Handler]:
    """See the module docstring."""
    if code not in permission_tree().grantable:
        raise ValueError(f"权限代码 {code} 不在 data/permissions.yaml 中")

    def gate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def gated(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            (await current_member(request)).decision.require(code)
            return await handler(request, *args, **kwargs)

        gated.permission_code = code  # type: ignore[attr-defined]
        return gated

    return gate
