"""Retried WeChat pushes are handled once: the first request claims the message's key in the shared cache.

WeChat retries a push three times when it gets no answer within 5 s. The claim is taken before the handler
runs, so a retry arriving while the first request is still working is dropped too.
"""

from __future__ import annotations

from typing import Any

from core.cache import Cache

CLAIM_TTL_SECONDS = 600  # well beyond WeChat's retry window (3 retries, 5 s apart)


def dedupe_key(message: Any) -> str:
    """MsgId for messages (kept as text: a 64-bit id); FromUserName + CreateTime + Event (+ key) for events.

    A TEMPLATESENDJOBFINISH carries the template message's ``MsgID`` (capital D): two reports to the same
    user within one second are two different events, not a retry.
    """
    raw = getattr(message, "_data", {}) or {}
    if raw.get("MsgId"):
        return f"wechat:seen:msg:{raw['MsgId']}"
    parts = (raw.get(name) or "" for name in ("FromUserName", "CreateTime", "Event", "EventKey", "MsgID"))
    return "wechat:seen:event:" + ":".join(parts)


async def claim(cache: Cache, message: Any) -> bool:
    """True for the first request carrying this message, False for every retry (in any process)."""
    return await cache.add(dedupe_key(message), "1", CLAIM_TTL_SECONDS)
