"""Officers' WeChat, end to end through the WeChat simulator (as in ``make demo``): an officer shows the binding
QR code of /admin/account/wechat, scans it in the phone simulator (a new follower: subscribe with the scene),
and then gets a template message for every new question of the office, whose link opens the admin page."""

from __future__ import annotations

import re

from core.config import DatabaseSettings
from models.customs_accounts import CustomsAccount, CustomsRole
from models.lifecycle import ReplyKind
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.forwarding import forward_question
from services.questions.handling import reply_question
from tests.factories import World
from tests.http.support import SimulatedSite, desk_for, simulated_site

PHONE = "/sim/wechat/phone"
ctx = ServiceContext()


def last_reply(site: SimulatedSite, openid: str) -> str:
    lines = [line for line in site.wechat.chat if line.openid == openid and line.sender == "account"]
    assert lines, "the account did not answer"
    return lines[-1].content


async def scan_binding_code(site: SimulatedSite, html: str, nickname: str) -> str:
    """A new WeChat user scans the code shown on the page; returns their openid."""
    ticket = re.search(r"showqrcode\?ticket=([^\"&]+)", html)
    assert ticket, "no QR code on the page"
    await site.client.post(f"{PHONE}/followers", data={"nickname": nickname})
    openid = site.wechat.active_openid
    scanned = await site.client.post(f"{PHONE}/scan", data={"openid": openid, "ticket": ticket.group(1)})
    assert scanned.status_code in (200, 303)
    return openid


async def test_an_officer_binds_by_scanning_and_gets_new_questions(db: DatabaseSettings, world: World) -> None:
    async with simulated_site(db) as site:
        officer = await desk_for(site, "officer")  # type: ignore[arg-type] - a Desk needs only the client
        page = await officer.get("/admin/account/wechat")
        assert page.status_code == 200 and "扫描下方二维码" in page.text
        openid = await scan_binding_code(site, page.text, "关员甲")
        assert "绑定成功！officer" in last_reply(site, openid)
        assert (await CustomsAccount.get(username="officer")).wechat_openid == openid
        assert "您的账号已绑定微信" in (await officer.get("/admin/account/wechat")).text

        q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(title="加工贸易手册核销"))
        await submit_question(ctx, world.solo_staff, q.id)
        await site.dispatch_outbox()
        (notice,) = site.wechat.sent("template", openid)
        assert notice.body["template_id"] == "TPL_customs_new_question"
        assert notice.body["url"] == f"{site.base_url}/admin/questions/{q.id}"
        data = notice.body["data"]
        assert data["thing2"]["value"] == "加工贸易手册核销" and data["phrase4"]["value"] == "待受理"
        assert data["thing3"]["value"] == "辽宁单人贸易有限公司"
        opened = await officer.get(notice.body["url"].removeprefix(site.base_url))
        assert opened.status_code == 200 and q.number in opened.text

        unbound = await officer.post("/admin/account/wechat/unbind")
        assert unbound.status_code == 303
        assert (await CustomsAccount.get(username="officer")).wechat_openid is None
        q2 = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(title="第二个问题"))
        await submit_question(ctx, world.solo_staff, q2.id)
        await site.dispatch_outbox()
        assert len(site.wechat.sent("template", openid)) == 1  # unbound: nothing more


async def test_a_forward_notifies_the_new_office_and_a_used_code_is_refused(db: DatabaseSettings,
                                                                           world: World) -> None:
    await CustomsAccount.create(username="tariff_officer", name="关税科关员", password_hash="-",
                                office=world.tariff_dept, role=CustomsRole.OFFICER)
    async with simulated_site(db) as site:
        tariff = await desk_for(site, "tariff_officer")  # type: ignore[arg-type]
        page = await tariff.get("/admin/account/wechat")
        openid = await scan_binding_code(site, page.text, "关税科关员")
        assert "绑定成功" in last_reply(site, openid)
        other = await scan_binding_code(site, page.text, "别人")  # the same code again: used up
        assert "已失效" in last_reply(site, other)
        assert (await CustomsAccount.get(username="tariff_officer")).wechat_openid == openid

        q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form())
        await submit_question(ctx, world.solo_staff, q.id)
        await site.dispatch_outbox()
        assert site.wechat.sent("template", openid) == []  # not the tariff department's question yet
        await forward_question(ctx, world.officer, q.id, world.tariff_dept.id, "请关税科办理")
        await site.dispatch_outbox()
        (notice,) = site.wechat.sent("template", openid)
        assert notice.body["data"]["phrase4"]["value"] == "转交待办"
        assert notice.body["url"].endswith(f"/admin/questions/{q.id}")
        await reply_question(ctx, world.supervisor, q.id, ReplyKind.ANSWER, "答复")
        await site.dispatch_outbox()
        assert len(site.wechat.sent("template", openid)) == 1
