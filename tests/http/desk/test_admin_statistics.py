"""Statistics in the admin web: charts drawn on the server, the same figures as CSV, a bad period refused."""

from __future__ import annotations

from models.lifecycle import Importance, ReplyKind
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.exec_review import exec_approve_question
from services.questions.handling import reply_question
from tests.factories import World
from tests.http.support import Site, desk_for

ctx = ServiceContext()


async def replied_question(world: World) -> None:
    q = await create_draft(ctx, world.staff, world.acme.id, world.form())
    await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
    await exec_approve_question(ctx, world.executive, q.id, Importance.IMPORTANT)
    await reply_question(ctx, world.officer, q.id, ReplyKind.ANSWER, "请到现场办理。")


async def test_the_supervisor_sees_charts_and_downloads_the_same_figures(site: Site, world: World) -> None:
    await replied_question(world)
    desk = await desk_for(site, "supervisor")
    page = await desk.get("/admin/statistics")
    assert page.status_code == 200
    assert page.text.count("<svg") == 6 and "按状态" in page.text and "视为接受（自动办结）" in page.text
    csv = await desk.get("/admin/statistics.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith("\ufeff".encode()) and "已回复" in csv.text and "重要" in csv.text


async def test_a_bad_period_is_a_chinese_400(site: Site, world: World) -> None:
    desk = await desk_for(site, "officer")
    bad = await desk.get("/admin/statistics?from=2026-13-01")
    assert bad.status_code == 400 and "日期格式应为" in bad.text
    reversed_ = await desk.get("/admin/statistics?from=2026-02-01&to=2026-01-01")
    assert reversed_.status_code == 400 and "开始日期不能晚于结束日期" in reversed_.text
