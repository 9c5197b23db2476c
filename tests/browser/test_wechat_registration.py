"""Registering an enterprise inside WeChat on a phone (390×844): /h5/register → WeChat OAuth (the simulator
mounted in the app, as in ``make demo``) → the form (credit code, business licence image, phone + SMS code from
the SMS simulator) → 待海关审核; a customs supervisor approves in the admin web (1366×850); the template message
and the SMS reach the phone, the openid is bound to the new admin and the status page shows 已通过.
Run on the in-process cache and, when QINGLING_TEST_REDIS is set, on Redis (sessions, OAuth states, SMS codes).
Screenshots are kept in artifacts/screenshots/wechat_registration_*.png."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aredis
from playwright.async_api import Browser, Page, expect

from core.config import DatabaseSettings
from models.enterprises import Enterprise, EnterpriseStatus, MemberRole, Membership, Person
from models.registrations import Registration, RegistrationChannel, RegistrationStatus
from tests.browser.support import Phones, in_wechat, scroll_width, shoot
from tests.browser.test_admin_desk import desk
from tests.factories import World, credit_code, licence_image
from tests.http.support import SimulatedSite, simulated_site

REDIS_URL = os.environ.get("QINGLING_TEST_REDIS", "")
CODE = credit_code("91210200MA0WXREG1")
PHONE = "13700000021"
NAME = "大连微信注册贸易有限公司"


@pytest.fixture(params=["memory"] + (["redis"] if REDIS_URL else []))
async def cache_section(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, str]]:
    """The app's cache settings: in-process, or Redis under a prefix of its own (its keys deleted afterwards)."""
    prefix = f"qingling-test:wxreg:{secrets.token_hex(4)}:"
    if request.param == "memory":
        yield {"url": "", "prefix": prefix}
        return
    yield {"url": REDIS_URL, "prefix": prefix}
    client = aredis.Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def fill_in(page: Page, site: SimulatedSite) -> None:
    """The form as the applicant fills it: a code first (the page comes back), then the licence image."""
    await page.locator("#f-enterprise_name").fill(NAME)
    await page.locator("#f-credit_code").fill(CODE)
    await page.locator("#f-legal_person").fill("王五")
    await page.locator("#f-address").fill("大连市中山区人民路 1 号")
    await page.locator("#f-name").fill("注册人张三")
    await page.locator("#f-phone").fill(PHONE)
    await page.get_by_role("button", name="获取验证码").tap()
    await expect(page.locator("#code-status")).to_have_text("验证码已发送，5 分钟内有效")
    await expect(page.locator("#f-enterprise_name")).to_have_value(NAME)  # what was typed stays
    await page.locator("#code").fill(await site.last_code(PHONE))
    await page.locator("#f-image").set_input_files(
        {"name": "营业执照.png", "mimeType": "image/png", "buffer": licence_image(CODE)})


async def test_registering_in_wechat_is_approved_and_binds_the_openid(
        chromium: Browser, db: DatabaseSettings, world: World, cache_section: dict[str, str]) -> None:
    async with simulated_site(db, cache=cache_section) as site:
        phones = Phones(chromium, site)  # type: ignore[arg-type] - only the base URL is used
        try:
            follower = site.wechat.add_follower("注册人张三")
            site.wechat.active_openid = follower.openid  # the WeChat user holding this phone
            phone = await phones.open(user_agent=in_wechat())
            visited: list[str] = []
            phone.on("request", lambda request: visited.append(request.url))

            await phone.goto("/h5/register")
            await expect(phone).to_have_url(re.compile(r"/h5/register(#wechat_redirect)?$"))  # the fragment stays
            assert any("/sim/wechat/connect/oauth2/authorize" in url for url in visited)
            assert any("/h5/oauth/callback?code=" in url for url in visited)
            await expect(phone.get_by_role("heading", name="新企业注册")).to_be_visible()
            await expect(phone.get_by_text("在微信中注册，提交后此微信即与企业管理员账号绑定。")).to_be_visible()
            await shoot(phone, "wechat_registration_1_form")
            assert await scroll_width(phone) <= 390

            await fill_in(phone, site)
            await shoot(phone, "wechat_registration_2_filled")
            assert await scroll_width(phone) <= 390
            await phone.get_by_role("button", name="提交注册").tap()
            await expect(phone).to_have_url(re.compile(r"/h5/registration\?done=1$"))
            await expect(phone.locator("#review-status")).to_have_text("待海关审核")
            await expect(phone.get_by_text("注册申请已提交，请等待海关审核。")).to_be_visible()
            await expect(phone.get_by_text("审核结果将以短信和微信消息通知您。", exact=False)).to_be_visible()
            await shoot(phone, "wechat_registration_3_pending")
            assert await scroll_width(phone) <= 390
            registration = await Registration.get(credit_code=CODE)
            assert (registration.channel, registration.status) == (RegistrationChannel.WECHAT,
                                                                    RegistrationStatus.PENDING)
            assert (await Person.get(phone=PHONE)).wechat_openid == follower.openid

            await approve(chromium, site)

            await site.dispatch_outbox()
            await phone.goto(f"/sim/wechat/phone?openid={follower.openid}")
            card = phone.locator(".card").filter(has_text="注册审核结果通知").last
            await expect(card).to_contain_text(NAME)
            await expect(card).to_contain_text("已通过")
            await shoot(phone, "wechat_registration_6_template_message")
            await phone.context.clear_cookies()  # a later day: the WeChat OAuth alone signs the admin in
            visited.clear()
            await card.get_by_role("link", name="详情").tap()
            await expect(phone.get_by_role("heading", name="注册人张三，您好")).to_be_visible()
            assert any("/h5/oauth/callback?code=" in url for url in visited)
            await expect(phone.get_by_text(f"{NAME} · 企业管理员")).to_be_visible()
            await expect(phone.locator("#registration-notice")).to_have_count(0)
            await phone.goto("/h5/registration")
            await expect(phone.locator("#review-status")).to_have_text("已通过")
            await expect(phone.locator("#approved-tip")).to_have_text("企业注册已通过海关审核，现在可以向海关提问。")
            await shoot(phone, "wechat_registration_7_approved")
            assert await scroll_width(phone) <= 390

            await assert_bound_and_told(site, follower.openid)
        finally:
            await phones.close()


async def approve(chromium: Browser, site: SimulatedSite) -> None:
    supervisor = await desk(chromium, site, "supervisor")  # type: ignore[arg-type] - only the base URL is used
    try:
        await supervisor.get_by_role("link", name="注册审核").click()
        await expect(supervisor.get_by_role("heading", name="企业注册审核")).to_be_visible()
        await shoot(supervisor, "wechat_registration_4_admin_list")
        await supervisor.get_by_role("link", name=NAME).click()
        licence = supervisor.get_by_role("img", name=re.compile("营业执照"))
        await expect(licence).to_be_visible()
        assert await licence.evaluate("img => img.naturalWidth") == 480
        await shoot(supervisor, "wechat_registration_5_admin_detail")
        await supervisor.get_by_role("button", name="审核通过").click()
        await expect(supervisor.get_by_role("status")).to_have_text("已审核通过，已通知企业管理员")
    finally:
        await supervisor.context.close()


async def assert_bound_and_told(site: SimulatedSite, openid: str) -> None:
    registration = await Registration.get(credit_code=CODE)
    assert registration.status is RegistrationStatus.APPROVED
    assert (await Enterprise.get(id=registration.enterprise_id)).status is EnterpriseStatus.ACTIVE
    admin = await Person.get(wechat_openid=openid)
    assert (admin.id, admin.phone, admin.name) == (registration.applicant_id, PHONE, "注册人张三")
    membership = await Membership.get(person_id=admin.id, enterprise_id=registration.enterprise_id)
    assert membership.role is MemberRole.ADMIN
    templates = [m for m in site.wechat.messages if m.touser == openid and m.kind == "template"]
    assert [m.body["template_id"] for m in templates] == ["TPL_registration_approved"]
    assert templates[0].body["data"]["thing1"]["value"] == NAME
    texts = [m["content"] for m in await site.sms_inbox(PHONE)]
    assert f"【清零平台】您的企业“{NAME}”注册申请已通过审核，可登录“清零”平台提问。" in texts
