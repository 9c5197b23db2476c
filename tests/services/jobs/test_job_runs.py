"""The jobs table's life: enqueue, claim under a lease, run with a heartbeat, finish; concurrent claims; a dead
worker's job taken over after its lease; interrupted after ``MAX_ATTEMPTS`` dead workers; failures in Chinese."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.errors import NotFound, ValidationFailed
from models.jobs import Job, JobStatus
from services.jobs.exports import export_file, export_view, start_queue_export
from services.jobs.kinds import AEO_RECORD
from services.jobs.runs import MAX_ATTEMPTS, MSG_INTERRUPTED, claim, enqueue, finish, renew
from services.jobs.worker import JobRunner, run_due, run_next
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from tests.factories import World

ctx = ServiceContext()
LEASE = 30


def later(seconds: float) -> ServiceContext:
    return ServiceContext(clock=lambda: ctx.now() + timedelta(seconds=seconds))


async def submitted(world: World, title: str = "电子口岸IC卡办理") -> None:
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(title))
    await submit_question(ctx, world.solo_staff, q.id)


async def test_an_export_is_queued_claimed_run_and_downloadable_by_its_owner_only(world: World,
                                                                                 tmp_path: Path) -> None:
    await submitted(world)
    token = await start_queue_export(ctx, world.officer.account_id, [("keyword", "IC卡")])
    view = await export_view(ctx, world.officer.account_id, token)
    assert (view.state, view.done, view.total, view.filter_args) == ("running", 0, 0, (("keyword", "IC卡"),))
    runner = JobRunner(ctx, tmp_path, lease_seconds=LEASE)
    assert await run_due(runner) == 1
    job = await Job.get(token=token)
    assert (job.status, job.attempts, job.claimed_by, job.done, job.total) == (JobStatus.DONE, 1, runner.name, 1, 1)
    view = await export_view(ctx, world.officer.account_id, token)
    assert (view.state, view.percent) == ("done", 100)
    found = await export_file(world.officer.account_id, token, tmp_path)
    assert found is not None and found[1] == f"qingling-questions-{token[:6]}.xlsx"
    rows = list(load_workbook(found[0]).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["电子口岸IC卡办理"]
    with pytest.raises(NotFound, match="导出任务不存在"):
        await export_view(ctx, world.supervisor.account_id, token)
    with pytest.raises(NotFound):
        await export_file(world.supervisor.account_id, token, tmp_path)
    assert await run_due(runner) == 0  # nothing left: a done job is never run again


async def test_concurrent_claims_never_give_one_job_to_two_workers(world: World) -> None:
    """On PostgreSQL the claims run on separate connections at once; on SQLite the writes are serialised."""
    owner = CustomsActor(world.officer.account_id)
    ids = [(await enqueue(ctx, owner, "queue_export", {"filter": []})).id for _ in range(24)]
    claimed: dict[str, list[int]] = {}

    async def worker(name: str) -> None:
        mine = claimed.setdefault(name, [])
        while (job := await claim(ctx, name, LEASE)) is not None:
            mine.append(job.id)

    await asyncio.gather(*(worker(f"worker-{i}") for i in range(4)))
    everything = [job_id for jobs in claimed.values() for job_id in jobs]
    assert sorted(everything) == ids  # each job once, none twice, none left
    assert {j.attempts for j in await Job.filter(id__in=ids)} == {1}
    assert {j.claimed_by for j in await Job.filter(id__in=ids)} <= set(claimed)


async def test_a_dead_workers_job_is_taken_over_after_its_lease(world: World, tmp_path: Path) -> None:
    await submitted(world)
    token = await start_queue_export(ctx, world.officer.account_id, [])
    dead = await claim(ctx, "dead-worker", LEASE)  # claimed, then the process was killed: no heartbeat, no finish
    assert dead is not None
    assert await claim(later(LEASE - 1), "other", LEASE) is None  # the lease still holds
    survivor = JobRunner(later(LEASE + 1), tmp_path, lease_seconds=LEASE, name="survivor")
    taken = await run_next(survivor)
    assert taken is not None and taken.token == token
    job = await Job.get(token=token)
    assert (job.status, job.attempts, job.claimed_by) == (JobStatus.DONE, 2, "survivor")
    # the dead worker coming back to life can neither renew nor finish what is no longer its claim
    assert not await renew(ctx, dead, LEASE, 5, 5)
    assert not await finish(ctx, dead, "stale.xlsx", 5)
    assert (await Job.get(token=token)).result_path == f"queue_export-{token}-2.xlsx"


async def test_a_job_whose_workers_die_too_often_reads_as_interrupted(world: World) -> None:
    token = await start_queue_export(ctx, world.officer.account_id, [("status", "submitted")])
    for attempt in range(MAX_ATTEMPTS):
        assert await claim(later((LEASE + 1) * attempt), f"doomed-{attempt}", LEASE) is not None
    expired = later((LEASE + 1) * MAX_ATTEMPTS)
    view = await export_view(expired, world.officer.account_id, token)
    assert (view.state, view.reason) == ("interrupted", MSG_INTERRUPTED)  # before any worker notices
    assert (await export_view(ctx, world.officer.account_id, token)).state == "running"  # lease still valid
    assert await claim(expired, "next", LEASE) is None
    job = await Job.get(token=token)
    assert (job.status, job.error, job.attempts) == (JobStatus.FAILED, MSG_INTERRUPTED, MAX_ATTEMPTS)
    view = await export_view(ctx, world.officer.account_id, token)
    assert view.state == "interrupted" and view.filter_args == (("status", "submitted"),)
    assert await export_file(world.officer.account_id, token, Path("/nonexistent")) is None


async def test_a_handler_error_fails_the_job_with_its_chinese_message(world: World, tmp_path: Path) -> None:
    job = await enqueue(ctx, CustomsActor(world.officer.account_id), AEO_RECORD,
                        {"enterprise_id": 999_999, "from": "2026-03-01", "to": "2026-03-31"})
    unknown = await enqueue(ctx, CustomsActor(world.officer.account_id), "no_such_kind", {})
    assert await run_due(JobRunner(ctx, tmp_path / "exports", lease_seconds=LEASE)) == 2
    failed = await Job.get(id=job.id)
    assert (failed.status, failed.error) == (JobStatus.FAILED, "企业不存在或无权查看")
    assert (await Job.get(id=unknown.id)).error.startswith("导出失败")
    assert list((tmp_path / "exports").glob("*.xlsx")) == []  # the failed AEO record left no file


async def test_a_bad_filter_is_refused_before_anything_is_queued(world: World) -> None:
    with pytest.raises(ValidationFailed, match="日期格式应为") as refused:
        await start_queue_export(ctx, world.officer.account_id, [("submitted_from", "yesterday")])
    assert refused.value.field == "submitted_from"
    assert await Job.all().count() == 0
