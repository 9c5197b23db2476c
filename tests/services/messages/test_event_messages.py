"""The workspace events that leave messages, in their own transaction: the enterprise's settings changed (to
every admin, only when something changed), a role granted (to the grantee, with its period)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.cache import Cache
from models.company import every_kind
from models.enterprises import MemberRole, Membership
from models.messages import Category, Message
from models.workspace import DataScope, WorkspaceRole
from services.kit.context import ServiceContext
from services.workspace.company import save_info, save_switches
from services.workspace.company_rules import CompanyInfo
from services.workspace.grants import grant_role
from services.workspace.permissions import decide
from services.workspace.roles import Member
from tests.factories import World, person

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
ctx = ServiceContext(clock=lambda: NOW)


async def member_of(world: World, cache: Cache, person_id: int) -> Member:
    membership = await Membership.get(person_id=person_id, enterprise_id=world.acme.id).prefetch_related("person")
    return Member(membership, await decide(ctx, cache, membership))


async def test_a_company_change_tells_every_admin_once_per_real_change(world: World, cache: Cache) -> None:
    second = await person("管理员乙", "13900000077", world.acme, MemberRole.ADMIN)
    admin = await member_of(world, cache, world.admin.person_id)

    await save_info(ctx, admin, CompanyInfo(address="大连市中山区港湾街1号", contact="王经理"))
    await save_info(ctx, admin, CompanyInfo(address="大连市中山区港湾街1号", contact="王经理"))  # nothing changed
    await save_switches(ctx, admin, every_kind(), False, "")  # the defaults again: nothing changed

    told = await Message.filter(title="企业设置已修改：企业信息与开票信息").order_by("person_id")
    assert sorted(m.person_id for m in told) == sorted([world.admin.person_id, second.person_id])
    assert all((m.category, m.link, m.enterprise_id) == (Category.NOTICE, "/workbench/admin/company", world.acme.id)
               for m in told)
    assert told[0].body == f"修改人：{admin.membership.person.name}"
    assert not await Message.filter(person_id=world.staff.person_id).exists()
    assert await Message.all().count() == 2


async def test_a_grant_tells_the_grantee_its_period(world: World, cache: Cache) -> None:
    role = await WorkspaceRole.create(enterprise_id=world.acme.id, name="审单员", codes=["declaration:review"],
                                      data_scope=DataScope.SELF, created_at=NOW, updated_at=NOW)
    staff = await Membership.get(person_id=world.staff.person_id, enterprise_id=world.acme.id)
    admin = await member_of(world, cache, world.admin.person_id)

    await grant_role(ctx, cache, admin, staff.id, role.id, "2026-03-02T09:00", "2026-03-09T18:00")

    [message] = await Message.filter(person_id=world.staff.person_id)
    assert (message.title, message.body) == ("您获得了新角色：审单员", "有效期：2026-03-02 09:00 至 2026-03-09 18:00")
    assert (message.category, message.link) == (Category.NOTICE, "/workbench/")
