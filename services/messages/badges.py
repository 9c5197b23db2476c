"""Telling a person's open pages that their badge may have changed: a publish on the person's badge channel of
the shared cache (Redis pub/sub when configured; in-process otherwise), which their event streams listen to
(handlers/workspace/messages_stream.py).

The process's cache is registered once by its composition root (the app's start-up, the worker), as the
database is: ``post_message`` runs deep inside other features' transactions, which carry no cache. A message is
posted before its transaction commits, so the stream that is told counts again a few times over the next
two seconds (until the commit shows). A publish that fails is logged, never raised: the event it belongs to
must not fail for a badge, and the stream's slow safety recount catches up.
"""

from __future__ import annotations

import logging

from core.cache import Cache

log = logging.getLogger("qingling.messages")
_registered: list[Cache] = []


def badge_channel(person_id: int) -> str:
    """The cache channel told when a person's badge may have changed (the open pages' streams listen)."""
    return f"messages:badge:p{person_id}"


def use_cache(cache: Cache | None) -> None:
    """Register this process's shared cache (None: forget it, at shut-down)."""
    _registered[:] = [cache] if cache is not None else []


async def tell_badge(person_id: int, cache: Cache | None = None) -> None:
    """Publish on the person's badge channel (``cache``, else the process's registered one)."""
    target = cache or (_registered[0] if _registered else None)
    if target is None:
        return
    try:
        await target.publish(badge_channel(person_id), "changed")
    except Exception as exc:  # noqa: BLE001 - Redis down or closed: the safety recount shows it later
        log.warning("badge of person %s not told: %s", person_id, type(exc).__name__)
