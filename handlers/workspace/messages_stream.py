"""The live message badge: a server-sent-events stream per signed-in person (/workbench/messages/stream).

It sends the unread counts at once and again whenever they change. A change the person makes (read, star, mark
all read — on any device) is told through the cache's publish / subscribe (Redis when configured, in-process
otherwise) and sent at once; a message posted by another request is written inside that request's transaction,
which cannot tell anyone before it commits, so the stream also counts again every ``RECHECK`` seconds (two
indexed counts) — a new message shows within 2 s. A stream ends after ``LIFETIME`` seconds and the browser's
EventSource reconnects on its own (``retry``), so a signed-out or removed person's stream does not outlive
its sign-in for long. A request that does not accept ``text/event-stream`` gets the counts once, as JSON.
One stream serves every tab of a browser (static/badge.js, BroadcastChannel).
"""

from __future__ import annotations

import json
import time

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.permissions import current_member, requires
from handlers.kit.responses import ok
from services.messages.centre import Counts, Mailbox, badge_channel, counts

RECHECK = 1.0
LIFETIME = 300.0
RETRY_MS = 2000


BADGE = {"type": "object", "required": ["unread", "notice", "warning", "starred"], "properties": {
    "unread": {"type": "integer", "description": "未读总数"}, "notice": {"type": "integer", "description": "未读通知"},
    "warning": {"type": "integer", "description": "未读预警"}, "starred": {"type": "integer", "description": "星标"}}}


def badge_of(now: Counts) -> dict[str, int]:
    return {"unread": now.unread, "notice": now.unread_notice, "warning": now.unread_warning,
            "starred": now.starred}


def event_of(now: Counts) -> str:
    return f"event: counts\ndata: {json.dumps(badge_of(now))}\n\n"


@requires("message:view")
async def stream(request: Request) -> HTTPResponse:
    member = await current_member(request)
    box = Mailbox(member.membership.person_id, member.enterprise_id)
    if "text/event-stream" not in request.headers.get("accept", ""):
        return ok(badge_of(await counts(box)))  # a client that does not stream: the counts once
    response = await request.respond(content_type="text/event-stream",
                                     headers={"cache-control": "no-cache", "x-accel-buffering": "no"})
    sent: Counts | None = None
    ends = time.monotonic() + LIFETIME
    await response.send(f"retry: {RETRY_MS}\n\n")
    async with request.app.ctx.cache.subscribe(badge_channel(box.person_id)) as told:
        while time.monotonic() < ends and not request.transport.is_closing():  # the page closed: stop
            now = await counts(box)
            if now != sent:
                await response.send(event_of(now))
                sent = now
            await told.wait(RECHECK)
    await response.eof()
    return response


def stream_blueprint() -> Blueprint:
    bp = Blueprint("messages_stream")
    bp.add_route(stream, "/workbench/messages/stream", methods=["GET"])
    return bp
