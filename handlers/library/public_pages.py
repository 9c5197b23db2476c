"""公共库 pages: anybody's H5 list (/h5/library/public, no sign-in) and the desktop one (/workbench/library/public,
``library:query``) — public 规范 rows of HS codes enough enterprises declared, the same filters as the enterprise
library, and each row's 申报要素详情; never who declared a row."""

from __future__ import annotations

from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.bodies import read_query
from handlers.kit.permissions import requires
from handlers.library.bodies import LibraryQuery
from handlers.library.pages import LABELS, QUERY, Site, h5_page, today
from handlers.workspace.shell import workbench_page
from models.errors import ValidationFailed
from services.library.details import element_details
from services.library.filters import LibraryFilter
from services.library.public import PublicPage, access_public_row, public_row, public_rows

DESK = Site("/workbench/library/public", "workbench/library_public", workbench_page)
H5 = Site("/h5/library/public", "library_public_h5", h5_page)


def min_enterprises(request: Request) -> int:
    return int(request.app.ctx.settings.library.public_min_enterprises)


async def show_list(site: Site, request: Request) -> HTTPResponse:
    q = read_query(request, LibraryQuery)
    args = {k: str(v) for k, v in q.filter_args().items() if v and k not in ("mark", "role")}
    errors: dict[str, str] = {}
    found = PublicPage([], None)
    try:
        found = await public_rows(LibraryFilter.from_args(args), min_enterprises(request), q.cursor)
    except ValidationFailed as refused:
        errors = refused.errors

    def link(path: str = "", **changes: str) -> str:
        return f"{site.prefix}{path}?{urlencode({k: v for k, v in {**args, **changes}.items() if v})}"
    return await site.render(request, f"{site.templates}.html", status=400 if errors else 200, items=found.items,
                             next_cursor=found.next_cursor, args=args, errors=errors, link=link, base=site.prefix,
                             **LABELS)


async def show_one(site: Site, request: Request, row_id: int) -> HTTPResponse:
    row = await access_public_row(row_id, min_enterprises(request))
    details = await element_details(row, today(request))
    return await site.render(request, f"{site.templates}_detail.html", row=public_row(row), details=details,
                             base=site.prefix, **LABELS)


@requires(QUERY)
async def desk_list(request: Request) -> HTTPResponse:
    return await show_list(DESK, request)


@requires(QUERY)
async def desk_one(request: Request, row_id: int) -> HTTPResponse:
    return await show_one(DESK, request, row_id)


async def h5_list(request: Request) -> HTTPResponse:
    return await show_list(H5, request)


async def h5_one(request: Request, row_id: int) -> HTTPResponse:
    return await show_one(H5, request, row_id)


def library_public_blueprint() -> Blueprint:
    bp = Blueprint("library_public")
    bp.add_route(desk_list, DESK.prefix, methods=["GET"])
    bp.add_route(desk_one, f"{DESK.prefix}/<row_id:int>", methods=["GET"])
    bp.add_route(h5_list, H5.prefix, methods=["GET"])
    bp.add_route(h5_one, f"{H5.prefix}/<row_id:int>", methods=["GET"])
    return bp
