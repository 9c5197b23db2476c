"""单一窗口账号快捷登录 on a phone (390×844): the login page → the simulated single-window login → the
first-time page → quick registration → 快速注册成功 → 继续访问 opens 我的问题; later the central account goes
straight in. The identity provider is the simulator mounted in the app (as in ``make demo``). Screenshots
are kept in artifacts/screenshots/central_*.png."""

from __future__ import annotations

import re
from types import SimpleNamespace

from playwright.async_api import Browser, expect

from core.config import DatabaseSettings
from models.identities import CentralLink, LocalAccount
from tests.browser.support import Phones, scroll_width, shoot
from tests.factories import World
from tests.http.accounts.central_support import CENTRAL_PASSWORD, LOCAL_PASSWORD, central_site


async def test_quick_registration_on_a_phone(chromium: Browser, db: DatabaseSettings, world: World) -> None:
    async with central_site(db) as site:
        site.add_user("acme_newbie", "sub-newbie", "新员工甲", "13700000001", world.acme.credit_code, world.acme.name)
        phones = Phones(chromium, SimpleNamespace(client=SimpleNamespace(base_url=site.base_url)))  # type: ignore[arg-type]
        try:
            page = await phones.open()
            await page.goto("/h5/login?next=/h5/questions")
            await expect(page.get_by_role("link", name="单一窗口账号快捷登录")).to_be_visible()
            assert await scroll_width(page) <= 390
            await shoot(page, "central_1_login")

            await page.get_by_role("link", name="单一窗口账号快捷登录").tap()
            await expect(page.get_by_role("heading", name="单一窗口账号登录")).to_be_visible()
            await page.locator("#username").fill("acme_newbie")
            await page.locator("#password").fill("wrong-password")
            await page.get_by_role("button", name="登录").tap()
            await expect(page.get_by_role("alert")).to_have_text("账号或密码错误")
            await page.locator("#password").fill(CENTRAL_PASSWORD)
            await shoot(page, "central_2_provider_login")
            await page.get_by_role("button", name="登录").tap()

            await expect(page.get_by_role("heading", name="首次登录设置")).to_be_visible()
            await expect(page.get_by_text("新员工甲")).to_be_visible()
            assert await scroll_width(page) <= 390
            await shoot(page, "central_3_first_time")
            await page.locator("input[name=password]").fill(LOCAL_PASSWORD)
            await page.locator("input[name=password2]").fill("Mismatch2026x")
            await page.get_by_role("button", name="快速注册").tap()
            await expect(page.locator("#err-password2")).to_have_text("两次输入的密码不一致")
            await shoot(page, "central_4_register_error")
            await page.locator("input[name=password]").fill(LOCAL_PASSWORD)
            await page.locator("input[name=password2]").fill(LOCAL_PASSWORD)
            await page.get_by_role("button", name="快速注册").tap()

            await expect(page.get_by_role("heading", name="快速注册成功")).to_be_visible()
            await shoot(page, "central_5_done")
            await page.get_by_role("link", name="继续访问").tap()
            await expect(page).to_have_url(re.compile(r"/h5/questions$"))
            await shoot(page, "central_6_questions")
            assert (await LocalAccount.get(username="acme_newbie")).person_id == (
                await CentralLink.get(subject="sub-newbie")).person_id

            await page.goto("/h5/account/central")
            await expect(page.get_by_role("button", name="解除单一窗口账号绑定")).to_be_visible()
            await shoot(page, "central_6b_account")

            later = await phones.open()  # another phone: the central account goes straight in
            await later.goto("/h5/login?next=/h5/questions")
            await later.get_by_role("link", name="单一窗口账号快捷登录").tap()
            await later.locator("#username").fill("acme_newbie")
            await later.locator("#password").fill(CENTRAL_PASSWORD)
            await later.get_by_role("button", name="登录").tap()
            await expect(later).to_have_url(re.compile(r"/h5/questions$"))

            by_password = await phones.open()
            await by_password.goto("/h5/login?next=/h5/questions")
            await by_password.locator("input[name=username]").fill("acme_newbie")
            await by_password.locator("#password-login ~ form input[name=password]").fill(LOCAL_PASSWORD)
            await by_password.get_by_role("button", name="账号密码登录").tap()
            await expect(by_password).to_have_url(re.compile(r"/h5/questions$"))

            stale = await phones.open()  # a stale or forged callback: a clear page, never a 500
            await stale.goto("/h5/central/callback?state=forged&code=whatever")
            await expect(stale.get_by_role("alert")).to_contain_text("登录请求已失效或已使用")
            await shoot(stale, "central_7_bad_state")
        finally:
            await phones.close()


async def test_an_enterprise_not_registered_here_is_explained_on_a_phone(chromium: Browser, db: DatabaseSettings,
                                                                         world: World) -> None:
    async with central_site(db) as site:
        site.add_user("stranger", "sub-stranger", "孙三", "13700000003", "91210200MA0QBCDE0L", "大连未注册贸易有限公司")
        phones = Phones(chromium, SimpleNamespace(client=SimpleNamespace(base_url=site.base_url)))  # type: ignore[arg-type]
        try:
            page = await phones.open()
            await page.goto("/h5/central/start?next=/h5/")
            await page.locator("#username").fill("stranger")
            await page.locator("#password").fill(CENTRAL_PASSWORD)
            await page.get_by_role("button", name="登录").tap()
            await page.locator("input[name=password]").fill(LOCAL_PASSWORD)
            await page.locator("input[name=password2]").fill(LOCAL_PASSWORD)
            await page.get_by_role("button", name="快速注册").tap()
            await expect(page.locator("#err-form")).to_contain_text("尚未在本平台注册")
            await expect(page.get_by_role("link", name=re.compile("新企业注册"))).to_be_visible()
            assert await scroll_width(page) <= 390
            await shoot(page, "central_8_enterprise_not_registered")
            await page.get_by_role("link", name="绑定已有账号").tap()
            await expect(page.get_by_role("button", name="绑定并登录")).to_be_visible()
            await shoot(page, "central_9_bind_form")
        finally:
            await phones.close()
