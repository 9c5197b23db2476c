"""The WeChat simulator driven by wechatpy's real (synchronous, requests-based) client.

wechatpy 1.8 hard-codes its token URL to WeChat's host (it does not follow ``API_BASE_URL``), so the client
below points its token fetch at the simulator; everything else goes through ``API_BASE_URL``, as it would
against WeChat.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from wechatpy import WeChatClient, WeChatOAuth
from wechatpy.exceptions import WeChatClientException, WeChatOAuthException

from tests.contract.conftest import APP_ID, APP_SECRET, Simulator

MENU = {"button": [
    {"type": "click", "name": "我要提问", "key": "ASK"},
    {"name": "我的", "sub_button": [
        {"type": "click", "name": "我的问题", "key": "MINE"},
        {"type": "view", "name": "绑定账号", "url": "http://127.0.0.1:8000/h5/bind"}]},
]}
NOTICE = {"thing1": {"value": "报关单申报问题"}, "time2": {"value": "2026年11月24日 10:00"}}


class SimulatorClient(WeChatClient):
    """wechatpy's client with every URL, the token fetch included, on the simulator."""

    def __init__(self, base_url: str, secret: str = APP_SECRET) -> None:
        super().__init__(APP_ID, secret, timeout=5)
        self.API_BASE_URL = f"{base_url}/cgi-bin/"

    def fetch_access_token(self) -> dict:
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        return self._fetch_access_token(url=f"{self.API_BASE_URL}token", params=params)


@pytest.fixture
def client(simulator: Simulator) -> SimulatorClient:
    return SimulatorClient(simulator.base_url)


def test_token_is_fetched_once_and_reused(simulator: Simulator, client: SimulatorClient) -> None:
    follower = simulator.platform.add_follower("张三")

    client.message.send_text(follower.openid, "您好")
    client.message.send_text(follower.openid, "再见")

    assert simulator.platform.calls["cgi-bin/token"] == 1
    assert [m.body["text"]["content"] for m in simulator.platform.sent("custom", follower.openid)] == ["您好", "再见"]


def test_wrong_secret_is_refused_with_40125(simulator: Simulator) -> None:
    with pytest.raises(WeChatClientException) as refused:
        SimulatorClient(simulator.base_url, secret="not-the-secret").fetch_access_token()

    assert refused.value.errcode == 40125


def test_template_message_is_recorded_with_its_msgid(simulator: Simulator, client: SimulatorClient) -> None:
    follower = simulator.platform.add_follower("李四")

    answer = client.message.send_template(follower.openid, "TPL_REPLY", NOTICE, url="http://127.0.0.1:8000/h5/q/1")

    [sent] = simulator.platform.sent("template", follower.openid)
    assert answer["errcode"] == 0 and answer["msgid"] == sent.msgid
    assert sent.body["data"] == NOTICE and sent.body["url"] == "http://127.0.0.1:8000/h5/q/1"


@pytest.mark.parametrize(("subscribed", "errcode"), [(False, 43004), (None, 40003)])
def test_template_to_a_non_follower_or_unknown_openid_is_refused(
        simulator: Simulator, client: SimulatorClient, subscribed: bool | None, errcode: int) -> None:
    openid = "o_unknown_openid_000000000000"
    if subscribed is not None:
        openid = simulator.platform.add_follower("王五", subscribed=subscribed).openid

    with pytest.raises(WeChatClientException) as refused:
        client.message.send_template(openid, "TPL_REPLY", NOTICE)

    assert refused.value.errcode == errcode
    assert simulator.platform.sent("template") == []


def test_expired_token_gets_42001_and_wechatpy_refetches(simulator: Simulator, client: SimulatorClient) -> None:
    follower = simulator.platform.add_follower()
    client.message.send_text(follower.openid, "一")
    client.expires_at = None  # wechatpy would otherwise refresh early by its own clock, before WeChat says so

    simulator.clock.advance(7200)
    client.message.send_text(follower.openid, "二")

    assert simulator.platform.calls["cgi-bin/token"] == 2
    assert simulator.platform.calls["cgi-bin/message/custom/send"] == 3  # one refused with 42001, retried


def test_injected_faults_answer_the_next_calls_then_stop(simulator: Simulator, client: SimulatorClient) -> None:
    follower = simulator.platform.add_follower()
    simulator.platform.fail_next("cgi-bin/message/template/send", -1, times=2)

    for _ in range(2):
        with pytest.raises(WeChatClientException) as busy:
            client.message.send_template(follower.openid, "TPL_REPLY", NOTICE)
        assert busy.value.errcode == -1
    client.message.send_template(follower.openid, "TPL_REPLY", NOTICE)

    assert len(simulator.platform.sent("template")) == 1


def test_per_minute_quota_refuses_with_45011_until_the_next_minute(
        simulator: Simulator, client: SimulatorClient) -> None:
    follower = simulator.platform.add_follower()
    simulator.platform.minute_quota["cgi-bin/message/custom/send"] = 2
    simulator.clock.advance(60 - simulator.clock() % 60)  # the start of a minute
    client.message.send_text(follower.openid, "一")
    client.message.send_text(follower.openid, "二")

    with pytest.raises(WeChatClientException) as limited:
        client.message.send_text(follower.openid, "三")
    simulator.clock.advance(60)
    client.message.send_text(follower.openid, "四")

    assert limited.value.errcode == 45011
    assert [m.body["text"]["content"] for m in simulator.platform.sent("custom")] == ["一", "二", "四"]


def test_menu_create_then_get_round_trips(simulator: Simulator, client: SimulatorClient) -> None:
    before = client.menu.get()  # wechatpy turns 46003 "menu no exist" into None

    client.menu.create(MENU)

    assert before is None
    assert client.menu.get() == {"menu": MENU}


@pytest.mark.parametrize(("menu", "errcode"), [
    ({"button": [{"type": "click", "name": f"按钮{i}", "key": f"K{i}"} for i in range(4)]}, 40016),
    ({"button": [{"type": "click", "name": "这是一个超过十六字节的名字", "key": "K"}]}, 40018),
    ({"button": [{"type": "click", "name": "提问"}]}, 40019),
    ({"button": [{"name": "我的", "sub_button": []}]}, 40023),
    ({"button": [{"name": "我的", "sub_button": [{"type": "jump", "name": "跳", "key": "K"}]}]}, 40024),
])
def test_invalid_menus_are_refused_and_the_old_menu_kept(
        simulator: Simulator, client: SimulatorClient, menu: dict, errcode: int) -> None:
    client.menu.create(MENU)

    with pytest.raises(WeChatClientException) as refused:
        client.menu.create(menu)

    assert refused.value.errcode == errcode
    assert simulator.platform.menu == MENU


def test_temporary_qrcode_is_shown_until_it_expires(simulator: Simulator, client: SimulatorClient) -> None:
    answer = client.qrcode.create({"expire_seconds": 600, "action_name": "QR_STR_SCENE",
                                   "action_info": {"scene": {"scene_str": "bind:5f2c"}}})
    image_url = f"{simulator.base_url}/cgi-bin/showqrcode"

    shown = requests.get(image_url, params={"ticket": answer["ticket"]}, timeout=5)
    simulator.clock.advance(600)
    expired = requests.get(image_url, params={"ticket": answer["ticket"]}, timeout=5)

    assert answer["expire_seconds"] == 600 and answer["url"].startswith("http://weixin.qq.com/q/")
    assert simulator.platform.qrcodes[answer["ticket"]].scene == {"scene_str": "bind:5f2c"}
    assert shown.status_code == 200 and shown.content.startswith(b"\x89PNG")
    assert expired.status_code == 404


def test_oauth_redirects_with_a_single_use_code_for_the_chosen_follower(simulator: Simulator) -> None:
    simulator.platform.add_follower("张三")
    chosen = simulator.platform.add_follower("李四")
    oauth = WeChatOAuth(APP_ID, APP_SECRET, "http://127.0.0.1:8000/h5/bind?next=%2Fh5", "snsapi_userinfo", "s1")
    oauth.API_BASE_URL = f"{simulator.base_url}/"
    oauth.OAUTH_BASE_URL = f"{simulator.base_url}/connect/"

    consent = requests.get(oauth.authorize_url, params={"sim_openid": chosen.openid}, allow_redirects=False,
                           timeout=5)
    back = urlparse(consent.headers["Location"])
    query = parse_qs(back.query)
    token = oauth.fetch_access_token(query["code"][0])
    with pytest.raises(WeChatOAuthException) as reused:
        oauth.fetch_access_token(query["code"][0])

    assert consent.status_code == 302 and back.path == "/h5/bind"
    assert query["next"] == ["/h5"] and query["state"] == ["s1"]
    assert token["openid"] == chosen.openid and token["scope"] == "snsapi_userinfo"
    assert oauth.get_user_info()["nickname"] == "李四"
    assert reused.value.errcode == 40163
