"""A worker's side of the jobs: claim one, run its handler with a heartbeat, finish or fail it.

The heartbeat renews the lease every second (a quarter of the lease at most) and records the progress. When a
renewal finds the job no longer ours (another worker took it over after our lease passed, e.g. this process was
stopped in a debugger), the handler is cancelled and its partial file deleted: a job's result is written by one
worker only. When the worker itself stops (SIGTERM), it cancels the job's task: the partial file is deleted and
the job handed back to the queue at once, for another worker (or this one restarted) to run without waiting for
the lease to pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import DomainError
from models.jobs import Job
from services.jobs.kinds import KINDS, JobKind
from services.jobs.runs import MSG_FAILED, Owner, attempt_file, claim, fail, finish, hand_back, renew
from services.kit.actors import CustomsActor, PersonActor
from services.kit.context import ServiceContext

log = logging.getLogger("qingling.jobs")


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class JobRunner:
    """One worker process's settings: where files go, how long a lease lasts, its name in ``claimed_by``, and
    the kinds of job it runs (the registry; a test passes its own)."""

    ctx: ServiceContext
    folder: Path
    lease_seconds: float = 60.0
    name: str = field(default_factory=worker_name)
    kinds: Mapping[str, JobKind] = field(default_factory=lambda: KINDS)

    @property
    def heartbeat_seconds(self) -> float:
        return min(self.lease_seconds / 4, 1.0)  # also how often the progress bar moves


def job_owner(job: Job) -> Owner:
    if job.customs_account_id is not None:
        return CustomsActor(job.customs_account_id)
    assert job.person_id is not None  # a job has an owner (enqueue sets one)
    return PersonActor(job.person_id)


async def run_due(runner: JobRunner) -> int:
    """Run jobs until none is waiting; the number run."""
    count = 0
    while await run_next(runner) is not None:
        count += 1
    return count


async def run_next(runner: JobRunner) -> Job | None:
    """Claim and run one job; the job (as claimed) or None when none is waiting."""
    job = await claim(runner.ctx, runner.name, runner.lease_seconds)
    if job is None:
        return None
    await _run(runner, job)
    return job


async def _run(runner: JobRunner, job: Job) -> None:
    kind = runner.kinds.get(job.kind)
    if kind is None:
        log.error("job %s: unknown kind %r", job.id, job.kind)
        await fail(runner.ctx, job, MSG_FAILED)
        return
    runner.folder.mkdir(parents=True, exist_ok=True)
    name = attempt_file(job.kind, job.token, job.attempts)
    progress = [0, 0]

    def report(done: int, total: int) -> None:
        progress[:] = [done, total]

    work = asyncio.ensure_future(kind.run(job.params, job_owner(job), runner.folder / name, report, runner.ctx))
    lost = asyncio.Event()
    beat = asyncio.ensure_future(_heartbeat(runner, job, progress, work, lost))
    try:
        rows = await work
    except asyncio.CancelledError:
        (runner.folder / name).unlink(missing_ok=True)
        if lost.is_set():
            log.warning("job %s: lease lost to another worker; attempt %d abandoned", job.id, job.attempts)
            return
        if await hand_back(job):  # the worker is stopping
            log.info("job %s (%s): handed back to the queue", job.id, job.kind)
        raise
    except DomainError as exc:
        await fail(runner.ctx, job, exc.message)
    except Exception:
        log.exception("job %s (%s) failed", job.id, job.kind)
        await fail(runner.ctx, job, MSG_FAILED)
    else:
        if await finish(runner.ctx, job, name, rows):
            log.info("job %s (%s) done: %d rows", job.id, job.kind, rows)
        else:
            (runner.folder / name).unlink(missing_ok=True)
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat


async def _heartbeat(runner: JobRunner, job: Job, progress: list[int], work: asyncio.Future[int],
                     lost: asyncio.Event) -> None:
    while not work.done():
        await asyncio.sleep(runner.heartbeat_seconds)
        if not await renew(runner.ctx, job, runner.lease_seconds, progress[0], progress[1]):
            lost.set()
            work.cancel()
            return
