"""The one way a page form is handled, on the H5 pages and in the admin web.

``form_action(request, who, Body, change, again)``: who is signing in (``signed_in``, ``customs_signed_in`` …)
→ the body parsed (``read_body``) → ``change(user, body)`` calls one service and answers (usually a 303) → on
a refusal the user sees the same page again from ``again(user, refused)``: every field's message beside its
field, what was typed kept, the refusal's 4xx status. Not-found, forbidden and sign-in errors are not caught:
they go to the error page (or the sign-in) as everywhere else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sanic import Request
from sanic.response import HTTPResponse

from handlers.kit.bodies import B, read_body, typed_values
from models.errors import Conflict, DomainError, IllegalTransition, ValidationFailed

REFUSALS: tuple[type[DomainError], ...] = (ValidationFailed, IllegalTransition, Conflict)
U = TypeVar("U")


@dataclass(frozen=True)
class Refused:
    """A refused form: each field's message (``None`` is the form as a whole) and what was typed."""

    errors: Mapping[str | None, str]
    values: Mapping[str, Any] = field(default_factory=dict)
    status: int = 400

    @classmethod
    def of(cls, error: DomainError, values: Mapping[str, Any]) -> Refused:
        many: dict[str | None, str] = {error.field: error.message}
        if isinstance(error, ValidationFailed) and error.errors:
            many = {name: message for name, message in error.errors.items()}
        return cls(many, values, error.status)

    def beside(self, fields: Iterable[str] | None = None, whole: str = "_form", prefix: str = "") -> dict[str, str]:
        """The messages by template name: a field the page does not show (or none) goes to ``whole``."""
        shown = None if fields is None else set(fields)
        out: dict[str, str] = {}
        for name, message in self.errors.items():
            key = prefix + name if name and (shown is None or name in shown) else whole
            out.setdefault(key, message)
        return out

    def adding(self, name: str, message: str) -> Refused:
        """The same refusal with one more field's message (a field already refused keeps its own)."""
        return Refused({**self.errors, name: self.errors.get(name, message)}, self.values, self.status)

    @property
    def first(self) -> tuple[str | None, str]:
        return next(iter(self.errors.items()))


NOTHING_REFUSED = Refused({}, {}, 200)


async def anyone(request: Request) -> None:
    """``who`` of a form open to visitors who are not signed in (sign-in, registration)."""
    return None


async def form_action(request: Request, who: Callable[[Request], Awaitable[U]], body: type[B],
                      change: Callable[[U, B], Awaitable[HTTPResponse]],
                      again: Callable[[U, Refused], Awaitable[HTTPResponse]], *,
                      catch: tuple[type[DomainError], ...] = REFUSALS) -> HTTPResponse:
    """See the module docstring."""
    user = await who(request)
    try:
        return await change(user, read_body(request, body))
    except catch as error:
        return await again(user, Refused.of(error, typed_values(request, body)))
