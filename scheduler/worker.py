"""`qingling worker`: APScheduler (3.x, asyncio) running the jobs until SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.sms_aliyun import sms_sender_for
from adapters.wechat_api import WechatApi, wechat_api_for
from core.cache import make_cache
from core.config import Settings
from core.db import close_database, ensure_migrated, open_database
from scheduler.jobs import autoclose_job, background_jobs_job, outbox_job, push_claims_job
from services.jobs.exports import exports_folder
from services.jobs.worker import JobRunner
from services.kit.context import ServiceContext
from services.notifications.outbox_dispatch import Dispatcher
from services.notifications.sms_alerts import AlertingSms

log = logging.getLogger("qingling.worker")
PUSH_CLAIMS_INTERVAL_SECONDS = 3600  # claims are kept a day: an hourly sweep keeps the table small
STOP_GRACE_SECONDS = 5  # a stop waits this long for running jobs (within the 10 s a supervisor allows)


Job = Callable[..., Awaitable[object]]


def _tracked(job: Job, running: set[asyncio.Task[object]]) -> Job:
    """The job, its task kept in ``running`` while it runs."""

    @functools.wraps(job)
    async def run(*args: Any) -> None:
        task = asyncio.current_task()
        assert task is not None
        running.add(task)
        try:
            await job(*args)
        finally:
            running.discard(task)

    return run


def make_dispatcher(settings: Settings, wechat: WechatApi, tz: ZoneInfo) -> Dispatcher:
    """The outbox dispatcher of this configuration (SMS None without an AccessKey: such rows fail visibly);
    its SMS configuration errors become alerts in the admin web."""
    sender = sms_sender_for(settings.sms)
    return Dispatcher(wechat=wechat, templates=settings.wechat.templates, public_url=settings.server.public_url,
                      tz=tz, sms=AlertingSms(sender) if sender else None)


async def run_worker(settings: Settings, *, once: bool = False) -> None:
    """Run every job once (``once``) or on its schedule until a stop signal."""
    await open_database(settings.database)
    cache = make_cache(settings.cache)
    ctx = ServiceContext.from_settings(settings.lifecycle)
    wechat = wechat_api_for(settings, cache)
    dispatcher = make_dispatcher(settings, wechat, ctx.tz)
    lock_ttl = settings.scheduler.lock_ttl_seconds
    runner = JobRunner(ctx, exports_folder(settings.web.upload_dir), settings.scheduler.job_lease_seconds)
    try:
        await ensure_migrated()
        if once:
            await autoclose_job(ctx, cache, lock_ttl)
            await outbox_job(dispatcher, cache, lock_ttl)
            await background_jobs_job(runner)
            await push_claims_job()
            return
        scheduler = AsyncIOScheduler(timezone=UTC)
        running: set[asyncio.Task[object]] = set()
        scheduler.add_job(_tracked(autoclose_job, running), "interval",
                          seconds=settings.scheduler.autoclose_interval_seconds, args=[ctx, cache, lock_ttl],
                          id="autoclose",
                          next_run_time=datetime.now(UTC), max_instances=1, coalesce=True)
        scheduler.add_job(_tracked(outbox_job, running), "interval", seconds=settings.scheduler.outbox_interval_seconds,
                          args=[dispatcher, cache, lock_ttl],
                          id="outbox", next_run_time=datetime.now(UTC), max_instances=1, coalesce=True)
        scheduler.add_job(background_jobs_job, "interval", seconds=settings.scheduler.jobs_poll_seconds,
                          args=[runner], id="background_jobs", next_run_time=datetime.now(UTC), max_instances=1,
                          coalesce=True)
        scheduler.add_job(push_claims_job, "interval", seconds=PUSH_CLAIMS_INTERVAL_SECONDS, id="push_claims",
                          next_run_time=datetime.now(UTC), max_instances=1, coalesce=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        scheduler.start()
        log.info("worker started: autoclose every %ds, outbox every %ds",
                 settings.scheduler.autoclose_interval_seconds, settings.scheduler.outbox_interval_seconds)
        await stop.wait()
        scheduler.shutdown(wait=False)
        if running:  # let a job in flight end before its database and clients close
            await asyncio.wait(running, timeout=STOP_GRACE_SECONDS)
        log.info("worker stopped")
    finally:
        await wechat.aclose()
        await cache.close()
        await close_database()
