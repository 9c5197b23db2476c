"""A customs admin's settings in a desktop browser (1366×850): question types, a new department, a new
account. Screenshots of the settings pages are kept in artifacts/screenshots/."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from models.catalog import QuestionType
from models.customs_accounts import CustomsAccount
from models.offices import CustomsOffice
from services.accounts.passwords import hash_password
from tests.browser.support import scroll_width, shoot
from tests.factories import World
from tests.http.support import CUSTOMS_PASSWORD, Site

WIDTH, HEIGHT = 1366, 850


async def admin_desk(chromium: Browser, site: Site) -> Page:
    account = await CustomsAccount.get(username="customs_admin")
    account.password_hash = hash_password(CUSTOMS_PASSWORD)
    await account.save()
    context = await chromium.new_context(base_url=str(site.client.base_url),
                                         viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN",
                                         timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await page.goto("/admin/login")
    await page.get_by_label("用户名").fill("customs_admin")
    await page.get_by_label("密码").fill(CUSTOMS_PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("heading", name=re.compile("问题队列"))).to_be_visible()
    return page


async def test_an_admin_keeps_types_offices_and_accounts(chromium: Browser, site: Site, world: World) -> None:
    page = await admin_desk(chromium, site)
    await page.get_by_role("link", name="设置").click()
    await expect(page.get_by_role("heading", name=re.compile("设置"))).to_be_visible()
    await shoot(page, "admin_settings_1_overview")

    await page.get_by_role("link", name="问题类型与业务类别").first.click()
    types = page.locator("#types")
    await types.get_by_label("代码").fill("jicha")
    await types.get_by_label("名称", exact=True).fill("稽查")
    await types.get_by_role("button", name="新增").click()
    await expect(page.get_by_role("status")).to_have_text("已新增")
    await types.get_by_role("row", name=re.compile("qita")).get_by_role("button", name="停用").click()
    await expect(page.get_by_role("status")).to_have_text("状态已更改")
    assert not (await QuestionType.get(code="qita")).active and await QuestionType.filter(code="jicha").exists()
    assert await scroll_width(page) <= WIDTH
    await shoot(page, "admin_settings_2_catalog")

    await page.get_by_role("link", name="海关与部门").click()
    await page.get_by_role("link", name="大窑湾海关").click()
    await page.get_by_label("部门代码").fill("0901-02")
    await page.get_by_label("部门名称").fill("查验科")
    await page.get_by_role("button", name="新增部门").click()
    await expect(page.get_by_role("status")).to_have_text("部门已新增")
    await shoot(page, "admin_settings_3_office")
    await page.get_by_role("link", name="海关与部门").first.click()
    await expect(page.get_by_role("link", name="查验科")).to_be_visible()
    await shoot(page, "admin_settings_4_offices")
    assert (await CustomsOffice.get(code="0901-02")).path == "/0900/0901/0901-02/"

    await page.get_by_role("link", name="海关账号").click()
    await page.get_by_role("link", name="新建账号").click()
    await page.get_by_label("用户名").fill("zhang.wei")
    await page.get_by_label("姓名").fill("张伟")
    await page.get_by_label("所属海关或部门").select_option(label="　　查验科")
    await page.get_by_label("初始密码").fill("short1")
    await page.get_by_label("再次输入密码").fill("short1")
    await page.get_by_role("button", name="新建账号").click()
    await expect(page.get_by_role("alert")).to_have_text("密码至少 10 位")
    await expect(page.get_by_label("姓名")).to_have_value("张伟")
    await shoot(page, "admin_settings_5_new_account_refused")
    await page.get_by_label("初始密码").fill("Kaiguan2026x")
    await page.get_by_label("再次输入密码").fill("Kaiguan2026x")
    await page.get_by_role("button", name="新建账号").click()
    await expect(page.get_by_role("status")).to_have_text("账号已新建")
    await expect(page.get_by_role("link", name="zhang.wei")).to_be_visible()
    await shoot(page, "admin_settings_6_accounts")
    await page.get_by_role("link", name="zhang.wei").click()
    await expect(page.get_by_role("heading", name=re.compile("张伟"))).to_be_visible()
    await shoot(page, "admin_settings_7_account")
    assert (await CustomsAccount.get(username="zhang.wei").select_related("office")).office.code == "0901-02"
