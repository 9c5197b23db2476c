"""Role grants running out: the reminder when less than 3 working days (27 office hours) are left, the
recorded expiry from ``valid_to`` on — each told once, also with two workers sweeping at once — and the
renewal (续期) that starts them afresh."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.cache import Cache
from models.audit import AuditEntry
from models.enterprises import Membership
from models.errors import ValidationFailed
from models.messages import Category, Message
from models.outbox import OutboxMessage
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from services.kit.context import ServiceContext
from services.kit.office_hours import OfficeHours
from services.workspace.grant_expiry import record_expiries, remind_expiring, sweep_grants
from services.workspace.grants import renew_grant
from services.workspace.permissions import decide
from services.workspace.roles import Member
from tests.factories import World

TZ = ZoneInfo("Asia/Shanghai")
OFFICE = OfficeHours(TZ)
SECOND = timedelta(seconds=1)
START = datetime(2026, 2, 27, 9, tzinfo=TZ)  # a Friday
END = datetime(2026, 3, 6, 18, tzinfo=TZ)  # the next Friday, 18:00: a week's grant


def at(moment: datetime) -> ServiceContext:
    return ServiceContext(clock=lambda: moment.astimezone(UTC))


async def grant(world: World, valid_to: datetime | None = END) -> RoleGrant:
    role, _ = await WorkspaceRole.get_or_create(enterprise_id=world.acme.id, name="审单员", defaults={
        "codes": ["declaration:review"], "data_scope": DataScope.SELF, "created_at": START, "updated_at": START})
    return await RoleGrant.create(person_id=world.staff.person_id, role=role, valid_from=START.astimezone(UTC),
                                  valid_to=valid_to.astimezone(UTC) if valid_to else None,
                                  granted_at=START.astimezone(UTC))


async def test_reminded_once_less_than_three_working_days_before_the_end(world: World) -> None:
    g = await grant(world)
    wednesday = datetime(2026, 3, 4, 9, tzinfo=TZ)  # Wed, Thu, Fri: exactly 27 office hours left

    assert await remind_expiring(at(wednesday), OFFICE, 3) == 0
    assert await remind_expiring(at(wednesday + SECOND), OFFICE, 3) == 1
    assert await remind_expiring(at(wednesday + timedelta(hours=1)), OFFICE, 3) == 0

    [message] = await Message.filter(person_id=world.staff.person_id)
    assert (message.category, message.title, message.link) == (Category.WARNING, "角色即将到期：审单员", "/workbench/")
    assert "到期时间：2026-03-06 18:00" in message.body
    assert message.escalated_at is not None  # sent by WeChat / SMS with it: the escalation leaves it alone
    [row] = await OutboxMessage.filter(event="role_expiring")
    assert row.person_id == world.staff.person_id
    assert row.payload == {"enterprise_name": world.acme.name, "role": "审单员", "valid_to": "2026-03-06 18:00"}
    assert (await RoleGrant.get(id=g.id)).reminded_at == (wednesday + SECOND).astimezone(UTC)


async def test_the_reminder_skips_the_holidays(world: World) -> None:
    await grant(world, datetime(2026, 10, 9, 18, tzinfo=TZ))  # Friday after 国庆; Sat 10 Oct is a working day
    # Left on 30 September 18:00: 8 and 9 October only (18 office hours); on 29 September 18:00: 27
    assert await remind_expiring(at(datetime(2026, 9, 29, 17, 59, 59, tzinfo=TZ)), OFFICE, 3) == 0
    assert await remind_expiring(at(datetime(2026, 9, 30, 9, 0, 1, tzinfo=TZ)), OFFICE, 3) == 1


async def test_the_expiry_is_recorded_from_the_second_the_grant_ends(world: World) -> None:
    g = await grant(world)

    assert await record_expiries(at(END - SECOND)) == 0
    assert await record_expiries(at(END)) == 1
    assert await record_expiries(at(END + timedelta(days=1))) == 0

    assert (await RoleGrant.get(id=g.id)).expired_at == END.astimezone(UTC)
    [message] = await Message.filter(person_id=world.staff.person_id)
    assert (message.category, message.title) == (Category.NOTICE, "角色已到期：审单员")
    assert not await OutboxMessage.exists()  # the end itself is told in the message centre only


async def test_two_workers_sweeping_at_once_tell_each_grant_once(world: World) -> None:
    for i in range(21):
        await grant(world, END - timedelta(minutes=i))
    thursday = at(datetime(2026, 3, 5, 10, tzinfo=TZ))

    results = await asyncio.gather(*(sweep_grants(thursday, OFFICE, 3) for _ in range(3)))

    assert sum(r.reminded for r in results) == 21
    assert await Message.filter(category=Category.WARNING).count() == 21
    assert await OutboxMessage.filter(event="role_expiring").count() == 21
    ended = await asyncio.gather(*(sweep_grants(at(END + SECOND), OFFICE, 3) for _ in range(3)))
    assert sum(r.expired for r in ended) == 21
    assert await Message.filter(category=Category.NOTICE, title="角色已到期：审单员").count() == 21


async def test_a_person_who_left_is_not_told(world: World) -> None:
    g = await grant(world)
    await Membership.filter(person_id=world.staff.person_id, enterprise_id=world.acme.id).update(active=False)

    result = await sweep_grants(at(END + SECOND), OFFICE, 3)

    assert result.expired == 1 and not await Message.exists()
    assert (await RoleGrant.get(id=g.id)).expired_at is not None


async def admin(world: World, cache: Cache) -> Member:
    membership = await Membership.get(person_id=world.admin.person_id, enterprise_id=world.acme.id) \
        .prefetch_related("person")
    return Member(membership, await decide(ServiceContext(), cache, membership))


async def test_a_renewal_extends_by_the_original_length_and_starts_the_reminder_afresh(world: World,
                                                                                       cache: Cache) -> None:
    g = await grant(world)
    await sweep_grants(at(END + SECOND), OFFICE, 3)
    later = END + timedelta(days=2)  # renewed two days after it ended: a whole week from now

    renewed = await renew_grant(at(later), cache, await admin(world, cache), g.id)

    assert renewed.valid_to == (later + (END - START)).astimezone(UTC)
    stored = await RoleGrant.get(id=g.id)
    assert (stored.valid_to, stored.reminded_at, stored.expired_at) == (renewed.valid_to, None, None)
    [entry] = await AuditEntry.filter(action="role.renew")
    assert entry.detail["before"]["valid_to"] == END.astimezone(UTC).isoformat()
    assert entry.detail["after"]["valid_to"] == renewed.valid_to.isoformat()
    assert await Message.filter(person_id=world.staff.person_id, title="角色已续期：审单员").exists()
    staff = await Membership.get(person_id=world.staff.person_id, enterprise_id=world.acme.id)
    assert (await decide(at(later), cache, staff)).allows("declaration:review")


async def test_a_renewal_to_a_chosen_end_and_the_refusals(world: World, cache: Cache) -> None:
    g = await grant(world)
    boss = await admin(world, cache)
    now = at(datetime(2026, 3, 5, 10, tzinfo=TZ))

    renewed = await renew_grant(now, cache, boss, g.id, "2026-06-30T18:00")
    assert renewed.valid_to == datetime(2026, 6, 30, 18, tzinfo=TZ)

    with pytest.raises(ValidationFailed) as past:
        await renew_grant(now, cache, boss, g.id, "2026-03-01T09:00")
    assert (past.value.field, past.value.message) == ("valid_to", "续期的结束时间须晚于当前时间")
    open_ended = await grant(world, None)
    with pytest.raises(ValidationFailed) as forever:
        await renew_grant(now, cache, boss, open_ended.id)
    assert forever.value.message == "该授权长期有效，无需续期"
    assert await AuditEntry.filter(action="role.renew").count() == 1
