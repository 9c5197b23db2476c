"""`qingling worker`: APScheduler (3.x, asyncio) running the jobs until SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.cache import make_cache
from core.config import Settings
from core.db import close_database, ensure_migrated, open_database
from scheduler.jobs import autoclose_job
from services.context import ServiceContext

log = logging.getLogger("qingling.worker")


async def run_worker(settings: Settings, *, once: bool = False) -> None:
    """Run every job once (``once``) or on its schedule until a stop signal."""
    await open_database(settings.database)
    cache = make_cache(settings.cache)
    ctx = ServiceContext.from_settings(settings.lifecycle)
    try:
        await ensure_migrated()
        if once:
            await autoclose_job(ctx, cache, settings.scheduler.lock_ttl_seconds)
            return
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(autoclose_job, "interval", seconds=settings.scheduler.autoclose_interval_seconds,
                          args=[ctx, cache, settings.scheduler.lock_ttl_seconds], id="autoclose",
                          next_run_time=datetime.now(UTC), max_instances=1, coalesce=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        scheduler.start()
        log.info("worker started: autoclose every %ds", settings.scheduler.autoclose_interval_seconds)
        await stop.wait()
        scheduler.shutdown(wait=False)
        log.info("worker stopped")
    finally:
        await cache.close()
        await close_database()
