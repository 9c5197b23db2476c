"""The outbox dispatcher against the simulated WeChat platform, through the app's own WechatApi.

The simulator serves on a real local port; faults are injected with ``fail_next``. The simulator counts every
template call it receives, so "sent once" is checked on the calls, not only on the messages it kept (it
de-duplicates ``client_msg_id`` itself, as WeChat does). SMS goes to an in-process recording fake.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.wechat_api import WechatApi
from core.cache import Cache
from core.config import Secret, WechatSettings
from models.enterprises import Person
from models.outbox import OutboxMessage, OutboxStatus
from scheduler.jobs import OUTBOX_LOCK, outbox_job
from services.notifications.events import Event
from services.notifications.outbox_dispatch import Dispatcher, DispatchPolicy, client_msg_id
from services.notifications.outbox_results import record_outcomes, record_template_result
from services.notifications.sms import SmsFailed
from tests.bot.support import ACCOUNT, bot_settings, make_app, serving, signed_query
from tests.contract.conftest import APP_ID, APP_SECRET, Simulator, simulator  # noqa: F401 (the fixture)
from tests.services.sms_fake import RecordingSender

SEND = "cgi-bin/message/template/send"
TEMPLATES = {event.value: f"TPL_{event.value}" for event in Event}
PUBLIC_URL = "https://qingling.example.cn"
PAYLOAD = {"number": "9121024267997824X5220017", "title": "电子口岸IC卡如何办理?",
           "text": "请携带营业执照原件到大窑湾海关业务现场办理，详见附件清单。"}
START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
async def wechat(simulator: Simulator, cache: Cache) -> AsyncIterator[WechatApi]:  # noqa: F811
    settings = WechatSettings(app_id=APP_ID, app_secret=Secret(APP_SECRET), api_base=simulator.base_url)
    api = WechatApi(settings, cache, timeout=5)
    yield api
    await api.aclose()


MakeDispatcher = Callable[..., Dispatcher]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_dispatcher(wechat: WechatApi, clock: Clock) -> MakeDispatcher:
    def make(**changes: Any) -> Dispatcher:
        values: dict[str, Any] = dict(wechat=wechat, templates=TEMPLATES, public_url=PUBLIC_URL,
                                      tz=ZoneInfo("Asia/Shanghai"), sms=RecordingSender(), clock=clock)
        values.update(changes)
        return Dispatcher(**values)

    return make


async def person(phone: str, openid: str | None) -> Person:
    return await Person.create(name="关务丁", phone=phone, wechat_openid=openid)


async def queue(recipient: Person, count: int = 1, event: Event = Event.CUSTOMS_REPLIED) -> list[OutboxMessage]:
    await OutboxMessage.bulk_create([
        OutboxMessage(event=event.value, person_id=recipient.id, payload=PAYLOAD, next_attempt_at=START,
                      dedupe_key=f"{event}:e{i}:p{recipient.id}", created_at=START) for i in range(count)])
    return await OutboxMessage.filter(person_id=recipient.id).order_by("id")


def template_calls(simulator: Simulator) -> int:  # noqa: F811
    return simulator.platform.calls[SEND]


def received_ids(simulator: Simulator) -> Counter[str]:  # noqa: F811
    return Counter(m.body["client_msg_id"] for m in simulator.platform.sent("template"))


# ---- one row ---------------------------------------------------------------------------------------------


async def test_a_bound_follower_gets_the_template_message_once(
        db, simulator: Simulator, make_dispatcher: MakeDispatcher) -> None:  # noqa: F811
    follower = simulator.platform.add_follower("关务丁")
    [row] = await queue(await person("13900000004", follower.openid))
    dispatcher = make_dispatcher()

    first = await dispatcher.dispatch_due()
    again = await dispatcher.dispatch_due()

    [message] = simulator.platform.sent("template", follower.openid)
    assert (first.sent, again.sent, template_calls(simulator)) == (1, 0, 1)
    assert message.body["template_id"] == "TPL_customs_replied"
    assert message.body["client_msg_id"] == client_msg_id(row.id)
    assert message.body["url"] == f"{PUBLIC_URL}/h5/questions"
    assert message.body["data"]["thing4"]["value"] == "请携带营业执照原件到大窑湾海关业务现场…"
    await row.refresh_from_db()
    assert (row.status, row.channel, row.attempts) == (OutboxStatus.SENT, "wechat", 1)
    assert row.sent_at is not None and row.wechat_msgid == int(message.msgid)


@pytest.mark.parametrize("subscribed", [False, None], ids=["43004-not-following", "40003-unknown-openid"])
async def test_a_permanent_refusal_falls_back_to_sms(
        db, simulator: Simulator, make_dispatcher: MakeDispatcher, subscribed: bool | None) -> None:  # noqa: F811
    openid = "o-not-of-this-account" if subscribed is None else simulator.platform.add_follower(
        subscribed=subscribed).openid
    [row] = await queue(await person("13900000004", openid))
    sms = RecordingSender()

    await make_dispatcher(sms=sms).dispatch_due()

    assert sms.sent == [("13900000004", "您的问题“电子口岸IC卡如何办理?”（9121024267997824X5220017）海关已答复，"
                                         "请查看答复并评价。", client_msg_id(row.id))]
    await row.refresh_from_db()
    assert (row.status, row.channel) == (OutboxStatus.SENT, "sms")
    assert ("43004" if subscribed is False else "40003") in row.last_error
    assert simulator.platform.sent("template") == []


async def test_a_person_without_wechat_gets_an_sms(db, simulator: Simulator,  # noqa: F811
                                                   make_dispatcher: MakeDispatcher) -> None:
    [row] = await queue(await person("13900000005", None), event=Event.EXEC_REVIEW_REQUESTED)
    sms = RecordingSender()

    await make_dispatcher(sms=sms).dispatch_due()

    assert [text for _, text, _ in sms.sent] == ["问题“电子口岸IC卡如何办理?”（9121024267997824X5220017）待您审核，"
                                                 "请在“清零”公众号中处理。"]
    assert template_calls(simulator) == 0
    await row.refresh_from_db()
    assert (row.status, row.channel, row.last_error) == (OutboxStatus.SENT, "sms", "未绑定微信")


@pytest.mark.parametrize(("case", "expected_error"), [
    ("no sms sender", "未配置短信通道"),
    ("no template id", "未配置模板消息：wechat.templates 中没有事件 customs_replied 的模板 id"),
    ("sms refused", "短信发送失败：isv.MOBILE_NUMBER_ILLEGAL"),
], ids=["no-sms-sender", "no-template-id", "sms-refused"])
async def test_rows_that_cannot_be_sent_fail_visibly(
        db, simulator: Simulator, make_dispatcher: MakeDispatcher, case: str,  # noqa: F811
        expected_error: str) -> None:
    openid = simulator.platform.add_follower(subscribed=case == "no template id").openid  # else 43004 → SMS
    [row] = await queue(await person("13900000004", openid))
    changes: dict[str, Any] = {
        "no sms sender": {"sms": None},
        "no template id": {"templates": {}},
        "sms refused": {"sms": RecordingSender(fail=[SmsFailed("isv.MOBILE_NUMBER_ILLEGAL", retryable=False)])},
    }[case]

    result = await make_dispatcher(**changes).dispatch_due()

    await row.refresh_from_db()
    assert (result.failed, row.status) == (1, OutboxStatus.FAILED)
    assert expected_error in row.last_error


# ---- retries ---------------------------------------------------------------------------------------------


async def test_system_errors_and_quotas_are_retried_later_and_delivered_once(
        db, simulator: Simulator, make_dispatcher: MakeDispatcher, clock: Clock) -> None:  # noqa: F811
    follower = simulator.platform.add_follower()
    [row] = await queue(await person("13900000004", follower.openid))
    simulator.platform.fail_next(SEND, -1)
    simulator.platform.fail_next(SEND, 45009)
    dispatcher = make_dispatcher()

    await dispatcher.dispatch_due()
    await row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.PENDING, 1, START + timedelta(seconds=30))
    assert "-1" in row.last_error
    clock.advance(seconds=29)
    assert (await dispatcher.dispatch_due()).sent + template_calls(simulator) == 1  # not due yet: no call
    clock.advance(seconds=1)
    await dispatcher.dispatch_due()
    await row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.PENDING, 2, clock.now + timedelta(
        seconds=60))
    assert "45009" in row.last_error
    clock.advance(seconds=60)
    await dispatcher.dispatch_due()

    await row.refresh_from_db()
    assert (row.status, row.attempts, template_calls(simulator)) == (OutboxStatus.SENT, 3, 3)
    assert received_ids(simulator) == {client_msg_id(row.id): 1}


async def test_a_row_fails_after_the_last_attempt(db, simulator: Simulator,  # noqa: F811
                                                  make_dispatcher: MakeDispatcher, clock: Clock) -> None:
    [row] = await queue(await person("13900000004", simulator.platform.add_follower().openid))
    simulator.platform.fail_next(SEND, 45011, times=2)
    dispatcher = make_dispatcher(policy=DispatchPolicy(max_attempts=2))

    await dispatcher.dispatch_due()
    clock.advance(minutes=1)
    await dispatcher.dispatch_due()

    await row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 2)
    assert row.last_error.startswith("已尝试 2 次，放弃：微信暂时无法发送") and "45011" in row.last_error


async def test_a_thousand_messages_with_injected_errors_are_each_delivered_once(
        db, simulator: Simulator, make_dispatcher: MakeDispatcher, clock: Clock) -> None:  # noqa: F811
    followers = [simulator.platform.add_follower() for _ in range(10)]
    rows = [r for i, f in enumerate(followers) for r in await queue(await person(f"139000001{i:02d}", f.openid), 100)]
    dispatcher = make_dispatcher(policy=DispatchPolicy(batch_size=100, concurrency=16))
    injected = 0
    for round_ in range(8):
        if round_ < 4:  # errors at the head of every round but the last ones
            simulator.platform.fail_next(SEND, -1, times=60)
            simulator.platform.fail_next(SEND, 45009, times=40)
            injected += 100
        await dispatcher.dispatch_due()
        clock.advance(hours=1)

    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 1000
    assert received_ids(simulator) == Counter({client_msg_id(r.id): 1 for r in rows})
    assert template_calls(simulator) == 1000 + injected  # no row was sent again after its success


async def test_a_send_whose_result_was_lost_is_not_shown_twice(
        db, simulator: Simulator, make_dispatcher: MakeDispatcher, clock: Clock) -> None:  # noqa: F811
    """A dispatcher sends, then dies before writing the result: after the lease another one sends again with the
    same client_msg_id (WeChat shows it once), and the dead one's late write cannot undo the newer claim."""
    follower = simulator.platform.add_follower()
    rows = await queue(await person("13900000004", follower.openid), 3)
    lost, survivor = make_dispatcher(), make_dispatcher()
    claimed = await lost.claim(10)
    late = [await lost.deliver(row) for row in claimed]

    clock.advance(minutes=4)
    assert (await survivor.dispatch_due()).sent == 0  # still leased
    clock.advance(minutes=2)
    assert (await survivor.dispatch_due()).sent == 3
    await record_outcomes(late, clock.now)

    assert template_calls(simulator) == 6
    assert received_ids(simulator) == {client_msg_id(r.id): 1 for r in rows}
    assert [(r.status, r.attempts) for r in await OutboxMessage.all().order_by("id")] == [(OutboxStatus.SENT, 2)] * 3


async def test_two_dispatchers_at_once_never_send_a_row_twice(
        db, simulator: Simulator, make_dispatcher: MakeDispatcher) -> None:  # noqa: F811
    followers = [simulator.platform.add_follower() for _ in range(3)]
    for i, f in enumerate(followers):
        await queue(await person(f"1390000020{i}", f.openid), 100)
    policy = DispatchPolicy(batch_size=25, concurrency=8)

    results = await asyncio.gather(*(make_dispatcher(policy=policy).dispatch_due() for _ in range(2)))

    assert sum(r.sent for r in results) == 300
    assert template_calls(simulator) == 300
    assert set(received_ids(simulator).values()) == {1}


# ---- delivery reports and the scheduler job ---------------------------------------------------------------


@pytest.mark.parametrize(("status", "row_status"), [
    ("success", OutboxStatus.SENT),
    ("failed:user block", OutboxStatus.FAILED),
    ("failed: system failed", OutboxStatus.FAILED),
])
async def test_templatesendjobfinish_is_recorded_on_its_row(
        db, simulator: Simulator, make_dispatcher: MakeDispatcher, status: str,  # noqa: F811
        row_status: OutboxStatus) -> None:
    [row, other] = await queue(await person("13900000004", simulator.platform.add_follower().openid), 2)
    await make_dispatcher().dispatch_due()
    await row.refresh_from_db()

    assert await record_template_result(row.wechat_msgid, status) is True
    assert await record_template_result(1, status) is False

    await row.refresh_from_db()
    await other.refresh_from_db()
    assert (row.status, row.payload["wechat_status"]) == (row_status, status)
    assert row.last_error == ("" if status == "success" else f"模板消息未送达（{status}）")
    assert (other.status, "wechat_status" in other.payload) == (OutboxStatus.SENT, False)


async def test_the_callback_records_a_delivery_report(
        db, db_settings, simulator: Simulator, make_dispatcher: MakeDispatcher) -> None:  # noqa: F811
    follower = simulator.platform.add_follower()
    [row] = await queue(await person("13900000004", follower.openid))
    await make_dispatcher().dispatch_due()
    await row.refresh_from_db()
    report = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{follower.openid}]]>"
              f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
              "<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>"
              f"<MsgID>{row.wechat_msgid}</MsgID><Status><![CDATA[failed:user block]]></Status></xml>")

    async with serving(make_app(bot_settings(db_settings))) as client:
        response = await client.post("/wechat/callback", params=signed_query(), content=report.encode())
        await row.refresh_from_db()

    assert response.status_code == 200 and response.text in ("success", "")
    assert (row.status, row.payload["wechat_status"]) == (OutboxStatus.FAILED, "failed:user block")


async def test_the_job_sends_and_skips_while_another_worker_holds_the_lock(
        db, simulator: Simulator, make_dispatcher: MakeDispatcher, cache: Cache) -> None:  # noqa: F811
    await queue(await person("13900000004", simulator.platform.add_follower().openid), 2)
    dispatcher = make_dispatcher()

    async with cache.lock(OUTBOX_LOCK, ttl=30):
        assert await outbox_job(dispatcher, cache, lock_ttl=30) is None
    result = await outbox_job(dispatcher, cache, lock_ttl=30)

    assert result is not None and result.sent == 2
    assert template_calls(simulator) == 2
