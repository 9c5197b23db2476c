"""The cache contract, run against every twin of the ``cache`` fixture (in-process, and Redis when set).

TTLs are fractions of a second so the suite stays fast; margins leave room for a slow machine.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from core.cache import Cache, LockNotAcquired

TTL = 0.2
PAST_TTL = TTL + 0.15


async def test_get_returns_the_last_value_set_and_none_for_a_missing_key(cache: Cache) -> None:
    assert await cache.get("k") is None
    await cache.set("k", "one")
    await cache.set("k", "two")

    assert await cache.get("k") == "two"
    assert await cache.get("other") is None


async def test_set_with_ttl_expires_and_set_without_ttl_persists(cache: Cache) -> None:
    await cache.set("short", "v", ttl=TTL)
    await cache.set("long", "v", ttl=TTL)
    await cache.set("long", "kept")  # set again without a TTL: no longer expires
    assert await cache.get("short") == "v"

    await asyncio.sleep(PAST_TTL)

    assert await cache.get("short") is None
    assert await cache.get("long") == "kept"


async def test_delete_removes_the_key_only(cache: Cache) -> None:
    await cache.set("k", "v")
    await cache.set("other", "v")

    await cache.delete("k")
    await cache.delete("missing")  # no error

    assert await cache.get("k") is None
    assert await cache.get("other") == "v"


async def test_add_sets_only_when_absent(cache: Cache) -> None:
    assert await cache.add("k", "first", ttl=10) is True
    assert await cache.add("k", "second", ttl=10) is False
    assert await cache.get("k") == "first"


async def test_add_is_atomic_under_concurrency(cache: Cache) -> None:
    results = await asyncio.gather(*(cache.add("k", str(i), ttl=10) for i in range(20)))

    assert results.count(True) == 1
    assert await cache.get("k") == str(results.index(True))


async def test_add_succeeds_again_once_the_key_expired(cache: Cache) -> None:
    assert await cache.add("k", "old", ttl=TTL)
    await asyncio.sleep(PAST_TTL)

    assert await cache.add("k", "new", ttl=10)
    assert await cache.get("k") == "new"


async def test_incr_creates_the_counter_at_zero_and_adds(cache: Cache) -> None:
    assert await cache.incr("n") == 1
    assert await cache.incr("n", 5) == 6
    assert await cache.incr("n", -2) == 4
    assert await cache.get("n") == "4"


async def test_incr_ttl_starts_with_a_new_counter_and_is_not_extended(cache: Cache) -> None:
    assert await cache.incr("n", ttl=0.4) == 1
    await asyncio.sleep(0.2)
    assert await cache.incr("n", ttl=0.4) == 2  # would push the expiry to 0.6 s if it reset the TTL
    await asyncio.sleep(0.3)

    assert await cache.get("n") is None
    assert await cache.incr("n", ttl=0.4) == 1  # a new counter


async def test_incr_ttl_is_not_given_to_an_existing_counter_without_one(cache: Cache) -> None:
    await cache.incr("n")
    await cache.incr("n", ttl=TTL)
    await asyncio.sleep(PAST_TTL)

    assert await cache.get("n") == "2"


async def test_lock_is_exclusive_while_held_and_free_after_release(cache: Cache) -> None:
    async with cache.lock("job", ttl=10):
        with pytest.raises(LockNotAcquired):
            async with cache.lock("job", ttl=10):
                pytest.fail("a held lock was acquired twice")
        async with cache.lock("other-job", ttl=10):  # another name is another lock
            pass

    async with cache.lock("job", ttl=10):
        pass


async def test_lock_waits_for_the_holder_to_release(cache: Cache) -> None:
    held = asyncio.Event()

    async def hold_briefly() -> None:
        async with cache.lock("job", ttl=10):
            held.set()
            await asyncio.sleep(0.2)

    holder = asyncio.create_task(hold_briefly())
    await held.wait()
    start = time.monotonic()

    async with cache.lock("job", ttl=10, wait=2):
        waited = time.monotonic() - start

    await holder
    assert 0.15 <= waited < 1.5


async def test_lock_gives_up_after_wait_seconds(cache: Cache) -> None:
    async with cache.lock("job", ttl=10):
        start = time.monotonic()
        with pytest.raises(LockNotAcquired):
            async with cache.lock("job", ttl=10, wait=0.3):
                pytest.fail("a held lock was acquired")
        waited = time.monotonic() - start

    assert 0.15 <= waited < 1.5


async def test_lock_expires_after_its_ttl_when_the_holder_crashed(cache: Cache) -> None:
    crashed = cache.lock("job", ttl=TTL)
    await crashed.__aenter__()  # acquired and never released
    try:
        with pytest.raises(LockNotAcquired):
            async with cache.lock("job", ttl=10):
                pytest.fail("a held lock was acquired")
        await asyncio.sleep(PAST_TTL)

        async with cache.lock("job", ttl=10):
            pass
    finally:
        await crashed.__aexit__(None, None, None)


async def test_a_late_release_does_not_free_the_lock_someone_else_now_holds(cache: Cache) -> None:
    slow = cache.lock("job", ttl=TTL)
    await slow.__aenter__()
    await asyncio.sleep(PAST_TTL)  # the slow holder's lock expired

    async with cache.lock("job", ttl=10):
        await slow.__aexit__(None, None, None)  # the slow holder finishes and releases late

        with pytest.raises(LockNotAcquired):
            async with cache.lock("job", ttl=10):
                pytest.fail("the current holder's lock was released by the previous holder")


async def test_publish_reaches_each_current_subscriber_of_the_channel_only(cache: Cache) -> None:
    async with cache.subscribe("ch") as first, cache.subscribe("ch") as second, cache.subscribe("other") as other:
        await cache.publish("ch", "hello")

        assert await first.wait(1.0) == "hello"
        assert await second.wait(1.0) == "hello"
        assert await other.wait(0.1) is None
    await cache.publish("ch", "nobody listens")  # no subscriber left: nothing kept, nothing raised
    async with cache.subscribe("ch") as late:
        assert await late.wait(0.1) is None
