"""The simulator drives the app's callback as WeChat does: real XML, signed, AES in safe mode, retried when
the app is slow; the passive reply lands in the follower's chat. Against a real app server on a free port."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest
import xmltodict
from sanic import Request, Sanic, text
from wechatpy.crypto import WeChatCrypto

from bot.menu import menu_definition
from bot.router import Router
from simulators.wechat.callback_driver import UNAVAILABLE, CallbackDriver, CallbackTarget
from simulators.wechat.platform import QrCode, WechatPlatform
from tests.bot.support import AES_KEY, APP_ID, PUBLIC_URL, TOKEN, bot_settings, serving, sha1_signature
from tests.bot.support import make_app as build

MENU_KEYS = [(b["key"], b["name"]) for top in menu_definition()["button"] for b in top["sub_button"]]
LINKS = {"QINGLING_ASK": "/h5/ask", "QINGLING_MY_QUESTIONS": "/h5/questions",
         "QINGLING_PUBLIC_QUESTIONS": "/h5/public", "QINGLING_BIND": "/h5/bind", "QINGLING_HELP": "/h5/ask"}


def make_driver(base_url: str, client: httpx.AsyncClient, safe: bool = True, timeout: float = 5.0,
                ) -> tuple[CallbackDriver, str]:
    platform = WechatPlatform(APP_ID, "")
    openid = platform.add_follower("张关务").openid
    target = CallbackTarget(f"{base_url}/wechat/callback", TOKEN, APP_ID, AES_KEY if safe else None)
    return CallbackDriver(platform, target, client, timeout=timeout), openid


def chat(driver: CallbackDriver) -> list[tuple[str, str]]:
    return [(line.sender, line.content) for line in driver.platform.chat]


@pytest.mark.parametrize("safe", [True, False], ids=["safe-mode", "plain-mode"])
async def test_a_text_message_gets_the_help_reply(db_settings, safe: bool) -> None:
    settings = bot_settings(db_settings, **({} if safe else {"encoding_aes_key": None}))
    async with serving(build(settings)) as app_client, httpx.AsyncClient() as client:
        driver, openid = make_driver(str(app_client.base_url), client, safe=safe)
        delivery = await driver.send_text(openid, "怎么用？")

    assert delivery.attempts == ["200"] and not delivery.failed
    assert delivery.reply is not None and delivery.reply["FromUserName"] == driver.target.account
    (sender, asked), (answerer, answer) = chat(driver)
    assert (sender, asked, answerer) == ("user", "怎么用？", "account")
    assert "使用帮助" in answer and f"{PUBLIC_URL}/h5/bind" in answer


async def test_each_menu_click_gets_its_link(db_settings) -> None:
    async with serving(build(bot_settings(db_settings))) as app_client, httpx.AsyncClient() as client:
        driver, openid = make_driver(str(app_client.base_url), client)
        for key, name in MENU_KEYS:
            await driver.click(openid, key, name)

    replies = [content for sender, content in chat(driver) if sender == "account"]
    assert len(replies) == len(MENU_KEYS) == 5
    for (key, _), reply in zip(MENU_KEYS, replies, strict=True):
        assert f"{PUBLIC_URL}{LINKS[key]}" in reply
    assert ("user", "点击菜单「我要提问」") in chat(driver)


async def test_subscribe_is_welcomed_and_unsubscribe_gets_no_reply(db_settings) -> None:
    async with serving(build(bot_settings(db_settings))) as app_client, httpx.AsyncClient() as client:
        driver, openid = make_driver(str(app_client.base_url), client)
        welcomed = await driver.subscribe(openid)
        left = await driver.unsubscribe(openid)

    assert welcomed.reply is not None and "欢迎关注" in welcomed.reply["Content"]
    assert left.attempts == ["200"] and left.reply is None and not left.failed
    assert driver.platform.followers[openid].subscribed is False
    assert chat(driver)[-1] == ("user", "取消关注了公众号")


async def test_a_slow_app_is_retried_and_its_handler_runs_once(db_settings) -> None:
    calls: list[str] = []
    slow = Router("slow")

    @slow.fallback()
    async def take_your_time(content: str) -> str:
        calls.append(content)
        await asyncio.sleep(0.8)  # longer than the driver waits
        return "已收到"

    async with serving(build(bot_settings(db_settings), bot_router=slow)) as app_client, \
            httpx.AsyncClient() as client:
        driver, openid = make_driver(str(app_client.base_url), client, timeout=0.3)
        delivery = await driver.send_text(openid, "你好")
        await asyncio.sleep(0.6)  # let the first request's handler finish before the server stops

    assert delivery.attempts[0] == "timeout" and delivery.attempts[-1] == "200"
    assert calls == ["你好"]
    assert delivery.reply is None  # the retry was answered "success": the message is being handled


def recording_stub(received: list[dict[str, str]], pause: float = 0.0) -> Sanic:
    """A callback that checks both signatures, records the decrypted push, and answers after ``pause``."""
    stub = Sanic(f"stub_{secrets.token_hex(4)}", configure_logging=False)

    @stub.post("/wechat/callback")
    async def record(request: Request):
        args = {k: v[0] for k, v in request.args.items()}
        assert args["signature"] == sha1_signature(TOKEN, args["timestamp"], args["nonce"])
        plain = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(
            request.body.decode(), args["msg_signature"], args["timestamp"], args["nonce"])
        received.append({**xmltodict.parse(plain)["xml"], "nonce": args["nonce"], "xml": plain})
        await asyncio.sleep(pause)
        return text("success")

    return stub


async def test_a_silent_app_gets_the_same_message_four_times_then_the_user_sees_the_failure() -> None:
    received: list[dict[str, str]] = []
    async with serving(recording_stub(received, pause=1)) as stub_client, httpx.AsyncClient() as client:
        driver, openid = make_driver(str(stub_client.base_url), client, timeout=0.2)
        delivery = await driver.send_text(openid, "在吗")

    assert delivery.attempts == ["timeout"] * 4 and delivery.failed
    assert len(received) == 4
    assert {(m["MsgId"], m["CreateTime"], m["Content"], m["FromUserName"]) for m in received} == {
        (delivery.msg_id, received[0]["CreateTime"], "在吗", openid)}
    assert len({m["nonce"] for m in received}) == 4  # each attempt signed afresh
    assert chat(driver)[-1] == ("system", UNAVAILABLE)


async def test_scanning_a_qr_code_subscribes_with_its_scene_then_sends_scan() -> None:
    received: list[dict[str, str]] = []
    async with serving(recording_stub(received)) as stub_client, httpx.AsyncClient() as client:
        driver, openid = make_driver(str(stub_client.base_url), client)
        driver.platform.followers[openid].subscribed = False
        driver.platform.qrcodes["TICKET1"] = QrCode("TICKET1", "QR_STR_SCENE", {"scene_str": "bind:42"}, None,
                                                    "http://weixin.qq.com/q/x")
        await driver.scan(openid, "TICKET1")
        await driver.scan(openid, "TICKET1")

    first, second = received
    assert (first["Event"], first["EventKey"], first["Ticket"]) == ("subscribe", "qrscene_bind:42", "TICKET1")
    assert (second["Event"], second["EventKey"], second["Ticket"]) == ("SCAN", "bind:42", "TICKET1")
    assert driver.platform.followers[openid].subscribed


async def test_a_template_send_result_is_pushed_with_msgid_and_status() -> None:
    received: list[dict[str, str]] = []
    async with serving(recording_stub(received)) as stub_client, httpx.AsyncClient() as client:
        driver, openid = make_driver(str(stub_client.base_url), client)
        await driver.template_finished(openid, 200163836, "failed:user block")

    (pushed,) = received
    assert "<MsgID>200163836</MsgID>" in pushed["xml"]
    assert (pushed["MsgType"], pushed["Event"], pushed["Status"]) == ("event", "TEMPLATESENDJOBFINISH",
                                                                      "failed:user block")
    assert driver.platform.chat == []  # "success": nothing shown


async def test_an_unreadable_reply_shows_the_failure_line() -> None:
    stub = Sanic(f"garbled_{secrets.token_hex(4)}", configure_logging=False)

    @stub.post("/wechat/callback")
    async def garbled(request: Request):
        return text("<xml><Encrypt><![CDATA[not-a-ciphertext]]></Encrypt></xml>")

    async with serving(stub) as stub_client, httpx.AsyncClient() as client:
        driver, openid = make_driver(str(stub_client.base_url), client)
        delivery = await driver.send_text(openid, "你好")

    assert delivery.attempts == ["200"] and delivery.failed and delivery.reply is None
    assert chat(driver)[-1] == ("system", UNAVAILABLE)
