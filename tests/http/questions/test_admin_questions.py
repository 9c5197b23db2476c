"""The customs question page: the whole question, then accept, reply with a kind, publish, unpublish —
each refused with the table's reason when not allowed, and scoped to the account's office."""

from __future__ import annotations

import asyncio
import io

import pytest
from openpyxl import load_workbook

from models.lifecycle import Importance, Status
from models.questions import Question
from services.jobs.worker import JobRunner
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.exec_review import exec_approve_question
from tests.factories import World
from tests.http.support import Site, desk_for

ctx = ServiceContext()


@pytest.fixture
async def submitted(world: World) -> Question:
    q = await create_draft(ctx, world.staff, world.acme.id, world.form(title="<script>x</script>"))
    await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
    await exec_approve_question(ctx, world.executive, q.id, Importance.URGENT)
    return q


async def test_an_officer_accepts_replies_and_the_supervisor_publishes(site: Site, world: World,
                                                                       submitted: Question) -> None:
    officer = await desk_for(site, "officer")
    page = await officer.get(f"/admin/questions/{submitted.id}")
    assert page.status_code == 200
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text and "<script>x" not in page.text
    assert "大连示例进出口有限公司" in page.text and "紧急" in page.text and "审核通过" in page.text
    accepted = await officer.post(f"/admin/questions/{submitted.id}/accept")
    assert accepted.status_code == 303 and accepted.headers["location"].endswith("?done=accepted")
    empty = await officer.post(f"/admin/questions/{submitted.id}/reply", kind="answer", text=" ")
    assert empty.status_code == 400 and "请填写回复内容" in empty.text
    replied = await officer.post(f"/admin/questions/{submitted.id}/reply", kind="answer", text="请到现场办理。")
    assert replied.status_code == 303
    assert (await Question.get(id=submitted.id)).status is Status.REPLIED
    again = await officer.post(f"/admin/questions/{submitted.id}/accept")
    assert again.status_code == 409 and "操作未完成" in again.text

    await site.client.post("/admin/logout", data={"csrf_token": officer.csrf})
    supervisor = await desk_for(site, "supervisor")
    shown = await supervisor.get(f"/admin/questions/{submitted.id}")
    assert "公开问题" in shown.text
    published = await supervisor.post(f"/admin/questions/{submitted.id}/publish", title="电子口岸IC卡如何办理",
                                      description="新设立企业如何办理电子口岸IC卡？", reply="请到现场办理。")
    assert published.status_code == 303
    assert (await Question.get(id=submitted.id)).published is True
    assert (await supervisor.post(f"/admin/questions/{submitted.id}/unpublish")).status_code == 303
    assert (await Question.get(id=submitted.id)).published is False


async def test_an_officer_of_another_office_gets_404(site: Site, world: World, submitted: Question) -> None:
    stranger = await desk_for(site, "nj_officer")
    assert (await stranger.get(f"/admin/questions/{submitted.id}")).status_code == 404
    assert (await stranger.post(f"/admin/questions/{submitted.id}/accept")).status_code == 404
    assert (await Question.get(id=submitted.id)).status is Status.SUBMITTED


async def test_an_action_without_the_csrf_token_is_refused(site: Site, world: World, submitted: Question) -> None:
    officer = await desk_for(site, "officer")
    response = await site.client.post(f"/admin/questions/{submitted.id}/accept", data={})
    assert response.status_code == 403
    assert (await Question.get(id=submitted.id)).status is Status.SUBMITTED
    assert officer.csrf


async def test_the_aeo_record_of_an_enterprise_downloads_as_excel(site: Site, world: World, submitted: Question,
                                                                  job_worker: JobRunner) -> None:
    officer = await desk_for(site, "officer")
    page = await officer.get(f"/admin/questions/{submitted.id}")
    assert f'action="/admin/enterprises/{world.acme.id}/aeo-record"' in page.text
    today = ctx.now().astimezone(ctx.tz).date().isoformat()  # the district's day, not the machine's
    url = f"/admin/enterprises/{world.acme.id}/aeo-record"
    started = await officer.post(url, **{"from": "2020-01-01", "to": today})
    assert started.status_code == 303
    for _ in range(100):  # the worker writes it; the progress page offers the download
        if "导出完成，共 " in (await officer.get(started.headers["location"])).text:
            break
        await asyncio.sleep(0.05)
    response = await officer.get(f"{started.headers['location']}/file")
    assert response.status_code == 200 and response.headers["content-disposition"].startswith("attachment")
    assert f"aeo-record-{world.acme.id}-20200101-" in response.headers["content-disposition"]
    cells = [c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
             for c in row if c]
    assert any("关企沟通记录" in str(c) for c in cells) and submitted.number in cells
    bad = await officer.post(url, **{"from": "x", "to": today})
    assert bad.status_code == 400 and "请选择起止日期" in bad.text
    stranger = await desk_for(site, "nj_officer")
    await stranger.get("/admin/")
    other = await stranger.post(url, **{"from": "2020-01-01", "to": today})
    assert other.status_code == 404
