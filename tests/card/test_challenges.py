"""Card challenges on both cache twins (in-process and Redis): single use, short life, one purpose and owner."""

from __future__ import annotations

import asyncio

import pytest

from core.cache import Cache
from models.errors import Forbidden, ValidationFailed
from services.cards.challenges import CardChallenges


async def test_a_challenge_is_used_once(cache: Cache) -> None:
    challenges = CardChallenges(cache, 60)
    issued = await challenges.issue("login")
    assert issued.text.startswith("qingling:login:") and len(issued.text) <= 200
    assert await challenges.consume(issued.id, "login") == issued.text
    with pytest.raises(Forbidden, match="已使用"):
        await challenges.consume(issued.id, "login")


async def test_concurrent_uses_of_one_challenge_succeed_once(cache: Cache) -> None:
    challenges = CardChallenges(cache, 60)
    issued = await challenges.issue("login")
    results = await asyncio.gather(*(challenges.consume(issued.id, "login") for _ in range(5)), return_exceptions=True)
    assert sum(1 for r in results if r == issued.text) == 1
    assert all(isinstance(r, Forbidden) for r in results if r != issued.text)


async def test_a_challenge_expires(cache: Cache) -> None:
    challenges = CardChallenges(cache, 1)
    issued = await challenges.issue("login")
    await asyncio.sleep(1.2)
    with pytest.raises(Forbidden, match="已超时"):
        await challenges.consume(issued.id, "login")


async def test_a_challenge_serves_one_purpose_and_owner(cache: Cache) -> None:
    challenges = CardChallenges(cache, 60)
    issued = await challenges.issue("authorise", "7:3")
    with pytest.raises(Forbidden, match="不符"):
        await challenges.consume(issued.id, "authorise", "8:3")
    unknown = await challenges.issue("bind", "7:3")
    with pytest.raises(Forbidden, match="不符"):
        await challenges.consume(unknown.id, "login")
    with pytest.raises(Forbidden):
        await challenges.consume("", "login")
    with pytest.raises(ValidationFailed):
        await challenges.issue("everything")
