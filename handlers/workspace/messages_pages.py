"""消息中心 pages: the desktop (/workbench/messages, in the shell) and the H5 one (/h5/messages, WeUI at 360 px),
both gated by ``message:view`` — one list (tabs 通知 / 预警, unread / read, 仅显示星标, keyset pages), one detail
(read on opening, a link to the object), star and mark all read (each change tells the person's live badges:
services/messages/centre.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.auth import signed_in
from handlers.kit.forms import Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import page, see_other
from handlers.workspace.bodies import ReadAllBody, StarBody
from handlers.workspace.messages_stream import STREAM
from handlers.workspace.shell import workbench_page
from models.errors import ValidationFailed
from services.messages.centre import (
    Mailbox,
    Period,
    counts,
    list_messages,
    mark_all_read,
    parse_category,
    parse_period,
    read_message,
    set_starred,
)

VIEW = "message:view"
TABS = (("notice", "通知"), ("warning", "预警"))
STATES = (("", "全部"), ("unread", "未读"), ("read", "已读"))


class Belonging(Protocol):
    @property
    def person_id(self) -> int: ...
    @property
    def enterprise_id(self) -> int: ...


class HasMembership(Protocol):
    """The signed-in member of the desktop (``Member``) or of the H5 pages (``WebUser``)."""

    @property
    def membership(self) -> Belonging: ...


@dataclass(frozen=True)
class Site:
    """Where the pages live and how they are drawn: the desktop shell or the H5 layout."""

    prefix: str
    templates: str
    who: Callable[[Request], Awaitable[HasMembership]]
    render: Callable[..., Awaitable[HTTPResponse]]


async def _h5_page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTTPResponse:
    return page(request, template, status=status, **context)


DESK = Site("/workbench/messages", "workbench/messages", current_member, workbench_page)
H5 = Site("/h5/messages", "messages_h5", signed_in, _h5_page)


def mailbox(who: HasMembership) -> Mailbox:
    return Mailbox(who.membership.person_id, who.membership.enterprise_id)


async def show_list(site: Site, request: Request, *, status: int = 200, error: str = "") -> HTTPResponse:
    """The list; a refused period is shown beside its field (400), the list then unfiltered by days."""
    who = await site.who(request)
    args = {"category": request.args.get("category", "notice"), "state": request.args.get("state", ""),
            "starred": "1" if request.args.get("starred") == "1" else "",
            "from": request.args.get("from", "")[:10], "to": request.args.get("to", "")[:10]}
    category = parse_category(args["category"])
    errors: dict[str, str] = {}
    try:
        period = parse_period(args["from"], args["to"])
    except ValidationFailed as refused:
        period, errors, status = Period(), refused.errors, max(status, refused.status)
    result = await list_messages(mailbox(who), category, state=args["state"], starred=bool(args["starred"]),
                                 cursor=request.args.get("cursor", ""), period=period,
                                 tz=request.app.ctx.services.tz)
    def link(**changes: str) -> str:
        return f"{site.prefix}?{urlencode({k: v for k, v in {**args, **changes}.items() if v})}"
    return await site.render(request, f"{site.templates}.html", status=status, error=error, errors=errors,
                             items=result.items,
                             badge_stream=STREAM,
                             next_cursor=result.next_cursor, counts=await counts(mailbox(who)), args=args,
                             tabs=TABS, states=STATES, link=link, base=site.prefix,
                             back=request.path + ("?" + request.query_string if request.query_string else ""))


async def show_one(site: Site, request: Request, message_id: int) -> HTTPResponse:
    who = await site.who(request)
    message = await read_message(mailbox(who), message_id, request.app.ctx.services.now())
    return await site.render(request, f"{site.templates}_detail.html", message=message, base=site.prefix,
                             badge_stream=STREAM,
                             counts=await counts(mailbox(who)), back=f"{site.prefix}/{message.id}",
                             tabs=dict(TABS))


def _back(site: Site, request: Request, fallback: str) -> str:
    """Where a form returns: the page it was sent from (only ever a page of the message centre)."""
    back = str(request.form.get("back", "")) if request.form else ""
    return back if back.startswith(site.prefix) and "//" not in back else fallback


async def star(site: Site, request: Request, message_id: int) -> HTTPResponse:
    async def change(who: HasMembership, body: StarBody) -> HTTPResponse:
        await set_starred(mailbox(who), message_id, body.starred)
        return see_other(_back(site, request, site.prefix))

    return await form_action(request, site.who, StarBody, change, lambda who, refused: _again(site, request, refused))


async def read_all(site: Site, request: Request) -> HTTPResponse:
    async def change(who: HasMembership, body: ReadAllBody) -> HTTPResponse:
        category = parse_category(body.category)
        await mark_all_read(mailbox(who), category, request.app.ctx.services.now())
        return see_other(f"{site.prefix}?{urlencode({'category': category.value})}")

    return await form_action(request, site.who, ReadAllBody, change,
                             lambda who, refused: _again(site, request, refused))


async def _again(site: Site, request: Request, refused: Refused) -> HTTPResponse:
    return await show_list(site, request, status=refused.status, error=refused.first[1])


@requires(VIEW)
async def desk_list(request: Request) -> HTTPResponse:
    return await show_list(DESK, request)


@requires(VIEW)
async def desk_one(request: Request, message_id: int) -> HTTPResponse:
    return await show_one(DESK, request, message_id)


@requires(VIEW)
async def desk_star(request: Request, message_id: int) -> HTTPResponse:
    return await star(DESK, request, message_id)


@requires(VIEW)
async def desk_read_all(request: Request) -> HTTPResponse:
    return await read_all(DESK, request)


@requires(VIEW)
async def h5_list(request: Request) -> HTTPResponse:
    return await show_list(H5, request)


@requires(VIEW)
async def h5_one(request: Request, message_id: int) -> HTTPResponse:
    return await show_one(H5, request, message_id)


@requires(VIEW)
async def h5_star(request: Request, message_id: int) -> HTTPResponse:
    return await star(H5, request, message_id)


@requires(VIEW)
async def h5_read_all(request: Request) -> HTTPResponse:
    return await read_all(H5, request)


IMPLEMENTED = frozenset({DESK.prefix})


def messages_blueprint() -> Blueprint:
    bp = Blueprint("messages")
    for prefix, (listing, one, starring, reading) in {
        DESK.prefix: (desk_list, desk_one, desk_star, desk_read_all),
        H5.prefix: (h5_list, h5_one, h5_star, h5_read_all),
    }.items():
        bp.add_route(listing, prefix, methods=["GET"])
        bp.add_route(one, f"{prefix}/<message_id:int>", methods=["GET"])
        bp.add_route(starring, f"{prefix}/<message_id:int>/star", methods=["POST"])
        bp.add_route(reading, f"{prefix}/read-all", methods=["POST"])
    return bp
