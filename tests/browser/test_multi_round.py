"""In a desktop browser (issue 12): the customs page of a question in its second round — the appended question on
top, round 1 folded below, the publish form's draft of both rounds with its warning — and the work queue.
Screenshots in artifacts/screenshots/ (admin_round_2_question, admin_round_2_publish, admin_work_queue)."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from models.lifecycle import Evaluation, ReplyKind
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.evaluation import evaluate_question
from services.questions.handling import accept_question, reply_question
from tests.browser.support import shoot
from tests.browser.test_admin_desk import desk
from tests.factories import World
from tests.http.support import Site

ctx = ServiceContext()
ROUND_2 = "材料中的营业执照需要原件还是复印件？"


async def asked(world: World, title: str) -> int:
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(title=title))
    return (await submit_question(ctx, world.solo_staff, q.id)).id


async def test_a_second_round_on_the_customs_page_and_the_work_queue(chromium: Browser, site: Site,
                                                                     world: World) -> None:
    qid = await asked(world, "电子口岸IC卡如何办理")
    await accept_question(ctx, world.officer, qid)
    await reply_question(ctx, world.officer, qid, ReplyKind.ANSWER, "请到大窑湾海关综合业务窗口办理。")
    await evaluate_question(ctx, world.solo_staff, qid, Evaluation.NOT_SOLVED, appended_text=ROUND_2)
    await accept_question(ctx, world.officer, qid)
    await asked(world, "加工贸易手册如何核销")
    await asked(world, "关税缴纳期限")

    officer = await desk(chromium, site, "officer")
    await expect(officer.get_by_role("columnheader", name="处理人")).to_be_visible()
    await expect(officer.get_by_text("等待最久的在前")).to_be_visible()
    await shoot(officer, "admin_work_queue")
    await officer.get_by_role("link", name="电子口岸IC卡如何办理").click()
    await expect(officer.get_by_role("heading", name="第 2 轮追加问题")).to_be_visible()
    await expect(officer.locator("p.current-round")).to_have_text(ROUND_2)
    await expect(officer.get_by_text("第 1 轮（原始问题）")).to_be_visible()
    await officer.get_by_label("回复内容").fill("复印件加盖公章即可。")
    await shoot(officer, "admin_round_2_question")
    await officer.get_by_role("button", name="回复企业").click()
    await expect(officer.get_by_role("status")).to_contain_text("已回复企业")

    supervisor = await desk(chromium, site, "supervisor")
    await supervisor.goto(f"/admin/questions/{qid}")
    await expect(supervisor.get_by_text("本问题共 2 轮")).to_be_visible()
    await expect(supervisor.get_by_label("公开的答复")).to_have_value(
        "第 1 轮答复：请到大窑湾海关综合业务窗口办理。\n\n第 2 轮答复：复印件加盖公章即可。")
    await supervisor.get_by_role("heading", name="公开问题").scroll_into_view_if_needed()
    await shoot(supervisor, "admin_round_2_publish")
