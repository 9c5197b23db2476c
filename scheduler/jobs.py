"""Scheduler jobs. Each takes a cache lock first, so two workers never run the same job at once
(the job is also safe without it: the sweep's statements are compare-and-set and idempotent)."""

from __future__ import annotations

import logging

from core.cache import Cache, LockNotAcquired
from services.autoclose import SweepResult, sweep
from services.context import ServiceContext

log = logging.getLogger("qingling.scheduler")
AUTOCLOSE_LOCK = "job:autoclose"


async def autoclose_job(ctx: ServiceContext, cache: Cache, lock_ttl: float) -> SweepResult | None:
    """Queue reminders and close overdue questions; None when another worker holds the lock."""
    try:
        async with cache.lock(AUTOCLOSE_LOCK, ttl=lock_ttl):
            result = await sweep(ctx)
    except LockNotAcquired:
        log.info("autoclose skipped: another worker holds the lock")
        return None
    log.info("autoclose done: closed=%d reminders=%d", result.closed, result.reminders)
    return result
