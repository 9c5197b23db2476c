"""个人中心 in the browser: on the desktop (1366×860) the admin edits the profile, sets the 报关员章 and sees it as
a watermark over a sample declaration, opens 账号安全, and sets 表单设置 over the enterprise's defaults; in WeChat
(360×740) a preparer does the same on the H5 pages without anything overflowing sideways.
Screenshots in artifacts/screenshots/."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.async_api import Browser, Page, expect

from core.config import DatabaseSettings
from models.personal import PersonalProfile, PersonFormPreferences
from tests.browser.support import Phones, in_wechat, scroll_width, shoot, sign_in
from tests.factories import World
from tests.http.support import Site, running_site, web_settings


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


def stamp() -> bytes:
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), outline=(200, 20, 20, 230), width=10)
    draw.regular_polygon((120, 120, 40), 5, fill=(200, 20, 20, 230))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def upload_stamp(page: Page) -> None:
    await page.locator("input[name=stamp]").set_input_files({"name": "章.png", "mimeType": "image/png",
                                                             "buffer": stamp()})
    await page.locator("form[action$='/images/stamp'] button[type=submit]").first.click()
    await expect(page.get_by_role("img", name="报关员章")).to_be_visible()


async def test_the_personal_centre_on_the_desktop(chromium: Browser, site: Site, world: World) -> None:
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await sign_in(page, site, world.admin)
    await page.goto("/workbench/")
    await page.get_by_role("navigation", name="个人菜单").get_by_role("link", name="个人中心").click()
    await page.get_by_label("姓名").fill("王管理员")
    await page.get_by_label("男", exact=True).check()
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("status")).to_have_text("个人资料已保存")
    await upload_stamp(page)
    await page.locator("input[name=avatar]").set_input_files({"name": "me.png", "mimeType": "image/png",
                                                              "buffer": stamp()})
    await page.locator("form[action$='/images/avatar'] button[type=submit]").first.click()
    await expect(page.get_by_role("navigation", name="个人菜单").locator("img.avatar")).to_be_visible()
    await shoot(page, "personal-desktop-profile")

    await page.get_by_role("navigation", name="个人中心").get_by_role("link", name="账号安全").click()
    await page.get_by_label("新手机号").fill("1391234")
    await page.get_by_role("button", name="获取验证码").click()
    await expect(page.locator("#phone-error")).to_have_text("请输入正确的 11 位手机号")
    await expect(page.get_by_label("新手机号")).to_have_value("1391234")
    await shoot(page, "personal-desktop-security")

    await page.get_by_role("navigation", name="个人中心").get_by_role("link", name="表单设置").click()
    company = page.locator("#company-form")
    await company.get_by_label("默认申报地海关").fill("0900")
    await company.get_by_label("默认币制").fill("usd")
    await company.get_by_role("button", name="保存企业默认").click()
    await expect(page.get_by_role("status")).to_have_text("企业默认表单设置已保存")
    mine = page.locator("#mine-form")
    await mine.get_by_label("默认币制").fill("CNY")
    await mine.get_by_label("自动带出上次录入").select_option("on")
    await mine.get_by_role("button", name="保存我的设置").click()
    await expect(page.get_by_role("status")).to_have_text("表单设置已保存")
    await expect(mine.locator("tr", has_text="默认申报地海关")).to_contain_text("0900 大连海关")
    await shoot(page, "personal-desktop-preferences")
    await context.close()
    profile = await PersonalProfile.get(person_id=world.admin.person_id)
    assert profile.stamp is not None and profile.gender.value == "male"
    assert (await PersonFormPreferences.get(person_id=world.admin.person_id)).values == {
        "currency": "CNY", "remember_last": True}


async def test_the_personal_centre_in_wechat(phones: Phones, site: Site, world: World) -> None:
    page = await phones.open(width=360, height=740, user_agent=in_wechat())
    await sign_in(page, site, world.staff)
    await page.goto("/h5/personal")
    await upload_stamp(page)
    await expect(page.get_by_role("status")).to_have_text("报关员章已更新")
    assert await scroll_width(page) <= 360
    await shoot(page, "personal-h5-profile")
    for tab, name in [("账号安全", "security"), ("表单设置", "preferences")]:
        await page.get_by_role("navigation", name="个人中心").get_by_role("link", name=tab).click()
        assert await scroll_width(page) <= 360, tab
        await shoot(page, f"personal-h5-{name}")
    await page.get_by_label("默认监管方式").fill("01")
    await page.get_by_label("默认币制").fill("EUR")
    await page.get_by_role("button", name="保存我的设置").click()
    await expect(page.locator("#err-trade_mode")).to_have_text("默认监管方式应为 4 位数字")
    await expect(page.get_by_label("默认币制")).to_have_value("EUR")
    await shoot(page, "personal-h5-preferences-refused")
