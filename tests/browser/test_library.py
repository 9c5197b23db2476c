"""The enterprise library in a desktop browser at 1366×860 (filter, 申报要素详情, 设为自选, export of the page) and
the public library on a 360×740 phone (anonymous, nothing sideways). Screenshots in artifacts/screenshots/."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.async_api import Browser, expect

from models.library import LibraryMark, LibraryRow, LibrarySource
from tests.browser.support import scroll_width, shoot, sign_in
from tests.factories import World
from tests.http.support import Site
from tests.services.library.library_rows import OTHERS, authorise, item, put
from tests.services.library.support import load_small_reference


async def seed(world: World, folder: Path) -> list[LibraryRow]:
    await load_small_reference(folder)
    acme = world.acme.credit_code
    return await put(item(1, acme), item(2, acme, source=LibrarySource.DECLARED, mark=LibraryMark.MATCHED,
                                         goods_name="圆锥滚子轴承"),
                     item(3, acme, mark=LibraryMark.NONSTANDARD, remarks="型号应按实际申报"),
                     item(4, acme, hs_code="9403609990", goods_name="木制办公桌",
                          model_spec="0|3|办公用|橡木|无品牌|D-1"),
                     item(5, OTHERS[0]), item(6, OTHERS[1]))


async def test_the_enterprise_library_on_the_desktop(chromium: Browser, site: Site, world: World,
                                                     tmp_path: Path) -> None:
    rows = await seed(world, tmp_path)
    await authorise(world.admin, world.acme.id, world.admin)
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await sign_in(page, site, world.admin)
    await page.goto("/workbench/library")
    await expect(page.locator("#library-rows tbody tr")).to_have_count(4)
    await page.fill("input[name=keyword]", "轴承")
    await page.get_by_role("button", name="查询").click()
    await expect(page.locator("#library-rows tbody tr")).to_have_count(3)
    await shoot(page, "library_1_desktop_filtered")

    await page.locator(f"tr[data-id='{rows[2].id}']").get_by_role("link", name="申报要素详情").click()
    await expect(page.locator("#elements")).to_contain_text("品牌（中文或外文名称）")
    await expect(page.locator("#row-mark")).to_have_text("不规范")
    await shoot(page, "library_2_desktop_details")

    await page.goto(f"/workbench/library/{rows[1].id}")
    await page.fill("#choose-form input[name=note]", "按合同型号申报")
    await page.get_by_role("button", name="设为自选").click()
    await expect(page.locator("#row-mark")).to_have_text("企业自选")
    assert (await LibraryRow.get(id=rows[1].id)).mark is LibraryMark.CHOSEN

    await page.goto("/workbench/library?keyword=轴承")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="导出当前页").click()
    book = load_workbook(io.BytesIO(Path(await (await download.value).path()).read_bytes()))
    assert book.active.max_row == 4  # the header and the three 轴承 rows
    await shoot(page, "library_3_desktop_after_choose")
    await context.close()


async def test_the_public_library_on_a_small_phone(chromium: Browser, site: Site, world: World,
                                                   tmp_path: Path) -> None:
    rows = await seed(world, tmp_path)
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 360, "height": 740},
                                         locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True)
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await page.goto("/h5/library/public")
    await expect(page.locator("#library-rows .lib-row")).to_have_count(3)  # acme and two others: 3 enterprises
    assert await scroll_width(page) <= 360
    assert world.acme.name not in await page.content()
    await shoot(page, "library_4_h5_public_list")
    await page.locator(f".lib-row[data-id='{rows[0].id}']").click()
    await expect(page.locator("#elements")).to_contain_text("型号")
    assert await scroll_width(page) <= 360
    await shoot(page, "library_5_h5_public_details")
    await context.close()
