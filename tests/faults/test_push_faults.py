"""A pushed message is handled exactly once whatever Redis and PostgreSQL do, and answered within 4.5 s.

Redis stopped, restarted (it keeps nothing: ``--save ""``) and frozen (SIGSTOP); PostgreSQL stopped and
frozen; bursts of 400 simultaneous pushes. A push the database could not claim is answered 503 (never
"success"), so that WeChat pushes it again; the retry is then handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import xmltodict
from sanic import Sanic

from bot.router import Router
from core.config import DatabaseSettings, Secret, Settings
from tests.bot.support import bot_settings, serving, signed_query, text_xml
from tests.bot.support import make_app as build
from tests.faults.servers import PostgresServer, RedisServer

ANSWER_WITHIN = 4.5  # WeChat gives up after 5 s


def counting_router(calls: Counter[str]) -> Router:
    router = Router("counting")

    @router.fallback()
    async def count(message: Any) -> str:
        calls[str(message.id)] += 1
        return "已收到"

    return router


def settings_with(db: DatabaseSettings, redis: RedisServer | None) -> Settings:
    cache = {"url": redis.url if redis else "", "prefix": f"faults:{secrets.token_hex(4)}:",
             "socket_timeout_ms": 1000, "pool_timeout_ms": 500, "max_connections": 32}
    return bot_settings(db).override(cache=cache, security={"secret_key": Secret("fault-tests-secret-key")})


def new_msg_id() -> str:
    return str(6_000_000_000_000_000_000 + secrets.randbelow(10**18))


@dataclass(frozen=True)
class Answer:
    status_code: int
    text: str


@contextlib.asynccontextmanager
async def wechat(app: Sanic) -> AsyncIterator[aiohttp.ClientSession]:
    """WeChat's side: an aiohttp client with no connection limit (httpx's pool is quadratic in connections)."""
    async with serving(app) as client, aiohttp.ClientSession(
            base_url=str(client.base_url), connector=aiohttp.TCPConnector(limit=0)) as session:
        yield session


async def push(session: aiohttp.ClientSession, msg_id: str) -> tuple[Answer, float]:
    started = time.monotonic()
    async with session.post("/wechat/callback", params=signed_query(nonce=secrets.token_hex(4)),
                            data=text_xml("你好", msg_id=msg_id).encode()) as response:
        answer = Answer(response.status, await response.text())
    return answer, time.monotonic() - started


def handled(answer: Answer) -> bool:
    if answer.status_code != 200 or not answer.text.startswith("<xml>"):
        return False
    return bool(xmltodict.parse(answer.text)["xml"]["Content"] == "已收到")


def dropped(answer: Answer) -> bool:
    return (answer.status_code, answer.text) == (200, "success")


# ---- Redis ---------------------------------------------------------------------------------------------

async def test_with_redis_stopped_a_push_is_handled_once_from_the_database(
        sqlite_db: DatabaseSettings, redis_server: RedisServer) -> None:
    calls: Counter[str] = Counter()
    msg_id = new_msg_id()
    async with wechat(build(settings_with(sqlite_db, redis_server), bot_router=counting_router(calls))) as client:
        redis_server.stop()
        first, first_took = await push(client, msg_id)
        retry, retry_took = await push(client, msg_id)
    assert handled(first) and dropped(retry)
    assert calls == {msg_id: 1}
    assert max(first_took, retry_took) < ANSWER_WITHIN


async def test_a_retry_after_a_redis_restart_is_still_dropped(
        sqlite_db: DatabaseSettings, redis_server: RedisServer) -> None:
    calls: Counter[str] = Counter()
    msg_id, later_id = new_msg_id(), new_msg_id()
    async with wechat(build(settings_with(sqlite_db, redis_server), bot_router=counting_router(calls))) as client:
        first, _ = await push(client, msg_id)
        redis_server.restart()  # every key is gone
        retry, _ = await push(client, msg_id)
        later, _ = await push(client, later_id)
        later_retry, _ = await push(client, later_id)  # the fast path works again on the new server
    assert handled(first) and dropped(retry)
    assert handled(later) and dropped(later_retry)
    assert calls == {msg_id: 1, later_id: 1}


async def test_a_frozen_redis_does_not_hold_the_answer(sqlite_db: DatabaseSettings, redis_server: RedisServer) -> None:
    calls: Counter[str] = Counter()
    msg_id = new_msg_id()
    async with wechat(build(settings_with(sqlite_db, redis_server), bot_router=counting_router(calls))) as client:
        redis_server.freeze()
        try:
            first, first_took = await push(client, msg_id)
            retry, retry_took = await push(client, msg_id)
        finally:
            redis_server.thaw()
    assert handled(first) and dropped(retry)
    assert calls == {msg_id: 1}
    assert max(first_took, retry_took) < ANSWER_WITHIN


@pytest.mark.parametrize("redis_state", ["healthy", "frozen"])
async def test_a_burst_of_400_pushes_and_their_retries_is_handled_once_each(
        sqlite_db: DatabaseSettings, redis_server: RedisServer, redis_state: str) -> None:
    calls: Counter[str] = Counter()
    ids = [new_msg_id() for _ in range(400)]
    app = build(settings_with(sqlite_db, redis_server), bot_router=counting_router(calls))
    async with wechat(app) as client:
        if redis_state == "frozen":
            redis_server.freeze()
        try:
            firsts = await asyncio.gather(*(push(client, msg_id) for msg_id in ids))
            retries = await asyncio.gather(*(push(client, msg_id) for msg_id in ids))
        finally:
            redis_server.thaw()
    assert [handled(r) for r, _ in firsts] == [True] * 400
    assert [dropped(r) for r, _ in retries] == [True] * 400
    assert calls == dict.fromkeys(ids, 1)
    assert max(took for _, took in firsts + retries) < ANSWER_WITHIN


# ---- PostgreSQL ----------------------------------------------------------------------------------------

def pg_settings(pg: PostgresServer) -> DatabaseSettings:
    return DatabaseSettings(url=pg.url, max_connections=10)


async def test_with_postgres_stopped_the_push_is_refused_in_time_and_its_retry_handled(
        private_pg: PostgresServer) -> None:
    calls: Counter[str] = Counter()
    msg_id = new_msg_id()
    async with wechat(build(settings_with(pg_settings(private_pg), None), bot_router=counting_router(calls))) as client:
        private_pg.stop()
        refused, took = await push(client, msg_id)
        private_pg.start()
        retry, _ = await push(client, msg_id)  # WeChat's retry, a few seconds later
        second_retry, _ = await push(client, msg_id)
    assert refused.status_code == 503 and refused.text != "success"
    assert took < ANSWER_WITHIN
    assert handled(retry) and dropped(second_retry)
    assert calls == {msg_id: 1}


async def test_with_postgres_frozen_the_push_is_refused_in_time_and_its_retry_handled(
        private_pg: PostgresServer) -> None:
    calls: Counter[str] = Counter()
    msg_id = new_msg_id()
    async with wechat(build(settings_with(pg_settings(private_pg), None), bot_router=counting_router(calls))) as client:
        warm, _ = await push(client, new_msg_id())  # the pool holds open connections when the server freezes
        private_pg.freeze()
        try:
            refused, took = await push(client, msg_id)
        finally:
            private_pg.thaw()
        await asyncio.sleep(0.2)  # the abandoned claim rolls back
        retry, _ = await push(client, msg_id)
    assert handled(warm)
    assert refused.status_code == 503 and took < ANSWER_WITHIN
    assert handled(retry)
    assert calls[msg_id] == 1


async def test_a_burst_of_400_pushes_on_postgres_with_redis_is_handled_once_each(
        private_pg: PostgresServer, redis_server: RedisServer) -> None:
    calls: Counter[str] = Counter()
    ids = [new_msg_id() for _ in range(400)]
    both = ids + ids  # every push and its retry, all at once
    app = build(settings_with(pg_settings(private_pg), redis_server), bot_router=counting_router(calls))
    async with wechat(app) as client:
        answers = await asyncio.gather(*(push(client, msg_id) for msg_id in both))
    assert Counter("handled" if handled(r) else "dropped" if dropped(r) else r.status_code
                   for r, _ in answers) == {"handled": 400, "dropped": 400}
    assert calls == dict.fromkeys(ids, 1)
    assert max(took for _, took in answers) < ANSWER_WITHIN
