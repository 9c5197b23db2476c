"""Sign-in sessions of enterprise users, kept in the shared cache (any app process can read them).

A session is found by a random token: in the ``ql_session`` cookie (pages; HttpOnly, SameSite=Lax) or in
``Authorization: Bearer <token>`` (the JSON API and a mini-program). The cache key holds only the token's
SHA-256, so a cache dump signs nobody in. A session without a person carries a WeChat openid that still has
to be bound (the bind page finishes it). Each session has its own CSRF token for cookie-authenticated forms.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import asdict, dataclass, replace

import orjson

from core.cache import Cache

COOKIE = "ql_session"
ADMIN_COOKIE = "ql_admin"  # customs accounts: a cookie of its own, for /admin only
TOUCH_EVERY = 3600  # seconds: a session in use is extended at most once an hour


@dataclass(frozen=True)
class WebSession:
    token: str
    person_id: int | None
    enterprise_id: int | None
    openid: str | None  # the WeChat identity this session came with (bound or waiting to be bound)
    csrf: str
    via: str  # "sms", "wechat", "miniprogram"; "password" for a customs account
    touched: float
    account_id: int | None = None  # a customs account's session (admin web, its own cookie)
    started: float = 0.0  # when it was signed in (a password reset ends older sessions)


@dataclass(frozen=True)
class SessionStore:
    cache: Cache
    ttl: int

    async def start(self, *, person_id: int | None = None, enterprise_id: int | None = None,
                    openid: str | None = None, via: str, account_id: int | None = None) -> WebSession:
        session = WebSession(secrets.token_urlsafe(32), person_id, enterprise_id, openid,
                             secrets.token_urlsafe(24), via, time.time(), account_id, time.time())
        await self._save(session)
        return session

    async def find(self, token: str | None) -> WebSession | None:
        if not token or len(token) > 128:
            return None
        raw = await self.cache.get(_key(token))
        if raw is None:
            return None
        session = WebSession(token=token, **orjson.loads(raw))  # orjson: every signed-in request reads one
        if time.time() - session.touched > TOUCH_EVERY:
            session = replace(session, touched=time.time())
            await self._save(session)
        return session

    async def change(self, session: WebSession, **fields: object) -> WebSession:
        changed = replace(session, **fields, touched=time.time())  # type: ignore[arg-type]
        await self._save(changed)
        return changed

    async def end(self, token: str | None) -> None:
        if token:
            await self.cache.delete(_key(token))

    async def _save(self, session: WebSession) -> None:
        data = asdict(session)
        del data["token"]
        await self.cache.set(_key(session.token), orjson.dumps(data).decode(), ttl=self.ttl)


def _key(token: str) -> str:
    return "session:" + hashlib.sha256(token.encode()).hexdigest()
