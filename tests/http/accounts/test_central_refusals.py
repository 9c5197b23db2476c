"""单一窗口账号快捷登录: every refusal ends on a clear Chinese page (never a 500) and changes nothing.

Bad, replayed or foreign ``state``; a used or expired code; an id_token with a wrong nonce or audience;
the user cancelling at the provider; an enterprise not registered here; a duplicate user name; a wrong
password (with lock-out on the password sign-in); an identity provider that is switched off.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from core.config import DatabaseSettings
from models.enterprises import EnterpriseStatus, Person
from models.identities import CentralLink, LocalAccount
from services.accounts.passwords import hash_password
from tests.factories import World, credit_code
from tests.http.accounts.central_support import LOCAL_PASSWORD, Browser, CentralSite, central_site
from tests.http.support import csrf_of, running_site, web_settings

BAD_STATE = "登录请求已失效或已使用"
CODE_REJECTED = "单一窗口授权已失效（授权码已使用或已过期）"
TOKEN_INVALID = "单一窗口返回的身份凭证未通过校验"
UNREGISTERED = credit_code("91210200MA0QYYYY1")


@pytest.fixture
async def site(db: DatabaseSettings, world: World) -> AsyncIterator[CentralSite]:
    async with central_site(db) as running:
        running.add_user("acme_newbie", "sub-newbie", "新员工甲", "13700000001", world.acme.credit_code,
                         world.acme.name)
        running.add_user("stranger", "sub-stranger", "孙三", "13700000003", UNREGISTERED, "大连未注册贸易有限公司")
        yield running


def _with(url: str, **changes: str) -> str:
    parts = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return parts._replace(query=urlencode(query)).geturl()


def _refused(response, status: int, message: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert message in response.text and "重新登录" in response.text


async def test_a_forged_state_is_refused(site: CentralSite) -> None:
    browser = site.browser()
    callback = await browser.log_in_at_provider(await browser.to_provider(), "acme_newbie")
    state = parse_qs(urlparse(callback).query)["state"][0]
    forged = state[:-1] + ("0" if state[-1] != "0" else "1")
    _refused(await browser.client.get(_with(callback, state=forged)), 403, BAD_STATE)
    _refused(await browser.client.get(_with(callback, state="not-a-state")), 403, BAD_STATE)
    _refused(await browser.client.get("/h5/central/callback", params={"code": "x"}), 403, BAD_STATE)


async def test_a_replayed_state_is_refused(site: CentralSite) -> None:
    browser = site.browser()
    callback = await browser.log_in_at_provider(await browser.to_provider(), "acme_newbie")
    assert (await browser.client.get(callback)).status_code == 303
    _refused(await browser.client.get(callback), 403, BAD_STATE)


async def test_a_callback_in_another_browser_is_refused(site: CentralSite) -> None:
    browser = site.browser()
    callback = await browser.log_in_at_provider(await browser.to_provider(), "acme_newbie")
    _refused(await site.browser().client.get(callback), 403, BAD_STATE)  # no flow cookie: login CSRF


async def test_an_expired_code_is_refused(site: CentralSite) -> None:
    browser = site.browser()
    callback = await browser.log_in_at_provider(await browser.to_provider(), "acme_newbie")
    site.idp.advance(61)
    _refused(await browser.client.get(callback), 403, CODE_REJECTED)


async def test_a_used_code_is_refused(site: CentralSite) -> None:
    browser = site.browser()
    first = await browser.log_in_at_provider(await browser.to_provider(), "acme_newbie")
    assert (await browser.client.get(first)).status_code == 303  # the code is used now
    used_code = parse_qs(urlparse(first).query)["code"][0]
    second = await browser.log_in_at_provider(await browser.to_provider(), "acme_newbie")
    _refused(await browser.client.get(_with(second, code=used_code)), 403, CODE_REJECTED)


@pytest.mark.parametrize("spoiled", [{"nonce": "a-nonce-of-another-sign-in"}, {"aud": "another-client"}])
async def test_an_id_token_with_a_wrong_nonce_or_audience_is_refused(site: CentralSite,
                                                                     spoiled: dict[str, str]) -> None:
    browser = site.browser()
    callback = await browser.log_in_at_provider(await browser.to_provider(), "acme_newbie")
    site.idp.id_token_overrides = dict(spoiled)
    _refused(await browser.client.get(callback), 403, TOKEN_INVALID)
    assert (await browser.client.get("/h5/central/first")).status_code == 403  # nothing pending


async def test_cancelling_at_the_provider(site: CentralSite) -> None:
    browser = site.browser()
    callback = await browser.log_in_at_provider(await browser.to_provider(), "", "", action="cancel")
    _refused(await browser.client.get(callback), 403, "您已取消单一窗口账号登录")


async def _first_form(site: CentralSite, username: str) -> tuple[Browser, str]:
    browser = site.browser()
    await browser.central_sign_in(username)
    return browser, csrf_of((await browser.client.get("/h5/central/first")).text)


async def test_an_enterprise_not_registered_here_is_explained(site: CentralSite) -> None:
    browser, csrf = await _first_form(site, "stranger")
    refused = await browser.client.post("/h5/central/register", data={
        "csrf_token": csrf, "username": "sunsan", "password": LOCAL_PASSWORD, "password2": LOCAL_PASSWORD})
    assert refused.status_code == 400
    assert "大连未注册贸易有限公司" in refused.text and "尚未在本平台注册" in refused.text
    assert not await Person.filter(phone="13700000003").exists()
    assert not await LocalAccount.exists() and not await CentralLink.exists()


async def test_an_enterprise_under_review_is_explained(site: CentralSite, world: World) -> None:
    world.acme.status = EnterpriseStatus.PENDING_REVIEW
    await world.acme.save()
    browser, csrf = await _first_form(site, "acme_newbie")
    refused = await browser.client.post("/h5/central/register", data={
        "csrf_token": csrf, "username": "newbie", "password": LOCAL_PASSWORD, "password2": LOCAL_PASSWORD})
    assert refused.status_code == 400 and "正在海关审核中" in refused.text
    assert not await LocalAccount.exists()


async def test_registration_form_refusals(site: CentralSite, world: World) -> None:
    await LocalAccount.create(person_id=world.admin.person_id, username="taken_name",
                              password_hash=hash_password(LOCAL_PASSWORD), created_at=world.acme.created_at)
    browser, csrf = await _first_form(site, "acme_newbie")
    cases = [({"username": "Taken_Name"}, "用户名 taken_name 已被使用"), ({"username": "a b"}, "用户名为 4–50 位"),
             ({"password": "short1", "password2": "short1"}, "密码至少 10 位"),
             ({"password2": "Different2026"}, "两次输入的密码不一致")]
    for changes, message in cases:
        data = {"csrf_token": csrf, "username": "newbie", "password": LOCAL_PASSWORD, "password2": LOCAL_PASSWORD}
        refused = await browser.client.post("/h5/central/register", data=data | changes)
        assert refused.status_code == 400 and message in refused.text, message
    no_csrf = await browser.client.post("/h5/central/register", data={"username": "newbie"})
    assert no_csrf.status_code == 403
    assert await LocalAccount.all().count() == 1 and not await CentralLink.exists()


async def test_password_sign_in_locks_after_five_failures(site: CentralSite, world: World) -> None:
    await LocalAccount.create(person_id=world.staff.person_id, username="guanwu_ding",
                              password_hash=hash_password(LOCAL_PASSWORD), created_at=world.acme.created_at)
    client = site.browser().client
    unknown = await client.post("/h5/login/password", data={"username": "nobody", "password": LOCAL_PASSWORD})
    assert unknown.status_code == 400 and "用户名或密码错误" in unknown.text
    for left in (4, 3, 2, 1):
        wrong = await client.post("/api/v1/auth/password-login", json={"username": "guanwu_ding", "password": "x"})
        assert wrong.status_code == 400 and f"再错 {left} 次" in wrong.json()["error"]["message"]
    locked = await client.post("/h5/login/password", data={"username": "guanwu_ding", "password": "x"})
    assert locked.status_code == 429 and "账号已锁定" in locked.text
    right = await client.post("/api/v1/auth/password-login",
                              json={"username": "guanwu_ding", "password": LOCAL_PASSWORD})
    assert right.status_code == 429 and right.json()["error"]["field"] == "password"


async def test_first_time_pages_need_a_pending_central_sign_in(site: CentralSite) -> None:
    client = site.browser().client
    assert "单一窗口登录已过期" in (await client.get("/h5/central/first")).text
    assert (await client.post("/h5/central/register", data={"username": "x"})).status_code == 403


async def test_a_switched_off_provider_says_so(db: DatabaseSettings) -> None:
    async with running_site(web_settings(db)) as plain:
        login = await plain.client.get("/h5/login")
        assert "单一窗口账号快捷登录" not in login.text and "账号密码登录" in login.text
        start = await plain.client.get("/h5/central/start")
        assert start.status_code == 403 and "未开通单一窗口账号登录" in start.text
