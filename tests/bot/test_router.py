"""The router on its own: filters, first match wins, arguments by name, included routers, fallback."""

from __future__ import annotations

import pytest
from wechatpy import parse_message

from bot.router import Router
from tests.bot.support import event_xml, text_xml


def build() -> Router:
    router = Router()

    @router.text(exact="帮助")
    async def exact() -> str:
        return "exact"

    @router.text(regex=r"查询(\d+)")
    async def regex(match) -> str:
        return f"regex {match.group(1)}"

    @router.text(keyword="海关")
    async def keyword(content: str, openid: str) -> str:
        return f"keyword {content} from {openid}"

    @router.text(keyword="大连")
    async def shadowed() -> str:
        return "shadowed"

    @router.event("subscribe")
    async def subscribe(key) -> str:
        return f"subscribe {key or '-'}"

    @router.event("SCAN")
    async def scan(key) -> str:
        return f"scan {key}"

    @router.click("K1")
    async def click(message) -> str:
        return f"click {message.key}"

    @router.event("TEMPLATESENDJOBFINISH")
    async def finished(message, **anything) -> str:
        return f"finished {message.status} {sorted(anything)}"

    @router.message("image")
    async def image() -> str:
        return "image"

    @router.fallback()
    async def fallback(extra) -> str:
        return f"fallback {extra}"

    return router


async def route(router: Router, xml: str) -> str:
    return await router.dispatch(parse_message(xml), extra="deps passed through")


IMAGE = ("<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
         "<MsgType>image</MsgType><PicUrl>http://x</PicUrl><MediaId>m</MediaId><MsgId>9</MsgId></xml>")
FINISHED = ("<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
            "<MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><MsgID>200163836</MsgID>"
            "<Status>failed:user block</Status></xml>")


async def test_filters_and_first_match_wins() -> None:
    router = build()
    assert await route(router, text_xml("帮助")) == "exact"
    assert await route(router, text_xml("查询123")) == "regex 123"
    assert await route(router, text_xml("大连海关你好", openid="o1")) == "keyword 大连海关你好 from o1"
    assert await route(router, text_xml("大连")) == "shadowed"  # reached only when "海关" is absent
    assert await route(router, text_xml("查询abc")) == "fallback deps passed through"


async def test_events_by_name_and_menu_key() -> None:
    router = build()
    assert await route(router, event_xml("subscribe")) == "subscribe -"
    assert await route(router, event_xml("subscribe", key="qrscene_42")) == "subscribe 42"
    assert await route(router, event_xml("SCAN", key="42")) == "scan 42"
    assert await route(router, event_xml("CLICK", key="K1")) == "click K1"
    assert await route(router, event_xml("CLICK", key="K2")) == "fallback deps passed through"
    assert await route(router, IMAGE) == "image"
    assert await route(router, FINISHED) == (
        "finished failed:user block ['content', 'extra', 'key', 'match', 'openid']")


async def test_included_routers_come_after_own_routes_and_before_the_fallback() -> None:
    parent, child = Router("parent"), Router("child")

    @parent.text(exact="一")
    async def one() -> str:
        return "parent"

    @child.text(exact="一")
    async def child_one() -> str:
        return "child shadowed"

    @child.text(exact="二")
    async def two() -> str:
        return "child"

    @parent.fallback()
    async def other() -> str:
        return "fallback"

    @child.click("C")
    async def c() -> None:
        return None

    parent.include(child)
    assert [await route(parent, text_xml(t)) for t in ("一", "二", "三")] == ["parent", "child", "fallback"]
    assert parent.click_keys() == {"C"}


async def test_nothing_matches_without_a_fallback() -> None:
    assert await route(Router(), text_xml("你好")) is None


class Refused(Exception):
    """A refusal with a reason, standing in for the services' DomainError."""


async def test_an_error_goes_to_the_first_matching_error_handler_own_router_first() -> None:
    parent, child = Router("parent"), Router("child")

    @child.text(exact="拒绝")
    async def refuse() -> str:
        raise Refused("不能这样做")

    @child.text(exact="崩溃")
    async def crash() -> str:
        raise RuntimeError("boom")

    @parent.text(exact="父级崩溃")
    async def parent_crash() -> str:
        raise KeyError("x")

    @child.errors(Refused)
    async def on_refused(error: Refused, handler, openid: str) -> str:
        return f"child {error} ({handler.__name__}, {openid})"

    @parent.errors()
    async def on_anything(error: Exception, extra: str) -> str:
        return f"parent {type(error).__name__} {extra}"

    parent.include(child)
    assert await route(parent, text_xml("拒绝", openid="o7")) == "child 不能这样做 (refuse, o7)"
    assert await route(parent, text_xml("崩溃")) == "parent RuntimeError deps passed through"
    assert await route(parent, text_xml("父级崩溃")) == "parent KeyError deps passed through"


async def test_an_error_no_error_handler_takes_propagates() -> None:
    router = Router()

    @router.fallback()
    async def crash() -> str:
        raise RuntimeError("boom")

    @router.errors(Refused)
    async def on_refused() -> str:
        return "refused"

    with pytest.raises(RuntimeError, match="boom"):
        await route(router, text_xml("你好"))
