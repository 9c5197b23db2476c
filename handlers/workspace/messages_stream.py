"""The live message badge: a server-sent-events stream per signed-in person (/workbench/messages/stream).

It sends the unread counts at once and again whenever they change, counting only when told: every change of a
person's messages (posted, read, starred, marked all read — services/messages/centre.py) publishes on their
badge channel of the shared cache (Redis pub/sub when configured, in-process otherwise), and the stream counts
again at once and a few times over the next two seconds (``SETTLE``: a message is posted inside its event's
transaction, which commits a moment after it told), so a change shows within 2 s. A safety count catches what no
one could tell: every ``SAFETY_RECOUNT`` seconds with a shared cache, and every ``LOCAL_RECOUNT`` seconds with the
in-process one (the embedded worker, which posts the sweeps' messages, cannot reach the web process's subscribers:
counting often keeps its messages within 2 s too). A stream ends after ``LIFETIME`` seconds and the browser's
EventSource reconnects on its own (``retry``), so a signed-out or removed person's stream does not outlive its
sign-in for long. A request that does not accept ``text/event-stream`` gets the counts once, as JSON. One stream
serves every tab of a browser (static/badge.js: the leader tab holds it and passes the counts on over a
BroadcastChannel).
"""

from __future__ import annotations

import json
import time

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.permissions import current_member, requires
from handlers.kit.responses import ok
from services.messages.badges import badge_channel
from services.messages.centre import Counts, Mailbox, counts

SETTLE = (0.0, 0.3, 1.0, 1.8)  # seconds after being told: count at once, then while the teller commits
SAFETY_RECOUNT = 30.0
LOCAL_RECOUNT = 1.5
LISTEN = 1.0  # seconds at most between two looks at whether the page closed
LIFETIME = 300.0
STREAM = "/workbench/messages/stream"
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
    await response.send(f"retry: {RETRY_MS}\n\n")
    await _send_changes(request, response, box)
    await response.eof()
    return response


async def _send_changes(request: Request, response: HTTPResponse, box: Mailbox) -> None:
    """Count at once, when told (and while the teller commits), and every ``SAFETY_RECOUNT`` seconds; send
    what changed; until the stream's lifetime ends or the page closes."""
    sent: Counts | None = None
    cache = request.app.ctx.cache
    every = SAFETY_RECOUNT if cache.shared else LOCAL_RECOUNT
    now = time.monotonic()
    ends, safety, due = now + LIFETIME, now, [now]
    async with cache.subscribe(badge_channel(box.person_id)) as told:
        while now < ends and not request.transport.is_closing():  # the page closed: stop
            if (due and due[0] <= now) or now >= safety:
                current = await counts(box)
                if current != sent:
                    await response.send(event_of(current))
                    sent = current
                due, safety = [t for t in due if t > now], now + every
            wake = min([*due, safety, ends]) - time.monotonic()
            if await told.wait(min(max(wake, 0.0), LISTEN)) is not None:
                due = [time.monotonic() + offset for offset in SETTLE]
            now = time.monotonic()


def stream_blueprint() -> Blueprint:
    bp = Blueprint("messages_stream")
    bp.add_route(stream, STREAM, methods=["GET"])
    return bp
