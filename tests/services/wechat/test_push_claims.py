"""The durable claim of a WeChat push: first caller holds it, it commits with the block, old claims are swept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.wechat import WechatPushClaim
from scheduler.jobs import push_claims_job
from services.wechat.push_claims import claimed, sweep_claims

KEY = "wechat:seen:msg:6054768590064713728"


async def test_the_first_caller_holds_the_claim_and_a_later_one_finds_it_taken(db) -> None:
    async with claimed(KEY) as first:
        assert first is True
    async with claimed(KEY) as again:
        assert again is False
    assert await WechatPushClaim.filter(key=KEY).count() == 1


async def test_a_failing_block_rolls_the_claim_back_so_the_retry_is_handled(db) -> None:
    with pytest.raises(RuntimeError):
        async with claimed(KEY) as fresh:
            assert fresh
            raise RuntimeError("handler failed")
    async with claimed(KEY) as retry:
        assert retry is True


async def test_claims_older_than_a_day_are_swept(db) -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    async with claimed("old", now - timedelta(days=1, seconds=1)):
        pass
    async with claimed("recent", now - timedelta(hours=23)):
        pass
    assert await sweep_claims(now) == 1
    assert await WechatPushClaim.all().values_list("key", flat=True) == ["recent"]



async def test_the_worker_job_keeps_todays_claims_and_sweeps_older_ones(db) -> None:
    async with claimed("today"):
        pass
    async with claimed("last week", datetime.now(UTC) - timedelta(days=7)):
        pass
    assert await push_claims_job() == 1
    assert await WechatPushClaim.all().values_list("key", flat=True) == ["today"]
