"""Retried WeChat pushes are handled once: a durable claim in the database, the cache as a fast path.

WeChat retries a push three times when it gets no answer within 5 s. The truth is the claim row written in
the handler's transaction (services/wechat/push_claims.py): it survives a Redis restart and works without
Redis. The cache remembers claimed keys so that most retries are dropped without touching the database;
every cache call here is bounded by ``CACHE_BUDGET_SECONDS`` and its failures only cost the fast path.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from core.cache import Cache

log = logging.getLogger("qingling.bot")

MARK_TTL_SECONDS = 600  # well beyond WeChat's retry window (3 retries, 5 s apart)
CACHE_BUDGET_SECONDS = 0.3  # a hung or busy Redis costs a push at most this, per call


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


async def seen_in_cache(cache: Cache, key: str) -> bool:
    """True when the cache knows the message is claimed; False when it does not, or cannot say in time."""
    try:
        return await asyncio.wait_for(cache.get(key), CACHE_BUDGET_SECONDS) is not None
    except Exception as exc:  # noqa: BLE001 - Redis down, frozen or its pool busy: ask the database
        log.warning("dedupe fast path unavailable (%s): the database decides", type(exc).__name__)
        return False


async def mark_in_cache(cache: Cache, key: str) -> None:
    await _best_effort(cache.set(key, "1", MARK_TTL_SECONDS), "mark")


async def unmark_in_cache(cache: Cache, key: str) -> None:
    """The claim did not commit: let WeChat's retry through the fast path."""
    await _best_effort(cache.delete(key), "unmark")


async def _best_effort(call: Any, what: str) -> None:
    try:
        await asyncio.wait_for(call, CACHE_BUDGET_SECONDS)
    except Exception as exc:  # noqa: BLE001 - the database claim stays the truth
        log.warning("dedupe cache %s failed (%s)", what, type(exc).__name__)
