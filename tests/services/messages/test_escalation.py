"""Escalation of an unread 预警 after 4 office hours (09:00–18:00 of working days on the Chinese calendar): one
second before / after, over 国庆 2026 and its make-up Saturday, exactly once under retries and two workers
sweeping at once, never for a read 预警, a 通知 or a person who left."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tortoise.transactions import in_transaction

from models.enterprises import Membership
from models.messages import Category, Message
from models.outbox import OutboxMessage
from services.kit.context import ServiceContext
from services.kit.office_hours import OfficeHours
from services.messages.centre import post_message
from services.messages.escalation import escalate_warnings
from tests.factories import World

TZ = ZoneInfo("Asia/Shanghai")
OFFICE = OfficeHours(TZ)
HOURS = 4
SECOND = timedelta(seconds=1)


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)


async def warning(world: World, at: datetime, category: Category = Category.WARNING) -> Message:
    async with in_transaction() as conn:
        return await post_message(conn, enterprise_id=world.acme.id, person_id=world.staff.person_id,
                                  category=category, title="角色即将到期：审单员", now=at.astimezone(UTC))


async def sweep(at: datetime) -> int:
    return await escalate_warnings(ServiceContext(clock=lambda: at.astimezone(UTC)), OFFICE, HOURS)


@pytest.mark.parametrize(("created", "due"), [
    (local(2026, 3, 2, 10), local(2026, 3, 2, 14)),  # Monday 10:00 → 14:00 the same day
    (local(2026, 3, 6, 16), local(2026, 3, 9, 11)),  # Friday 16:00 → Monday 11:00
    (local(2026, 3, 6, 20), local(2026, 3, 9, 13)),  # after hours: the clock starts on Monday 09:00
    (local(2026, 9, 30, 16), local(2026, 10, 8, 11)),  # the eve of 国庆 → the first working day after it
    (local(2026, 10, 9, 17), local(2026, 10, 10, 12)),  # Friday → the make-up working Saturday
])
async def test_sent_on_at_four_office_hours_not_a_second_before(world: World, created: datetime,
                                                                due: datetime) -> None:
    message = await warning(world, created)

    assert await sweep(due - SECOND) == 0
    assert await sweep(due + SECOND) == 1

    [row] = await OutboxMessage.filter(event="warning_escalated")
    assert (row.person_id, row.dedupe_key) == (world.staff.person_id, f"warning_escalated:m{message.id}")
    assert row.payload == {"title": "角色即将到期：审单员", "created": created.strftime("%Y-%m-%d %H:%M")}
    assert (await Message.get(id=message.id)).escalated_at == due + SECOND


async def test_exactly_once_under_retries_and_two_workers_at_once(world: World) -> None:
    messages = [await warning(world, local(2026, 3, 2, 9) + timedelta(minutes=i)) for i in range(30)]
    later = local(2026, 3, 3, 9)

    counts = await asyncio.gather(sweep(later), sweep(later), sweep(later + SECOND))
    again = await sweep(later + timedelta(hours=1))  # a retried sweep

    assert sum(counts) == 30 and again == 0
    assert await OutboxMessage.filter(event="warning_escalated").count() == 30
    keys = set(await OutboxMessage.all().values_list("dedupe_key", flat=True))
    assert keys == {f"warning_escalated:m{m.id}" for m in messages}


async def test_a_read_warning_a_notice_and_a_person_who_left_are_not_sent_on(world: World) -> None:
    read = await warning(world, local(2026, 3, 2, 9))
    await Message.filter(id=read.id).update(read_at=local(2026, 3, 2, 12))
    await warning(world, local(2026, 3, 2, 9), Category.NOTICE)
    gone = await warning(world, local(2026, 3, 2, 9))
    await Membership.filter(person_id=world.staff.person_id, enterprise_id=world.acme.id).update(active=False)

    assert await sweep(local(2026, 3, 3, 9)) == 0

    assert not await OutboxMessage.exists()
    assert (await Message.get(id=gone.id)).escalated_at is not None  # claimed: never sent later either
    assert (await Message.get(id=read.id)).escalated_at is None
