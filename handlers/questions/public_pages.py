"""The published questions' H5 pages: the list with its type tabs and "加载更多", and one question with its reply.

Anybody may read them (what customs published is public); a signed-in visitor keeps the menu tab bar.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.auth import current_session, signed_in
from handlers.kit.bodies import read_query
from handlers.kit.render import page
from handlers.questions.bodies import PublicQuestionsQuery
from models.errors import NotSignedIn
from services.questions.public import PublishedPage, active_types, list_published, published_detail

PAGE_SIZE = 10


async def note_viewer(request: Request) -> None:
    """Load the visitor's sign-in, if any, so the page shows their menu; nobody is turned away."""
    if await current_session(request) is not None:
        with contextlib.suppress(NotSignedIn):
            await signed_in(request)


def more_url(type_id: int | None, listed: PublishedPage) -> str | None:
    if listed.next_cursor is None:
        return None
    query = {"type_id": type_id} if type_id is not None else {}
    return "/h5/public?" + urlencode({**query, "cursor": listed.next_cursor})


def public_pages_blueprint() -> Blueprint:
    bp = Blueprint("public_pages")

    @bp.get("/h5/public")
    async def public_list(request: Request) -> HTTPResponse:
        await note_viewer(request)
        args = read_query(request, PublicQuestionsQuery)
        type_id, cursor = args.type_id, args.cursor or None
        listed = await list_published(type_id=type_id, cursor=cursor, limit=PAGE_SIZE)
        return page(request, "public_list.html", types=await active_types(), type_id=type_id, items=listed.items,
                    more_url=more_url(type_id, listed), later_page=cursor is not None)

    @bp.get("/h5/public/<question_id:int>")
    async def public_question(request: Request, question_id: int) -> HTTPResponse:
        await note_viewer(request)
        return page(request, "public_detail.html", q=await published_detail(question_id))

    return bp
