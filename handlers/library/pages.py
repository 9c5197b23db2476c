"""企业库 pages: the desktop (/workbench/library, in the shell) and the H5 one (/h5/library, WeUI at 360 px) — the
filtered list (keyset pages), 申报要素详情, 设为自选 / 取消自选, the public flag; the desktop also exports the page
or every filtered row (a job when there are many). A member without the legal-person card's authorisation sees
how to get it instead."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.auth import client_ip
from handlers.kit.bodies import read_query
from handlers.kit.forms import Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import page, see_other
from handlers.library.bodies import ChooseBody, LibraryQuery, PublicBody, VersionBody
from handlers.workspace.shell import workbench_page
from models.errors import ValidationFailed
from services.kit.records import MemberRole
from services.library import labels as L
from services.library.details import element_details
from services.library.enterprise import access_row, choose, enterprise_rows, library_allowed, set_public, unchoose
from services.library.filters import LibraryFilter
from services.library.rows_sql import RowPage
from services.workspace.roles import Member

QUERY = "library:query"
EXPORT = "library:export"


async def h5_page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTTPResponse:
    return page(request, template, status=status, **context)


@dataclass(frozen=True)
class Site:
    """Where the pages live and how they are drawn: the desktop shell or the H5 layout."""

    prefix: str
    templates: str
    render: Callable[..., Awaitable[HTTPResponse]]


DESK = Site("/workbench/library", "workbench/library", workbench_page)
H5 = Site("/h5/library", "library_h5", h5_page)
LABELS = {"marks": L.MARK_LABELS, "ie": L.IE_LABELS, "roles": L.ROLE_LABELS, "sources": L.SOURCE_LABELS}


async def locked(site: Site, request: Request) -> HTTPResponse:
    member = await current_member(request)
    return await site.render(request, f"{site.templates}_locked.html", status=403, reason=L.MSG_NOT_AUTHORISED,
                             how=L.MSG_AUTHORISE_HOW, is_admin=member.membership.role is MemberRole.ADMIN)


def today(request: Request) -> date:
    """The district's calendar day: the catalogue version in effect is the one of today."""
    services = request.app.ctx.services
    return services.now().astimezone(services.tz).date()


def _back(site: Site, request: Request) -> str:
    """Where a form returns: the page it was sent from (only ever a page of the library)."""
    back = str(request.form.get("back", "")) if request.form else ""
    return back if back.startswith(site.prefix) and "//" not in back else site.prefix


async def show_list(site: Site, request: Request) -> HTTPResponse:
    member = await current_member(request)
    if not await library_allowed(member.membership):
        return await locked(site, request)
    q = read_query(request, LibraryQuery)
    args = {k: str(v) for k, v in q.filter_args().items() if v}
    errors: dict[str, str] = {}
    found = RowPage([], None)
    try:
        flt = LibraryFilter.from_args(args)
        found = await enterprise_rows(member.membership, flt, q.cursor)
    except ValidationFailed as refused:
        errors = refused.errors

    def link(path: str = "", **changes: str) -> str:
        return f"{site.prefix}{path}?{urlencode({k: v for k, v in {**args, **changes}.items() if v})}"
    return await site.render(request, f"{site.templates}.html", status=400 if errors else 200, items=found.items,
                             next_cursor=found.next_cursor, args=args, errors=errors, link=link, base=site.prefix,
                             cursor=q.cursor, back=request.path + ("?" + request.query_string
                                                                   if request.query_string else ""),
                             can_export=member.decision.allows(EXPORT), **LABELS)


async def show_one(site: Site, request: Request, row_id: int, *, status: int = 200, error: str = "",
                   errors: dict[str, Any] | None = None) -> HTTPResponse:
    member = await current_member(request)
    if not await library_allowed(member.membership):
        return await locked(site, request)
    row = await access_row(member.membership, row_id)
    details = await element_details(row, today(request))
    return await site.render(request, f"{site.templates}_detail.html", status=status, row=row, details=details,
                             error=error, errors=errors or {}, base=site.prefix, back=f"{site.prefix}/{row.id}",
                             **LABELS)


def _again(site: Site, request: Request, row_id: int) -> Callable[[Member, Refused], Awaitable[HTTPResponse]]:
    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await show_one(site, request, row_id, status=refused.status, error=refused.first[1],
                              errors={k: v for k, v in refused.errors.items() if k})
    return again


async def choose_form(site: Site, request: Request, row_id: int) -> HTTPResponse:
    async def change(member: Member, body: ChooseBody) -> HTTPResponse:
        await choose(request.app.ctx.services, member.membership, row_id, body.version, body.note,
                     ip=client_ip(request))
        return see_other(_back(site, request))
    return await form_action(request, current_member, ChooseBody, change, _again(site, request, row_id))


async def unchoose_form(site: Site, request: Request, row_id: int) -> HTTPResponse:
    async def change(member: Member, body: VersionBody) -> HTTPResponse:
        await unchoose(request.app.ctx.services, member.membership, row_id, body.version, ip=client_ip(request))
        return see_other(_back(site, request))
    return await form_action(request, current_member, VersionBody, change, _again(site, request, row_id))


async def public_form(site: Site, request: Request, row_id: int) -> HTTPResponse:
    async def change(member: Member, body: PublicBody) -> HTTPResponse:
        await set_public(request.app.ctx.services, member.membership, row_id, body.version, body.public,
                         ip=client_ip(request))
        return see_other(_back(site, request))
    return await form_action(request, current_member, PublicBody, change, _again(site, request, row_id))


def _routes(site: Site) -> dict[str, tuple[Callable[..., Awaitable[HTTPResponse]], str]]:
    """The site's handlers, each gated by ``library:query`` (the card authorisation is checked inside)."""
    @requires(QUERY)
    async def listing(request: Request) -> HTTPResponse:
        return await show_list(site, request)

    @requires(QUERY)
    async def one(request: Request, row_id: int) -> HTTPResponse:
        return await show_one(site, request, row_id)

    @requires(QUERY)
    async def choosing(request: Request, row_id: int) -> HTTPResponse:
        return await choose_form(site, request, row_id)

    @requires(QUERY)
    async def unchoosing(request: Request, row_id: int) -> HTTPResponse:
        return await unchoose_form(site, request, row_id)

    @requires(QUERY)
    async def publishing(request: Request, row_id: int) -> HTTPResponse:
        return await public_form(site, request, row_id)

    return {"": (listing, "GET"), "/<row_id:int>": (one, "GET"), "/<row_id:int>/choose": (choosing, "POST"),
            "/<row_id:int>/unchoose": (unchoosing, "POST"), "/<row_id:int>/public": (publishing, "POST")}


IMPLEMENTED = frozenset({DESK.prefix})


def library_pages_blueprint() -> Blueprint:
    bp = Blueprint("library_pages")
    for site in (DESK, H5):
        for path, (handler, method) in _routes(site).items():
            bp.add_route(handler, site.prefix + path, methods=[method],
                         name=f"{site.templates.replace('/', '_')}_{handler.__name__}")
    return bp
