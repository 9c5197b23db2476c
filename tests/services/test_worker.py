"""The scheduler's auto-close job: its lock, and two `qingling worker` processes running it at once; and two
worker processes running the queued exports (each once)."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

from core.cache import Cache
from core.config import MessagesSettings
from models.jobs import Job, JobStatus
from models.lifecycle import ReplyKind, Status
from models.messages import Category, Message
from models.outbox import OutboxMessage
from models.questions import Question, QuestionEvent
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from scheduler.jobs import AUTOCLOSE_LOCK, MESSAGES_LOCK, autoclose_job, messages_job
from services.jobs.exports import start_queue_export
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.handling import reply_question
from tests.conftest import REDIS_URL
from tests.factories import World, build_world

ROOT = Path(__file__).resolve().parents[2]
ctx = ServiceContext()
eight_days_ago = ServiceContext(clock=lambda: ctx.now() - timedelta(days=8))


async def replied_long_ago(world: World, count: int) -> list[int]:
    ids = []
    for i in range(count):
        q = await create_draft(eight_days_ago, world.solo_staff, world.solo.id, world.form(f"过期问题{i}"))
        await submit_question(eight_days_ago, world.solo_staff, q.id)
        await reply_question(eight_days_ago, world.officer, q.id, ReplyKind.ANSWER, "答复")
        ids.append(q.id)
    return ids


async def test_job_skips_while_another_worker_holds_the_lock(db, cache: Cache) -> None:
    world = await build_world()
    [question_id] = await replied_long_ago(world, 1)
    async with cache.lock(AUTOCLOSE_LOCK, ttl=30):
        assert await autoclose_job(ctx, cache, lock_ttl=30) is None
    assert (await Question.get(id=question_id)).status is Status.REPLIED
    result = await autoclose_job(ctx, cache, lock_ttl=30)
    assert result is not None and result.closed == 1
    assert (await Question.get(id=question_id)).status is Status.CLOSED


async def test_the_messages_sweep_reminds_records_expiries_and_skips_while_locked(db, cache: Cache) -> None:
    world = await build_world()
    now = ctx.now()
    role = await WorkspaceRole.create(enterprise_id=world.acme.id, name="审单员", codes=["declaration:review"],
                                      data_scope=DataScope.SELF, created_at=now, updated_at=now)
    for who, end in ((world.staff, now - timedelta(minutes=1)), (world.staff2, now + timedelta(hours=2))):
        await RoleGrant.create(person_id=who.person_id, role=role, valid_from=now - timedelta(days=7), valid_to=end,
                               granted_at=now - timedelta(days=7))
    async with cache.lock(MESSAGES_LOCK, ttl=30):
        assert await messages_job(ctx, cache, 30, MessagesSettings()) is False
    assert not await Message.exists()

    assert await messages_job(ctx, cache, 30, MessagesSettings()) is True
    assert await Message.filter(person_id=world.staff.person_id, category=Category.NOTICE).count() == 1
    assert await Message.filter(person_id=world.staff2.person_id, category=Category.WARNING).count() == 1
    assert await OutboxMessage.filter(event="role_expiring").count() == 1


async def test_two_worker_processes_close_each_question_once(db) -> None:
    """On PostgreSQL + Redis the processes share the lock; on SQLite the database serialises them."""
    world = await build_world()
    ids = await replied_long_ago(world, 12)
    shared_cache = REDIS_URL if db.url.startswith("postgres") else ""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGLING_")} | {
        "QINGLING_DATABASE_URL": db.url,
        "QINGLING_CACHE_URL": shared_cache,
        "QINGLING_CACHE_PREFIX": f"qingling-test:{secrets.token_hex(4)}:",
        "QINGLING_LOGGING_LEVEL": "INFO",
    }
    workers = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "core.cli", "worker", "--once", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    outputs = await asyncio.wait_for(asyncio.gather(*(w.communicate() for w in workers)), timeout=120)
    logs = "".join(err.decode() for _, err in outputs)
    assert [w.returncode for w in workers] == [0, 0], logs

    closed_counts = [int(line.rsplit("closed=", 1)[1].split()[0]) for line in logs.splitlines() if "closed=" in line]
    skipped = logs.count("autoclose skipped")
    assert sum(closed_counts) == len(ids) and len(closed_counts) + skipped == 2, logs
    assert await Question.filter(id__in=ids, status=Status.CLOSED).count() == len(ids)
    assert await QuestionEvent.filter(question_id__in=ids, action="auto_close").count() == len(ids)
    assert await OutboxMessage.filter(question_id__in=ids, event="auto_closed").count() == len(ids)


async def test_two_worker_processes_run_each_queued_export_once(db, tmp_path: Path) -> None:  # noqa: ANN001
    world = await build_world()
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form("导出用的问题"))
    await submit_question(ctx, world.solo_staff, q.id)
    tokens = [await start_queue_export(ctx, world.officer.account_id, []) for _ in range(6)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGLING_")} | {
        "QINGLING_DATABASE_URL": db.url,
        "QINGLING_WEB_UPLOAD_DIR": str(tmp_path),
        "QINGLING_LOGGING_LEVEL": "INFO",
    }
    workers = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "core.cli", "worker", "--once", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    outputs = await asyncio.wait_for(asyncio.gather(*(w.communicate() for w in workers)), timeout=120)
    logs = "".join(err.decode() for _, err in outputs)
    assert [w.returncode for w in workers] == [0, 0], logs

    jobs = await Job.filter(token__in=tokens)
    assert {(j.status, j.attempts) for j in jobs} == {(JobStatus.DONE, 1)}, logs  # claimed once, run once
    assert logs.count("(queue_export) done: 1 rows") == len(tokens)
    assert all((tmp_path / "exports" / j.result_path).is_file() for j in jobs)
