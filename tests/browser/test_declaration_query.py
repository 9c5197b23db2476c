"""报关数据查询 and 导入 in the browser at 1366×860: the list with its filters and per-row print links, a refused
filter beside its field, 提交审核 of two selected drafts (one goes, one is refused and says why), the import page:
the template link, a workbook with one bad declaration uploaded, the worker's result and the annotated workbook's
link. Screenshots in artifacts/screenshots/declaration-query-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from services.jobs.worker import JobRunner
from tests.browser.support import shoot, sign_in
from tests.factories import World
from tests.http.support import Site
from tests.services.declarations.support import good_head, good_item
from tests.services.declarations.test_imports import line, workbook
from tests.services.library.support import load_small_reference

QUERY = "/workbench/declarations/query"


@pytest.fixture
async def reference(site: Site, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def test_query_submit_and_import(chromium: Browser, site: Site, world: World, reference: None,
                                       job_worker: JobRunner, tmp_path: Path) -> None:
    api = await site.api(world.admin)
    for body in ({"kind": "export", "head": good_head(bill_no="COSU6321450011"), "items": [good_item()]},
                 {"kind": "export", "head": {"bill_no": "COSU6321450012"}}):
        assert (await api.post("/api/v1/workspace/declarations", json=body)).status_code == 201
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await sign_in(page, site, world.admin)
    await page.goto(QUERY)
    await expect(page.locator("#declaration-rows tbody tr")).to_have_count(2)
    await expect(page.locator("#declaration-rows").get_by_role("link", name="打印报关单")).to_have_count(2)
    await shoot(page, "declaration-query-list")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 1366

    await page.locator("input[name=declare_office]").fill("09@")
    await page.get_by_role("button", name="查询").click()
    await expect(page.locator("#err-declare_office")).to_contain_text("申报地海关")
    await expect(page.locator("input[name=declare_office]")).to_have_value("09@")
    await shoot(page, "declaration-query-refused")
    await page.get_by_role("link", name="重置").click()

    await page.get_by_label("勾选", exact=False).nth(0).check()
    await page.get_by_label("勾选", exact=False).nth(1).check()
    await page.get_by_role("button", name="提交审核").click()
    await expect(page.locator("#submit-results")).to_contain_text("已提交审核 1 份，未提交 1 份")
    await expect(page.locator("#declaration-rows")).to_contain_text("待审核")
    await shoot(page, "declaration-query-submitted")

    await page.get_by_role("link", name="导入").click()
    await expect(page.get_by_role("link", name="下载导入模板")).to_be_visible()
    upload = tmp_path / "报关单导入.xlsx"
    upload.write_bytes(workbook([line("1"), line("1", item=good_item(goods_name="深沟球轴承二")),
                                 line("2", head=good_head(trade_mode="9999"))]))
    await page.locator("input[type=file]").set_input_files(str(upload))
    await page.get_by_role("button", name="上传并导入").click()
    await expect(page.locator("#imports")).to_contain_text("完成", timeout=20_000)
    await expect(page.locator("#imports")).to_contain_text("下载（1 行，1 处）")
    await shoot(page, "declaration-query-import")
    await page.get_by_role("link", name="返回报关数据查询").click()
    await expect(page.locator("#declaration-rows tbody tr")).to_have_count(3)
    await context.close()
