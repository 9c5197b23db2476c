"""A small aiogram-style router for WeChat messages and events.

Handlers are registered with decorators per update kind; filters are small callables taking the parsed
wechatpy message and returning False (no match), True, or a dict of extra values to inject (a regex match).
Routes are tried in registration order (included routers after their own routes); the first match wins.
A handler receives only the arguments its signature names, from: ``message``, ``openid``, ``content``,
``key`` (menu key or QR scene), ``match`` and whatever the caller passes to ``dispatch`` (``settings``,
``services``, ``cache``).

Errors, as aiogram's ``router.errors``: an exception a handler raises goes to the first error handler whose
types match, those of the handler's own router first, then its parents'; an error handler may also name
``error`` and ``handler`` (the handler that raised), and its answer is the reply. With none, it propagates.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

Filter = Callable[[Any], "bool | dict[str, Any]"]
Handler = Callable[..., Awaitable[Any]]


def event_name(message: Any) -> str:
    """The event's name in lower case; wechatpy turns a QR-code subscribe into "subscribe_scan"."""
    name = str(getattr(message, "event", "") or "").lower()
    return "subscribe" if name == "subscribe_scan" else name


def is_type(msg_type: str) -> Filter:
    return _typed(lambda message: getattr(message, "type", "") == msg_type, msg_type)


def is_event(name: str) -> Filter:
    wanted = name.lower()
    return _typed(lambda message: getattr(message, "type", "") == "event" and event_name(message) == wanted,
                  "event")


def _typed(check: Filter, msg_type: str) -> Filter:
    """Mark a filter that only passes messages of ``msg_type``: the router skips its route for other types."""
    check.msg_type = msg_type  # type: ignore[attr-defined]
    return check


def has_key(key: str) -> Filter:
    return lambda message: getattr(message, "key", None) == key


def text_exact(value: str) -> Filter:
    return lambda message: _content(message) == value


def text_keyword(word: str) -> Filter:
    return lambda message: word in _content(message)


def text_regex(pattern: str | re.Pattern[str]) -> Filter:
    compiled = re.compile(pattern)

    def matches(message: Any) -> bool | dict[str, Any]:
        found = compiled.fullmatch(_content(message))
        return {"match": found} if found else False

    return matches


def _key(message: Any) -> str | None:
    """EventKey: a menu key, or a QR scene (wechatpy calls it scene_id and strips "qrscene_")."""
    return getattr(message, "key", None) or getattr(message, "scene_id", None)


def _content(message: Any) -> str:
    return str(getattr(message, "content", "") or "").strip() if getattr(message, "type", "") == "text" else ""


# What a handler may name besides the caller's dependencies, each computed only when a handler wants it.
_ARGUMENTS: dict[str, Callable[[Any], Any]] = {
    "message": lambda message: message,
    "openid": lambda message: getattr(message, "source", None),
    "content": _content,
    "key": _key,
    "match": lambda message: None,
}


@dataclass(frozen=True)
class Route:
    filters: tuple[Filter, ...]
    handler: Handler
    wants: frozenset[str] | None  # None: the handler takes **kwargs
    msg_type: str | None = None  # set when the first filter only passes this MsgType (see ``_typed``)

    def match(self, message: Any) -> dict[str, Any] | None:
        extra: dict[str, Any] = {}
        for check in self.filters:
            result = check(message)
            if not result:
                return None
            if isinstance(result, dict):
                extra.update(result)
        return extra


@dataclass(frozen=True)
class ErrorRoute:
    types: tuple[type[Exception], ...]
    handler: Handler
    wants: frozenset[str] | None


class Router:
    def __init__(self, name: str = "router") -> None:
        self.name = name
        self._routes: list[Route] = []
        self._errors: list[ErrorRoute] = []
        self._fallback: Route | None = None
        self._children: list[Router] = []
        self._click_keys: set[str] = set()
        self._by_type: dict[str, tuple[Route, ...]] = {}  # MsgType -> the routes that may match, in order

    def include(self, router: Router) -> None:
        self._children.append(router)

    def _register(self, filters: tuple[Filter, ...]) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            msg_type = getattr(filters[0], "msg_type", None) if filters else None
            self._routes.append(Route(filters, handler, _wanted(handler), msg_type))
            self._by_type.clear()
            return handler

        return decorator

    def message(self, msg_type: str, *filters: Filter) -> Callable[[Handler], Handler]:
        return self._register((is_type(msg_type), *filters))

    def text(self, *filters: Filter, exact: str | None = None, keyword: str | None = None,
             regex: str | re.Pattern[str] | None = None) -> Callable[[Handler], Handler]:
        checks = [is_type("text")]
        if exact is not None:
            checks.append(text_exact(exact))
        if keyword is not None:
            checks.append(text_keyword(keyword))
        if regex is not None:
            checks.append(text_regex(regex))
        return self._register((*checks, *filters))

    def event(self, name: str, *filters: Filter) -> Callable[[Handler], Handler]:
        return self._register((is_event(name), *filters))

    def click(self, key: str) -> Callable[[Handler], Handler]:
        self._click_keys.add(key)
        return self._register((is_event("click"), has_key(key)))

    def fallback(self) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self._fallback = Route((), handler, _wanted(handler))
            return handler

        return decorator

    def errors(self, *types: type[Exception]) -> Callable[[Handler], Handler]:
        """Register an error handler for these exception types (every exception when none is given)."""
        def decorator(handler: Handler) -> Handler:
            self._errors.append(ErrorRoute(types or (Exception,), handler, _wanted(handler)))
            return handler

        return decorator

    def find(self, message: Any) -> tuple[Route, dict[str, Any]] | None:
        """The first route that matches (own routes, then included routers, then the fallback)."""
        found = self._find(message)
        return None if found is None else (found[0], found[1])

    def _find(self, message: Any) -> tuple[Route, dict[str, Any], tuple[Router, ...]] | None:
        """The matching route, its filters' extra values, and its router followed by that router's parents."""
        for route in self._routes_for(getattr(message, "type", "")):
            extra = route.match(message)
            if extra is not None:
                return route, extra, (self,)
        for child in self._children:
            found = child._find(message)
            if found is not None:
                return found[0], found[1], (*found[2], self)
        return (self._fallback, {}, (self,)) if self._fallback else None

    def _routes_for(self, msg_type: str) -> tuple[Route, ...]:
        """Own routes that can match a message of this type, in registration order (computed once per type)."""
        routes = self._by_type.get(msg_type)
        if routes is None:
            routes = tuple(r for r in self._routes if r.msg_type is None or r.msg_type == msg_type)
            self._by_type[msg_type] = routes
        return routes

    def click_keys(self) -> set[str]:
        """Menu keys with a handler (the menu test checks every button is answered)."""
        return self._click_keys.union(*(child.click_keys() for child in self._children))

    async def dispatch(self, message: Any, **deps: Any) -> Any:
        """Run the first matching handler (its error handler if it raises); None when nothing matches."""
        found = self._find(message)
        if found is None:
            return None
        route, extra, owners = found
        try:
            return await route.handler(**_arguments(route.wants, message, deps, extra))
        except Exception as error:
            for owner in owners:
                for catch in owner._errors:
                    if isinstance(error, catch.types):
                        values = deps | {"error": error, "handler": route.handler}
                        return await catch.handler(**_arguments(catch.wants, message, values, extra))
            raise


def _arguments(wants: frozenset[str] | None, message: Any, deps: dict[str, Any],
               extra: dict[str, Any]) -> dict[str, Any]:
    """What a handler names: a filter's extra, else a dependency, else from the message (all for **kwargs)."""
    if wants is None:
        return {name: value(message) for name, value in _ARGUMENTS.items()} | deps | extra
    kwargs = {}
    for name in wants:
        if name in extra:
            kwargs[name] = extra[name]
        elif name in deps:
            kwargs[name] = deps[name]
        elif name in _ARGUMENTS:
            kwargs[name] = _ARGUMENTS[name](message)
    return kwargs


def _wanted(handler: Handler) -> frozenset[str] | None:
    params = inspect.signature(handler).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return frozenset(p.name for p in params)
