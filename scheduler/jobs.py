"""Scheduler jobs. Each sweep takes a cache lock first, so two workers never run the same sweep at once
(the sweep is also safe without it: its statements are compare-and-set and idempotent). Background jobs
(exports) need no lock: every worker claims its own rows of the ``job`` table."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.file_storage import FileStorage
from core.cache import Cache, LockNotAcquired
from core.config import MessagesSettings
from services.declarations.sync_runs import poll_receipts
from services.jobs.runs import delete_finished
from services.jobs.worker import JobRunner, run_due
from services.kit.context import ServiceContext
from services.kit.office_hours import OfficeHours
from services.kit.pending_images import drop_stale_images
from services.library.monthly import send_monthly_summaries
from services.library.recheck import Progress, RecheckReport, recheck_library
from services.messages.escalation import escalate_warnings
from services.notifications.outbox_dispatch import Dispatcher, DispatchResult
from services.questions.autoclose import SweepResult, sweep
from services.wechat.push_claims import sweep_claims
from services.workspace.grant_expiry import sweep_grants

log = logging.getLogger("qingling.scheduler")
AUTOCLOSE_LOCK = "job:autoclose"
OUTBOX_LOCK = "job:outbox"
MESSAGES_LOCK = "job:messages"
LIBRARY_MONTHLY_LOCK = "job:library_monthly"
LIBRARY_RECHECK_LOCK = "job:library_recheck"
RECEIPTS_LOCK = "job:single_window_receipts"


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


async def messages_job(ctx: ServiceContext, cache: Cache, lock_ttl: float, settings: MessagesSettings) -> bool:
    """Role grants' reminders and expiries, then the escalation of unread 预警; False when another worker holds
    the lock (both are claimed row by row, so they are safe without it too)."""
    office = OfficeHours.from_settings(settings, ctx.tz)
    try:
        async with cache.lock(MESSAGES_LOCK, ttl=lock_ttl):
            grants = await sweep_grants(ctx, office, settings.grant_reminder_working_days)
            escalated = await escalate_warnings(ctx, office, settings.escalate_after_office_hours)
    except LockNotAcquired:
        log.info("messages sweep skipped: another worker holds the lock")
        return False
    if grants.reminded or grants.expired or escalated:
        log.info("messages sweep done: reminded=%d expired=%d escalated=%d", grants.reminded, grants.expired,
                 escalated)
    return True


async def outbox_job(dispatcher: Dispatcher, cache: Cache, lock_ttl: float) -> DispatchResult | None:
    """Send the due outbox rows; None when another worker holds the lock (row claims are safe without it)."""
    try:
        async with cache.lock(OUTBOX_LOCK, ttl=lock_ttl):
            result = await dispatcher.dispatch_due()
    except LockNotAcquired:
        log.info("outbox skipped: another worker holds the lock")
        return None
    if result.sent or result.retried or result.failed:
        log.info("outbox done: sent=%d retried=%d failed=%d", result.sent, result.retried, result.failed)
    return result


async def background_jobs_job(runner: JobRunner) -> int:
    """Run the queued background jobs (exports) until none is left; the number run."""
    count = await run_due(runner)
    if count:
        log.info("background jobs done: %d", count)
    return count


async def push_claims_job() -> int:
    """Forget claims of WeChat pushes older than their retention (idempotent: no lock needed)."""
    deleted = await sweep_claims(datetime.now(UTC))
    if deleted:
        log.info("push claims swept: %d", deleted)
    return deleted


async def clean_up_job(ctx: ServiceContext, exports: Path, storage: FileStorage, job_retention: timedelta) -> int:
    """Delete the background jobs finished more than ``job_retention`` ago and the images kept for refused forms
    past their day, with their files (idempotent: no lock needed); the number of rows deleted."""
    jobs = await delete_finished(ctx, exports, job_retention)
    images = await drop_stale_images(ctx, storage)
    if jobs or images:
        log.info("clean-up done: jobs=%d pending_images=%d", jobs, images)
    return jobs + images


async def library_monthly_job(ctx: ServiceContext, cache: Cache, lock_ttl: float) -> int | None:
    """Write the previous month's library summary to every enterprise not told yet (the notice's unique key keeps
    it once even without the lock); None when another worker holds the lock."""
    try:
        async with cache.lock(LIBRARY_MONTHLY_LOCK, ttl=lock_ttl):
            told = await send_monthly_summaries(ctx)
    except LockNotAcquired:
        log.info("library monthly skipped: another worker holds the lock")
        return None
    if told:
        log.info("library monthly summaries written: %d enterprises", told)
    return told


async def library_recheck_job(ctx: ServiceContext, cache: Cache, lock_ttl: float,
                              progress: Progress = lambda done, total: None) -> RecheckReport | None:
    """Re-check the library rows against a catalogue version newly in effect (nothing when it was done); None
    also when another worker holds the lock (the re-check is resumable and idempotent without it)."""
    try:
        async with cache.lock(LIBRARY_RECHECK_LOCK, ttl=lock_ttl):
            report = await recheck_library(ctx, progress)
    except LockNotAcquired:
        log.info("library re-check skipped: another worker holds the lock")
        return None
    if report is not None:
        log.info("library re-checked against %s: %d codes changed, %d rows, %d enterprises told", report.version,
                 report.changed_codes, report.rows, report.enterprises_told)
    return report


async def receipts_job(ctx: ServiceContext, cache: Cache, lock_ttl: float) -> int | None:
    """Poll the single window's receipts and move the declarations (each receipt stored once by its key, so the
    poll is safe without the lock too); None when another worker holds the lock."""
    try:
        async with cache.lock(RECEIPTS_LOCK, ttl=lock_ttl):
            stored = await poll_receipts(ctx)
    except LockNotAcquired:
        log.info("receipts poll skipped: another worker holds the lock")
        return None
    if stored:
        log.info("receipts poll done: %d receipts stored", stored)
    return stored
