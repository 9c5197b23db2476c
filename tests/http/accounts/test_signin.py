"""Signing in: phone + SMS code in a browser, snsapi_base OAuth inside WeChat (against the WeChat simulator),
binding an openid with phone + code, binding by scanning a QR code, the mini-program's token, unbinding."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from core.config import DatabaseSettings, Secret
from models.audit import AuditEntry
from models.enterprises import Person
from tests.bot.support import AES_KEY, TOKEN, event_xml, reply_fields, signed_query
from tests.contract.conftest import APP_ID, APP_SECRET, MINI_ID, MINI_SECRET, Simulator, simulator  # noqa: F401
from tests.factories import World
from tests.http.support import PUBLIC_URL, WECHAT_UA, Site, running_site, simulated_site, web_settings

STAFF_PHONE = "13900000004"  # world.staff


@pytest.fixture
async def wx_site(db: DatabaseSettings, world: World, simulator: Simulator) -> AsyncIterator[Site]:  # noqa: F811
    wechat = {"app_id": APP_ID, "app_secret": Secret(APP_SECRET), "api_base": simulator.base_url,
              "token": Secret(TOKEN), "encoding_aes_key": Secret(AES_KEY),
              "miniprogram_app_id": MINI_ID, "miniprogram_app_secret": Secret(MINI_SECRET)}
    async with running_site(web_settings(db, wechat=wechat)) as running:
        yield running


def local(location: str) -> str:
    """A redirect to the public URL, taken to the test server instead."""
    return location.removeprefix(PUBLIC_URL)


async def sms_sign_in(client: httpx.AsyncClient, site: Site, phone: str = STAFF_PHONE,
                      next_path: str = "/h5/questions") -> httpx.Response:
    sent = await client.post("/h5/login/code", data={"phone": phone, "next": next_path})
    assert sent.status_code == 200 and "验证码已发送" in sent.text
    return await client.post("/h5/login", data={"phone": phone, "code": site.sms.last_code(phone), "next": next_path})


# ---- phone + SMS code -------------------------------------------------------------------------------------------

async def test_a_registered_phone_signs_in_with_the_code_and_lands_on_next(site: Site) -> None:
    response = await sms_sign_in(site.client, site)
    assert response.status_code == 303 and response.headers["location"] == "/h5/questions"
    cookie = response.headers["set-cookie"]
    assert "ql_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    me = (await site.client.get("/api/v1/me")).json()
    assert me["person"]["name"] == "关务丁" and me["person"]["phone"] == "139****0004"
    assert me["enterprise"]["name"] == "大连示例进出口有限公司" and me["role"] == "staff"


async def test_the_login_page_is_a_form_that_works_without_javascript(site: Site) -> None:
    page = await site.client.get("/h5/login?next=/h5/ask")
    assert page.status_code == 200
    assert 'formaction="/h5/login/code"' in page.text and 'name="next" value="/h5/ask"' in page.text


async def test_a_wrong_code_is_shown_beside_the_field_and_the_phone_is_kept(site: Site) -> None:
    await site.client.post("/h5/login/code", data={"phone": STAFF_PHONE})
    wrong = "000000" if site.sms.last_code(STAFF_PHONE) != "000000" else "111111"
    response = await site.client.post("/h5/login", data={"phone": STAFF_PHONE, "code": wrong})
    assert response.status_code == 400
    assert "验证码错误，还可以再试 4 次" in response.text and f'value="{STAFF_PHONE}"' in response.text
    assert "ql_session" not in response.headers.get("set-cookie", "")


async def test_an_unregistered_phone_is_told_to_ask_its_admin(site: Site) -> None:
    await site.client.post("/h5/login/code", data={"phone": "13700000000"})
    response = await site.client.post("/h5/login", data={"phone": "13700000000",
                                                          "code": site.sms.last_code("13700000000")})
    assert response.status_code == 404 and "该手机号未登记" in response.text


async def test_a_second_code_within_a_minute_is_refused_with_a_clear_message(site: Site) -> None:
    assert (await site.client.post("/api/v1/auth/sms-code", json={"phone": STAFF_PHONE})).status_code == 204
    again = await site.client.post("/api/v1/auth/sms-code", json={"phone": STAFF_PHONE})
    assert again.status_code == 429
    assert again.json()["error"] == {"code": "rate_limited", "message": "验证码发送过于频繁，请 60 秒后再试",
                                     "field": "phone"}
    page = await site.client.post("/h5/login/code", data={"phone": STAFF_PHONE})
    assert page.status_code == 429 and "验证码发送过于频繁" in page.text


async def test_next_only_goes_to_this_sites_paths(site: Site) -> None:
    response = await sms_sign_in(site.client, site, next_path="https://evil.example/steal")
    assert response.headers["location"] == "/h5/"


async def test_signing_in_again_replaces_the_session(site: Site) -> None:
    first = (await sms_sign_in(site.client, site)).cookies["ql_session"]
    second = (await sms_sign_in(site.client, site, phone="13900000005")).cookies["ql_session"]  # staff2
    assert first != second
    old = httpx.AsyncClient(base_url=site.client.base_url, cookies={"ql_session": first})
    async with old:
        assert (await old.get("/api/v1/me")).status_code == 401


async def test_logout_ends_the_session(site: Site, world: World) -> None:
    browser = await site.browser(world.staff)
    response = await browser.post_form("/h5/logout")
    assert response.status_code == 303 and response.headers["location"] == "/h5/login"
    assert (await browser.get("/api/v1/me")).status_code == 401


async def test_home_and_account_pages_show_who_is_signed_in(site: Site, world: World) -> None:
    executive = await site.browser(world.executive)
    home = await executive.get("/h5/")
    assert home.status_code == 200 and "高管乙" in home.text and "待我审核" in home.text
    staff_home = await (await site.browser(world.staff)).get("/h5/")
    assert "待我审核" not in staff_home.text
    account = await executive.get("/h5/account")
    assert "139****0002" in account.text and "未绑定" in account.text and "企业高管" in account.text


# ---- WeChat OAuth (snsapi_base) and binding --------------------------------------------------------------------

async def oauth_round(site: Site, simulator: Simulator, openid: str, next_path: str) -> httpx.Response:  # noqa: F811
    """Open a page inside WeChat: the app's authorize link, the simulator's consent, back to the callback."""
    start = await site.client.get(f"/h5/oauth?next={next_path}", headers={"user-agent": WECHAT_UA})
    assert start.status_code == 302
    authorize = urlsplit(start.headers["location"])
    query = parse_qs(authorize.query)
    assert query["scope"] == ["snsapi_base"] and query["redirect_uri"] == [f"{PUBLIC_URL}/h5/oauth/callback"]
    async with httpx.AsyncClient() as wechat:
        consent = await wechat.get(start.headers["location"].split("#")[0] + f"&sim_openid={openid}")
    assert consent.status_code in (302, 303)
    return await site.client.get(local(consent.headers["location"]))


async def test_an_unbound_follower_binds_with_phone_and_code_then_lands_on_next(
        wx_site: Site, simulator: Simulator, world: World) -> None:  # noqa: F811
    follower = simulator.platform.add_follower("关务丁")
    callback = await oauth_round(wx_site, simulator, follower.openid, "/h5/questions")
    assert callback.status_code == 303 and callback.headers["location"] == "/h5/bind?next=%2Fh5%2Fquestions"
    form = await wx_site.client.get("/h5/bind?next=%2Fh5%2Fquestions")
    assert form.status_code == 200 and "验证并绑定" in form.text
    await wx_site.client.post("/h5/bind/code", data={"phone": STAFF_PHONE})
    bound = await wx_site.client.post("/h5/bind", data={"phone": STAFF_PHONE, "next": "/h5/questions",
                                                        "code": wx_site.sms.last_code(STAFF_PHONE)})
    assert bound.status_code == 303 and bound.headers["location"] == "/h5/questions"
    assert (await Person.get(id=world.staff.person_id)).wechat_openid == follower.openid
    assert (await wx_site.client.get("/api/v1/me")).json()["person"]["wechat_bound"] is True
    assert await AuditEntry.filter(action="wechat.bind", actor_id=world.staff.person_id).exists()


async def test_a_bound_follower_is_signed_in_by_oauth_alone(
        wx_site: Site, simulator: Simulator, world: World) -> None:  # noqa: F811
    follower = simulator.platform.add_follower("关务丁")
    await Person.filter(id=world.staff.person_id).update(wechat_openid=follower.openid)
    callback = await oauth_round(wx_site, simulator, follower.openid, "/h5/ask")
    assert callback.status_code == 303 and callback.headers["location"] == "/h5/ask"
    assert (await wx_site.client.get("/api/v1/me")).json()["person"]["name"] == "关务丁"


async def test_a_forged_or_reused_state_is_refused(wx_site: Site, simulator: Simulator) -> None:  # noqa: F811
    follower = simulator.platform.add_follower()
    forged = await wx_site.client.get("/h5/oauth/callback?code=abc&state=" + "0" * 56)
    assert forged.status_code == 403 and "链接已失效" in forged.text
    first = await oauth_round(wx_site, simulator, follower.openid, "/h5/")
    assert first.status_code == 303
    replay = await wx_site.client.get(str(first.request.url).replace(str(wx_site.client.base_url), ""))
    assert replay.status_code == 403


async def test_a_used_oauth_code_is_refused_clearly(wx_site: Site, simulator: Simulator) -> None:  # noqa: F811
    follower = simulator.platform.add_follower()
    state = await wx_site.app.ctx.oauth_states.make_state("/h5/")
    code = simulator.platform.oauth_code(follower.openid, "snsapi_base")
    simulator.platform.redeem(code)  # somebody used it already
    response = await wx_site.client.get(f"/h5/oauth/callback?code={code}&state={state}")
    assert response.status_code == 403 and "微信授权已失效" in response.text


async def test_a_page_link_wrapped_by_wechat_goes_through_the_apps_own_oauth(wx_site: Site) -> None:
    response = await wx_site.client.get("/h5/bind?code=unsigned&state=")
    assert response.status_code == 303 and response.headers["location"].startswith("/h5/oauth?next=")


async def test_unbinding_ends_the_session_and_frees_the_openid(site: Site, world: World) -> None:
    await Person.filter(id=world.staff.person_id).update(wechat_openid="o_staff")
    browser = await site.browser(world.staff)
    response = await browser.post_form("/h5/account/unbind")
    assert response.status_code == 303
    assert (await Person.get(id=world.staff.person_id)).wechat_openid is None
    assert (await browser.get("/api/v1/me")).status_code == 401


# ---- binding by scanning a QR code ------------------------------------------------------------------------------

async def test_scanning_the_accounts_qr_code_binds_that_wechat(
        wx_site: Site, simulator: Simulator, world: World) -> None:  # noqa: F811
    browser = await wx_site.browser(world.staff)
    page = await browser.get("/h5/account/wechat")
    assert page.status_code == 200 and "/cgi-bin/showqrcode?ticket=" in page.text
    assert 'data-poll="/h5/account/wechat/status"' in page.text  # the page asks until the scan is done
    assert (await browser.get("/h5/account/wechat/status")).json() == {"bound": False}
    (code,) = simulator.platform.qrcodes.values()
    follower = simulator.platform.add_follower("关务丁")
    xml = event_xml("SCAN", key=code.scene["scene_str"], openid=follower.openid)
    reply = await wx_site.client.post("/wechat/callback", params=signed_query(), content=xml)
    assert "绑定成功" in reply_fields(reply)["Content"]
    assert (await Person.get(id=world.staff.person_id)).wechat_openid == follower.openid
    assert (await browser.get("/h5/account/wechat/status")).json() == {"bound": True}
    again = await wx_site.client.post("/wechat/callback", params=signed_query(nonce="2"),
                                      content=event_xml("SCAN", key=code.scene["scene_str"], openid="o_other",
                                                                    create_time=1))
    assert "已失效" in reply_fields(again)["Content"]


# ---- the mini-program -------------------------------------------------------------------------------------------

async def test_a_mini_program_user_binds_once_then_gets_a_token_directly(
        wx_site: Site, simulator: Simulator, world: World) -> None:  # noqa: F811
    openid = "o_mini_staff"
    first = await wx_site.client.post("/api/v1/auth/miniprogram", json={"code": simulator.platform.wx_login(openid)})
    assert first.status_code == 200 and first.json()["needs_binding"] is True and first.json()["me"] is None
    bearer = {"authorization": f"Bearer {first.json()['token']}"}
    assert (await wx_site.client.get("/api/v1/me", headers=bearer)).status_code == 401
    await wx_site.client.post("/api/v1/auth/sms-code", json={"phone": STAFF_PHONE})
    bound = await wx_site.client.post("/api/v1/auth/bind", headers=bearer,
                                      json={"phone": STAFF_PHONE, "code": wx_site.sms.last_code(STAFF_PHONE)})
    assert bound.status_code == 200 and bound.json()["me"]["person"]["name"] == "关务丁"
    later = await wx_site.client.post("/api/v1/auth/miniprogram", json={"code": simulator.platform.wx_login(openid)})
    token = later.json()["token"]
    assert later.json()["needs_binding"] is False
    assert (await wx_site.client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"})).status_code == 200


async def test_a_bad_mini_program_code_is_a_chinese_400(wx_site: Site) -> None:
    response = await wx_site.client.post("/api/v1/auth/miniprogram", json={"code": "not-a-code"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "登录凭证无效或已过期，请重新进入小程序"


async def test_the_demo_mini_program_signs_in_through_the_simulators_wx_login(db: DatabaseSettings) -> None:
    async with simulated_site(db) as site:  # configured as ``qingling demo`` is (core/demo.py)
        login = await site.client.post("/sim/wechat/miniprogram/wx-login", params={"openid": "o_demo_mini"})
        signed = await site.client.post("/api/v1/auth/miniprogram", json={"code": login.json()["code"]})
    assert signed.status_code == 200 and signed.json()["needs_binding"] is True and signed.json()["token"]


async def test_without_a_configured_mini_program_its_sign_in_is_a_chinese_404(db: DatabaseSettings) -> None:
    async with running_site(web_settings(db)) as site:
        response = await site.client.post("/api/v1/auth/miniprogram", json={"code": "any"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "本系统未开通小程序登录"
