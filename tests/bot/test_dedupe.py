"""A retried push is handled exactly once, also when the retry arrives mid-handling or at another process
(two app servers sharing one cache twin: in-process, and Redis when configured)."""

from __future__ import annotations

import asyncio
import time

from bot.router import Router
from core.cache import Cache
from tests.bot.support import OPENID, bot_settings, event_xml, reply_fields, serving, signed_query, text_xml
from tests.bot.support import make_app as build


def counting_router(calls: list[str], pause: float = 0.0) -> Router:
    router = Router("counting")

    @router.fallback()
    async def count(message) -> str:
        calls.append(type(message).__name__)
        await asyncio.sleep(pause)  # long enough for the retries to arrive while this runs
        return "已收到"

    return router


async def test_the_same_msg_id_twice_runs_the_handler_once(db_settings, cache: Cache) -> None:
    calls: list[str] = []
    body = text_xml("你好", msg_id="6054768590064713729").encode()
    async with serving(build(bot_settings(db_settings), cache, bot_router=counting_router(calls))) as client:
        first = await client.post("/wechat/callback", params=signed_query(), content=body)
        retry = await client.post("/wechat/callback", params=signed_query(nonce="2"), content=body)
        other = await client.post("/wechat/callback", params=signed_query(),
                                  content=text_xml("你好", msg_id="6054768590064713730").encode())
    assert calls == ["TextMessage", "TextMessage"]  # the first and the other message, not the retry
    assert reply_fields(first)["Content"] == "已收到"
    assert (retry.status_code, retry.text) == (200, "success")
    assert reply_fields(other)["Content"] == "已收到"


async def test_concurrent_retries_at_two_processes_run_the_handler_once(db_settings, cache: Cache) -> None:
    calls: list[str] = []
    body = text_xml("你好", msg_id="6054768590064713731").encode()
    app_a = build(bot_settings(db_settings), cache, bot_router=counting_router(calls, pause=0.3))
    app_b = build(bot_settings(db_settings), cache, bot_router=counting_router(calls, pause=0.3))
    async with serving(app_a) as a, serving(app_b) as b:
        responses = await asyncio.gather(*(
            client.post("/wechat/callback", params=signed_query(nonce=str(i)), content=body)
            for i, client in enumerate([a, b, a, b, a, b])))
    assert calls == ["TextMessage"]
    assert sorted(r.text == "success" for r in responses) == [False] + [True] * 5
    assert all(r.status_code == 200 for r in responses)


async def test_a_retried_event_is_handled_once(db_settings, cache: Cache) -> None:
    body = event_xml("subscribe", create_time=int(time.time())).encode()
    async with serving(build(bot_settings(db_settings), cache)) as client:
        first = await client.post("/wechat/callback", params=signed_query(), content=body)
        retry = await client.post("/wechat/callback", params=signed_query(), content=body)
        later = await client.post("/wechat/callback", params=signed_query(),
                                  content=event_xml("subscribe", create_time=int(time.time()) + 1).encode())
    assert "欢迎关注" in reply_fields(first)["Content"]
    assert retry.text == "success"
    assert "欢迎关注" in reply_fields(later)["Content"]  # a new subscribe (new CreateTime) is answered again


def finish_xml(msg_id: str, create_time: int) -> bytes:
    """TEMPLATESENDJOBFINISH as WeChat pushes it (MsgID with a capital D)."""
    return (f"<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><FromUserName><![CDATA[{OPENID}]]>"
            f"</FromUserName><CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>{msg_id}</MsgID>"
            f"<Status><![CDATA[success]]></Status></xml>").encode()


async def test_two_template_reports_in_one_second_are_two_events_and_a_retry_is_dropped(
        db_settings, cache: Cache) -> None:
    calls: list[str] = []
    router = Router("reports")

    @router.event("TEMPLATESENDJOBFINISH")
    async def record(message) -> None:
        calls.append(str(message.id))

    now = int(time.time())
    async with serving(build(bot_settings(db_settings), cache, bot_router=router)) as client:
        for msg_id in ("200228333", "200228334", "200228333"):
            response = await client.post("/wechat/callback", params=signed_query(), content=finish_xml(msg_id, now))
            assert (response.status_code, response.text) == (200, "success")
    assert calls == ["200228333", "200228334"]
