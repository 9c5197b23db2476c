"""报关单录入 in the browser at 1366×860: a preparer creates an export declaration with one item (the HS code brings
its declaration elements, entered one by one and joined into 规格型号), saves the draft, submits with a net weight
over the gross weight and sees the refusal beside the field with everything typed kept, fixes it and submits.
Screenshots in artifacts/screenshots/declaration-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog, expect

from tests.browser.support import shoot, sign_in
from tests.factories import World
from tests.http.support import Site
from tests.services.declarations.support import good_head, good_item
from tests.services.library.support import load_small_reference


@pytest.fixture
async def reference(site: Site, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def test_a_draft_with_one_item_refused_then_submitted(chromium: Browser, site: Site, world: World,
                                                            reference: None) -> None:
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = await context.new_page()

    async def accept(dialog: Dialog) -> None:
        await dialog.accept()

    page.on("dialog", accept)
    await sign_in(page, site, world.staff)
    await page.goto("/workbench/declarations/entry")
    await page.get_by_role("button", name="新建报关单").click()
    for key, value in good_head().items():
        await page.locator(f"#{key}").fill(value)
    await expect(page.locator('[data-name-for="trade_mode"]')).to_have_text("一般贸易")

    item = good_item()
    await page.locator("#item-0-hs_code").fill(item["hs_code"])
    await page.locator("#item-0-hs_code").press("Tab")
    await page.get_by_label("1. 品牌类型 *").select_option("0")
    await page.get_by_label("2. 出口享惠情况 *").select_option("3")
    await page.get_by_label("3. 结构类型 *").fill("深沟球")
    await page.get_by_label("4. 品牌（中文或外文名称） *").fill("SKF")
    await page.get_by_label("5. 型号 *").fill("6205-2RS")
    await expect(page.locator("#item-0-model_spec")).to_have_value("0|3|深沟球|SKF|6205-2RS|||")
    for key in ("quantity", "unit", "legal_quantity", "legal_unit", "second_quantity", "second_unit", "price",
                "total", "currency", "origin_country", "destination_country", "district_code", "duty_mode"):
        await page.locator(f"#item-0-{key}").fill(item[key])
    await page.get_by_role("button", name="暂存").click()
    await expect(page.get_by_role("status")).to_have_text("已暂存")

    await page.locator("#net_weight").fill("140")
    await page.get_by_role("button", name="提交审核").click()
    await expect(page.locator("#net_weight-error")).to_have_text("净重不能大于毛重")
    await expect(page.locator("#net_weight")).to_have_value("140")
    await expect(page.get_by_label("5. 型号 *")).to_have_value("6205-2RS")
    await shoot(page, "declaration-entry-refused")
    Path("/tmp/shots/decl").mkdir(parents=True, exist_ok=True)
    await page.screenshot(path="/tmp/shots/decl/declaration-entry-refused.png")

    await page.locator("#net_weight").fill("125.5")
    await page.get_by_role("button", name="提交审核").click()
    await expect(page.get_by_role("status")).to_have_text("已提交审核")
    await expect(page.locator("h1 .badge")).to_have_text("待审核")
    await page.screenshot(path="/tmp/shots/decl/declaration-entry-submitted.png", full_page=True)
    await shoot(page, "declaration-entry-submitted")
    await page.get_by_role("navigation", name="功能菜单").get_by_role("link", name="报关单录入").click()
    await expect(page.locator("#declaration-list tbody tr")).to_have_count(1)
    await expect(page.locator("#declaration-list")).to_contain_text("待审核")
    await page.screenshot(path="/tmp/shots/decl/declaration-list.png")
    await page.set_viewport_size({"width": 1024, "height": 768})  # the narrowest desktop the form is made for
    await page.locator("#declaration-list a").first.click()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 1024
    await page.screenshot(path="/tmp/shots/decl/declaration-form-1024.png")
    await context.close()
