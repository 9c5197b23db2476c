"""The pages people use, at the sizes they use them: H5 at 360 px (a small Android phone), the admin web at
1024 px (a laptop) and the customs question page at 360 px (opened from an officer's WeChat notice).

What matters is asserted (nothing overflows sideways, the tab bar covers no control, a refused form's errors
are in view, one character per line nowhere); the screenshots in artifacts/screenshots/ are looked at too.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser, Page, expect

from core.config import DatabaseSettings
from models.lifecycle import Importance
from models.questions import Attachment, Question
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.exec_review import exec_approve_question
from services.questions.handling import accept_question
from tests.browser.support import Phones, shoot, sign_in
from tests.browser.test_admin_desk import desk
from tests.factories import World
from tests.http.support import Site, running_site, web_settings

ctx = ServiceContext()
SMALL_PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1024, "height": 768}


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


async def fits_sideways(page: Page) -> None:
    width, inner = await page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url}: {width} px wide in a {inner} px window"


async def tab_bar_covers_nothing(page: Page, last_control: str) -> None:
    """Scrolled to the end, the last control lies wholly above the fixed tab bar."""
    await page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    control = await page.locator(last_control).last.bounding_box()
    bar = await page.locator(".tabbar").bounding_box()
    assert control and bar and control["y"] + control["height"] <= bar["y"], (control, bar)


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "#3a7bd5").save(out, "JPEG")
    return out.getvalue()


async def test_a_refused_ask_form_shows_every_error_in_view_and_keeps_the_image(
        phones: Phones, site: Site, world: World) -> None:
    page = await phones.open(**SMALL_PHONE)
    await sign_in(page, site, world.staff)
    await page.goto(f"/h5/ask?unit={world.dalian.id}")
    await expect(page.locator(".picker__btn")).to_have_text("选择图片")
    await expect(page.locator(".picker__name")).to_have_text("未选择文件")
    await page.locator("#f-image").set_input_files(files=[{"name": "现场.jpg", "mimeType": "image/jpeg",
                                                           "buffer": photo()}])
    await expect(page.locator(".picker__name")).to_have_text("现场.jpg")
    await page.get_by_label("联系电话").fill("12345")
    await page.get_by_role("button", name="提交").click()

    summary = page.locator("#error-summary")
    await expect(summary).to_be_in_viewport()
    await expect(summary).to_contain_text("请修改以下 4 处后再提交")
    await expect(page.locator("img.thumb")).to_be_visible()
    assert await page.locator("img.thumb").evaluate("img => img.naturalWidth") == 320
    await expect(page.locator(".picker__btn")).to_have_text("重新选择")
    await fits_sideways(page)
    await shoot(page, "phone_ask_refused")
    await tab_bar_covers_nothing(page, "button[type=submit]")
    await shoot(page, "phone_ask_refused_end")

    await summary.get_by_role("link", name="请填写标题").click()
    await expect(page.locator("#f-title")).to_be_focused()
    await page.locator("#f-title").fill("电子口岸IC卡如何办理")
    await expect(page.locator("#err-title")).to_have_count(0)  # a fixed field's error goes at once
    await expect(summary).to_contain_text("请填写问题描述")
    await page.locator("#f-desc").fill("请问电子口岸IC卡在哪里办理？")
    await page.locator("#f-phone").fill("0411-82345678")
    await page.locator("[name=type_ids]").first.check()
    await page.locator("#f-exec").select_option(label="高管乙")
    await page.get_by_role("button", name="提交").click()
    await expect(page.get_by_text("提交成功")).to_be_visible()
    question = await Question.get()
    assert (await Attachment.get(question_id=question.id)).filename == "现场.jpg"  # chosen once, sent at last


async def test_the_home_page_shows_counts_and_a_tab_bar_with_icons(phones: Phones, site: Site, world: World) -> None:
    for _ in range(3):
        draft = await create_draft(ctx, world.staff, world.acme.id, world.form())
        await submit_question(ctx, world.staff, draft.id, executive_id=world.executive.person_id)
    page = await phones.open(**SMALL_PHONE)
    await sign_in(page, site, world.executive)
    await page.goto("/h5/")
    await expect(page.locator(".counts a", has_text="待我审核")).to_contain_text("3")
    assert await page.locator(".tabbar svg").count() == 4
    await fits_sideways(page)
    await tab_bar_covers_nothing(page, ".weui-cell")
    await shoot(page, "phone_home_counts")

    await page.goto("/h5/questions")
    await expect(page.locator(".qitem").first).to_be_visible()
    review = await page.locator(".qitem__ops .weui-btn").first.bounding_box()
    assert review and review["height"] >= 36  # 修改 / 删除 / 评价 / 审核: a thumb's size, not a mini button
    await tab_bar_covers_nothing(page, ".qitem__ops .weui-btn")
    await shoot(page, "phone_questions_list")


async def test_an_executive_refused_for_no_importance_sees_the_error_beside_the_button(
        phones: Phones, site: Site, world: World) -> None:
    draft = await create_draft(ctx, world.staff, world.acme.id, world.form())
    await submit_question(ctx, world.staff, draft.id, executive_id=world.executive.person_id)
    page = await phones.open(**SMALL_PHONE)
    await sign_in(page, site, world.executive)
    await page.goto(f"/h5/questions/{draft.id}#review")
    await page.get_by_role("button", name="提交海关").click()
    await expect(page.locator("#err-importance")).to_be_in_viewport()
    await expect(page.get_by_role("button", name="提交海关")).to_be_in_viewport()
    await fits_sideways(page)
    await shoot(page, "phone_exec_review_refused")


async def test_the_customs_question_page_is_one_column_on_a_phone(chromium: Browser, site: Site,
                                                                  world: World) -> None:
    q = await create_draft(ctx, world.staff, world.acme.id, world.form(title="电子口岸IC卡如何办理"))
    await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
    await exec_approve_question(ctx, world.executive, q.id, Importance.URGENT)
    await accept_question(ctx, world.officer, q.id)
    officer = await desk(chromium, site, "officer")
    await officer.set_viewport_size(SMALL_PHONE)
    await officer.goto(f"/admin/questions/{q.id}")
    await fits_sideways(officer)
    main = await officer.locator("section.card.grow").bounding_box()
    side = await officer.locator("aside.side").bounding_box()
    assert main and side and side["y"] >= main["y"] + main["height"]  # below, not beside
    assert side["width"] >= 300
    await shoot(officer, "phone_customs_question")
    date = officer.locator("form.aeo input[name=from]")  # empty: a Chinese placeholder, not "mm/dd/yyyy"
    assert (await date.get_attribute("type"), await date.get_attribute("placeholder")) == ("text", "年-月-日")
    await date.focus()
    assert await date.get_attribute("type") == "date"


@pytest.mark.parametrize(("path", "name"), [
    ("/admin/", "laptop_admin_queue"), ("/admin/settings/offices", "laptop_settings_offices"),
    ("/admin/audit", "laptop_audit"),
])
async def test_the_admin_web_reads_at_1024_px(chromium: Browser, site: Site, world: World, path: str,
                                              name: str) -> None:
    q = await create_draft(ctx, world.staff, world.acme.id, world.form(title="电子口岸IC卡如何办理"))
    await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
    await exec_approve_question(ctx, world.executive, q.id, Importance.URGENT)
    await accept_question(ctx, world.officer, q.id)
    admin = await desk(chromium, site, "customs_admin")
    await admin.set_viewport_size(LAPTOP)
    await admin.goto(path)
    await fits_sideways(admin)
    for selector in (".menu a", "table.grid th"):  # a word on one line, never a character per line
        heights = await admin.locator(selector).evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
        line = await admin.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
        assert all(h <= 2 * line + 17 for h in heights)  # two lines at most, (selector, heights, line)
    await shoot(admin, name)
