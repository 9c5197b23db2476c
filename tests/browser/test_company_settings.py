"""管理员中心 → 企业设置 in a desktop browser (1366×860): information saved, the seal previewed on its checkered
ground, the aircraft time enabled only once its switch is ticked, a carousel image and a link added.
Screenshot in artifacts/screenshots/."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.async_api import Browser, expect

from core.config import DatabaseSettings
from handlers.kit.sessions import COOKIE
from models.company import CompanySettings
from tests.browser.support import shoot
from tests.factories import World
from tests.http.support import Site, running_site, web_settings


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


def seal() -> bytes:
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((6, 6, 114, 114), outline=(200, 20, 20, 255), width=8)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def banner() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 220), (31, 95, 191)).save(out, "JPEG")
    return out.getvalue()


async def test_the_admin_sets_up_the_company(chromium: Browser, site: Site, world: World) -> None:
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    session = await site.session_for(world.admin)
    await context.add_cookies([{"name": COOKIE, "value": session.token, "url": str(site.client.base_url)}])
    page = await context.new_page()
    await page.goto("/workbench/")
    await page.get_by_role("navigation", name="功能菜单").get_by_role("link", name="企业设置").click()

    await page.get_by_label("企业地址").fill("大连市中山区港湾街 1 号")
    await page.get_by_label("联系人").fill("王经理")
    await page.get_by_role("button", name="保存").first.click()
    await expect(page.get_by_role("status")).to_have_text("企业信息已保存")

    await page.locator("#seal").set_input_files({"name": "seal.png", "mimeType": "image/png", "buffer": seal()})
    await page.locator("form[action$='/images/seal'] button").click()
    await expect(page.get_by_role("img", name="印章预览")).to_be_visible()

    time = page.locator("#aircraft_time")
    await expect(time).to_be_disabled()
    await page.locator("#aircraft_auto").check()
    await expect(time).to_be_enabled()
    await time.fill("08:30")
    await page.get_by_label("启用").first.check()
    await page.locator("form[action$='/switches'] button").click()
    await expect(page.get_by_role("status")).to_have_text("业务设置已保存")

    await page.locator("#carousel_image").set_input_files({"name": "b.jpg", "mimeType": "image/jpeg",
                                                           "buffer": banner()})
    await page.get_by_label("图片链接（可选）").fill("https://www.customs.gov.cn")
    await page.get_by_role("button", name="添加图片").click()
    await page.get_by_label("标题").fill("海关总署")
    await page.get_by_label("链接", exact=True).fill("http://www.customs.gov.cn")
    await page.get_by_role("button", name="新增链接").click()
    await expect(page.get_by_role("link", name="http://www.customs.gov.cn", exact=True)).to_be_visible()
    row = await CompanySettings.get(enterprise_id=world.acme.id)
    assert row.aircraft_time == "08:30" and row.seal and len(row.carousel) == 1 and len(row.links) == 1
    await shoot(page, "workbench_company_settings")
    await context.close()
