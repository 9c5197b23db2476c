"""The WeChat channel end to end, as in ``make demo``: a follower in the phone simulator subscribes, binds
with phone + SMS code (the Alibaba Cloud SDK to the SMS simulator), taps every menu item, opens the H5 links
through OAuth, and receives template messages whose links open the question."""

from __future__ import annotations

import re

import httpx

from bot import menu
from core.config import DatabaseSettings
from models.enterprises import Person
from models.lifecycle import Importance
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.exec_review import exec_approve_question
from services.questions.handling import accept_question
from tests.factories import World
from tests.http.support import SimulatedSite, simulated_site

PHONE = "/sim/wechat/phone"
STAFF_PHONE = "13900000004"
MENU_PAGES = {menu.ASK: "/h5/ask", menu.MY_QUESTIONS: "/h5/questions", menu.PUBLIC_QUESTIONS: "/h5/public",
              menu.BIND: "/h5/account", menu.HELP: "/h5/ask"}


def last_reply(site: SimulatedSite, openid: str) -> str:
    lines = [line for line in site.wechat.chat if line.openid == openid and line.sender == "account"]
    assert lines, "the account did not answer"
    return lines[-1].content


async def open_in_phone(site: SimulatedSite, openid: str, link: str) -> httpx.Response:
    """Tap a link in the chat: WeChat wraps it in an authorization, the app signs the follower in."""
    return await site.client.get(f"{PHONE}/open", params={"openid": openid, "url": link}, follow_redirects=True)


async def test_a_follower_subscribes_binds_uses_the_menu_and_gets_template_messages(
        db: DatabaseSettings, world: World) -> None:
    async with simulated_site(db) as site:
        added = await site.client.post(f"{PHONE}/followers", data={"nickname": "关务丁"})
        assert added.status_code == 303
        openid = site.wechat.active_openid
        await site.client.post(f"{PHONE}/subscription", data={"openid": openid, "follow": "1"})
        welcome = last_reply(site, openid)
        assert "欢迎关注" in welcome and f"{site.base_url}/h5/bind" in welcome

        bind_page = await open_in_phone(site, openid, f"{site.base_url}/h5/bind")
        assert bind_page.status_code == 200 and "验证并绑定" in bind_page.text
        await site.client.post("/h5/bind/code", data={"phone": STAFF_PHONE})
        code = await site.last_code(STAFF_PHONE)
        bound = await site.client.post("/h5/bind", data={"phone": STAFF_PHONE, "code": code, "next": "/h5/"},
                                       follow_redirects=True)
        assert bound.status_code == 200 and "关务丁" in bound.text
        assert (await Person.get(id=world.staff.person_id)).wechat_openid == openid

        for key, path in MENU_PAGES.items():
            await site.client.post(f"{PHONE}/menu", data={"openid": openid, "type": "click", "target": key})
            link = re.search(rf"{re.escape(site.base_url)}/h5/\S*", last_reply(site, openid))
            assert link, last_reply(site, openid)
            opened = await open_in_phone(site, openid, link.group())
            assert opened.status_code == 200 and opened.url.path == path, (key, opened.url)

        ctx = ServiceContext()
        question = await create_draft(ctx, world.staff, world.acme.id, world.form())
        await submit_question(ctx, world.staff, question.id, executive_id=world.executive.person_id)
        await exec_approve_question(ctx, world.executive, question.id, Importance.NORMAL)
        await accept_question(ctx, world.officer, question.id)
        await site.dispatch_outbox()
        (notice,) = site.wechat.sent("template", openid)
        assert notice.body["url"] == f"{site.base_url}/h5/questions/{question.id}"
        executive_sms = await site.sms_inbox("13900000002")
        assert any("待您审核" in m["content"] for m in executive_sms)  # the executive is not bound: SMS

        phone_page = await site.client.get(PHONE, params={"openid": openid})
        assert "海关已受理" in phone_page.text
        detail = await open_in_phone(site, openid, notice.body["url"])
        assert detail.status_code == 200 and question.number in detail.text
