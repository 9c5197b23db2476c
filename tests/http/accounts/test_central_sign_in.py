"""单一窗口账号快捷登录 end to end over HTTP: the app with the identity-provider simulator mounted, real
redirects, a real token exchange (client_secret_basic + PKCE) and real id_token validation (RS256, JWKS).

Quick registration, binding an existing local account, the later central sign-in that goes straight in,
the local user name + password sign-in (pages and API), and unlinking.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.config import DatabaseSettings
from models.audit import AuditEntry
from models.enterprises import MemberRole, Membership, Person
from models.identities import CentralLink, LocalAccount
from services.accounts.passwords import hash_password
from tests.factories import World
from tests.http.accounts.central_support import LOCAL_PASSWORD, CentralSite, central_site
from tests.http.support import csrf_of


@pytest.fixture
async def site(db: DatabaseSettings, world: World) -> AsyncIterator[CentralSite]:
    async with central_site(db) as running:
        running.add_user("acme_newbie", "sub-newbie", "新员工甲", "13700000001", world.acme.credit_code,
                         world.acme.name)
        running.add_user("acme_staff", "sub-staff", "关务丁", "13900000004", world.acme.credit_code, world.acme.name)
        running.add_user("acme_binder", "sub-binder", "高管乙", "13700000002", world.acme.credit_code,
                         world.acme.name)
        yield running


def _actions(entries: list[AuditEntry]) -> list[str]:
    return [e.action for e in entries]


async def test_the_login_page_offers_password_and_central_sign_in(site: CentralSite) -> None:
    page = await site.browser().client.get("/h5/login", params={"next": "/h5/questions"})
    assert page.status_code == 200
    assert 'action="/h5/login/password"' in page.text
    assert 'href="/h5/central/start?next=/h5/questions"' in page.text and "单一窗口账号快捷登录" in page.text


async def test_quick_registration_then_every_login_works(site: CentralSite, world: World) -> None:
    browser = site.browser()
    callback = await browser.central_sign_in("acme_newbie")
    assert (callback.status_code, callback.headers["location"]) == (303, "/h5/central/first")
    first = await browser.client.get("/h5/central/first")
    assert "新员工甲" in first.text and "137****0001" in first.text and world.acme.credit_code in first.text
    assert 'value="acme_newbie"' in first.text  # the central user name is offered as the local one
    done = await browser.client.post("/h5/central/register", data={
        "csrf_token": csrf_of(first.text), "username": "Newbie01", "password": LOCAL_PASSWORD,
        "password2": LOCAL_PASSWORD})
    assert done.status_code == 303 and done.headers["location"].startswith("/h5/central/done?")
    success = await browser.client.get(done.headers["location"])
    assert "快速注册成功" in success.text and 'href="/h5/questions"' in success.text
    assert (await browser.client.get("/h5/questions")).status_code == 200

    person = await Person.get(phone="13700000001")
    assert person.name == "新员工甲"
    account = await LocalAccount.get(person_id=person.id)
    assert account.username == "newbie01" and account.password_hash.startswith("$argon2")
    assert (await CentralLink.get(person_id=person.id)).subject == "sub-newbie"
    membership = await Membership.get(person_id=person.id)
    assert (membership.enterprise_id, membership.role) == (world.acme.id, MemberRole.STAFF)
    assert {"central_link.link", "local_account.create", "membership.join"} <= set(
        _actions(await AuditEntry.filter(actor_id=person.id, actor_kind="person")))

    again = site.browser()  # later: the central account goes straight in, no second login
    straight = await again.central_sign_in("acme_newbie", next_path="/h5/questions")
    assert (straight.status_code, straight.headers["location"]) == (303, "/h5/questions")
    assert (await again.client.get("/h5/questions")).status_code == 200

    by_password = site.browser()  # and the local user name + password works too
    signed = await by_password.client.post("/h5/login/password", data={
        "username": "NEWBIE01", "password": LOCAL_PASSWORD, "next": "/h5/questions"})
    assert (signed.status_code, signed.headers["location"]) == (303, "/h5/questions")
    assert (await by_password.client.get("/h5/")).status_code == 200

    api = await site.browser().client.post("/api/v1/auth/password-login",
                                           json={"username": "newbie01", "password": LOCAL_PASSWORD})
    assert api.status_code == 200, api.text
    me = await site.browser().client.get("/api/v1/me", headers={"authorization": f"Bearer {api.json()['token']}"})
    assert me.json()["person"]["name"] == "新员工甲" and me.json()["enterprise"]["id"] == world.acme.id


async def test_a_person_already_registered_with_the_verified_phone_is_reused(site: CentralSite,
                                                                           world: World) -> None:
    browser = site.browser()
    await browser.central_sign_in("acme_staff")
    done = await browser.post_page_form("/h5/central/first", "/h5/central/register", {
        "username": "guanwu_ding", "password": LOCAL_PASSWORD, "password2": LOCAL_PASSWORD})
    assert done.status_code == 303
    account = await LocalAccount.get(username="guanwu_ding")
    assert account.person_id == world.staff.person_id
    assert await Membership.filter(person_id=world.staff.person_id).count() == 1  # no second membership


async def test_binding_an_existing_local_account(site: CentralSite, world: World) -> None:
    await LocalAccount.create(person_id=world.executive.person_id, username="gaoguan_yi",
                              password_hash=hash_password(LOCAL_PASSWORD), created_at=world.acme.created_at)
    browser = site.browser()
    await browser.central_sign_in("acme_binder")
    form = await browser.client.get("/h5/central/first", params={"mode": "bind"})
    assert 'action="/h5/central/bind"' in form.text
    wrong = await browser.client.post("/h5/central/bind", data={
        "csrf_token": csrf_of(form.text), "username": "gaoguan_yi", "password": "not-the-password1"})
    assert wrong.status_code == 400 and "用户名或密码错误，再错 4 次" in wrong.text
    assert not await CentralLink.exists()
    done = await browser.client.post("/h5/central/bind", data={
        "csrf_token": csrf_of(form.text), "username": "gaoguan_yi", "password": LOCAL_PASSWORD})
    assert done.status_code == 303 and "kind=bind" in done.headers["location"]
    assert "绑定成功" in (await browser.client.get(done.headers["location"])).text
    link = await CentralLink.get(subject="sub-binder")
    assert link.person_id == world.executive.person_id
    assert await AuditEntry.filter(action="central_link.link", actor_id=world.executive.person_id).exists()
    later = await site.browser().central_sign_in("acme_binder", next_path="/h5/review")
    assert later.headers["location"] == "/h5/review"


async def test_unlinking_brings_back_the_first_time_choice(site: CentralSite, world: World) -> None:
    browser = site.browser()
    await browser.central_sign_in("acme_newbie")
    await browser.post_page_form("/h5/central/first", "/h5/central/register", {
        "username": "newbie02", "password": LOCAL_PASSWORD, "password2": LOCAL_PASSWORD})
    shown = await browser.client.get("/h5/account/central")
    assert "newbie02" in shown.text and "acme_newbie" in shown.text
    unlinked = await browser.client.post("/h5/account/central/unlink", data={"csrf_token": csrf_of(shown.text)})
    assert unlinked.status_code == 303
    assert "已解除单一窗口账号绑定" in (await browser.client.get(unlinked.headers["location"])).text
    assert not await CentralLink.exists()
    assert await AuditEntry.filter(action="central_link.unlink").exists()
    again = await site.browser().central_sign_in("acme_newbie")
    assert again.headers["location"] == "/h5/central/first"


async def test_unlinking_over_the_api(site: CentralSite) -> None:
    browser = site.browser()
    await browser.central_sign_in("acme_newbie")
    await browser.post_page_form("/h5/central/first", "/h5/central/register", {
        "username": "newbie03", "password": LOCAL_PASSWORD, "password2": LOCAL_PASSWORD})
    token = (await browser.client.post("/api/v1/auth/password-login",
                                       json={"username": "newbie03", "password": LOCAL_PASSWORD})).json()["token"]
    headers = {"authorization": f"Bearer {token}"}
    assert (await browser.client.delete("/api/v1/me/central-identity", headers=headers)).status_code == 204
    second = await browser.client.delete("/api/v1/me/central-identity", headers=headers)
    assert second.status_code == 404 and second.json()["error"]["message"] == "您的账号未绑定单一窗口账号"
