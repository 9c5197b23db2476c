"""A job's life in the ``job`` table: enqueued by a web request, claimed by one worker under a lease, renewed by
that worker's heartbeat (with its progress), finished or failed by it; taken over by another worker when the
lease passes (its worker died); failed as interrupted when that happened ``MAX_ATTEMPTS`` times.

Every change after the enqueue is a compare-and-set on (id, status, attempts) — the attempt number is the
claim's version — so two workers never hold one job: of two concurrent claims one updates the row, the other
finds it changed (PostgreSQL re-reads the locked row; SQLite serialises the writes). No cache is involved, so
the web process shows the progress whatever cache the worker has (the embedded worker's in-process cache is
not the web's).
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from tortoise.expressions import Q

from models.errors import NotFound
from models.jobs import Job, JobStatus
from services.kit.actors import CustomsActor, PersonActor
from services.kit.context import ServiceContext

MAX_ATTEMPTS = 3  # claims of one job; a job whose worker died this often reads as interrupted
MSG_NOT_FOUND = "导出任务不存在或已过期，请重新导出"
MSG_INTERRUPTED = "导出过程中服务停止响应"
MSG_FAILED = "导出失败，请稍后重试；如反复失败请联系系统管理员"
_CANDIDATES = 8  # jobs looked at per claim: enough that concurrent workers rarely all race for the same one

Owner = CustomsActor | PersonActor


def attempt_file(kind: str, token: str, attempt: int) -> str:
    """The name of the file one attempt of a job writes (in the exports folder); the done job's ``result_path``."""
    return f"{kind}-{token}-{attempt}.xlsx"


def _owned_by(owner: Owner) -> dict[str, int]:
    if isinstance(owner, CustomsActor):
        return {"customs_account_id": owner.account_id}
    return {"person_id": owner.person_id}


async def enqueue(ctx: ServiceContext, owner: Owner, kind: str, params: dict[str, Any]) -> Job:
    """A queued job; in the caller's transaction when there is one (it runs only if that commits)."""
    owner_fields: dict[str, Any] = _owned_by(owner)
    return await Job.create(token=secrets.token_urlsafe(12), kind=kind, params=params, created_at=ctx.now(),
                            **owner_fields)


async def owned_job(owner: Owner, token: str) -> Job:
    """The owner's job named ``token``; NotFound for anybody else's (no hint that it exists)."""
    job = await Job.filter(token=token, **_owned_by(owner)).first() if len(token) <= 32 else None
    if job is None:
        raise NotFound(MSG_NOT_FOUND)
    return job


def _claimable(ctx: ServiceContext) -> Q:
    return Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_until__lt=ctx.now())


async def claim(ctx: ServiceContext, worker: str, lease_seconds: float) -> Job | None:
    """The oldest queued job (or one whose worker's lease passed), now held by ``worker``; None when idle."""
    await fail_abandoned(ctx)
    now = ctx.now()
    candidates = await Job.filter(_claimable(ctx)).order_by("id").limit(_CANDIDATES).values_list("id", "attempts")
    for job_id, attempts in candidates:
        won = await Job.filter(_claimable(ctx), id=job_id, attempts=attempts).update(
            status=JobStatus.RUNNING, claimed_by=worker, attempts=attempts + 1, started_at=now, heartbeat_at=now,
            lease_until=now + timedelta(seconds=lease_seconds))
        if won == 1:
            return await Job.get(id=job_id)
    return None


async def fail_abandoned(ctx: ServiceContext) -> int:
    """Jobs whose worker died ``MAX_ATTEMPTS`` times fail as interrupted (the owner is offered a new export)."""
    now = ctx.now()
    return await Job.filter(status=JobStatus.RUNNING, lease_until__lt=now, attempts__gte=MAX_ATTEMPTS).update(
        status=JobStatus.FAILED, error=MSG_INTERRUPTED, finished_at=now, lease_until=None)


async def _update_held(job: Job, **changes: Any) -> bool:
    """Change the job only while ``job``'s claim still holds it; True when it did."""
    changed: int = await Job.filter(id=job.id, status=JobStatus.RUNNING, claimed_by=job.claimed_by,
                                    attempts=job.attempts).update(**changes)
    return changed == 1


async def renew(ctx: ServiceContext, job: Job, lease_seconds: float, done: int, total: int) -> bool:
    """The heartbeat: extend the lease and record the progress; False when the job is no longer ours."""
    now = ctx.now()
    return await _update_held(job, heartbeat_at=now, lease_until=now + timedelta(seconds=lease_seconds),
                              done=done, total=total)


async def finish(ctx: ServiceContext, job: Job, result_path: str, rows: int) -> bool:
    return await _update_held(job, status=JobStatus.DONE, result_path=result_path, done=rows, total=rows,
                              finished_at=ctx.now(), lease_until=None)


async def fail(ctx: ServiceContext, job: Job, error: str) -> bool:
    return await _update_held(job, status=JobStatus.FAILED, error=error[:500], finished_at=ctx.now(),
                              lease_until=None)


async def hand_back(job: Job) -> bool:
    """Our worker is stopping: the job is queued again at once, its lease cleared, this attempt not counted
    (it was no death); False when the job is no longer ours."""
    return await _update_held(job, status=JobStatus.QUEUED, claimed_by=None, lease_until=None, heartbeat_at=None,
                              started_at=None, attempts=job.attempts - 1)


async def delete_finished(ctx: ServiceContext, folder: Path, retention: timedelta) -> int:
    """Delete the jobs done or failed more than ``retention`` ago, and their files; the number deleted.

    The rows go in one statement; the files after it (a missing file is fine), every attempt's name, since a
    worker that died or was stopped may have left a partial one. A finished job never changes again, so the
    ids read first are still finished when they are deleted.
    """
    old = await Job.filter(status__in=(JobStatus.DONE, JobStatus.FAILED),
                           finished_at__lt=ctx.now() - retention).values_list("id", "kind", "token", "attempts")
    if not old:
        return 0
    deleted: int = await Job.filter(id__in=[row[0] for row in old]).delete()
    names = [attempt_file(kind, token, n) for _, kind, token, attempts in old for n in range(1, attempts + 1)]
    await asyncio.to_thread(_unlink_all, [folder / name for name in names])
    return deleted


def _unlink_all(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
