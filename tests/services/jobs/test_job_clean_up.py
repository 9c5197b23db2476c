"""What the worker cleans up and hands back: jobs finished longer ago than their retention go with their files,
as do the images kept for refused forms past their day; a worker that stops hands its running job back to the
queue at once, without counting the attempt as a death."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.file_storage import FileStorage
from models.jobs import Job, JobStatus
from models.questions import Attachment
from scheduler.jobs import clean_up_job
from services.jobs.kinds import JobKind
from services.jobs.runs import Owner, attempt_file, claim, enqueue, fail, finish
from services.jobs.worker import JobRunner, run_next
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from services.kit.images import check_image
from services.kit.pending_images import KEPT_FOR, keep_image, pending_image
from services.questions.export import Progress
from tests.factories import World, licence_image

ctx = ServiceContext()
RETENTION = timedelta(hours=24)
LEASE = 30


def at(offset: timedelta) -> ServiceContext:
    return ServiceContext(clock=lambda: ctx.now() + offset)


async def finished_job(world: World, folder: Path, when: ServiceContext, *, done: bool = True) -> Job:
    """A job claimed twice (a worker died once) and finished at ``when``, with a file for each attempt."""
    job = await enqueue(ctx, CustomsActor(world.officer.account_id), "queue_export", {"filter": []})
    for attempt in (1, 2):
        claimed = await claim(at(timedelta(seconds=(LEASE + 1) * (attempt - 1))), f"worker-{attempt}", LEASE)
        assert claimed is not None and claimed.id == job.id
        (folder / attempt_file(job.kind, job.token, attempt)).write_bytes(b"xlsx")
    assert claimed is not None
    if done:
        assert await finish(when, claimed, attempt_file(job.kind, job.token, 2), 1)
    else:
        assert await fail(when, claimed, "导出失败")
    return await Job.get(id=job.id)


async def test_jobs_finished_longer_ago_than_the_retention_go_with_their_files(world: World,
                                                                              tmp_path: Path) -> None:
    old_done = await finished_job(world, tmp_path, at(-RETENTION - timedelta(minutes=1)))
    await finished_job(world, tmp_path, at(-RETENTION - timedelta(hours=5)), done=False)
    recent = await finished_job(world, tmp_path, at(-RETENTION + timedelta(minutes=1)))
    queued = await enqueue(ctx, CustomsActor(world.officer.account_id), "queue_export", {"filter": []})
    (tmp_path / attempt_file(old_done.kind, old_done.token, 2)).unlink()  # a missing file is fine

    assert await clean_up_job(ctx, tmp_path, FileStorage(tmp_path / "uploads"), RETENTION) == 2
    assert {j.id for j in await Job.all()} == {recent.id, queued.id}
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == sorted(
        attempt_file(recent.kind, recent.token, n) for n in (1, 2))
    assert await clean_up_job(ctx, tmp_path, FileStorage(tmp_path / "uploads"), RETENTION) == 0  # idempotent


async def test_images_kept_for_refused_forms_go_after_a_day_with_their_files(world: World, tmp_path: Path) -> None:
    storage = FileStorage(tmp_path / "uploads")
    image = check_image(licence_image(), "营业执照.png", max_bytes=1 << 20)
    owner = world.solo_staff.person_id
    stale = await keep_image(at(-KEPT_FOR - timedelta(minutes=1)), storage, None, image)  # a visitor's
    fresh = await keep_image(at(-KEPT_FOR + timedelta(minutes=1)), storage, owner, image)

    assert await clean_up_job(ctx, tmp_path / "exports", storage, RETENTION) == 1
    assert not await storage.exists(stale.token)
    assert await Attachment.filter(storage_key=stale.token).count() == 0
    assert await storage.exists(fresh.token)
    assert await pending_image(ctx, owner, fresh.token) == fresh


async def test_a_stopping_worker_hands_its_running_job_back_at_once(world: World, tmp_path: Path) -> None:
    started = asyncio.Event()

    async def endless(params: dict[str, Any], owner: Owner, path: Path, progress: Progress,
                      ctx: ServiceContext) -> int:
        path.write_bytes(b"half a workbook")
        started.set()
        await asyncio.Event().wait()  # runs until cancelled
        return 0

    kinds = {"endless": JobKind(endless, lambda job: "endless.xlsx")}
    job = await enqueue(ctx, CustomsActor(world.officer.account_id), "endless", {})
    stopping = JobRunner(ctx, tmp_path, lease_seconds=LEASE, name="stopping", kinds=kinds)
    run = asyncio.ensure_future(run_next(stopping))
    await asyncio.wait_for(started.wait(), timeout=10)
    held = await Job.get(id=job.id)
    assert (held.status, held.claimed_by, held.attempts) == (JobStatus.RUNNING, "stopping", 1)

    run.cancel()  # what the worker does on SIGTERM
    with pytest.raises(asyncio.CancelledError):
        await run
    back = await Job.get(id=job.id)
    assert (back.status, back.claimed_by, back.lease_until, back.attempts) == (JobStatus.QUEUED, None, None, 0)
    assert list(tmp_path.glob("*.xlsx")) == []  # the partial file went with the attempt
    taken = await claim(ctx, "next", LEASE)  # at once: no lease to wait for
    assert taken is not None and (taken.id, taken.attempts) == (job.id, 1)
