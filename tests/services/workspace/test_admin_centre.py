"""管理员中心 services: the department tree (materialized paths, move, delete only when empty), the data scope
applied in the query (仅本人 / 本部门及下级 / 全部, never another enterprise's), personnel filters and
departments, removal with the hand-over of open questions, join requests decided with their message."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.cache import Cache
from models.audit import AuditEntry
from models.departments import Department, DepartmentMember
from models.enterprises import EnterpriseStatus, MemberRole, Membership
from models.errors import Conflict, Forbidden, ValidationFailed
from models.joins import JoinRequest, JoinStatus
from models.messages import Message
from models.questions import Question
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from services.kit.context import ServiceContext
from services.questions.asking import create_draft
from services.workspace.companies import leave_company
from services.workspace.departments import (
    add_department,
    delete_department,
    list_departments,
    move_department,
    rename_department,
)
from services.workspace.joins import Asker, approve_request, ask_to_join, refuse_request
from services.workspace.people import (
    PeopleFilter,
    assign_departments,
    filter_roles,
    list_people,
    removal,
    remove_person,
)
from services.workspace.permissions import Decision, decide
from services.workspace.question_list import list_questions
from services.workspace.roles import Member
from services.workspace.tree import permission_tree
from tests.factories import World

CTX = ServiceContext()


async def member_of(world: World, person_id: int, scope: DataScope = DataScope.ALL, *,
                    enterprise_id: int | None = None) -> Member:
    membership = await Membership.get(person_id=person_id, enterprise_id=enterprise_id or world.acme.id) \
        .select_related("person", "enterprise")
    return Member(membership, Decision(permission_tree().grantable, scope))


async def admin(world: World) -> Member:
    return await member_of(world, world.admin.person_id)


async def membership_id(world: World, person_id: int) -> int:
    return (await Membership.get(person_id=person_id, enterprise_id=world.acme.id)).id


async def test_the_tree_keeps_paths_moves_subtrees_and_deletes_only_empty_departments(world: World) -> None:
    boss = await admin(world)
    hq = await add_department(CTX, boss, "总部", None)
    customs = await add_department(CTX, boss, "关务部", hq.id)
    team = await add_department(CTX, boss, "一组", customs.id)
    finance = await add_department(CTX, boss, "财务部", None)
    assert (hq.path, customs.path, team.path) == (f"/{hq.id}/", f"/{hq.id}/{customs.id}/",
                                                  f"/{hq.id}/{customs.id}/{team.id}/")
    assert [(r.department.name, r.depth) for r in await list_departments(boss)] == [
        ("总部", 0), ("关务部", 1), ("一组", 2), ("财务部", 0)]

    with pytest.raises(Conflict) as same:
        await add_department(CTX, boss, "财务部", None)  # two top-level departments of one name
    assert same.value.message == "同一上级部门下已有同名部门" and same.value.field == "name"
    with pytest.raises(ValidationFailed) as under_itself:
        await move_department(CTX, boss, customs.id, team.id)
    assert under_itself.value.message == "不能把部门移到它自己或它的下级部门之下"

    await move_department(CTX, boss, customs.id, finance.id)
    assert (await Department.get(id=team.id)).path == f"/{finance.id}/{customs.id}/{team.id}/"
    moved = await AuditEntry.get(action="department.move", object_id=str(customs.id))
    assert moved.detail["before"]["parent_id"] == hq.id and moved.detail["after"]["parent_id"] == finance.id
    await rename_department(CTX, boss, team.id, "报关一组")
    assert (await Department.get(id=team.id)).name == "报关一组"

    with pytest.raises(Conflict) as has_children:
        await delete_department(CTX, boss, customs.id)
    assert has_children.value.message == "该部门下还有下级部门，请先删除或移走下级部门"
    await assign_departments(CTX, boss, await membership_id(world, world.staff.person_id), [team.id], None)
    with pytest.raises(Conflict) as has_people:
        await delete_department(CTX, boss, team.id)
    assert has_people.value.message == "该部门还有人员，请先把人员调到其他部门"
    await delete_department(CTX, boss, hq.id)
    assert not await Department.filter(id=hq.id).exists()
    assert await AuditEntry.filter(action="department.delete", object_id=str(hq.id)).exists()


async def test_a_person_has_several_departments_and_exactly_one_primary(world: World) -> None:
    boss = await admin(world)
    a = await add_department(CTX, boss, "关务部", None)
    b = await add_department(CTX, boss, "财务部", None)
    staff = await membership_id(world, world.staff.person_id)
    with pytest.raises(ValidationFailed) as no_primary:
        await assign_departments(CTX, boss, staff, [a.id, b.id], None)
    assert no_primary.value.field == "primary_id" and no_primary.value.message == "请在所选部门中指定一个主部门"
    await assign_departments(CTX, boss, staff, [a.id, b.id], b.id)
    rows = await DepartmentMember.filter(person_id=world.staff.person_id).order_by("department_id")
    assert [(r.department_id, r.primary) for r in rows] == [(a.id, False), (b.id, True)]
    other = await Department.create(enterprise_id=world.solo.id, name="别家", path="", created_at=CTX.now())
    with pytest.raises(ValidationFailed) as foreign:
        await assign_departments(CTX, boss, staff, [other.id], other.id)
    assert foreign.value.field == "department_ids"
    entry = await AuditEntry.filter(action="person.departments").order_by("-id").first()
    assert entry is not None and entry.detail["after"] == {"departments": [a.id, b.id], "primary": b.id}


async def test_data_scope_is_applied_in_the_query(world: World) -> None:
    boss = await admin(world)
    customs = await add_department(CTX, boss, "关务部", None)
    team = await add_department(CTX, boss, "一组", customs.id)
    finance = await add_department(CTX, boss, "财务部", None)
    for person, department in ((world.staff, team), (world.staff2, finance), (world.executive, customs)):
        await assign_departments(CTX, boss, await membership_id(world, person.person_id), [department.id], None)
    mine = await create_draft(CTX, world.staff, world.acme.id, world.form("一组的问题"))
    theirs = await create_draft(CTX, world.staff2, world.acme.id, world.form("财务部的问题"))
    executives = await create_draft(CTX, world.executive, world.acme.id, world.form("关务部的问题"))
    elsewhere = await create_draft(CTX, world.solo_staff, world.solo.id, world.form("别家的问题"))
    assert (mine.department_id, theirs.department_id) == (team.id, finance.id)  # the asker's primary

    async def seen(person_id: int, scope: DataScope) -> set[str]:
        page = await list_questions(await member_of(world, person_id, scope))
        return {q.title for q in page.items}

    assert await seen(world.staff.person_id, DataScope.SELF) == {"一组的问题"}
    assert await seen(world.executive.person_id, DataScope.DEPARTMENT) == {"关务部的问题", "一组的问题"}
    assert await seen(world.staff.person_id, DataScope.DEPARTMENT) == {"一组的问题"}
    assert await seen(world.staff2.person_id, DataScope.ALL) == {"一组的问题", "财务部的问题", "关务部的问题"}
    assert elsewhere.title not in await seen(world.admin.person_id, DataScope.ALL)
    assert executives.enterprise_id == world.acme.id


async def test_the_list_pages_newest_first(world: World) -> None:
    for n in range(3):
        await create_draft(CTX, world.staff, world.acme.id, world.form(f"问题{n}"))
    boss = await admin(world)
    first = await list_questions(boss, limit=2)
    assert [q.title for q in first.items] == ["问题2", "问题1"] and first.next_cursor
    rest = await list_questions(boss, cursor=first.next_cursor, limit=2)
    assert [q.title for q in rest.items] == ["问题0"] and rest.next_cursor is None


async def test_people_are_filtered_by_name_role_status_and_registration_time(world: World) -> None:
    boss = await admin(world)
    names = {r.membership.person.name for r in await list_people(CTX, boss, PeopleFilter(name="关务"))}
    assert names == {"关务丁", "关务戊"}
    choices = await filter_roles(CTX, boss)  # the built-in roles among them
    executive_role = next(r for r in choices if r.builtin is MemberRole.EXECUTIVE)
    execs = {r.membership.person.name for r in await list_people(CTX, boss, PeopleFilter(role_id=executive_role.id))}
    assert execs == {"高管乙", "高管丙"}
    reviewer = await WorkspaceRole.create(enterprise_id=world.acme.id, name="审单员", codes=["declaration:review"],
                                          created_at=CTX.now(), updated_at=CTX.now())
    await RoleGrant.create(person_id=world.staff2.person_id, role=reviewer, valid_from=CTX.now(),
                           granted_at=CTX.now())
    assert [r.membership.person.name for r in await list_people(CTX, boss, PeopleFilter(role_id=reviewer.id))] \
        == ["关务戊"]
    today = CTX.now().astimezone(CTX.tz).date()
    assert len(await list_people(CTX, boss, PeopleFilter(joined_from=today, joined_to=today))) == 5
    assert await list_people(CTX, boss, PeopleFilter(joined_to=date(2020, 1, 1))) == []
    with pytest.raises(ValidationFailed) as bad:
        await list_people(CTX, boss, PeopleFilter(status="gone", joined_from=today, joined_to=date(2020, 1, 1)))
    assert bad.value.errors == {"status": "请选择在职或已移除", "joined_to": "结束日期不能早于开始日期"}


async def test_a_registration_after_midnight_in_the_district_counts_on_its_local_day(world: World) -> None:
    """17:30 UTC is 01:30 the next day in Shanghai: the day's bounds are compared in UTC (SQLite compares stored
    times as text, so an +08:00 bound would miss it), whatever the hour the test runs."""
    boss = await admin(world)
    late = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
    await Membership.filter(person_id=world.staff2.person_id, enterprise_id=world.acme.id).update(created_at=late)
    found = await list_people(CTX, boss, PeopleFilter(joined_from=date(2026, 3, 2), joined_to=date(2026, 3, 2)))
    assert [r.membership.person.name for r in found] == ["关务戊"]
    assert await list_people(CTX, boss, PeopleFilter(joined_from=date(2026, 3, 1), joined_to=date(2026, 3, 1))) == []


async def test_removal_hands_open_questions_to_a_colleague_and_ends_access(world: World, cache: Cache) -> None:
    boss = await admin(world)
    open_one = await create_draft(CTX, world.staff, world.acme.id, world.form("未办结的问题"))
    staff = await membership_id(world, world.staff.person_id)
    colleague = await membership_id(world, world.staff2.person_id)
    plan = await removal(boss, staff)
    assert [item.title.split(" ", 1)[1] for item in plan.items] == ["未办结的问题（草稿）"]
    assert staff not in {c.id for c in plan.colleagues} and colleague in {c.id for c in plan.colleagues}
    with pytest.raises(ValidationFailed) as nobody:
        await remove_person(CTX, cache, boss, staff, None)
    assert nobody.value.field == "colleague_id" and nobody.value.message == "该人员还有未办结事项，请选择接手的同事"

    await remove_person(CTX, cache, boss, staff, colleague)
    assert (await Question.get(id=open_one.id)).creator_id == world.staff2.person_id
    assert not (await Membership.get(id=staff)).active
    entry = await AuditEntry.get(action="person.remove", object_id=str(staff))
    assert entry.detail["before"]["active"] is True and entry.detail["after"]["handed"] == {"问题": 1, "报关单": 0}
    gone = await list_people(CTX, boss, PeopleFilter(status="inactive"))
    assert [r.membership.person.name for r in gone] == ["关务丁"]


async def test_nobody_removes_themselves_nor_the_last_admin(world: World, cache: Cache) -> None:
    boss = await admin(world)
    with pytest.raises(Forbidden) as itself:
        await remove_person(CTX, cache, boss, boss.membership.id, None)
    assert itself.value.message == "不能移除您自己"
    manager = await member_of(world, world.executive.person_id)  # holds system:person:remove
    with pytest.raises(Conflict) as last:
        await remove_person(CTX, cache, manager, boss.membership.id, None)
    assert last.value.message == "这是企业唯一的管理员，不能移除"


async def test_join_requests_approved_once_and_refused_with_the_message_in_the_right_mailbox(
        world: World, cache: Cache) -> None:
    outsider = Asker(world.solo_staff.person_id, "单人己", world.solo.id)
    asked = await ask_to_join(CTX, outsider, world.acme.credit_code)
    with pytest.raises(Conflict) as twice:
        await ask_to_join(CTX, outsider, world.acme.name)
    assert twice.value.message == "您已提交过加入该企业的申请，请等待企业管理员审批"
    with pytest.raises(ValidationFailed) as unknown:
        await ask_to_join(CTX, outsider, "没有这家公司")
    assert unknown.value.field == "query"
    boss = await admin(world)
    reviewer = await WorkspaceRole.create(enterprise_id=world.acme.id, name="审单员", codes=["declaration:review"],
                                          created_at=CTX.now(), updated_at=CTX.now())
    await approve_request(CTX, cache, boss, asked.id, reviewer.id)
    await approve_request(CTX, cache, boss, asked.id, reviewer.id)  # again: nothing more happens
    joined = await Membership.get(person_id=outsider.person_id, enterprise_id=world.acme.id)
    assert joined.active and joined.role is MemberRole.STAFF
    assert await RoleGrant.filter(person_id=outsider.person_id, role=reviewer).count() == 1
    told = await Message.filter(person_id=outsider.person_id)
    assert [(m.enterprise_id, m.title) for m in told] == [(world.acme.id, "加入企业申请已通过")]
    assert (await decide(CTX, cache, joined)).allows("declaration:review")
    with pytest.raises(Conflict):
        await ask_to_join(CTX, outsider, world.acme.credit_code)  # a member already

    staffer = Asker(world.staff.person_id, "关务丁", world.acme.id)
    second = await ask_to_join(CTX, staffer, world.solo.name)
    solo_admin = await member_of(world, world.solo_staff.person_id, enterprise_id=world.solo.id)
    with pytest.raises(ValidationFailed) as no_reason:
        await refuse_request(CTX, solo_admin, second.id, "  ")
    assert no_reason.value.message == "请填写拒绝原因（不超过 200 个字）"
    await refuse_request(CTX, solo_admin, second.id, "本公司不招人")
    refused = await JoinRequest.get(id=second.id)
    assert refused.status is JoinStatus.REFUSED and refused.pending_key is None
    note = await Message.get(person_id=world.staff.person_id)
    assert note.enterprise_id == world.acme.id and "本公司不招人" in note.body  # where they asked from
    with pytest.raises(Conflict):
        await approve_request(CTX, cache, solo_admin, second.id)
    again = await ask_to_join(CTX, staffer, world.solo.name)  # a refused request does not block a new one
    assert again.status is JoinStatus.PENDING


async def test_closed_enterprises_cannot_be_joined_and_leaving_keeps_an_admin(world: World, cache: Cache) -> None:
    world.solo.status = EnterpriseStatus.DISABLED
    await world.solo.save()
    with pytest.raises(ValidationFailed):
        await ask_to_join(CTX, Asker(world.staff.person_id, "关务丁", world.acme.id), world.solo.credit_code)
    await Membership.create(person_id=world.admin.person_id, enterprise_id=world.solo.id, role=MemberRole.STAFF)
    lone = Asker(world.solo_staff.person_id, "单人己", world.acme.id)  # as if signed into another enterprise
    with pytest.raises(Conflict) as last:
        await leave_company(CTX, cache, lone, world.solo.id)
    assert last.value.message == "您是该企业唯一的管理员，不能解除绑定，请先指定其他管理员"
    here = Asker(world.admin.person_id, "企业管理员甲", world.acme.id)
    with pytest.raises(Conflict) as current:
        await leave_company(CTX, cache, here, world.acme.id)
    assert current.value.message == "请先切换到其他企业，再解除与当前企业的绑定"
    await leave_company(CTX, cache, here, world.solo.id)
    assert not (await Membership.get(person_id=world.admin.person_id, enterprise_id=world.solo.id)).active
    assert await AuditEntry.filter(action="person.leave").exists()
