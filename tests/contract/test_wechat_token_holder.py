"""One access_token holder without Redis: the web process and the embedded worker share the database's token.

Each "process" here has its own in-process cache (as the web process and the embedded worker do by default)
and its own WechatApi; the simulated platform invalidates a token 5 minutes after a newer one is fetched,
as WeChat does. With the token kept in the database one fetch serves both, also after the grace period.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.wechat_api import WechatApi, token_holder_warnings, wechat_api_for
from adapters.wechat_tokens import CacheTokenStore, DatabaseTokenStore
from core.cache import MemoryCache
from core.config import DatabaseSettings, Secret, Settings
from tests.contract.conftest import APP_ID, APP_SECRET, Simulator

NOTICE = {"thing1": {"value": "报关单申报问题"}}


def settings_for(simulator: Simulator, cache_url: str = "", db_url: str = "sqlite://var/q.sqlite3") -> Settings:
    return Settings().override(
        wechat={"app_id": APP_ID, "app_secret": Secret(APP_SECRET), "api_base": simulator.base_url},
        cache={"url": cache_url}, database={"url": db_url})


@pytest.fixture
async def processes(db: DatabaseSettings, simulator: Simulator) -> AsyncIterator[tuple[WechatApi, WechatApi]]:
    """The web process's and the worker's clients: two caches, one database."""
    web, worker = (wechat_api_for(settings_for(simulator), MemoryCache()) for _ in range(2))
    yield web, worker
    await web.aclose()
    await worker.aclose()


def token_fetches(simulator: Simulator) -> int:
    return simulator.platform.calls["cgi-bin/token"]


async def test_the_web_process_and_the_worker_use_one_token(
        simulator: Simulator, processes: tuple[WechatApi, WechatApi]) -> None:
    web, worker = processes
    follower = simulator.platform.add_follower()

    await web.send_template(follower.openid, "TPL", NOTICE)
    await worker.send_template(follower.openid, "TPL", NOTICE)
    simulator.clock.advance(301)  # past the grace a second holder's fetch would have given the first token
    await web.send_template(follower.openid, "TPL", NOTICE)
    await worker.send_template(follower.openid, "TPL", NOTICE)

    assert token_fetches(simulator) == 1
    assert await web.access_token() == await worker.access_token()
    assert len(simulator.platform.sent("template", follower.openid)) == 4


async def test_first_calls_at_once_in_both_processes_fetch_one_token(
        simulator: Simulator, processes: tuple[WechatApi, WechatApi]) -> None:
    web, worker = processes
    tokens = await asyncio.gather(*(api.access_token() for api in (web, worker, web, worker)))
    assert token_fetches(simulator) == 1
    assert len(set(tokens)) == 1


async def test_a_token_wechat_expired_is_replaced_once_for_both(
        simulator: Simulator, processes: tuple[WechatApi, WechatApi]) -> None:
    web, worker = processes
    follower = simulator.platform.add_follower()
    await web.send_template(follower.openid, "TPL", NOTICE)
    simulator.platform.expire_access_tokens()

    await worker.send_template(follower.openid, "TPL", NOTICE)  # 42001: the worker fetches a new one
    await web.send_template(follower.openid, "TPL", NOTICE)  # reads the worker's, no fetch of its own

    assert token_fetches(simulator) == 2
    assert len(simulator.platform.sent("template", follower.openid)) == 3


def test_redis_holds_the_token_when_configured_and_the_database_otherwise(simulator: Simulator) -> None:
    with_redis = wechat_api_for(settings_for(simulator, cache_url="redis://127.0.0.1:6379/0"), MemoryCache())
    without = wechat_api_for(settings_for(simulator), MemoryCache())
    assert isinstance(with_redis.tokens, CacheTokenStore)
    assert isinstance(without.tokens, DatabaseTokenStore)


def test_a_private_database_per_process_is_warned_about(simulator: Simulator) -> None:
    [warning] = token_holder_warnings(settings_for(simulator, db_url="sqlite://:memory:"))
    assert "access_token" in warning and "cache.url" in warning
    assert token_holder_warnings(settings_for(simulator)) == []
    assert token_holder_warnings(settings_for(simulator, cache_url="redis://127.0.0.1:6379/0",
                                              db_url="sqlite://:memory:")) == []
