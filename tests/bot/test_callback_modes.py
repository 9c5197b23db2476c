"""Pushes in plain, compatible and safe mode get the right passive reply; handlers slower than the deadline
answer "success" at once and their reply follows as a customer-service message."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.router import Router
from tests.bot.support import (
    ACCOUNT,
    OPENID,
    RecordingCustomerService,
    bot_settings,
    encrypted_post,
    event_xml,
    reply_fields,
    serving,
    signed_query,
    text_xml,
)
from tests.bot.support import make_app as build


async def test_plain_mode_text_gets_a_plain_text_reply(client) -> None:
    response = await client.post("/wechat/callback", params=signed_query(), content=text_xml("你好").encode())
    assert response.status_code == 200
    reply = reply_fields(response)
    assert "Encrypt" not in response.text
    assert (reply["ToUserName"], reply["FromUserName"], reply["MsgType"]) == (OPENID, ACCOUNT, "text")
    assert "使用帮助" in reply["Content"]


@pytest.mark.parametrize("compat", [False, True], ids=["safe", "compatible"])
async def test_encrypted_modes_get_an_encrypted_reply(client, compat) -> None:
    query, body = encrypted_post(text_xml("你好"), signed_query(), compat=compat)
    response = await client.post("/wechat/callback", params=query, content=body)
    assert response.status_code == 200
    assert "<Encrypt>" in response.text and "使用帮助" not in response.text
    reply = reply_fields(response)
    assert (reply["ToUserName"], reply["FromUserName"]) == (OPENID, ACCOUNT)
    assert "使用帮助" in reply["Content"]


async def test_an_event_with_nothing_to_say_is_answered_success(client) -> None:
    response = await client.post("/wechat/callback", params=signed_query(), content=event_xml("unsubscribe").encode())
    assert (response.status_code, response.text) == (200, "success")


async def test_a_slow_handler_answers_success_in_time_and_replies_later(db_settings) -> None:
    release = asyncio.Event()
    slow = Router("slow")

    @slow.fallback()
    async def take_your_time() -> str:
        await release.wait()
        return "您的问题已处理完毕"

    recorder = RecordingCustomerService()
    app = build(bot_settings(db_settings, reply_deadline_seconds=1), bot_router=slow, customer_service=recorder)
    async with serving(app) as client:
        started = time.monotonic()
        response = await client.post("/wechat/callback", params=signed_query(), content=text_xml("查询").encode())
        elapsed = time.monotonic() - started
        assert (response.status_code, response.text) == (200, "success")
        assert 0.9 < elapsed < 2
        assert recorder.sent == []
        release.set()
        await asyncio.wait_for(recorder.arrived.wait(), timeout=5)
    assert recorder.sent == [(OPENID, "您的问题已处理完毕")]


async def test_a_failing_handler_gets_the_user_a_busy_text_not_a_500(db_settings) -> None:
    broken = Router("broken")

    @broken.fallback()
    async def fail() -> str:
        raise RuntimeError("database is down")

    async with serving(build(bot_settings(db_settings), bot_router=broken)) as client:
        response = await client.post("/wechat/callback", params=signed_query(), content=text_xml("查询").encode())
    assert response.status_code == 200
    assert reply_fields(response)["Content"] == "系统繁忙，请稍后再试"
