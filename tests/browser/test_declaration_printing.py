"""The entry form at 1366×860 with 运费 / 保费 / 杂费 and per-element refusals: a submission with an empty required
declaration element and a 运费 typed under FOB shows each refusal beside its own input (the element's beside the
element, not only on 规格型号); the stored declaration's 打印报关单 button answers its PDF. Screenshots in
artifacts/screenshots/declaration-print-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog, expect

from tests.browser.support import shoot, sign_in
from tests.factories import World
from tests.http.support import Site
from tests.services.declarations.print_support import read_pdf
from tests.services.declarations.support import good_head, good_item
from tests.services.library.support import load_small_reference


@pytest.fixture
async def reference(site: Site, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def test_element_and_fee_refusals_beside_their_inputs_and_the_print_button(
        chromium: Browser, site: Site, world: World, reference: None) -> None:
    api = await site.api(world.staff)
    item = good_item(elements=["0", "3", "", "SKF", "6205-2RS", "", "", ""])
    made = await api.post("/api/v1/workspace/declarations", json={"kind": "export", "head": good_head(),
                                                                   "items": [item]})
    did = made.json()["declaration"]["id"]
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = await context.new_page()

    async def accept(dialog: Dialog) -> None:  # 提交前确认, the default preference
        await dialog.accept()

    page.on("dialog", accept)
    await sign_in(page, site, world.staff)
    await page.goto(f"/workbench/declarations/entry/{did}")
    await page.locator("#fee_mark").select_option("3")
    await page.locator("#fee_rate").fill("1200")
    await page.locator("#fee_curr").fill("USD")
    await page.get_by_role("button", name="提交审核").click()

    structure = page.get_by_label("3. 结构类型 *")
    await expect(structure).to_have_attribute("aria-invalid", "true")
    beside = page.locator(".element", has=structure).locator(".error")
    await expect(beside).to_have_text("缺少必填申报要素：结构类型")
    await expect(page.locator("#fee_rate-error")).to_have_text("成交方式为 FOB 时不填报运费")
    await expect(page.locator("#fee_mark")).to_have_value("3")  # what was typed is kept
    await expect(page.locator("#item-0-model_spec-error")).to_have_count(0)
    await shoot(page, "declaration-print-refused")

    await page.goto(f"/workbench/declarations/entry/{did}")
    button = page.locator("#print-declaration")
    await expect(button).to_have_text("打印报关单")
    answer = await page.request.get(await button.get_attribute("href") or "")
    assert answer.headers["content-type"] == "application/pdf"
    assert "深沟球轴承" in read_pdf(await answer.body()).text
    await context.close()
