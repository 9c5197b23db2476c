"""The bot's answers, through the callback: welcome, menu clicks, question numbers, help."""

from __future__ import annotations

import logging

import pytest

from bot import menu
from models.enterprises import Membership, Person
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from tests.bot.support import (
    OPENID,
    PUBLIC_URL,
    bot_settings,
    encrypted_post,
    event_xml,
    reply_fields,
    serving,
    signed_query,
    text_xml,
)
from tests.bot.support import make_app as build
from tests.factories import build_world


async def answer(client, xml: str, openid: str = OPENID) -> str:
    response = await client.post("/wechat/callback", params={**signed_query(), "openid": openid},
                                 content=xml.encode())
    assert response.status_code == 200
    return reply_fields(response)["Content"]


@pytest.mark.parametrize("xml", [event_xml("subscribe"), event_xml("subscribe", key="qrscene_123123")])
async def test_subscribe_is_welcomed_with_the_binding_link(client, xml) -> None:
    text = await answer(client, xml)
    assert "欢迎关注大连海关" in text
    assert f"{PUBLIC_URL}/h5/bind" in text


@pytest.mark.parametrize(("key", "link", "title"), [
    (menu.ASK, "/h5/ask", "我要提问"),
    (menu.MY_QUESTIONS, "/h5/questions", "我的问题"),
    (menu.PUBLIC_QUESTIONS, "/h5/public", "已公开问题"),
    (menu.BIND, "/h5/bind", "绑定账号"),
])
async def test_each_menu_click_gets_a_link_card(client, key, link, title) -> None:
    """A news reply with one article: WeChat shows a tappable card, not a raw address wrapped mid-word."""
    response = await client.post("/wechat/callback", params={**signed_query(), "openid": OPENID},
                                 content=event_xml("CLICK", key=key).encode())
    fields = reply_fields(response)
    assert fields["MsgType"] == "news"
    assert fields["ToUserName"] == OPENID
    assert fields["ArticleCount"] == "1"
    article = fields["Articles"]["item"]
    assert article["Title"] == title
    assert article["Url"] == f"{PUBLIC_URL}{link}"
    assert article["Description"] and "http" not in article["Description"]


async def test_the_help_click_lists_every_page(client) -> None:
    text = await answer(client, event_xml("CLICK", key=menu.HELP))
    assert "使用帮助" in text
    assert all(f"{PUBLIC_URL}{path}" in text for path in ("/h5/ask", "/h5/questions", "/h5/public", "/h5/bind"))


async def test_an_unknown_text_gets_help(client) -> None:
    assert "使用帮助" in await answer(client, text_xml("怎么用？"))


@pytest.fixture
async def submitted(db):
    """A submitted question of the solo enterprise; its member bound to OPENID, an acme member to another."""
    world = await build_world()
    ctx = ServiceContext()
    question = await create_draft(ctx, world.solo_staff, world.solo.id, world.form())
    await submit_question(ctx, world.solo_staff, question.id)
    await Person.filter(id=world.solo_staff.person_id).update(wechat_openid=OPENID)
    await Person.filter(id=world.staff.person_id).update(wechat_openid="oStrangerOfAnotherEnterprise")
    return world, question


async def test_a_bound_member_gets_the_status_and_last_step(db_settings, submitted) -> None:
    _, question = submitted
    async with serving(build(bot_settings(db_settings))) as client:
        text = await answer(client, text_xml(f" {question.number} "))
    assert f"问题编号：{question.number}" in text
    assert "当前状态：已提交" in text
    assert "最新进展：" in text and "单人己 提交" in text


@pytest.mark.parametrize(("openid", "membership_ended"), [
    ("oStrangerOfAnotherEnterprise", False), ("oNeverBound", False), (OPENID, True),
], ids=["member of another enterprise", "unbound", "former member"])
async def test_anyone_else_gets_the_neutral_not_found(db_settings, submitted, openid, membership_ended) -> None:
    world, question = submitted
    if membership_ended:
        await Membership.filter(person_id=world.solo_staff.person_id).update(active=False)
    async with serving(build(bot_settings(db_settings))) as client:
        text = await answer(client, text_xml(question.number, openid=openid), openid=openid)
        unknown = await answer(client, text_xml(question.number[:-4] + "9999", msg_id="2"), openid=OPENID)
    assert text == "未找到该问题或您无权查看"
    assert unknown == "未找到该问题或您无权查看"


async def test_a_number_typed_in_lower_case_is_found(db_settings, submitted) -> None:
    _, question = submitted
    async with serving(build(bot_settings(db_settings))) as client:
        assert question.number.lower() != question.number  # the credit code holds letters
        text = await answer(client, text_xml(question.number.lower()))
    assert f"问题编号：{question.number}" in text
    assert "当前状态：已提交" in text


async def test_the_lookup_works_in_safe_mode_too(db_settings, submitted) -> None:
    _, question = submitted
    query, body = encrypted_post(text_xml(question.number), signed_query())
    async with serving(build(bot_settings(db_settings))) as client:
        response = await client.post("/wechat/callback", params=query, content=body)
    assert "当前状态：已提交" in reply_fields(response)["Content"]


async def test_a_refused_binding_scan_answers_with_the_services_reason(db_settings, db) -> None:
    """The bot's one error handler turns a refusal (DomainError) into its Chinese reason."""
    from core.cache import MemoryCache
    from services.accounts.qr_binding import make_scene
    from services.accounts.wechat_binding import MSG_OPENID_HAS_OTHER

    world = await build_world()
    await Person.filter(id=world.staff.person_id).update(wechat_openid=OPENID)  # this WeChat is someone else's
    cache = MemoryCache("bot-test:")
    scene = await make_scene(cache, world.solo_staff.person_id)
    async with serving(build(bot_settings(db_settings), cache=cache)) as client:
        text = await answer(client, event_xml("SCAN", key=scene))
    assert text == MSG_OPENID_HAS_OTHER


async def test_a_failing_handler_is_logged_with_context_and_answered_busy(db_settings, caplog) -> None:
    """Anything else: a generic Chinese answer; the log names the handler and the message, not the text sent."""
    from bot.handlers import on_failure
    from bot.router import Router

    broken = Router("broken")

    @broken.text()
    async def look_up(content: str) -> str:
        raise RuntimeError("database is down")

    broken.errors()(on_failure)  # the bot's own error handler, on a router whose handler fails
    bot_log = logging.getLogger("qingling.bot")
    bot_log.addHandler(caplog.handler)  # the app's start-up replaces the root logger's handlers
    try:
        async with serving(build(bot_settings(db_settings), bot_router=broken)) as client:
            text = await answer(client, text_xml("13812345678 我的问题怎么样了"))
    finally:
        bot_log.removeHandler(caplog.handler)
    assert text == "系统繁忙，请稍后再试"
    failure = next(r for r in caplog.records if r.name == "qingling.bot" and "look_up failed" in r.getMessage())
    assert "text" in failure.getMessage() and OPENID[:6] in failure.getMessage()
    assert failure.exc_info[1].args == ("database is down",)
    assert "13812345678" not in failure.getMessage() and OPENID not in failure.getMessage()
