"""TEMPLATESENDJOBFINISH from the simulator, and its template registry (titles and keyword labels).

After accepting a template message, the simulator mounted in the app (as in the demo) pushes WeChat's
delivery report to the app's callback, signed and encrypted like every push; the app records it on the
outbox row (services/notifications/outbox_results.py). The report is off on a bare ``blueprint(platform)``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.router import Router
from core.app import create_app
from core.config import DatabaseSettings, Secret
from models.outbox import OutboxMessage, OutboxStatus
from services.notifications.events import Event
from simulators.wechat.api import REPORT_DELAY, blueprint_for
from simulators.wechat.platform import WechatPlatform
from simulators.wechat.templates import APP_TEMPLATES
from templates_msg.definitions import DEFINITIONS, Occasion
from tests.bot.support import APP_ID, bot_settings, serving

SIM = "/sim/wechat"


def demo_like_settings(db_settings: Any, **wechat: Any):  # noqa: ANN201
    """The app with its simulator mounted; its callback is reached through ``ctx.callback_url``."""
    return bot_settings(db_settings, **wechat).override(simulators={"enabled": True})


async def send_template(client: Any, platform: WechatPlatform, openid: str, **extra: Any) -> int:
    token = (await client.get(f"{SIM}/cgi-bin/token", params={
        "grant_type": "client_credential", "appid": APP_ID, "secret": "any"})).json()["access_token"]
    sent = (await client.post(f"{SIM}/cgi-bin/message/template/send", params={"access_token": token}, json={
        "touser": openid, "template_id": "TPL_REPLIED", "data": {"thing2": {"value": "危险品报关"}}, **extra})).json()
    assert sent["errcode"] == 0
    return int(sent["msgid"])


async def eventually(check: Any, seconds: float = 3.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not reached in time")


@pytest.fixture
async def reporting(db_settings):
    """(client, platform, reports the app's router received) with reports 50 ms after each template."""
    app = create_app(demo_like_settings(db_settings))
    received: list[tuple[str, str, str]] = []
    recorder = Router("recorder")

    @recorder.event("TEMPLATESENDJOBFINISH")
    async def record(message: Any) -> None:
        received.append((message.source, str(message.id), str(message.status)))

    app.ctx.bot_router = recorder
    simulator = app.blueprints["wechat_simulator"]
    platform: WechatPlatform = simulator.ctx.platform
    platform.report_template_results_after = 0.05
    async with serving(app) as client:
        simulator.ctx.callback_url = f"{client.base_url}/wechat/callback"
        yield client, platform, received


async def test_an_accepted_template_is_reported_to_the_app_signed_and_encrypted(reporting) -> None:
    client, platform, received = reporting
    openid = platform.add_follower("张关务").openid

    msgid = await send_template(client, platform, openid, client_msg_id="outbox-1")
    again = await send_template(client, platform, openid, client_msg_id="outbox-1")  # de-duplicated: no report

    async def reported() -> bool:
        return bool(received)

    await eventually(reported)
    await asyncio.sleep(0.2)
    assert again == msgid
    assert received == [(openid, str(msgid), "success")]  # decrypted and verified by the app's callback
    assert platform.chat == []  # the platform's own report: nothing in the follower's chat


async def test_a_user_who_unfollowed_meanwhile_is_reported_as_user_block(reporting) -> None:
    client, platform, received = reporting
    follower = platform.add_follower("李关务")

    msgid = await send_template(client, platform, follower.openid)
    follower.subscribed = False

    async def reported() -> bool:
        return bool(received)

    await eventually(reported)
    assert received == [(follower.openid, str(msgid), "failed:user block")]


async def test_the_report_reaches_the_outbox_row(db: DatabaseSettings) -> None:
    app = create_app(demo_like_settings(db))
    simulator = app.blueprints["wechat_simulator"]
    platform: WechatPlatform = simulator.ctx.platform
    platform.report_template_results_after = 0.05
    async with serving(app) as client:
        simulator.ctx.callback_url = f"{client.base_url}/wechat/callback"
        follower = platform.add_follower("王关务")
        now = datetime.now(UTC)
        row = await OutboxMessage.create(event=Event.CUSTOMS_REPLIED.value, payload={}, dedupe_key="report:1",
                                         next_attempt_at=now, created_at=now, status=OutboxStatus.SENT,
                                         channel="wechat")
        row.wechat_msgid = await send_template(client, platform, follower.openid)
        await row.save()
        follower.subscribed = False  # the report will say the user refused it

        async def recorded() -> bool:
            return (await OutboxMessage.get(id=row.id)).status == OutboxStatus.FAILED

        await eventually(recorded)
        stored = await OutboxMessage.get(id=row.id)
    assert stored.payload["wechat_status"] == "failed:user block"
    assert "failed:user block" in stored.last_error


def test_reports_are_on_for_the_apps_own_simulator_and_off_otherwise() -> None:
    from core.config import WechatSettings

    demo = WechatSettings(app_id="wx_demo", api_base="http://127.0.0.1:8000/sim/wechat")
    real = WechatSettings(app_id="wx_demo", token=Secret("t"))
    assert blueprint_for(demo).ctx.platform.report_template_results_after == REPORT_DELAY
    assert blueprint_for(real).ctx.platform.report_template_results_after is None
    assert blueprint_for(demo, report_template_results=False).ctx.platform.report_template_results_after is None
    assert WechatPlatform(APP_ID, "").report_template_results_after is None


def test_the_configured_template_ids_get_the_apps_titles_and_labels() -> None:
    from core.config import WechatSettings

    ids = {event.value: f"TPL_{event.value}" for event in Event}
    platform = blueprint_for(WechatSettings(app_id="wx_demo", templates={**ids, "not_an_event": "TPL_X"})).ctx.platform
    assert set(platform.templates) == {f"TPL_{event.value}" for event in DEFINITIONS}
    replied = platform.templates[f"TPL_{Event.CUSTOMS_REPLIED.value}"]
    assert replied.title == "问题处理进度通知"
    assert replied.keywords["character_string1"] == "问题编号" and replied.keywords["phrase3"] == "当前状态"


@pytest.mark.parametrize("event", list(DEFINITIONS))
def test_every_keyword_the_app_sends_has_a_label(event: Event) -> None:
    sent = DEFINITIONS[event].keywords(Occasion({}, 1, "2026-11-24 21:13"))
    title, labels = APP_TEMPLATES[event]
    assert title and set(sent) <= set(labels), f"{event.value}: no label for {set(sent) - set(labels)}"
    assert all(0 < len(label) <= 6 for label in labels.values())
