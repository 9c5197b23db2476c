"""The bot's answers, through the callback: welcome, menu clicks, question numbers, help."""

from __future__ import annotations

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


@pytest.mark.parametrize(("key", "link", "words"), [
    (menu.ASK, "/h5/ask", "提问"),
    (menu.MY_QUESTIONS, "/h5/questions", "我的问题"),
    (menu.PUBLIC_QUESTIONS, "/h5/public", "已公开"),
    (menu.BIND, "/h5/bind", "绑定账号"),
    (menu.HELP, "/h5/questions", "使用帮助"),
])
async def test_each_menu_click_gets_its_link(client, key, link, words) -> None:
    text = await answer(client, event_xml("CLICK", key=key))
    assert f"{PUBLIC_URL}{link}" in text
    assert words in text


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


async def test_the_lookup_works_in_safe_mode_too(db_settings, submitted) -> None:
    _, question = submitted
    query, body = encrypted_post(text_xml(question.number), signed_query())
    async with serving(build(bot_settings(db_settings))) as client:
        response = await client.post("/wechat/callback", params=query, content=body)
    assert "当前状态：已提交" in reply_fields(response)["Content"]
