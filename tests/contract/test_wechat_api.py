"""The app's WeChat adapter against the simulator: the shared access_token and the calls the app makes.

"Processes" are adapter instances sharing one cache: the in-process twin, and Redis when configured.
The simulator counts the token requests it receives, which is what the refresh rules are about.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from adapters.wechat_api import WechatApi, WechatApiError
from core.cache import Cache
from core.config import Secret, WechatSettings
from tests.contract.conftest import APP_ID, APP_SECRET, MINI_ID, MINI_SECRET, Simulator

NOTICE = {"thing1": {"value": "报关单申报问题"}}
MakeApi = Callable[..., WechatApi]


@pytest.fixture
async def make_api(simulator: Simulator, cache: Cache) -> AsyncIterator[MakeApi]:
    """Adapters ("processes") on the simulator, all sharing the ``cache`` twin under test."""
    made: list[WechatApi] = []

    def make(**overrides: object) -> WechatApi:
        settings = WechatSettings(app_id=APP_ID, app_secret=Secret(APP_SECRET), api_base=simulator.base_url,
                                  miniprogram_app_id=MINI_ID, miniprogram_app_secret=Secret(MINI_SECRET))
        settings = WechatSettings(**{**settings.__dict__, **overrides})
        made.append(WechatApi(settings, cache, timeout=5))
        return made[-1]

    yield make
    for api in made:
        await api.aclose()


def token_requests(simulator: Simulator) -> int:
    return simulator.platform.calls["cgi-bin/token"] + simulator.platform.calls["cgi-bin/stable_token"]


async def test_token_is_cached_and_reused_by_every_process(
        simulator: Simulator, make_api: MakeApi, cache: Cache) -> None:
    follower = simulator.platform.add_follower()
    first, second = make_api(), make_api()

    await first.send_template(follower.openid, "TPL", NOTICE)
    await second.send_template(follower.openid, "TPL", NOTICE)

    assert token_requests(simulator) == 1
    assert await cache.get(first.token_key) == await second.access_token()
    assert len(simulator.platform.sent("template", follower.openid)) == 2


async def test_concurrent_first_calls_in_two_processes_fetch_one_token(
        simulator: Simulator, make_api: MakeApi) -> None:
    first, second = make_api(), make_api()

    tokens = await asyncio.gather(first.access_token(), second.access_token(), first.access_token())

    assert token_requests(simulator) == 1
    assert len(set(tokens)) == 1


async def test_expired_token_is_refreshed_once_and_the_call_retried(
        simulator: Simulator, make_api: MakeApi, cache: Cache) -> None:
    follower = simulator.platform.add_follower()
    api = make_api()
    old = await api.access_token()

    simulator.clock.advance(7200)  # WeChat now answers 42001; our cache still holds the token
    msgid = await api.send_template(follower.openid, "TPL", NOTICE, client_msg_id="q1-replied")

    assert token_requests(simulator) == 2
    assert simulator.platform.calls["cgi-bin/message/template/send"] == 2
    assert [m.msgid for m in simulator.platform.sent("template")] == [msgid]
    assert await cache.get(api.token_key) not in (None, old)


async def test_two_processes_refused_at_once_refresh_once(simulator: Simulator, make_api: MakeApi) -> None:
    follower = simulator.platform.add_follower()
    first, second = make_api(), make_api()
    await first.access_token()

    simulator.platform.expire_access_tokens()
    await asyncio.gather(first.send_text(follower.openid, "一"), second.send_text(follower.openid, "二"))

    assert token_requests(simulator) == 2
    assert sorted(m.body["text"]["content"] for m in simulator.platform.sent("custom")) == ["一", "二"]


async def test_a_token_refused_twice_is_refreshed_only_once(simulator: Simulator, make_api: MakeApi) -> None:
    follower = simulator.platform.add_follower()
    api = make_api()
    simulator.platform.fail_next("cgi-bin/message/custom/send", 40001, times=2)

    with pytest.raises(WechatApiError) as refused:
        await api.send_text(follower.openid, "您好")

    assert refused.value.errcode == 40001
    assert token_requests(simulator) == 2  # the first token, and one refresh
    assert simulator.platform.sent("custom") == []


async def test_a_newer_token_from_another_process_is_not_wiped(
        simulator: Simulator, make_api: MakeApi, cache: Cache) -> None:
    mine, other = make_api(), make_api()
    stale = await mine.access_token()
    newer = await other.token_rejected(stale)  # the other process met the refusal first

    answer = await mine.token_rejected(stale)

    assert newer != stale
    assert answer == newer and await cache.get(mine.token_key) == newer
    assert token_requests(simulator) == 2


async def test_stable_token_mode_uses_stable_token_and_forces_only_after_a_refusal(
        simulator: Simulator, make_api: MakeApi) -> None:
    api = make_api(stable_token=True)
    first = await api.access_token()

    second = await api.token_rejected(first)

    assert simulator.platform.calls["cgi-bin/token"] == 0
    assert simulator.platform.calls["cgi-bin/stable_token"] == 3  # fetch; refetch gives the same token; force
    assert second != first


@pytest.mark.parametrize(("subscribed", "errcode"), [(False, 43004), (None, 40003)])
async def test_non_follower_and_unknown_openid_are_permanent_errors(
        simulator: Simulator, make_api: MakeApi, subscribed: bool | None, errcode: int) -> None:
    openid = "o_unknown_openid_000000000000"
    if subscribed is not None:
        openid = simulator.platform.add_follower(subscribed=subscribed).openid

    with pytest.raises(WechatApiError) as refused:
        await make_api().send_template(openid, "TPL", NOTICE)

    assert (refused.value.errcode, refused.value.permanent, refused.value.retryable) == (errcode, True, False)
    assert "require subscribe" in refused.value.errmsg or "invalid openid" in refused.value.errmsg


@pytest.mark.parametrize("errcode", [-1, 45009])
async def test_system_busy_and_quota_are_retryable_not_permanent(
        simulator: Simulator, make_api: MakeApi, errcode: int) -> None:
    follower = simulator.platform.add_follower()
    simulator.platform.fail_next("cgi-bin/message/template/send", errcode)

    with pytest.raises(WechatApiError) as refused:
        await make_api().send_template(follower.openid, "TPL", NOTICE)

    assert (refused.value.errcode, refused.value.permanent, refused.value.retryable) == (errcode, False, True)


async def test_network_failure_is_a_retryable_error_without_errcode(make_api: MakeApi) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    api = make_api(api_base=f"http://127.0.0.1:{port}")

    with pytest.raises(WechatApiError) as failed:
        await api.access_token()

    assert failed.value.errcode is None and failed.value.retryable


async def test_jscode2session_gives_the_openid_once(simulator: Simulator, make_api: MakeApi) -> None:
    api = make_api()
    code = simulator.platform.wx_login("o_mini_program_user_00000000")

    session = await api.jscode2session(code)
    with pytest.raises(WechatApiError) as reused:
        await api.jscode2session(code)
    with pytest.raises(WechatApiError) as invalid:
        await api.jscode2session("not-a-code")

    assert session["openid"] == "o_mini_program_user_00000000" and session["session_key"]
    assert (reused.value.errcode, invalid.value.errcode) == (40163, 40029)


async def test_jscode2session_code_expires_after_five_minutes(simulator: Simulator, make_api: MakeApi) -> None:
    code = simulator.platform.wx_login()
    simulator.clock.advance(300)

    with pytest.raises(WechatApiError) as expired:
        await make_api().jscode2session(code)

    assert expired.value.errcode == 40029


async def test_jscode2session_with_a_wrong_secret_is_refused(simulator: Simulator, make_api: MakeApi) -> None:
    api = make_api(miniprogram_app_secret=Secret("wrong-secret"))

    with pytest.raises(WechatApiError) as refused:
        await api.jscode2session(simulator.platform.wx_login())

    assert refused.value.errcode == 40125


async def test_oauth_link_comes_back_with_a_code_for_the_follower(simulator: Simulator, make_api: MakeApi) -> None:
    follower = simulator.platform.add_follower("张三")
    api = make_api()
    link = api.oauth_url("http://127.0.0.1:8000/h5/bind", state="abc123")

    async with httpx.AsyncClient() as browser:
        consent = await browser.get(link.split("#")[0])
    query = parse_qs(urlparse(consent.headers["location"]).query)
    grant = await api.oauth_grant(query["code"][0])
    with pytest.raises(WechatApiError) as reused:
        await api.oauth_grant(query["code"][0])

    assert link.endswith("&response_type=code&scope=snsapi_base&state=abc123#wechat_redirect")
    assert (grant.openid, grant.scope, query["state"]) == (follower.openid, "snsapi_base", ["abc123"])
    assert reused.value.errcode == 40163


async def test_menu_and_qrcode_round_trip(simulator: Simulator, make_api: MakeApi) -> None:
    api = make_api()
    menu = {"button": [{"type": "click", "name": "帮助", "key": "HELP"}]}

    await api.create_menu(menu)
    qrcode = await api.create_qrcode("bind:5f2c", expire_seconds=300)
    async with httpx.AsyncClient() as browser:
        image = await browser.get(api.qrcode_image_url(qrcode["ticket"]))

    assert await api.get_menu() == menu
    assert qrcode["expire_seconds"] == 300
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
