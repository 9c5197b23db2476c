"""异常处理 in the browser at 1366×860: a declared declaration gets a 删单 receipt (its exception appears by itself);
the admin adds an exception by hand (first refused beside its fields, what was typed kept), checks it and changes
its status to 已完成, then opens 报关差错率 and sees the charts. Screenshots:
artifacts/screenshots/exceptions-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from models.declaration_lifecycle import DeclarationAction
from services.declarations.entry import record_receipt
from services.kit.context import ServiceContext
from tests.browser.support import scroll_width, shoot, sign_in
from tests.factories import World
from tests.http.support import Site
from tests.services.declarations.test_exceptions import declared
from tests.services.library.support import load_small_reference

PAGE = "/workbench/declarations/exceptions"


@pytest.fixture
async def receipt(site: Site, world: World, tmp_path: Path, single_window_at_now: object) -> None:
    """A declaration of this month declared and deleted by customs."""
    await load_small_reference(tmp_path)
    ctx = ServiceContext()
    made = await declared(world, ctx)
    await declared(world, ctx)
    await record_receipt(ctx, world.acme.id, made.id, DeclarationAction.RECEIPT_DELETED, "重复申报")


async def test_add_an_exception_change_its_status_and_see_the_rate(chromium: Browser, site: Site, world: World,
                                                                   receipt: None) -> None:
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await sign_in(page, site, world.admin)
    await page.goto(PAGE)
    await expect(page.locator("#exception-list tbody tr")).to_have_count(1)
    await expect(page.locator("#exception-list")).to_contain_text("自动")

    await page.locator("#new-exception").click()
    await page.locator("#number").fill("0901202600000123")
    await page.locator("#trade_name").fill("大连示例进出口有限公司")
    await page.locator("#exception_type").select_option(label="退单")
    await page.locator("#post").fill("制单")
    await page.locator("#responsible").fill("张关务")
    await page.locator("#reason").fill("申报要素缺少品牌")
    await page.locator("#save-exception").click()
    await expect(page.locator("#number-error")).to_have_text("报关单号应为 18 位数字")
    await expect(page.locator("#occurred_on-error")).to_have_text("请填写发生日期")
    await expect(page.locator("#responsible")).to_have_value("张关务")
    await shoot(page, "exceptions-form-refused")

    await page.locator("#number").fill("090120260000012345")
    today = await page.evaluate("new Date().toLocaleDateString('sv-SE')")
    await page.locator("#occurred_on").fill(today)
    await page.locator("#save-exception").click()
    await expect(page.get_by_role("status")).to_have_text("已保存异常登记")

    await page.get_by_role("link", name="返回列表").click()
    await expect(page.locator("#exception-list tbody tr")).to_have_count(2)
    await page.get_by_label("勾选 090120260000012345").check()
    await page.locator("#new-status").select_option(label="已完成")
    await page.locator("#change-status").click()
    await expect(page.get_by_role("status")).to_have_text("已变更处理状态")
    row = page.locator("#exception-list tr", has_text="090120260000012345")
    await expect(row).to_contain_text("已完成")
    await expect(row).to_contain_text(today)
    assert await scroll_width(page) <= 1366
    await shoot(page, "exceptions-list")

    await page.locator("#rate-tab").click()
    await expect(page.locator(".chart svg")).to_have_count(3)
    await expect(page.locator("#rate-summary")).to_contain_text("申报 2 票")
    await expect(page.locator("#rate-summary")).to_contain_text("100.00%")
    await shoot(page, "exceptions-rate")
    await context.close()
