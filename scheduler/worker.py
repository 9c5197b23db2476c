"""`qingling worker`: APScheduler (3.x, asyncio) running the jobs until SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.file_storage import FileStorage
from adapters.single_window import single_window_for
from adapters.sms_aliyun import sms_sender_for
from adapters.wechat_api import WechatApi, wechat_api_for
from core.cache import make_cache
from core.config import Settings
from core.db import close_database, ensure_migrated, open_database
from scheduler.jobs import (
    autoclose_job,
    background_jobs_job,
    clean_up_job,
    library_monthly_job,
    library_recheck_job,
    messages_job,
    outbox_job,
    push_claims_job,
    receipts_job,
)
from services.declarations.single_window import use_single_window
from services.jobs.exports import exports_folder
from services.jobs.worker import JobRunner
from services.kit.context import ServiceContext
from services.messages.badges import use_cache as use_badge_cache
from services.notifications.outbox_dispatch import Dispatcher
from services.notifications.sms_alerts import AlertingSms

log = logging.getLogger("qingling.worker")
HOURLY = 3600  # push claims are kept a day, finished jobs `scheduler.job_retention_hours`: enough to keep them small
STOP_GRACE_SECONDS = 5  # a stop waits this long for running jobs (within the 10 s a supervisor allows)


Job = Callable[..., Awaitable[object]]


def _let_finish(job: Job, running: set[asyncio.Task[object]]) -> Job:
    """The job in a task of its own, kept in ``running`` while it runs and shielded from the cancellation with
    which the scheduler's shutdown ends its runs: a stop waits for it (a sweep's transaction is not cut short)."""

    @functools.wraps(job)
    async def run(*args: Any) -> None:
        task: asyncio.Task[object] = asyncio.ensure_future(job(*args))
        running.add(task)
        task.add_done_callback(running.discard)
        await asyncio.shield(task)

    return run


def _cancel_on_stop(job: Job, running: set[asyncio.Task[object]]) -> Job:
    """The job, its task kept in ``running`` while it runs; a stop cancels it (a background job's run hands its
    job back to the queue) and the cancellation ends it quietly."""

    @functools.wraps(job)
    async def run(*args: Any) -> None:
        task = asyncio.current_task()
        assert task is not None
        running.add(task)
        try:
            await job(*args)
        except asyncio.CancelledError:
            log.info("%s stopped", job.__name__)
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
    use_badge_cache(cache)  # with Redis, the pages of the web processes are told of the messages posted here
    ctx = ServiceContext.from_settings(settings.lifecycle)
    wechat = wechat_api_for(settings, cache)
    port = single_window_for(settings.single_window)
    use_single_window(port)  # 数据同步 jobs and the receipts poll
    dispatcher = make_dispatcher(settings, wechat, ctx.tz)
    lock_ttl = settings.scheduler.lock_ttl_seconds
    runner = JobRunner(ctx, exports_folder(settings.web.upload_dir), settings.scheduler.job_lease_seconds)
    clean_up_args = [ctx, runner.folder, FileStorage(Path(settings.web.upload_dir)),
                     timedelta(hours=settings.scheduler.job_retention_hours)]
    try:
        await ensure_migrated()
        if once:
            await autoclose_job(ctx, cache, lock_ttl)
            await messages_job(ctx, cache, lock_ttl, settings.messages)
            await outbox_job(dispatcher, cache, lock_ttl)
            await background_jobs_job(runner)
            await push_claims_job()
            await clean_up_job(*clean_up_args)
            await library_monthly_job(ctx, cache, lock_ttl)
            await library_recheck_job(ctx, cache, lock_ttl)
            if port is not None:
                await receipts_job(ctx, cache, lock_ttl)
            return
        running: set[asyncio.Task[object]] = set()  # sweeps: a stop lets them end
        handing_back: set[asyncio.Task[object]] = set()  # background jobs: a stop hands their job back at once
        scheduler = AsyncIOScheduler(timezone=UTC)
        every = functools.partial(_add_every, scheduler)
        every(settings.scheduler.autoclose_interval_seconds, _let_finish(autoclose_job, running), ctx, cache, lock_ttl)
        every(settings.messages.sweep_interval_seconds, _let_finish(messages_job, running), ctx, cache, lock_ttl,
              settings.messages)
        every(settings.scheduler.outbox_interval_seconds, _let_finish(outbox_job, running), dispatcher, cache, lock_ttl)
        every(settings.scheduler.jobs_poll_seconds, _cancel_on_stop(background_jobs_job, handing_back), runner)
        every(HOURLY, _let_finish(push_claims_job, running))
        every(HOURLY, _let_finish(clean_up_job, running), *clean_up_args)
        every(HOURLY, _let_finish(library_recheck_job, running), ctx, cache, lock_ttl)
        if port is not None:
            every(settings.single_window.receipts_interval_seconds, _let_finish(receipts_job, running), ctx, cache,
                  lock_ttl)
        # the monthly library summary: early on the 1st-3rd (a worker down on the 1st still sends it; once)
        scheduler.add_job(_let_finish(library_monthly_job, running), "cron", day="1-3", hour=3, timezone=ctx.tz,
                          args=[ctx, cache, lock_ttl], id="library_monthly_job", max_instances=1, coalesce=True,
                          misfire_grace_time=6 * HOURLY)
        await _run_until_stopped(scheduler, running, handing_back)
        log.info("worker stopped")
    finally:
        await wechat.aclose()
        if port is not None:
            await port.aclose()
        use_single_window(None)
        use_badge_cache(None)
        await cache.close()
        await close_database()


def _add_every(scheduler: AsyncIOScheduler, seconds: int, job: Job, *args: object) -> None:
    """Run ``job(*args)`` now and every ``seconds``; never two at once, missed runs merged into one."""
    scheduler.add_job(job, "interval", seconds=seconds, args=list(args), id=job.__name__,
                      next_run_time=datetime.now(UTC), max_instances=1, coalesce=True)


async def _run_until_stopped(scheduler: AsyncIOScheduler, running: set[asyncio.Task[object]],
                             handing_back: set[asyncio.Task[object]]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    scheduler.start()
    log.info("worker started")
    await stop.wait()
    scheduler.shutdown(wait=False)  # cancels the runs in flight: background jobs hand their job back
    for task in handing_back:  # (explicitly too: the job goes back to the queue now, not when its lease passes)
        task.cancel()
    pending = running | handing_back
    if pending:  # let a sweep in flight end, and a cancelled job be handed back, before the database closes
        await asyncio.wait(pending, timeout=STOP_GRACE_SECONDS)
