"""The busiest reading pages run every query on one held connection (core.db.held_connection): more of them at
once than the pool has connections wait their turn — none waits for a second connection while holding one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from core.config import DatabaseSettings
from models.lifecycle import Importance
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.exec_review import exec_approve_question
from tests.factories import World
from tests.http.support import Site, desk_for, running_site, web_settings

ctx = ServiceContext()
POOL = 2
AT_ONCE = 20


@pytest.fixture
async def site(db: DatabaseSettings, world: World) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, database={"url": db.url, "max_connections": POOL})) as running:
        yield running


async def test_more_list_requests_than_the_pool_holds_all_answer(site: Site, world: World) -> None:
    for title in ("报关单如何修改？", "原产地证书如何申请？"):
        q = await create_draft(ctx, world.staff, world.acme.id, world.form(title))
        await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
        await exec_approve_question(ctx, world.executive, q.id, Importance.NORMAL)
    api = await site.api(world.staff)
    officer = await desk_for(site, "officer")

    lists = await asyncio.gather(*(api.get("/api/v1/questions") for _ in range(AT_ONCE)))
    queues = await asyncio.gather(*(officer.get("/admin/") for _ in range(AT_ONCE)))

    assert {r.status_code for r in lists} == {200}
    assert all([i["title"] for i in r.json()["items"]] == ["原产地证书如何申请？", "报关单如何修改？"] for r in lists)
    assert {r.status_code for r in queues} == {200}
    assert all("原产地证书如何申请？" in r.text and "报关单如何修改？" in r.text for r in queues)
