"""Card challenges: random, short-lived, single-use, kept in the shared cache.

A challenge is issued for one purpose (login, register, bind, authorise) and, except for login and
register, for one session's person; consuming it checks both, so a login challenge cannot authorise.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from core.cache import Cache
from models.errors import Forbidden, ValidationFailed

PURPOSES = ("login", "register", "bind", "authorise")
MSG_EXPIRED = "读卡验证已超时，请重新读卡"
MSG_REPLAYED = "该验证码已使用，请重新读卡"
MSG_WRONG_PURPOSE = "读卡验证与当前操作不符，请重新读卡"


@dataclass(frozen=True)
class Challenge:
    id: str
    text: str  # what the card signs
    expires_in: int


class CardChallenges:
    def __init__(self, cache: Cache, ttl_seconds: int) -> None:
        self._cache, self._ttl = cache, ttl_seconds

    async def issue(self, purpose: str, owner: str = "") -> Challenge:
        if purpose not in PURPOSES:
            raise ValidationFailed("不支持的读卡用途", field="purpose")
        challenge_id = secrets.token_urlsafe(16)
        text = f"qingling:{purpose}:{secrets.token_urlsafe(24)}"
        value = json.dumps({"purpose": purpose, "owner": owner, "text": text})
        await self._cache.set(f"card:challenge:{challenge_id}", value, ttl=self._ttl)
        return Challenge(challenge_id, text, self._ttl)

    async def consume(self, challenge_id: str, purpose: str, owner: str = "") -> str:
        """The challenge's text, once; Forbidden when unknown, expired, used, or for another purpose/owner."""
        key = f"card:challenge:{challenge_id}"
        raw = await self._cache.get(key) if challenge_id else None
        if raw is None:
            used = await self._cache.get(f"card:used:{challenge_id}") if challenge_id else None
            raise Forbidden(MSG_REPLAYED if used else MSG_EXPIRED)
        if not await self._cache.add(f"card:used:{challenge_id}", "1", ttl=max(self._ttl * 10, 600)):
            raise Forbidden(MSG_REPLAYED)
        await self._cache.delete(key)
        stored = json.loads(raw)
        if stored["purpose"] != purpose or stored["owner"] != owner:
            raise Forbidden(MSG_WRONG_PURPOSE)
        return str(stored["text"])
