"""The edges' answers: JSON for the API (Chinese kept readable), error pages and sign-in redirects for H5."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson
from sanic import Request
from sanic.response import HTTPResponse, raw, redirect

from handlers.kit.auth import in_wechat
from handlers.kit.render import page
from models.errors import DomainError, NotSignedIn

JSON_OPTIONS = orjson.OPT_NON_STR_KEYS  # integer keys become strings, as in the standard library


def ok(data: Any, status: int = 200) -> HTTPResponse:
    """``data`` as JSON (UTF-8, Chinese as it is): dataclasses as objects, enums as their values, times in ISO
    8601, tuples as arrays (orjson does all of that natively); anything else unknown as its ``str``."""
    return raw(orjson.dumps(data, default=str, option=JSON_OPTIONS), status=status, content_type="application/json")


def no_content() -> HTTPResponse:
    return HTTPResponse(status=204)


def is_page(request: Request) -> bool:
    """H5 pages, the workspace and the admin web answer errors with pages; everything else (API, callback) with
    JSON."""
    return (request.path.startswith(("/h5/", "/admin/", "/workbench/"))
            or request.path in ("/h5", "/admin", "/workbench"))


def sign_in_location(request: Request, next_path: str | None = None) -> str:
    """Where an anonymous visitor of a page goes: WeChat OAuth inside WeChat, the SMS sign-in elsewhere."""
    if next_path is None:  # the page itself, without the parameters of a WeChat authorization
        query = urlencode([(k, v) for k, vs in request.args.items() if k not in ("code", "state") for v in vs])
        next_path = request.path + (f"?{query}" if query else "")
    target = next_path
    if request.method != "GET":
        target = "/h5/"
    start = "/h5/oauth" if in_wechat(request) else "/h5/login"
    return f"{start}?{urlencode({'next': target})}"


def page_error(request: Request, error: DomainError, status: int | None = None) -> HTTPResponse:
    """A domain error on a page: sign in when needed, else a friendly page with the Chinese reason."""
    admin = request.path.startswith("/admin")
    if isinstance(error, NotSignedIn):
        target = f"/admin/login?{urlencode({'next': request.path})}" if admin else sign_in_location(request)
        return redirect(target, status=303)
    template = ("admin/error.html" if admin else
                "workbench/error.html" if request.path.startswith("/workbench") else "error.html")
    return page(request, template, status=status or error.status, message=error.message)
