"""The permission decision: live grants by the clock (one second before / after ``valid_to``), union of codes,
widest scope, the admin holds all, the version counter makes a change visible at once, and a decision cached
before a grant ends is not used after it ends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from core.cache import Cache
from models.enterprises import MemberRole, Membership
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from services.kit.context import ServiceContext
from services.workspace.permissions import bump_version, decide
from services.workspace.tree import permission_tree
from tests.factories import World

NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
END = NOON + timedelta(days=7)


def at(moment: datetime) -> ServiceContext:
    return ServiceContext(clock=lambda: moment)


def clock_from(moments: list[datetime]) -> Callable[[], datetime]:
    return lambda: moments[0]


async def role(world: World, name: str, codes: list[str], scope: DataScope) -> WorkspaceRole:
    return await WorkspaceRole.create(enterprise_id=world.acme.id, name=name, codes=codes, data_scope=scope,
                                      created_at=NOON, updated_at=NOON)


async def membership(world: World, who: int) -> Membership:
    return await Membership.get(person_id=who, enterprise_id=world.acme.id)


async def test_a_grant_counts_until_the_second_its_validity_ends(world: World, cache: Cache) -> None:
    reviewer = await role(world, "审单员", ["declaration:review"], DataScope.DEPARTMENT)
    await RoleGrant.create(person_id=world.staff.person_id, role=reviewer, valid_from=NOON, valid_to=END,
                           granted_at=NOON)
    staff = await membership(world, world.staff.person_id)
    now = [END - timedelta(seconds=1)]
    ctx = ServiceContext(clock=clock_from(now))

    before = await decide(ctx, cache, staff)  # cached now, with the end as its limit
    assert before.allows("declaration:review") and before.scope is DataScope.DEPARTMENT
    now[0] = END
    after = await decide(ctx, cache, staff)  # same version: the cached decision is not used past the end
    assert not after.allows("declaration:review") and after.scope is DataScope.SELF
    assert after.allows("declaration:entry")  # the built-in staff role's codes stay


async def test_a_grant_not_yet_started_grants_nothing_until_it_starts(world: World, cache: Cache) -> None:
    reviewer = await role(world, "审单员", ["declaration:review"], DataScope.SELF)
    await RoleGrant.create(person_id=world.staff.person_id, role=reviewer, valid_from=NOON, valid_to=None,
                           granted_at=NOON)
    staff = await membership(world, world.staff.person_id)
    now = [NOON - timedelta(seconds=1)]
    ctx = ServiceContext(clock=clock_from(now))
    assert not (await decide(ctx, cache, staff)).allows("declaration:review")
    now[0] = NOON
    assert (await decide(ctx, cache, staff)).allows("declaration:review")


async def test_union_of_codes_and_the_widest_scope(world: World, cache: Cache) -> None:
    one = await role(world, "审单员", ["declaration:review"], DataScope.SELF)
    two = await role(world, "同步员", ["sync:run"], DataScope.DEPARTMENT)
    for r in (one, two):
        await RoleGrant.create(person_id=world.staff.person_id, role=r, valid_from=NOON, granted_at=NOON)
    decision = await decide(at(NOON), cache, await membership(world, world.staff.person_id))
    assert {"declaration:review", "sync:run", "workbench:view"} <= decision.codes
    assert decision.scope is DataScope.DEPARTMENT


async def test_the_enterprise_admin_holds_every_code(world: World, cache: Cache) -> None:
    decision = await decide(at(NOON), cache, await membership(world, world.admin.person_id))
    assert decision.codes == permission_tree().grantable and decision.scope is DataScope.ALL


async def test_a_change_takes_effect_on_the_next_decision_after_the_version_bump(world: World, cache: Cache) -> None:
    staff = await membership(world, world.staff.person_id)
    assert not (await decide(at(NOON), cache, staff)).allows("sync:run")
    reviewer = await role(world, "同步员", ["sync:run"], DataScope.SELF)
    await RoleGrant.create(person_id=world.staff.person_id, role=reviewer, valid_from=NOON, granted_at=NOON)
    assert not (await decide(at(NOON), cache, staff)).allows("sync:run")  # cached: nobody said it changed
    await bump_version(cache, world.acme.id)
    assert (await decide(at(NOON), cache, staff)).allows("sync:run")


async def test_a_grant_in_another_enterprise_counts_only_there(world: World, cache: Cache) -> None:
    elsewhere = await WorkspaceRole.create(enterprise_id=world.solo.id, name="同步员", codes=["sync:run"],
                                           created_at=NOON, updated_at=NOON)
    await RoleGrant.create(person_id=world.staff.person_id, role=elsewhere, valid_from=NOON, granted_at=NOON)
    assert not (await decide(at(NOON), cache, await membership(world, world.staff.person_id))).allows("sync:run")


async def test_the_builtin_role_row_replaces_the_defaults(world: World, cache: Cache) -> None:
    await WorkspaceRole.create(enterprise_id=world.acme.id, name="关务人员", builtin=MemberRole.STAFF,
                               codes=["sync:run"], data_scope=DataScope.ALL, created_at=NOON, updated_at=NOON)
    decision = await decide(at(NOON), cache, await membership(world, world.staff.person_id))
    assert decision.codes == {"sync:run"} | permission_tree().everyone and decision.scope is DataScope.ALL
