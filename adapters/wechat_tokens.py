"""Where the account's one access_token lives: the shared cache (Redis), or the database without one.

WeChat wants one central token holder: every fetch of a new token invalidates the previous one (after a
5-minute grace), so two processes that each keep and refresh their own token keep breaking each other's.
With Redis every process reads the token from it; without Redis (the embedded default: an in-process cache
in the web process and another in the worker process) the database is what they share. Either way one
process at a time refreshes it, under a lock (a cache lock, or a lease on the token's row).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Protocol

from core.cache import Cache, LockNotAcquired
from core.db import connection, execute, fetch


class TokenBusy(Exception):
    """Another process is refreshing the token and did not finish in time."""


class TokenStore(Protocol):
    async def get(self) -> str | None:
        """The current token, None when there is none or it is due for refresh."""
        ...

    def refreshing(self, ttl: float, wait: float) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold the right to refresh for at most ``ttl`` s; ``TokenBusy`` after waiting ``wait`` s for it."""
        ...

    async def put(self, token: str, ttl: float) -> None:
        """Store a fresh token, usable for ``ttl`` seconds."""
        ...


class CacheTokenStore:
    """The token in the shared cache (Redis in a multi-process deployment)."""

    def __init__(self, cache: Cache, app_id: str) -> None:
        self._cache = cache
        self.key = f"wechat:access_token:{app_id}"

    async def get(self) -> str | None:
        return await self._cache.get(self.key)

    @contextlib.asynccontextmanager
    async def refreshing(self, ttl: float, wait: float) -> AsyncIterator[None]:
        try:
            async with self._cache.lock(self.key, ttl=ttl, wait=wait):
                yield
        except LockNotAcquired:
            raise TokenBusy(self.key) from None

    async def put(self, token: str, ttl: float) -> None:
        await self._cache.set(self.key, token, ttl=ttl)


class DatabaseTokenStore:
    """The token on its ``wechat_access_token`` row, shared by every process using the database."""

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id

    async def get(self) -> str | None:
        rows = await fetch(connection(), "SELECT token FROM wechat_access_token WHERE app_id = ? AND token <> '' "
                                         "AND expires_at > ?", self.app_id, _now())
        return str(rows[0]["token"]) if rows else None

    @contextlib.asynccontextmanager
    async def refreshing(self, ttl: float, wait: float) -> AsyncIterator[None]:
        conn = connection()
        await execute(conn, "INSERT INTO wechat_access_token (app_id, token) VALUES (?, '') "
                            "ON CONFLICT (app_id) DO NOTHING", self.app_id)
        give_up_at = time.monotonic() + wait
        while not await self._take_lease(ttl):
            if time.monotonic() >= give_up_at:
                raise TokenBusy(self.app_id)
            await asyncio.sleep(0.05)
        try:
            yield
        finally:
            await execute(conn, "UPDATE wechat_access_token SET refreshing_until = NULL WHERE app_id = ?",
                          self.app_id)

    async def _take_lease(self, ttl: float) -> bool:
        """Compare-and-set: the lease is free, or its holder let it run out (it died mid-refresh)."""
        now = _now()
        return await execute(connection(), "UPDATE wechat_access_token SET refreshing_until = ? WHERE app_id = ? "
                                           "AND (refreshing_until IS NULL OR refreshing_until < ?)",
                             now + timedelta(seconds=ttl), self.app_id, now) == 1

    async def put(self, token: str, ttl: float) -> None:
        await execute(connection(), "UPDATE wechat_access_token SET token = ?, expires_at = ? WHERE app_id = ?",
                      token, _now() + timedelta(seconds=ttl), self.app_id)


def _now() -> datetime:
    return datetime.now(UTC)
