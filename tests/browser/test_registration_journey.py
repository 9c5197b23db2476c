"""Registering without a card on a phone (390×844) → customs approves in the admin web (1366×850) → the new
admin adds an executive. Screenshots are kept in artifacts/screenshots/."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from models.enterprises import EnterpriseStatus, MemberRole, Membership
from models.registrations import Registration
from tests.browser.support import Phones, scroll_width, shoot, sign_in
from tests.browser.test_admin_desk import desk
from tests.factories import World, credit_code, licence_image
from tests.http.support import Site

CODE = credit_code("91210200MA0BR0WN1")
PHONE = "13700000011"


async def fill_registration(page: Page, site: Site) -> None:
    await page.goto("/h5/register")
    await expect(page.get_by_role("heading", name="新企业注册")).to_be_visible()
    await page.locator("#f-enterprise_name").fill("大连浏览器测试贸易有限公司")
    await page.locator("#f-credit_code").fill(CODE)
    await page.locator("#f-legal_person").fill("王五")
    await page.locator("#f-address").fill("大连市中山区人民路 1 号")
    await page.locator("#f-name").fill("注册人张三")
    await page.locator("#f-phone").fill(PHONE)
    await page.get_by_role("button", name="获取验证码").click()
    await expect(page.get_by_role("status")).to_have_text("验证码已发送，5 分钟内有效")
    await page.locator("#code").fill(site.sms.last_code(PHONE))
    await page.locator("#f-image").set_input_files(
        {"name": "营业执照.png", "mimeType": "image/png", "buffer": licence_image(CODE)})
    await shoot(page, "registration_1_form")
    assert await scroll_width(page) <= 390


async def test_register_approve_and_add_an_executive(chromium: Browser, phones: Phones, site: Site,
                                                     world: World) -> None:
    phone = await phones.open()
    await fill_registration(phone, site)
    await phone.get_by_role("button", name="提交注册").click()
    await expect(phone.locator("#review-status")).to_have_text("待海关审核")
    await shoot(phone, "registration_2_pending")
    await phone.goto("/h5/ask")
    await expect(phone.get_by_text("企业注册尚未通过海关审核，暂不能提问")).to_be_visible()

    supervisor = await desk(chromium, site, "supervisor")
    await supervisor.get_by_role("link", name="注册审核").click()
    await expect(supervisor.get_by_role("heading", name="企业注册审核")).to_be_visible()
    await shoot(supervisor, "registration_3_admin_list")
    await supervisor.get_by_role("link", name="大连浏览器测试贸易有限公司").click()
    licence = supervisor.get_by_role("img", name=re.compile("营业执照"))
    await expect(licence).to_be_visible()
    assert await licence.evaluate("img => img.naturalWidth") == 480
    await shoot(supervisor, "registration_4_admin_detail")
    await supervisor.get_by_role("button", name="审核通过").click()
    await expect(supervisor.get_by_role("status")).to_have_text("已审核通过，已通知企业管理员")
    registration = await Registration.get(credit_code=CODE).prefetch_related("enterprise")
    assert registration.enterprise.status is EnterpriseStatus.ACTIVE

    await phone.goto("/h5/registration")
    await expect(phone.locator("#review-status")).to_have_text("已通过")
    await phone.get_by_role("link", name="管理企业人员").click()
    await phone.locator("#f-role").select_option("executive")
    await phone.locator("#f-name").fill("高管李四")
    await phone.locator("#f-phone").fill("13700000012")
    await phone.get_by_role("button", name="添加", exact=True).click()
    await expect(phone.get_by_role("status")).to_have_text("已添加，对方可用手机号和验证码登录")
    await expect(phone.get_by_text("高管李四")).to_be_visible()
    await shoot(phone, "registration_5_people")
    assert await scroll_width(phone) <= 390
    added = await Membership.get(person__phone="13700000012")
    assert added.role is MemberRole.EXECUTIVE and added.enterprise_id == registration.enterprise_id

    await phone.get_by_role("link", name="修改").click()
    edit = phone.locator("form.person-edit")
    await edit.get_by_label("手机号").fill("1370000")
    await edit.get_by_role("button", name="保存").click()
    await expect(phone.locator("#err-edit_phone")).to_have_text("请输入正确的 11 位手机号")
    await shoot(phone, "registration_6_people_edit_error")
    await expect(edit.get_by_label("手机号")).to_have_value("1370000")  # what was typed stays
    await phone.locator("form.person-edit").get_by_label("手机号").fill("13700000013")
    await phone.locator("form.person-edit").get_by_role("button", name="保存").click()
    await expect(phone.get_by_role("status")).to_have_text("已保存")
    await expect(phone.get_by_text("137****0013")).to_be_visible()


async def test_a_bad_credit_code_is_shown_next_to_the_field(phones: Phones, site: Site, world: World) -> None:
    phone = await phones.open()
    await fill_registration(phone, site)
    await phone.locator("#f-credit_code").fill(CODE[:17] + ("0" if CODE[17] != "0" else "1"))
    await phone.get_by_role("button", name="提交注册").click()
    await expect(phone.locator("#err-credit_code")).to_have_text("统一社会信用代码校验位不正确，请核对")
    await shoot(phone, "registration_7_bad_code")
    assert await scroll_width(phone) <= 390


async def test_the_account_page_switches_enterprise(phones: Phones, site: Site, world: World) -> None:
    await Membership.create(person_id=world.staff.person_id, enterprise_id=world.solo.id, role=MemberRole.STAFF)
    phone = await phones.open()
    await sign_in(phone, site, world.staff)
    await phone.goto("/h5/account")
    await phone.get_by_label("切换企业").select_option(str(world.solo.id))
    await phone.get_by_role("button", name="切换").click()
    await expect(phone.get_by_role("status")).to_have_text("已切换到“辽宁单人贸易有限公司”")
    await shoot(phone, "registration_8_switcher")
    assert await scroll_width(phone) <= 390
