"""The shared cache: get/set with TTL, atomic add, counters, locks, and publish / subscribe.

Redis (``redis.asyncio``) when ``cache.url`` is set, an in-process twin otherwise. Both pass the same
contract tests (tests/services/test_cache.py). Values are strings; callers encode their own JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator
from typing import Protocol

import redis.asyncio as aredis
from redis.asyncio.client import PubSub

from core.config import CacheSettings


class LockNotAcquired(Exception):
    """Someone else holds the lock."""


class Cache(Protocol):
    shared: bool  # seen by every process of the deployment (a publish reaches the other processes' subscribers)

    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...
    async def add(self, key: str, value: str, ttl: float) -> bool:
        """Set only if absent (atomic); True when this call set it."""
        ...
    async def delete(self, key: str) -> None: ...
    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Add to a counter (created at 0); ``ttl`` applies when the counter is created."""
        ...
    def lock(self, name: str, ttl: float, wait: float = 0) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold ``name`` for at most ``ttl`` seconds; raise LockNotAcquired after ``wait`` seconds."""
        ...
    async def publish(self, channel: str, message: str) -> None:
        """Tell the current subscribers of ``channel`` (nobody keeps it for later ones)."""
        ...
    def subscribe(self, channel: str) -> contextlib.AbstractAsyncContextManager[Subscription]: ...
    async def close(self) -> None: ...


class Subscription(Protocol):
    async def wait(self, timeout: float) -> str | None:
        """The next message, or None after ``timeout`` seconds (at most 1) without one."""
        ...


class _QueueSubscription:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue()

    async def wait(self, timeout: float) -> str | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


class _RedisSubscription:
    def __init__(self, pubsub: PubSub) -> None:
        self._pubsub = pubsub

    async def wait(self, timeout: float) -> str | None:
        deadline = time.monotonic() + min(timeout, 1.0)
        while (left := deadline - time.monotonic()) > 0:
            # redis-py answers None for the subscription's own confirmation too: wait on until the deadline
            message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
            if message is not None:
                data = message["data"]
                return data if isinstance(data, str) else bytes(data).decode()
        return None


class MemoryCache:
    """One process only: the embedded default and tests."""

    shared = False

    def __init__(self, prefix: str = "", clock=time.monotonic) -> None:
        self._prefix = prefix
        self._clock = clock
        self._data: dict[str, tuple[str, float | None]] = {}
        self._subscribers: dict[str, set[_QueueSubscription]] = {}

    def _live(self, key: str) -> tuple[str, float | None] | None:
        item = self._data.get(self._prefix + key)
        if item is not None and item[1] is not None and item[1] <= self._clock():
            del self._data[self._prefix + key]
            return None
        return item

    def _expiry(self, ttl: float | None) -> float | None:
        return None if ttl is None else self._clock() + ttl

    async def get(self, key: str) -> str | None:
        item = self._live(key)
        return None if item is None else item[0]

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._data[self._prefix + key] = (value, self._expiry(ttl))

    async def add(self, key: str, value: str, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        self._data[self._prefix + key] = (value, self._expiry(ttl))
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(self._prefix + key, None)

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        item = self._live(key)
        if item is None:
            value, expiry = amount, self._expiry(ttl)
        else:
            value, expiry = int(item[0]) + amount, item[1]
        self._data[self._prefix + key] = (str(value), expiry)
        return value

    @contextlib.asynccontextmanager
    async def lock(self, name: str, ttl: float, wait: float = 0) -> AsyncIterator[None]:
        token = secrets.token_hex(8)
        key = f"lock:{name}"
        deadline = self._clock() + wait
        while not await self.add(key, token, ttl):
            if self._clock() >= deadline:
                raise LockNotAcquired(name)
            await asyncio.sleep(0.01)
        try:
            yield
        finally:
            if await self.get(key) == token:
                await self.delete(key)

    async def publish(self, channel: str, message: str) -> None:
        for subscription in self._subscribers.get(self._prefix + channel, ()):
            subscription.queue.put_nowait(message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        subscription = _QueueSubscription()
        subscribers = self._subscribers.setdefault(self._prefix + channel, set())
        subscribers.add(subscription)
        try:
            yield subscription
        finally:
            subscribers.discard(subscription)

    async def close(self) -> None:
        self._data.clear()


# INCRBY, and a TTL only when this call created the counter (PEXPIRE NX would also give one to an
# existing counter that has none, unlike the in-process twin).
_INCR_SCRIPT = """
local created = redis.call('EXISTS', KEYS[1]) == 0
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value
"""


class RedisCache:
    """Shared by every process of a deployment."""

    shared = True

    def __init__(self, client: aredis.Redis, prefix: str = "") -> None:
        self._r = client
        self._prefix = prefix
        self._incr = client.register_script(_INCR_SCRIPT)
        self._listeners: aredis.Redis | None = None

    @classmethod
    def from_url(cls, url: str, prefix: str = "", *, max_connections: int = 64, pool_timeout: float = 0.5,
                 socket_timeout: float = 1.0) -> RedisCache:
        """A client on a bounded pool that makes a caller wait (``pool_timeout``) for a busy connection.

        redis-py's default pool raises at once when its connections are all in use: a burst of pushes lost
        messages that way. Short socket timeouts keep a hung Redis from holding a WeChat answer.
        """
        pool = aredis.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=pool_timeout, decode_responses=True,
            socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout)
        return cls(aredis.Redis(connection_pool=pool, decode_responses=True), prefix)

    async def get(self, key: str) -> str | None:
        value = await self._r.get(self._prefix + key)
        return value if value is None or isinstance(value, str) else value.decode()

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        await self._r.set(self._prefix + key, value, px=None if ttl is None else int(ttl * 1000))

    async def add(self, key: str, value: str, ttl: float) -> bool:
        return bool(await self._r.set(self._prefix + key, value, nx=True, px=int(ttl * 1000)))

    async def delete(self, key: str) -> None:
        await self._r.delete(self._prefix + key)

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        ttl_ms = "" if ttl is None else int(ttl * 1000)
        return int(await self._incr(keys=[self._prefix + key], args=[amount, ttl_ms]))

    @contextlib.asynccontextmanager
    async def lock(self, name: str, ttl: float, wait: float = 0) -> AsyncIterator[None]:
        lock = self._r.lock(f"{self._prefix}lock:{name}", timeout=ttl, blocking=wait > 0,
                            blocking_timeout=wait or None)
        if not await lock.acquire():
            raise LockNotAcquired(name)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):  # expired meanwhile: someone else may hold it now
                await lock.release()

    async def publish(self, channel: str, message: str) -> None:
        await self._r.publish(self._prefix + channel, message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        """A subscriber holds its connection while it listens (a page's event stream, for minutes): from a
        pool of its own, so that listeners never starve the bounded pool of the short commands."""
        if self._listeners is None:
            pool = self._r.connection_pool
            self._listeners = aredis.Redis(connection_pool=aredis.ConnectionPool(
                connection_class=pool.connection_class, **pool.connection_kwargs))
        pubsub = self._listeners.pubsub()
        await pubsub.subscribe(self._prefix + channel)
        try:
            yield _RedisSubscription(pubsub)
        finally:
            with contextlib.suppress(Exception):  # the connection may be gone with the client
                await pubsub.aclose()

    async def ping(self) -> bool:
        return bool(await self._r.ping())

    async def close(self) -> None:
        if self._listeners is not None:
            await self._listeners.aclose(close_connection_pool=True)
        await self._r.aclose(close_connection_pool=True)


def make_cache(settings: CacheSettings) -> Cache:
    if settings.url:
        return RedisCache.from_url(settings.url, settings.prefix, max_connections=settings.max_connections,
                                   pool_timeout=settings.pool_timeout_ms / 1000,
                                   socket_timeout=settings.socket_timeout_ms / 1000)
    return MemoryCache(settings.prefix)
