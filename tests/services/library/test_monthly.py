"""The monthly library summary: the figures of the previous month and the change against the month before, to
the authorised members holding library:query, in the message centre and the outbox; once per enterprise and
month, also with two runs at the same moment."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from models.cards import ModuleAuthorisation
from models.enterprises import Membership
from models.library import LibraryNotice, UploadKind
from models.messages import Message
from models.outbox import OutboxMessage
from services.kit.context import ServiceContext
from services.library.monthly import send_monthly_summaries
from tests.factories import World
from tests.services.library.support import good_row, load_small_reference, upload

APRIL = ServiceContext(clock=lambda: datetime(2026, 4, 3, 1, 0, tzinfo=UTC))
MARCH = "/workbench/library?from=2026-03-01&to=2026-03-31"


@pytest.fixture
async def reviewed(world: World, tmp_path: Path) -> World:
    """Acme (收发货人 of every row; 申报单位 of one) gets 3 audited rows declared in March (one 不规范) and 1 in
    February; a declared (not audited) March row counts for nothing."""
    await load_small_reference(tmp_path)
    rows = [good_row(1), good_row(2, conclusion="不规范", remarks="型号不完整"),
            good_row(3, declarant_code=world.acme.credit_code), good_row(4, declared_on=date(2026, 2, 10))]
    await upload(world, tmp_path, rows)
    await upload(world, tmp_path, [good_row(5)], UploadKind.DECLARED)
    for actor in (world.admin, world.staff):  # executive2 / staff2 hold library:query but are not authorised
        await ModuleAuthorisation.create(enterprise_id=world.acme.id, person_id=actor.person_id,
                                         module="declaration_library", legal_person_name="王法人", card_no="C1",
                                         card_fingerprint="f", granted_by_id=world.admin.person_id,
                                         granted_at=datetime(2026, 1, 1, tzinfo=UTC))
    return world


async def test_the_summary_reaches_the_authorised_members_with_a_link_per_figure(reviewed: World) -> None:
    assert await send_monthly_summaries(APRIL) == 1

    messages = await Message.filter(enterprise_id=reviewed.acme.id).order_by("person_id")
    assert [m.person_id for m in messages] == sorted([reviewed.admin.person_id, reviewed.staff.person_id])
    message = messages[0]
    assert message.title == "规范申报月报：2026年3月" and message.link == MARCH
    assert message.body.split("\n") == [
        f"海关审核 3 条（较上月增加 2 条）：{MARCH}",
        f"其中作为申报单位 1 条：{MARCH}&role=declarant",
        f"作为收发货人 3 条：{MARCH}&role=consignee",
        f"不规范 1 条（较上月增加 1 条）：{MARCH}&mark=nonstandard",
    ]
    outbox = await OutboxMessage.filter(event="library_monthly").order_by("person_id")
    assert [o.person_id for o in outbox] == [m.person_id for m in messages]
    assert outbox[0].payload == {"month": "2026年3月", "count": 3, "nonstandard": 1}
    notice = await LibraryNotice.get(enterprise_id=reviewed.acme.id)
    assert notice.key == "monthly:2026-03" and notice.figures["before"]["reviewed"] == 1


async def test_running_twice_writes_nothing_new(reviewed: World) -> None:
    await send_monthly_summaries(APRIL)
    assert await send_monthly_summaries(APRIL) == 0
    assert (await Message.all().count(), await OutboxMessage.all().count()) == (2, 2)


async def test_two_workers_at_once_write_it_once(reviewed: World) -> None:
    told = await asyncio.gather(send_monthly_summaries(APRIL), send_monthly_summaries(APRIL))

    assert sorted(told) == [0, 1]
    assert (await Message.all().count(), await OutboxMessage.all().count()) == (2, 2)
    assert await LibraryNotice.all().count() == 1


async def test_the_next_month_is_a_new_summary_and_the_change_goes_down(reviewed: World) -> None:
    await send_monthly_summaries(APRIL)
    await send_monthly_summaries(APRIL, date(2026, 4, 1))

    april = await Message.filter(title="规范申报月报：2026年4月").first()
    assert april is not None and april.body.startswith("海关审核 0 条（较上月减少 3 条）")
    assert await Message.all().count() == 4


async def test_a_member_gone_or_without_rows_gets_nothing(reviewed: World) -> None:
    await Membership.filter(person_id=reviewed.staff.person_id).update(active=False)
    await send_monthly_summaries(APRIL, date(2025, 6, 1))  # nobody has rows then
    await send_monthly_summaries(APRIL)

    assert await Message.all().values_list("person_id", flat=True) == [reviewed.admin.person_id]
