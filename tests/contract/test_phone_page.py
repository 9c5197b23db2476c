"""The phone simulator page, through HTTP on a real app server with the simulator mounted: it renders the
chat and the menu, escapes every text, and its forms reach the app's callback (signed, in safe mode)."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlparse

import pytest
from sanic import Sanic

from core.app import create_app
from simulators.wechat.api import blueprint
from simulators.wechat.phone_page import NO_CALLBACK
from simulators.wechat.platform import WechatPlatform
from tests.bot.support import APP_ID, PUBLIC_URL, bot_settings, serving

PHONE = "/sim/wechat/phone"


@pytest.fixture
async def phone(db_settings):
    """(client of the running app, the simulated platform); the simulator pushes to this very server."""
    app = create_app(bot_settings(db_settings).override(simulators={"enabled": True}))
    simulator = app.blueprints["wechat_simulator"]
    async with serving(app) as client:
        simulator.ctx.callback_url = f"{client.base_url}/wechat/callback"
        yield client, simulator.ctx.platform


async def add_follower(client, platform: WechatPlatform, nickname: str) -> str:
    response = await client.post(f"{PHONE}/followers", data={"nickname": nickname}, follow_redirects=True)
    assert response.status_code == 200
    return platform.active_openid


async def test_the_empty_phone_asks_for_a_follower_and_shows_the_apps_menu(phone) -> None:
    client, platform = phone
    empty = await client.get(PHONE)
    assert empty.status_code == 200 and "请先添加一位微信用户" in empty.text

    openid = await add_follower(client, platform, "张关务")
    page = (await client.get(PHONE, params={"openid": openid})).text

    assert "张关务" in page and "未关注" in page and "关注公众号" in page
    for name in ("问题咨询", "我要提问", "我的问题", "公开问答", "已公开问题", "账号帮助", "绑定账号", "帮助"):
        assert f"<button>{name}</button>" in page or f"<summary>{name}</summary>" in page
    assert 'name="viewport"' in page and 'lang="zh-CN"' in page


async def test_following_then_typing_text_reaches_the_app_and_shows_its_reply(phone) -> None:
    client, platform = phone
    openid = await add_follower(client, platform, "张关务")

    await client.post(f"{PHONE}/subscription", data={"openid": openid, "follow": "1"})
    response = await client.post(f"{PHONE}/send", data={"openid": openid, "content": "怎么用？"},
                                 follow_redirects=True)

    assert response.status_code == 200
    assert platform.followers[openid].subscribed
    assert [(line.sender, line.content[:9]) for line in platform.chat] == [
        ("user", "关注了公众号"), ("account", "您好，欢迎关注大连"),
        ("user", "怎么用？"), ("account", "“清零”问答服务使")]
    assert "怎么用？" in response.text and "使用帮助" in response.text
    assert f'href="{PHONE}/open?openid={openid}&amp;url=https%3A%2F%2Fqingling.example.cn%2Fh5%2Fask"' \
        in response.text


async def test_tapping_a_menu_item_sends_its_click_and_shows_the_link(phone) -> None:
    client, platform = phone
    openid = await add_follower(client, platform, "张关务")
    await client.post(f"{PHONE}/subscription", data={"openid": openid, "follow": "1"})

    page = await client.post(f"{PHONE}/menu", follow_redirects=True, data={
        "openid": openid, "type": "click", "target": "QINGLING_PUBLIC_QUESTIONS", "name": "已公开问题"})

    assert "点击菜单「已公开问题」" in page.text
    assert platform.chat[-1].sender == "account" and f"{PUBLIC_URL}/h5/public" in platform.chat[-1].content


async def test_a_follower_who_does_not_follow_cannot_send(phone) -> None:
    client, platform = phone
    openid = await add_follower(client, platform, "路人")

    page = await client.post(f"{PHONE}/send", data={"openid": openid, "content": "你好"}, follow_redirects=True)

    assert [(line.sender, line.content) for line in platform.chat] == [("system", "请先关注公众号")]
    assert "请先关注公众号" in page.text


async def test_user_and_app_text_is_escaped(phone) -> None:
    client, platform = phone
    openid = await add_follower(client, platform, "<script>x()</script>")
    await client.post(f"{PHONE}/subscription", data={"openid": openid, "follow": "1"})
    await client.post(f"{PHONE}/send", data={"openid": openid, "content": "<b>粗体</b>]]><x/>"})
    platform.record("template", openid, {"template_id": "tpl", "url": f"{PUBLIC_URL}/h5/q?a=1&b=2", "data": {
        "thing1": {"value": "<img src=x onerror=alert(2)>"}}})

    page = (await client.get(PHONE, params={"openid": openid})).text

    assert "<script>x()" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "<b>粗体" not in page and "&lt;b&gt;粗体&lt;/b&gt;]]&gt;&lt;x/&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert platform.chat[2].content == "<b>粗体</b>]]><x/>"  # the app received the text intact


async def test_a_template_message_shows_as_wechat_does_and_its_link_opens_through_oauth(phone) -> None:
    client, platform = phone
    openid = await add_follower(client, platform, "张关务")
    platform.followers[openid].subscribed = True
    token = (await client.get("/sim/wechat/cgi-bin/token", params={
        "grant_type": "client_credential", "appid": APP_ID, "secret": "any"})).json()["access_token"]
    link = f"{PUBLIC_URL}/h5/questions/7"
    sent = await client.post("/sim/wechat/cgi-bin/message/template/send", params={"access_token": token}, json={
        "touser": openid, "template_id": "tpl-reply", "url": link,
        "data": {"first": {"value": "不再显示"}, "thing1": {"value": "危险品报关"}, "phrase2": {"value": "已答复"},
                 "remark": {"value": "不再显示"}}})
    assert sent.json()["errcode"] == 0

    page = (await client.get(PHONE, params={"openid": openid})).text
    assert "<h2>模板消息</h2>" in page
    assert "<dt>thing1</dt><dd>危险品报关</dd><dt>phrase2</dt><dd>已答复</dd>" in page
    assert "不再显示" not in page
    opened = await client.get(f"{PHONE}/open", params={"openid": openid, "url": link})
    assert opened.status_code == 302 and "/sim/wechat/connect/oauth2/authorize?" in opened.headers["location"]
    authorized = await client.get(opened.headers["location"])
    landing = urlparse(authorized.headers["location"])
    assert authorized.status_code == 302 and f"{landing.scheme}://{landing.netloc}{landing.path}" == link
    code = parse_qs(landing.query)["code"][0]
    grant = await client.get("/sim/wechat/sns/oauth2/access_token", params={
        "appid": APP_ID, "secret": "any", "code": code, "grant_type": "authorization_code"})
    assert grant.json()["openid"] == openid and grant.json()["scope"] == "snsapi_base"


async def test_an_app_authorize_link_keeps_its_state_and_gets_the_chosen_follower(phone) -> None:
    client, platform = phone
    first = await add_follower(client, platform, "甲")
    second = await add_follower(client, platform, "乙")
    link = ("http://127.0.0.1:8000/sim/wechat/connect/oauth2/authorize?appid=" + APP_ID +
            "&redirect_uri=https%3A%2F%2Fqingling.example.cn%2Fh5%2Fbind&response_type=code&scope=snsapi_base"
            "&state=signed.state#wechat_redirect")

    opened = await client.get(f"{PHONE}/open", params={"openid": first, "url": link})
    authorized = await client.get(opened.headers["location"])

    landing = urlparse(authorized.headers["location"])
    assert landing.path == "/h5/bind" and parse_qs(landing.query)["state"] == ["signed.state"]
    grant = await client.get("/sim/wechat/sns/oauth2/access_token", params={
        "appid": APP_ID, "secret": "any", "code": parse_qs(landing.query)["code"][0],
        "grant_type": "authorization_code"})
    assert grant.json()["openid"] == first != second


async def test_links_that_are_not_web_pages_are_refused(phone) -> None:
    client, platform = phone
    openid = await add_follower(client, platform, "张关务")
    response = await client.get(f"{PHONE}/open", params={"openid": openid, "url": "javascript:alert(1)"})
    assert response.status_code == 400


async def test_a_simulator_outside_the_app_says_it_cannot_push() -> None:
    platform = WechatPlatform(APP_ID, "")
    openid = platform.add_follower("张关务").openid
    lone = Sanic(f"lone_simulator_{secrets.token_hex(4)}", configure_logging=False)
    lone.blueprint(blueprint(platform))
    async with serving(lone) as client:
        page = await client.get(PHONE)
        await client.post(f"{PHONE}/send", data={"openid": openid, "content": "你好"})

    assert NO_CALLBACK in page.text and "张关务" in page.text
    assert [(line.sender, line.content) for line in platform.chat] == [("system", NO_CALLBACK)]


async def test_scanning_a_qr_code_the_app_created_pushes_it_to_the_app(phone) -> None:
    client, platform = phone
    openid = await add_follower(client, platform, "张关务")
    token = (await client.get("/sim/wechat/cgi-bin/token", params={
        "grant_type": "client_credential", "appid": APP_ID, "secret": "any"})).json()["access_token"]
    ticket = (await client.post("/sim/wechat/cgi-bin/qrcode/create", params={"access_token": token}, json={
        "expire_seconds": 600, "action_name": "QR_STR_SCENE",
        "action_info": {"scene": {"scene_str": "poster:<42>"}}})).json()["ticket"]  # not a binding scene

    page = (await client.get(PHONE, params={"openid": openid})).text
    assert "扫一扫" in page and "poster:&lt;42&gt;" in page
    scanned = await client.post(f"{PHONE}/scan", data={"openid": openid, "ticket": ticket}, follow_redirects=True)

    assert scanned.status_code == 200 and platform.followers[openid].subscribed
    assert platform.chat[-1].sender == "account" and "欢迎关注" in platform.chat[-1].content


async def test_a_registered_template_shows_its_title_and_keyword_labels(phone) -> None:
    client, platform = phone
    openid = await add_follower(client, platform, "张关务")
    platform.followers[openid].subscribed = True
    platform.add_template("tpl-replied", "问题处理进度通知", {"character_string1": "问题编号", "phrase3": "当前状态"})
    token = (await client.get("/sim/wechat/cgi-bin/token", params={
        "grant_type": "client_credential", "appid": APP_ID, "secret": "any"})).json()["access_token"]
    sent = await client.post("/sim/wechat/cgi-bin/message/template/send", params={"access_token": token}, json={
        "touser": openid, "template_id": "tpl-replied",
        "data": {"character_string1": {"value": "9121024267997824X5220017"}, "phrase3": {"value": "海关已答复"},
                 "thing9": {"value": "<未登记>"}}})
    assert sent.json()["errcode"] == 0

    page = (await client.get(PHONE, params={"openid": openid})).text
    assert "<h2>问题处理进度通知</h2>" in page
    assert ("<dt>问题编号</dt><dd>9121024267997824X5220017</dd><dt>当前状态</dt><dd>海关已答复</dd>"
            "<dt>thing9</dt><dd>&lt;未登记&gt;</dd>") in page  # a keyword without a label keeps its name
    assert "character_string1" not in page


async def test_the_apps_configured_templates_are_labelled_on_the_phone(db_settings) -> None:
    templates = {"customs_replied": "TPL_customs_replied"}
    app = create_app(bot_settings(db_settings, templates=templates).override(simulators={"enabled": True}))
    platform = app.blueprints["wechat_simulator"].ctx.platform
    follower = platform.add_follower("张关务")
    platform.record("template", follower.openid, {
        "touser": follower.openid, "template_id": "TPL_customs_replied",
        "data": {"character_string1": {"value": "Q-1"}, "thing2": {"value": "危险品报关"},
                 "phrase3": {"value": "海关已答复"}, "thing4": {"value": "请查看答复并评价"},
                 "time5": {"value": "2026-11-24 21:13"}}})
    async with serving(app) as client:
        page = (await client.get(PHONE, params={"openid": follower.openid})).text
    assert "<h2>问题处理进度通知</h2>" in page
    for label in ("问题编号", "问题标题", "当前状态", "处理说明", "更新时间"):
        assert f"<dt>{label}</dt>" in page
