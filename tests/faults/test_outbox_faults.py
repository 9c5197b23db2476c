"""The outbox dispatcher across a PostgreSQL restart, the simulated WeChat platform as the peer.

The database restarts (or stops) while a batch is being sent: the results are written once it is back
(retried with backoff, or kept for the next cycle), every row is recorded "sent" at once — not after its
5-minute lease — and WeChat receives each row exactly once (counted on the simulator's calls, not only on
the messages it de-duplicates by ``client_msg_id``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.wechat_api import WechatApi
from core.cache import MemoryCache
from core.config import DatabaseSettings, Secret, WechatSettings
from core.db import close_database, connection, open_database
from models.outbox import OutboxMessage, OutboxStatus
from services.notifications.outbox_dispatch import Dispatcher, DispatchPolicy, client_msg_id
from tests.contract.conftest import APP_ID, APP_SECRET, Simulator, simulator  # noqa: F401 (the fixture)
from tests.faults.servers import PostgresServer
from tests.services.notifications.test_outbox_dispatch import (
    PUBLIC_URL,
    TEMPLATES,
    Clock,
    person,
    queue,
    received_ids,
    template_calls,
)
from tests.services.sms_fake import RecordingSender

ROWS = 40


class FaultAfterFirstSend:
    """The WeChat port, with the database server hit by ``fault`` while the first send is in flight."""

    def __init__(self, api: WechatApi, fault: Any) -> None:
        self.api, self.fault, self.fired = api, fault, False

    async def send_template(self, openid: str, template_id: str, data: dict[str, dict[str, str]], *,
                            url: str | None = None, client_msg_id: str | None = None) -> int:
        if not self.fired:
            self.fired = True
            await asyncio.to_thread(self.fault)
        return await self.api.send_template(openid, template_id, data, url=url, client_msg_id=client_msg_id)


def restart_in_background(pg: PostgresServer, after: float) -> None:
    """Stop the server now and start it again ``after`` seconds later (the batch goes on meanwhile)."""
    pg.stop()
    threading.Timer(after, pg.start).start()


@pytest.fixture
async def pg_db(private_pg: PostgresServer) -> AsyncIterator[PostgresServer]:
    await open_database(DatabaseSettings(url=private_pg.url, max_connections=5))
    await connection().execute_script("TRUNCATE outbox_message, person RESTART IDENTITY CASCADE")
    try:
        yield private_pg
    finally:
        await close_database()


@pytest.fixture
async def api(simulator: Simulator) -> AsyncIterator[WechatApi]:  # noqa: F811
    settings = WechatSettings(app_id=APP_ID, app_secret=Secret(APP_SECRET), api_base=simulator.base_url)
    wechat = WechatApi(settings, MemoryCache(), timeout=5)
    yield wechat
    await wechat.aclose()


def dispatcher(sender: Any, **policy: Any) -> Dispatcher:
    return Dispatcher(wechat=sender, templates=TEMPLATES, public_url=PUBLIC_URL, tz=ZoneInfo("Asia/Shanghai"),
                      sms=RecordingSender(), clock=Clock(), policy=DispatchPolicy(concurrency=4, **policy))


async def statuses() -> list[tuple[OutboxStatus, int]]:
    return [(r.status, r.attempts) for r in await OutboxMessage.all().order_by("id")]


async def test_a_restart_mid_batch_writes_the_results_once_it_is_back_and_sends_nothing_twice(
        pg_db: PostgresServer, simulator: Simulator, api: WechatApi) -> None:  # noqa: F811
    follower = simulator.platform.add_follower()
    rows = await queue(await person("13900000004", follower.openid), ROWS)
    sender = dispatcher(FaultAfterFirstSend(api, lambda: restart_in_background(pg_db, after=1.0)))

    first = await sender.dispatch_due()
    again = await sender.dispatch_due()

    assert (first.sent, again.sent) == (ROWS, 0)
    assert await statuses() == [(OutboxStatus.SENT, 1)] * ROWS  # recorded at once, not after the lease
    assert template_calls(simulator) == ROWS
    assert received_ids(simulator) == {client_msg_id(r.id): 1 for r in rows}


async def test_results_unwritable_for_a_whole_cycle_are_written_first_in_the_next(
        pg_db: PostgresServer, simulator: Simulator, api: WechatApi) -> None:  # noqa: F811
    follower = simulator.platform.add_follower()
    rows = await queue(await person("13900000004", follower.openid), ROWS)
    sender = dispatcher(FaultAfterFirstSend(api, pg_db.stop), save_budget=timedelta(seconds=1))

    first = await sender.dispatch_due()  # every send goes through; no result can be written
    assert first.sent == ROWS and len(sender.unsaved) == ROWS
    pg_db.start()
    again = await sender.dispatch_due()  # the kept results first, then nothing is due

    assert (again.sent, sender.unsaved) == (0, [])
    assert await statuses() == [(OutboxStatus.SENT, 1)] * ROWS
    assert template_calls(simulator) == ROWS
    assert received_ids(simulator) == {client_msg_id(r.id): 1 for r in rows}
