"""The customs queue page: scoped list, filters, overdue highlighted, new-work count in the header, and the
Excel export of the current filter in the background with its progress page."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from core.config import DatabaseSettings
from core.db import open_database
from models.lifecycle import Importance
from models.questions import Question
from services.jobs.exports import exports_folder
from services.jobs.worker import JobRunner, run_due
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.exec_review import exec_approve_question
from tests.factories import World
from tests.http.support import Desk, Site, desk_for, running_site, web_settings

ctx = ServiceContext()


async def sent(world: World, title: str, *, nanjing: bool = False, days_ago: int = 0) -> Question:
    office = world.nanjing if nanjing else world.dayaowan
    accepting = world.nanjing if nanjing else world.dalian
    form = world.form(title=title, office_id=office.id, accepting_office_id=accepting.id)
    q = await create_draft(ctx, world.staff, world.acme.id, form)
    await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
    await exec_approve_question(ctx, world.executive, q.id, Importance.NORMAL)
    if days_ago:
        await Question.filter(id=q.id).update(submitted_at=datetime.now(UTC) - timedelta(days=days_ago))
    return q


async def test_the_officer_sees_his_offices_questions_with_overdue_ones_marked(site: Site, world: World) -> None:
    await sent(world, "新的问题")
    await sent(world, "等了很久的问题", days_ago=3)
    await sent(world, "南京的问题", nanjing=True)
    officer = await desk_for(site, "officer")
    page = await officer.get("/admin/")
    assert page.status_code == 200
    assert "新的问题" in page.text and "等了很久的问题" in page.text and "南京的问题" not in page.text
    assert page.text.count('class="overdue"') == 1 and "超时" in page.text
    assert 'title="待受理的新问题">2</span>' in page.text
    found = await officer.get("/admin/?keyword=很久")
    assert "等了很久的问题" in found.text and "新的问题" not in found.text
    bad = await officer.get("/admin/?submitted_from=yesterday")
    assert bad.status_code == 400 and "日期格式应为" in bad.text


async def export_file(desk: Desk, **filters: str) -> bytes:
    started = await desk.post("/admin/exports", **filters)
    assert started.status_code == 303
    progress_url = started.headers["location"]
    for _ in range(100):
        page = await desk.get(progress_url)
        if "导出完成，共" in page.text:
            break
        assert "正在导出" in page.text and "<progress" in page.text
        await asyncio.sleep(0.05)
    download = await desk.get(f"{progress_url}/file")
    assert download.status_code == 200
    return download.content


async def test_the_export_has_the_current_filter_in_chinese_columns(site: Site, world: World,
                                                                    job_worker: JobRunner) -> None:
    await sent(world, "新的问题")
    await sent(world, "等了很久的问题", days_ago=3)
    officer = await desk_for(site, "officer")
    sheet = load_workbook(io.BytesIO(await export_file(officer, keyword="很久"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("问题编号", "标题") and [r[1] for r in rows[1:]] == ["等了很久的问题"]


async def test_another_account_cannot_see_an_export(site: Site, world: World) -> None:
    await sent(world, "新的问题")
    officer = await desk_for(site, "officer")
    started = await officer.post("/admin/exports")
    await site.client.post("/admin/logout", data={"csrf_token": officer.csrf})
    supervisor = await desk_for(site, "supervisor")
    response = await supervisor.get(started.headers["location"])
    assert response.status_code == 404 and "导出任务不存在" in response.text


async def test_an_export_survives_a_web_restart_and_completes_in_the_worker(world: World,
                                                                              db: DatabaseSettings) -> None:
    await sent(world, "重启前提交的问题")
    async with running_site(web_settings(db)) as site:
        officer = await desk_for(site, "officer")
        started = await officer.post("/admin/exports", keyword="重启前")
        progress_url = started.headers["location"]
        waiting = await officer.get(progress_url)
        assert "正在导出（排队等待中）" in waiting.text  # no worker yet: the web process does not run it
    await open_database(db)  # the web stopped; a new app starts over the same database
    async with running_site(web_settings(db)) as again:
        officer = await desk_for(again, "officer")
        runner = JobRunner(ServiceContext(), exports_folder(again.app.ctx.settings.web.upload_dir))
        assert await run_due(runner) == 1
        page = await officer.get(progress_url)
        assert "导出完成，共 1 条" in page.text
        download = await officer.get(f"{progress_url}/file")
        rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
        assert [r[1] for r in rows[1:]] == ["重启前提交的问题"]
