"""The single-window adapter (adapters/single_window.py, aiohttp) against the simulator served on a local port:
every call of the protocol, and every failure — slow (timeout), throttled (429 + Retry-After), down (503), a page
cut short, a refusal, a wrong key — retried or reported in Chinese as the protocol says."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sanic import Sanic

from adapters.single_window import SingleWindowClient
from core.config import Secret, SingleWindowSettings
from services.declarations.single_window import (
    BondedDays,
    BondedTicket,
    DeclarationDays,
    DeclarationTicket,
    Outgoing,
    SingleWindowError,
)
from simulators.single_window.api import blueprint
from simulators.single_window.data import known_codes
from simulators.single_window.platform import SingleWindowPlatform
from tests.bot.support import serving

Sanic.test_mode = True
CODE = "91210242MA0XYZ0001"
NOW = datetime(2026, 3, 13, 10, tzinfo=UTC)  # a Friday
KEY = "sim-key-0123456789"


@dataclass
class Served:
    platform: SingleWindowPlatform
    endpoint: str
    clients: list[SingleWindowClient] = field(default_factory=list)  # closed by the fixture

    def client(self, **changes: object) -> SingleWindowClient:
        values = {"endpoint": self.endpoint, "api_key": Secret(KEY), "timeout_seconds": 2, "retries": 2,
                  "backoff_ms": 10, "page_size": 20} | changes
        self.clients.append(SingleWindowClient(SingleWindowSettings(**values)))  # type: ignore[arg-type]
        return self.clients[-1]


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    platform = SingleWindowPlatform(lambda: NOW, api_key=KEY)
    app = Sanic(f"sw_{secrets.token_hex(4)}", configure_logging=False)
    app.blueprint(blueprint(platform))
    async with serving(app) as http:
        found = Served(platform, f"{str(http.base_url).rstrip('/')}/sim/single-window/api/v1")
        yield found
        for client in found.clients:
            await client.aclose()

def outgoing() -> Outgoing:
    return Outgoing("E0", {"CustomMaster": "0900", "TradeCoScc": CODE, "BillNo": "COSU6321450001"},
                    [{"GNo": "1", "CodeTS": "8482102000", "GName": "深沟球轴承"}], [], [])


async def test_declarations_by_day_come_page_by_page_with_real_codes(served: Served) -> None:
    client = served.client()
    days = DeclarationDays(date(2026, 2, 1), date(2026, 3, 12), "trade")
    first = await client.declarations(CODE, days, 1)
    assert first.total > 20 and first.pages == -(-first.total // 20) and len(first.items) == 20
    seen = {d.seq_no for d in first.items}
    for page in range(2, first.pages + 1):
        seen |= {d.seq_no for d in (await client.declarations(CODE, days, page)).items}
    assert len(seen) == first.total
    codes = known_codes()
    for d in first.items:
        assert len(d.seq_no) == 18 and date(2026, 2, 1) <= d.updated_at.date() <= date(2026, 3, 12)
        assert d.head["CustomMaster"] in codes["customs_office"] and d.head["TradeMode"] in codes["trade_mode"]
        assert d.head["TradeCountry"] in codes["country"] and d.head["DistinatePort"] in codes["port"]
        assert d.items and all(len(i["CodeTS"]) == 10 for i in d.items)
    one = first.items[0]
    again = await client.declaration(CODE, DeclarationTicket(one.seq_no, "trade", "E0"))
    assert again == one
    assert await client.declaration(CODE, DeclarationTicket("I09000000000000000", "trade", "E0")) is None


async def test_bonded_lists_by_day_and_by_ticket(served: Served) -> None:
    client = served.client()
    listed = await client.bonded_lists(CODE, BondedDays(date(2026, 1, 28), date(2026, 3, 12), "operating"), 1)
    assert listed.items
    with_no = next(b for b in listed.items if b.list_no)
    by_list = await client.bonded_list(CODE, BondedTicket("operating", with_no.list_no, True, with_no.data_source,
                                                          with_no.ie_flag))
    by_seq = await client.bonded_list(CODE, BondedTicket("operating", with_no.seq_no, False, "", ""))
    assert by_list == by_seq == with_no and with_no.items[0]["hs_code"]


async def test_a_send_answers_one_seq_no_per_key_and_receipts_follow(served: Served) -> None:
    client = served.client()
    seq_no = await client.declare(CODE, "key-1", outgoing())
    assert len(seq_no) == 18 and await client.declare(CODE, "key-1", outgoing()) == seq_no
    assert await client.declare(CODE, "key-2", outgoing()) != seq_no
    served.platform.emit(CODE, seq_no, "inspected", "查验通知")
    batch = await client.receipts(CODE, "")
    assert [(r.seq_no, r.receipt_type, r.note) for r in batch.items] == [(seq_no, "inspected", "查验通知")]
    assert not batch.more and (await client.receipts(CODE, batch.cursor)).items == []
    served.platform.emit_due(CODE, everything=True)
    later = await client.receipts(CODE, batch.cursor)
    assert [r.receipt_type for r in later.items if r.seq_no == seq_no] == ["entered", "released", "cleared"]


async def test_throttling_is_waited_out_as_retry_after_says(served: Served) -> None:
    client = served.client()
    served.platform.fail("throttle", times=2, seconds=0.2)
    started = time.monotonic()
    page = await client.declarations(CODE, DeclarationDays(date(2026, 3, 2), date(2026, 3, 6), "trade"), 1)
    assert page.total >= 1 and time.monotonic() - started >= 0.4
    served.platform.fail("throttle", times=3, seconds=0)
    with pytest.raises(SingleWindowError) as refused:
        await client.declarations(CODE, DeclarationDays(date(2026, 3, 2), date(2026, 3, 6), "trade"), 1)
    assert refused.value.error_code == "throttled" and refused.value.retryable
    assert refused.value.message == "单一窗口请求过于频繁（限流），请稍后重试"


async def test_down_is_retried_then_reported(served: Served) -> None:
    client = served.client()
    served.platform.fail("down", times=1)
    assert (await client.bonded_lists(CODE, BondedDays(date(2026, 2, 1), date(2026, 3, 12), "operating"), 1)).total
    served.platform.fail("down", times=0)  # until cleared
    with pytest.raises(SingleWindowError) as refused:
        await client.declare(CODE, "key-down", outgoing())
    assert refused.value.message == "单一窗口暂时不可用（HTTP 503），请稍后重试" and refused.value.retryable
    served.platform.clear_faults()
    assert await client.declare(CODE, "key-down", outgoing())


async def test_a_page_cut_short_is_fetched_again(served: Served) -> None:
    client = served.client()
    days = DeclarationDays(date(2026, 2, 1), date(2026, 3, 12), "trade")
    whole = await client.declarations(CODE, days, 1)
    served.platform.fail("cut", times=1)
    before = served.platform.requests
    assert await client.declarations(CODE, days, 1) == whole
    assert served.platform.requests - before == 2
    served.platform.fail("cut", times=0)
    with pytest.raises(SingleWindowError, match="单一窗口返回的数据不完整"):
        await client.receipts(CODE, "")


async def test_slow_answers_time_out(served: Served) -> None:
    client = served.client(timeout_seconds=1, retries=0)
    served.platform.fail("slow", times=1, seconds=1.5)
    with pytest.raises(SingleWindowError) as refused:
        await client.declaration(CODE, DeclarationTicket("I09000000000000000", "trade", "E0"))
    assert refused.value.error_code == "timeout" and refused.value.message == "单一窗口响应超时，请稍后重试"
    served.platform.fail("slow", times=1, seconds=0.2)  # slow but within the timeout
    assert await client.declaration(CODE, DeclarationTicket("I09000000000000000", "trade", "E0")) is None


async def test_refusals_and_a_wrong_key_are_not_retried(served: Served) -> None:
    client = served.client()
    before = served.platform.requests
    with pytest.raises(SingleWindowError) as refused:
        await client.declarations("SHORT", DeclarationDays(date(2026, 3, 2), date(2026, 3, 6), "trade"), 1)
    assert refused.value.message == "单一窗口拒绝了请求：enterprise_code 应为 18 位统一社会信用代码"
    assert not refused.value.retryable and served.platform.requests - before == 1
    with pytest.raises(SingleWindowError, match="接口认证失败"):
        await served.client(api_key=Secret("wrong")).receipts(CODE, "")
    nowhere = served.client(endpoint="http://127.0.0.1:9/api", retries=1)
    with pytest.raises(SingleWindowError, match="无法连接单一窗口"):
        await nowhere.receipts(CODE, "")


def test_history_has_quiet_days_and_none_on_weekends() -> None:
    platform = SingleWindowPlatform(lambda: NOW)
    days = {datetime.fromisoformat(d["updated_at"]).date()
            for d in platform.enterprise(CODE).declarations.values()}
    working = [NOW.date() - timedelta(days=n) for n in range(1, 45) if (NOW.date() - timedelta(days=n)).weekday() < 5]
    assert 0 < len([d for d in working if d not in days]) < len(working) / 2
