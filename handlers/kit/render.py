"""Rendering H5 pages: one autoescaped Jinja2 environment, the shared page context, gzip on the wire."""

from __future__ import annotations

import gzip
from collections.abc import Hashable
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sanic import Request
from sanic.response import HTTPResponse, html, redirect

from handlers.kit.assets import asset_url
from models.identifiers import mask_phone

TEMPLATES = Path(__file__).parent.parent / "templates"
ADMIN_TEMPLATES = Path(__file__).parent.parent.parent / "admin_web" / "templates"  # names under "admin/"
GZIP_FROM = 1400  # bytes: smaller pages fit one packet anyway


@cache
def environment() -> Environment:
    # auto_reload off: each template is read and compiled once per process (restart to see an edit), not
    # checked against its file on every render.
    env = Environment(loader=FileSystemLoader([TEMPLATES, ADMIN_TEMPLATES]), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.globals["asset_url"] = asset_url
    env.filters["local"] = local_time
    env.filters["mask_phone"] = mask_phone
    return env


MINUTES = "%Y-%m-%d %H:%M"


def local_time(moment: datetime | None, tz: ZoneInfo, fmt: str = MINUTES) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(tz)
    if fmt == MINUTES:  # every row of every list: formatted directly, strftime is several times slower
        return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
    return local.strftime(fmt)


@lru_cache(maxsize=4096)  # a few MB at most
def fragment(template: str, **context: Hashable) -> Markup:
    """A part of a page that depends on ``context`` alone (hashable values: frozen read models, tuples): rendered
    once per distinct context and process, then reused (the queue's filter form with its option lists, each row
    of the queue: a changed question, or a new day for its waiting time, is a new context)."""
    return Markup(environment().get_template(template).render(**context))


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTTPResponse:
    """Render ``template`` with the request's user, CSRF token, district and time zone available."""
    session = getattr(request.ctx, "web_session", None)
    settings = request.app.ctx.settings
    body = environment().get_template(template).render(
        user=getattr(request.ctx, "user", None), csrf=session.csrf if session else "",
        district=settings.district.name, tz=request.app.ctx.services.tz, path=request.path, **context,
    ).encode()
    headers = {"cache-control": "no-store", "x-frame-options": "DENY", "referrer-policy": "same-origin"}
    if len(body) >= GZIP_FROM and "gzip" in request.headers.get("accept-encoding", ""):
        headers |= {"content-encoding": "gzip", "vary": "accept-encoding"}
        body = gzip.compress(body, 6)
    return html(body, status=status, headers=headers)


def see_other(location: str) -> HTTPResponse:
    """After a successful form POST: the browser GETs the next page (no resubmission on reload)."""
    return redirect(location, status=303)
