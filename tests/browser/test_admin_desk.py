"""A customs officer's day in the admin web, in a desktop browser: sign in → queue → open the question →
accept → reply; then the supervisor publishes it. Screenshots are kept in artifacts/screenshots/."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from models.customs_accounts import CustomsAccount
from models.lifecycle import Importance, Status
from models.questions import Question
from services.accounts.passwords import hash_password
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.exec_review import exec_approve_question
from tests.browser.support import shoot
from tests.factories import World
from tests.http.support import CUSTOMS_PASSWORD, Site

ctx = ServiceContext()


async def desk(chromium: Browser, site: Site, username: str) -> Page:
    account = await CustomsAccount.get(username=username)
    account.password_hash = hash_password(CUSTOMS_PASSWORD)
    await account.save()
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 850},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await page.goto("/admin/")
    await expect(page).to_have_url(re.compile(r"/admin/login"))
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(CUSTOMS_PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("heading", name=re.compile("问题队列"))).to_be_visible()
    return page


async def test_an_officer_accepts_and_replies_and_the_supervisor_publishes(chromium: Browser, site: Site,
                                                                           world: World) -> None:
    q = await create_draft(ctx, world.staff, world.acme.id, world.form(title="电子口岸IC卡如何办理"))
    await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
    await exec_approve_question(ctx, world.executive, q.id, Importance.URGENT)

    officer = await desk(chromium, site, "officer")
    await expect(officer.locator(".badge-count")).to_have_text("1")
    await shoot(officer, "admin_1_queue")
    await officer.get_by_role("link", name="电子口岸IC卡如何办理").click()
    await expect(officer.get_by_text("大连示例进出口有限公司").first).to_be_visible()
    await officer.get_by_role("button", name="受理").click()
    await expect(officer.get_by_text("已受理", exact=True).first).to_be_visible()
    await officer.get_by_label("回复内容").fill("请携带营业执照原件到大窑湾海关业务现场办理。")
    await officer.get_by_role("button", name="回复企业").click()
    await expect(officer.get_by_role("status")).to_have_text("已回复企业")
    await shoot(officer, "admin_2_replied")
    assert (await Question.get(id=q.id)).status is Status.REPLIED

    supervisor = await desk(chromium, site, "supervisor")
    await supervisor.goto(f"/admin/questions/{q.id}")
    await supervisor.get_by_label("公开的问题").fill("新设立企业如何办理电子口岸IC卡？")
    await supervisor.get_by_role("button", name="公开", exact=True).click()
    await expect(supervisor.get_by_role("status")).to_contain_text("已公开")
    await shoot(supervisor, "admin_3_published")
    published = await Question.get(id=q.id)
    assert published.published and published.public_reply.startswith("请携带营业执照原件")
    await officer.context.close()
    await supervisor.context.close()
