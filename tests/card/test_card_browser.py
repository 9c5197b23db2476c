"""The card pages in Chromium: their JavaScript talks to the real desktop helper on loopback (CORS preflight,
pairing token), the helper to pcscd and the virtual card, and the site signs the person in / records the
authorisation. Screenshots in artifacts/screenshots/card_*.png."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from card_desktop_helper.server import HelperServer
from card_desktop_helper.settings import HelperSettings
from core.config import DatabaseSettings
from models.cards import ModuleAuthorisation
from simulators.card.pki import CardCa
from tests.browser.conftest import chromium  # noqa: F401 - the fixture
from tests.browser.support import PHONE_HEIGHT, scroll_width, shoot, sign_in
from tests.card.conftest import write_ca
from tests.card.support import PAIRING_TOKEN, PIN, CardSlot, card_identity
from tests.factories import World
from tests.http.support import Site, running_site, web_settings

DESKTOP = {"width": 1366, "height": 850}


@pytest.fixture
async def rig(db: DatabaseSettings, world: World, card_ca: CardCa, pcscd: None,
              tmp_path: Path) -> AsyncIterator[Site]:
    """The site and the helper, each knowing the other's address."""
    helper = HelperServer(HelperSettings(pairing_token=PAIRING_TOKEN, allowed_origins=(), port=0))
    threading.Thread(target=helper.serve_forever, daemon=True).start()
    settings = web_settings(db, card={"ca_cert_paths": (write_ca(card_ca, tmp_path),),
                                      "helper_url": f"http://127.0.0.1:{helper.server_address[1]}"})
    try:
        async with running_site(settings) as site:
            origin = str(site.client.base_url).rstrip("/")
            helper.settings = dataclasses.replace(helper.settings, allowed_origins=(origin,))
            yield site
    finally:
        helper.shutdown()
        helper.server_close()


async def open_page(chromium: Browser, site: Site, width: int = 390, height: int = PHONE_HEIGHT) -> Page:  # noqa: F811
    context = await chromium.new_context(base_url=str(site.client.base_url), locale="zh-CN",
                                         viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    return await context.new_page()


async def test_card_login_in_the_browser(chromium: Browser, rig: Site, world: World,  # noqa: F811
                                         card_slot: CardSlot) -> None:
    page = await open_page(chromium, rig)
    await page.goto("/h5/login")
    await page.click("#card-login-link")
    await page.wait_for_url(re.compile(r"/h5/card/login\?"))
    await page.fill("#pairing-token", PAIRING_TOKEN)
    await page.dispatch_event("#pairing-token", "change")
    await page.reload()  # the token is kept in this browser
    await page.wait_for_selector("#card-status:has-text('读卡器已连接')")
    card_slot.insert(card_identity("legal_person", holder="企业管理员甲", credit_code=world.acme.credit_code,
                                   enterprise_name=world.acme.name))
    admin = await rig.browser(world.admin)  # bind the card to the admin first (the API, as the card page does)
    await page.wait_for_selector("#card-status:has-text('还可尝试 3 次')")  # no reload: the page follows the helper
    await page.fill("input[name=pin]", "000000")
    await page.click("#card-login button[type=submit]")
    await page.wait_for_selector("#card-message:has-text('卡密码错误，还可尝试 2 次')")
    await page.wait_for_selector("#card-status:has-text('卡密码还可尝试 2 次')")
    await shoot(page, "card_login_wrong_pin")
    assert await scroll_width(page) <= 390

    card_home = await open_page(chromium, rig, **DESKTOP)
    await sign_in(card_home, rig, world.admin)
    await card_home.goto("/h5/card")
    await card_home.fill("#pairing-token", PAIRING_TOKEN)
    await card_home.fill("input[name=pin]", PIN)
    await card_home.click("#card-bind button[type=submit]")
    await card_home.wait_for_url(re.compile(r"/h5/card\?done=bound$"))
    await admin.client.aclose()

    await page.fill("input[name=pin]", PIN)
    await page.click("#card-login button[type=submit]")
    await page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/h5/$"))
    me = await page.evaluate("fetch('/api/v1/me').then(r => r.json())")
    assert me["person"]["name"] == "企业管理员甲"
    await shoot(page, "card_login_done")


async def test_legal_person_authorisation_in_the_browser(chromium: Browser, rig: Site, world: World,  # noqa: F811
                                                         card_slot: CardSlot) -> None:
    card_slot.insert(card_identity("legal_person", holder="王法人", credit_code=world.acme.credit_code,
                                   enterprise_name=world.acme.name))
    staff_page = await open_page(chromium, rig)
    await sign_in(staff_page, rig, world.staff)
    await staff_page.goto("/h5/library")
    assert "尚未获得法人卡授权" in await staff_page.inner_text("#library-locked")
    await shoot(staff_page, "card_library_locked")

    page = await open_page(chromium, rig)
    await sign_in(page, rig, world.admin)
    await page.goto("/h5/")  # the admin's home leads to the card features
    await shoot(page, "card_links_on_home")
    await page.click("#home-card-links a[href='/h5/card/authorisations']")
    await page.wait_for_url(re.compile(r"/h5/card/authorisations$"))
    await page.fill("#pairing-token", PAIRING_TOKEN)
    await page.click(f"label:has(input[name=person_ids][value='{world.staff.person_id}'])")
    await page.fill("input[name=pin]", PIN)
    await page.click("#card-authorise button[type=submit]")
    await page.wait_for_url(re.compile(r"done=granted$"))
    assert "关务丁" in await page.inner_text("#authorisations")
    await shoot(page, "card_authorisations")
    assert await scroll_width(page) <= 390
    assert await ModuleAuthorisation.filter(person_id=world.staff.person_id, revoked_at=None).exists()

    await staff_page.reload()
    assert await staff_page.locator("#library-filters").count() == 1
    await shoot(staff_page, "card_library_open")
    page.on("dialog", lambda dialog: dialog.accept())
    await page.click(".authorisation button[type=submit]")
    await page.wait_for_url(re.compile(r"done=revoked$"))
    assert "尚无授权" in await page.inner_text("#authorisations")


async def test_card_registration_page_reads_the_card(chromium: Browser, rig: Site, world: World,  # noqa: F811
                                                     card_slot: CardSlot) -> None:
    card_slot.insert(card_identity("legal_person", holder="赵法人", enterprise_name="大连新卡贸易有限公司"))
    page = await open_page(chromium, rig, **DESKTOP)
    await page.goto("/h5/card/register")
    await page.fill("#pairing-token", PAIRING_TOKEN)
    await page.fill("input[name=pin]", PIN)
    await page.click("[data-card-read]")
    await page.wait_for_selector("#card-enterprise-name:has-text('大连新卡贸易有限公司')")
    assert await page.inner_text("#card-card-type") == "法人卡"
    await shoot(page, "card_register_read")
    await page.fill("input[name=name]", "赵法人")
    await page.fill("input[name=phone]", "13700000188")
    await page.click("[data-send-code]")
    await page.wait_for_selector("#code-status:has-text('验证码已发送')")
    await page.fill("input[name=code]", rig.sms.last_code("13700000188"))
    await page.click("#card-register button[type=submit]")
    await page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/h5/$"))
    me = await page.evaluate("fetch('/api/v1/me').then(r => r.json())")
    assert me["enterprise"]["name"] == "大连新卡贸易有限公司" and me["role"] == "admin"


async def test_the_status_line_follows_the_helper_live(chromium: Browser, rig: Site,  # noqa: F811
                                                       card_slot: CardSlot) -> None:
    page = await open_page(chromium, rig, **DESKTOP)
    await page.goto("/h5/card/login")
    await page.fill("#pairing-token", "not-the-token")
    await page.wait_for_selector("#card-status:has-text('配对码不正确')")
    await page.fill("#pairing-token", PAIRING_TOKEN)
    await page.wait_for_selector("#card-status:has-text('读卡器已连接，请插入 IC 卡或 IKey')")
    card_slot.insert()
    await page.wait_for_selector("#card-status:has-text('已检测到卡片，卡密码还可尝试 3 次')")
    await shoot(page, "card_status_live")
    card_slot.pull()
    await page.wait_for_selector("#card-status:has-text('读卡器已连接，请插入 IC 卡或 IKey')")
    status = await page.inner_text("#card-status")
    assert "pcscd" not in status and "qingling-card-helper" not in status

    await page.click("#helper-install-link")
    await page.wait_for_url(re.compile(r"/h5/card/helper$"))
    assert "Add python.exe to PATH" in await page.inner_text("#helper-steps")
    await shoot(page, "card_helper_install")
    phone = await open_page(chromium, rig)
    await phone.goto("/h5/card/helper")
    assert await scroll_width(phone) <= 390
    await shoot(phone, "card_helper_install_phone")


async def test_the_last_try_is_warned_and_a_locked_card_shows_as_locked(chromium: Browser, rig: Site,  # noqa: F811
                                                                        card_slot: CardSlot) -> None:
    card_slot.insert(tries=1)
    page = await open_page(chromium, rig)
    await page.goto("/h5/card/login")
    await page.fill("#pairing-token", PAIRING_TOKEN)
    await page.wait_for_selector("#card-status:has-text('最后一次机会，输错将锁定')")
    await shoot(page, "card_last_try")
    await page.fill("input[name=pin]", "000000")
    await page.click("#card-login button[type=submit]")
    await page.wait_for_selector("#card-message:has-text('卡已锁定')")
    await page.wait_for_selector("#card-status:has-text('卡已锁定（卡密码错误次数过多），请联系发卡机构解锁')")
    assert "还可尝试 0 次" not in await page.inner_text("main")
    assert await page.is_disabled("#card-login button[type=submit]")
    await shoot(page, "card_locked")


async def test_a_registered_enterprise_is_told_before_an_sms_code_is_sent(chromium: Browser, rig: Site,  # noqa: F811
                                                                          world: World, card_slot: CardSlot) -> None:
    card_slot.insert(card_identity("legal_person", holder="王法人", credit_code=world.acme.credit_code,
                                   enterprise_name=world.acme.name))
    page = await open_page(chromium, rig)
    await page.goto("/h5/card/register")
    assert await page.is_disabled("[data-send-code]")
    await page.fill("#pairing-token", PAIRING_TOKEN)
    await page.fill("input[name=pin]", PIN)
    await page.click("[data-card-read]")
    await page.wait_for_selector("#code-status:has-text('该企业已注册，请联系本企业管理员为您添加账号')")
    assert await page.is_disabled("[data-send-code]") and await page.is_disabled("#card-register button[type=submit]")
    assert not rig.sms.sent
    await page.wait_for_selector("#card-status:has-text('已检测到卡片')")
    await shoot(page, "card_register_already_registered")
