"""The badge is told on both cache backends (in-process and Redis): posting a message (inside its event's
transaction), reading it for the first time, starring it and marking all read publish on the person's badge
channel; reading it again, or another person's change, does not; a cache that fails never fails the event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from tortoise.transactions import in_transaction

from core.cache import Cache, RedisCache
from models.messages import Category, Message
from services.messages.badges import badge_channel, tell_badge, use_cache
from services.messages.centre import Mailbox, mark_all_read, post_message, read_message, set_starred
from tests.factories import World

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


@pytest.fixture
async def registered(cache: Cache) -> AsyncIterator[Cache]:
    use_cache(cache)
    yield cache
    use_cache(None)


async def told(subscription: object) -> list[str]:
    """Every publish already delivered (each wait returns at once while messages are queued)."""
    heard = []
    while (message := await subscription.wait(0.2)) is not None:  # type: ignore[attr-defined]
        heard.append(message)
    return heard


async def test_each_change_of_a_persons_messages_tells_their_badge(world: World, registered: Cache) -> None:
    box = Mailbox(world.staff.person_id, world.acme.id)
    async with registered.subscribe(badge_channel(box.person_id)) as mine, \
            registered.subscribe(badge_channel(world.admin.person_id)) as theirs:
        async with in_transaction() as conn:
            message = await post_message(conn, enterprise_id=world.acme.id, person_id=box.person_id,
                                         category=Category.WARNING, title="角色即将到期：审单员", now=NOW)
        assert await told(mine) == ["changed"]
        await read_message(box, message.id, NOW)
        await read_message(box, message.id, NOW)  # already read: nothing changed, nobody told
        assert await told(mine) == ["changed"]
        await set_starred(box, message.id, True)
        assert await told(mine) == ["changed"]
        assert await mark_all_read(box, Category.WARNING, NOW) == 0  # nothing to mark: nobody told
        assert await told(mine) == []
        assert await told(theirs) == []


async def test_a_failing_cache_never_fails_the_event(world: World) -> None:
    broken = RedisCache.from_url("redis://127.0.0.1:1/0", "qingling-test:", socket_timeout=0.2)
    use_cache(broken)
    try:
        async with in_transaction() as conn:
            await post_message(conn, enterprise_id=world.acme.id, person_id=world.staff.person_id,
                               category=Category.NOTICE, title="通知", now=NOW)
        await tell_badge(world.staff.person_id)
    finally:
        use_cache(None)
        await broken.close()
    assert await Message.filter(person_id=world.staff.person_id).count() == 1
