"""The whole path on phones, as the manuals tell it: staff asks → the executive approves from the template
message in WeChat → customs replies → staff evaluates 3 and appends → customs replies → staff evaluates 1 →
已办结. The app runs with the WeChat and SMS simulators mounted (as in ``make demo``); customs acts through
its services. Screenshots of every step are kept in artifacts/screenshots/."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from core.config import DatabaseSettings
from models.enterprises import Person
from models.lifecycle import ReplyKind, Status
from models.questions import Question
from services.kit.context import ServiceContext
from services.questions.handling import accept_question, reply_question
from tests.browser.support import Phones, in_wechat, scroll_width, shoot
from tests.factories import World
from tests.http.support import SimulatedSite, simulated_site

STAFF_PHONE = "13900000004"  # world.staff, 关务丁
TITLE = "电子口岸IC卡如何办理"


async def sign_in_with_sms(page: Page, site: SimulatedSite, phone: str) -> None:
    await page.locator("input[name=phone]").fill(phone)
    await page.get_by_role("button", name="获取验证码").tap()
    await expect(page.locator("#code-status")).to_contain_text("验证码已发送")
    await page.locator("input[name=code]").fill(await site.last_code(phone))
    await page.get_by_role("button", name="登录", exact=True).tap()


async def ask(page: Page) -> None:
    await page.locator("input[name=title]").fill(TITLE)
    await page.get_by_text("通关运行", exact=True).tap()
    await page.locator("select[name=office_id]").select_option(label="　大窑湾海关")
    await page.locator("textarea[name=description]").fill("我司新设立，请问电子口岸IC卡在哪里办理、需要哪些材料？")
    await page.locator("select[name=executive_id]").select_option(label="高管乙")
    await page.get_by_role("button", name=re.compile("提交")).tap()


async def evaluate(page: Page, kind: str, appended: str = "") -> None:
    await page.get_by_role("link", name=re.compile("评价")).first.tap()
    await page.locator(f"label[for=ev{kind}]").tap()
    if appended:
        await page.locator("textarea[name=appended_text]").fill(appended)
    await page.get_by_role("button", name="提交评价").tap()


async def test_a_question_from_asking_to_closed_on_phones(chromium: Browser, db: DatabaseSettings,
                                                         world: World) -> None:
    ctx = ServiceContext()
    async with simulated_site(db) as site:
        phones = Phones(chromium, site)  # type: ignore[arg-type] - only the base URL is used
        try:
            executive_wechat = site.wechat.add_follower("高管乙")
            await Person.filter(id=world.executive.person_id).update(wechat_openid=executive_wechat.openid)

            staff = await phones.open()
            await staff.goto("/h5/ask")
            await expect(staff).to_have_url(re.compile(r"/h5/login\?next="))
            await sign_in_with_sms(staff, site, STAFF_PHONE)
            await expect(staff).to_have_url(re.compile(r"/h5/ask$"))
            assert await scroll_width(staff) <= 390
            await shoot(staff, "journey_1_ask_form")
            await ask(staff)
            await expect(staff.get_by_text("待高管审核").first).to_be_visible()
            await shoot(staff, "journey_2_asked")
            question = await Question.get(title=TITLE)

            await site.dispatch_outbox()
            executive = await phones.open(user_agent=in_wechat())
            await executive.goto(f"/sim/wechat/phone?openid={executive_wechat.openid}")
            await expect(executive.get_by_text("待您审核").first).to_be_visible()
            await shoot(executive, "journey_3_template_message")
            await executive.get_by_role("link", name="详情").last.tap()
            await expect(executive).to_have_url(re.compile(rf"/h5/questions/{question.id}"))
            await executive.get_by_text("重要", exact=True).tap()
            await executive.get_by_role("button", name="提交海关").tap()
            await expect(executive.get_by_text("已提交").first).to_be_visible()
            await shoot(executive, "journey_4_approved")

            await accept_question(ctx, world.officer, question.id)
            await reply_question(ctx, world.officer, question.id, ReplyKind.ANSWER,
                                 "请携带营业执照原件到大窑湾海关业务现场办理。")
            await staff.goto(f"/h5/questions/{question.id}")
            await expect(staff.get_by_text("请携带营业执照原件").first).to_be_visible()
            await evaluate(staff, "3", appended="现场办理需要预约吗？")
            await expect(staff.get_by_text("现场办理需要预约吗？").first).to_be_visible()
            await shoot(staff, "journey_5_appended")
            assert (await Question.get(id=question.id)).status is Status.SUBMITTED

            await reply_question(ctx, world.officer, question.id, ReplyKind.ANSWER, "无需预约，工作日均可办理。")
            await staff.reload()
            await evaluate(staff, "1")
            await expect(staff.get_by_text("已办结").first).to_be_visible()
            await shoot(staff, "journey_6_closed")
            closed = await Question.get(id=question.id)
            assert (closed.status, closed.round) == (Status.CLOSED, 2)
        finally:
            await phones.close()
