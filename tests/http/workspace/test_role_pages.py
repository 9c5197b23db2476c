"""管理员中心 → 角色 and 人员 through HTTP: list, add, edit, delete (refused for built-in and used roles), grant
with 起止时间, renew (续期) an ended grant, bad input refused in Chinese beside the field, every change audited
with before / after."""

from __future__ import annotations

from datetime import timedelta

from models.audit import AuditEntry
from models.enterprises import MemberRole, Membership
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from tests.factories import World
from tests.http.support import Site

ROLES = "/workbench/admin/roles"


async def test_the_admin_sees_the_shell_and_the_three_builtin_roles(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    home = await admin.get("/workbench/")
    assert home.status_code == 200 and "管理员中心" in home.text and "角色管理" in home.text
    page = await admin.get(ROLES)
    assert page.status_code == 200
    for name in ("企业管理员", "企业高管", "关务人员"):
        assert name in page.text
    assert await WorkspaceRole.filter(enterprise_id=world.acme.id, builtin__isnull=False).count() == 3


async def test_add_edit_and_delete_a_role_each_audited(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    added = await admin.post_form(ROLES, {"name": "审单员", "codes": ["declaration:review", "library:export"],
                                          "data_scope": "department"})
    assert added.status_code == 303 and added.headers["location"] == f"{ROLES}?done=added"
    role = await WorkspaceRole.get(enterprise_id=world.acme.id, name="审单员")
    # an action brings its page: 导出 needs 申报库查询
    assert sorted(role.codes) == ["declaration:review", "library:export", "library:query"]
    assert role.data_scope is DataScope.DEPARTMENT

    edited = await admin.post_form(f"{ROLES}/{role.id}", {"name": "审单员A", "codes": ["declaration:review"],
                                                          "data_scope": "self"})
    assert edited.status_code == 303
    entry = await AuditEntry.get(action="role.edit", object_id=str(role.id))
    assert entry.detail["before"]["name"] == "审单员" and entry.detail["after"]["name"] == "审单员A"
    assert entry.detail["after"]["codes"] == ["declaration:review"]

    deleted = await admin.post_form(f"{ROLES}/{role.id}/delete")
    assert deleted.status_code == 303 and not await WorkspaceRole.filter(id=role.id).exists()
    assert await AuditEntry.filter(action="role.delete", object_id=str(role.id)).exists()


async def test_bad_role_input_is_refused_beside_each_field(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    bad = await admin.post_form(ROLES, {"name": "", "codes": ["no:such:code"], "data_scope": "galaxy"})
    assert bad.status_code == 400
    assert 'id="name-error"' in bad.text and "请填写角色名称" in bad.text
    assert 'id="codes-error"' in bad.text and "包含不存在的权限" in bad.text
    assert "请选择数据范围" in bad.text
    await admin.post_form(ROLES, {"name": "审单员", "codes": [], "data_scope": "self"})
    twice = await admin.post_form(ROLES, {"name": "审单员", "codes": [], "data_scope": "self"})
    assert twice.status_code == 409 and "已有同名角色" in twice.text and 'value="审单员"' in twice.text


async def test_builtin_and_used_roles_cannot_be_deleted(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    await admin.get(ROLES)
    builtin = await WorkspaceRole.get(enterprise_id=world.acme.id, builtin=MemberRole.STAFF)
    refused = await admin.post_form(f"{ROLES}/{builtin.id}/delete")
    assert refused.status_code == 409 and "内置角色不能删除" in refused.text

    await admin.post_form(ROLES, {"name": "审单员", "codes": ["declaration:review"], "data_scope": "self"})
    role = await WorkspaceRole.get(enterprise_id=world.acme.id, name="审单员")
    staff = await Membership.get(person_id=world.staff.person_id, enterprise_id=world.acme.id)
    granted = await admin.post_form(f"/workbench/admin/people/{staff.id}/grants",
                                    {"role_id": str(role.id), "valid_from": "2026-01-01T09:00", "valid_to": ""})
    assert granted.status_code == 303
    in_use = await admin.post_form(f"{ROLES}/{role.id}/delete")
    assert in_use.status_code == 400 and "该角色仍有人员使用，请选择将其人员移至哪个角色后再删除" in in_use.text
    assert 'data-field="move_to"' in in_use.text and "移交并删除" in in_use.text
    for wrong in (str(role.id), str(builtin.id), "999999"):  # itself, a built-in role, no such role
        moved_nowhere = await admin.post_form(f"{ROLES}/{role.id}/delete", {"move_to": wrong})
        assert moved_nowhere.status_code == 400 and "请选择本企业的另一个自定义角色" in moved_nowhere.text
    assert await WorkspaceRole.filter(id=role.id).exists()


async def test_a_used_role_is_deleted_with_its_people_moved_to_another(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    for name in ("审单员", "复核员"):
        await admin.post_form(ROLES, {"name": name, "codes": ["declaration:review"], "data_scope": "self"})
    old, new = [await WorkspaceRole.get(enterprise_id=world.acme.id, name=n) for n in ("审单员", "复核员")]
    staff = await Membership.get(person_id=world.staff.person_id, enterprise_id=world.acme.id)
    await admin.post_form(f"/workbench/admin/people/{staff.id}/grants",
                          {"role_id": str(old.id), "valid_from": "2026-01-01T09:00", "valid_to": "2099-01-01T09:00"})
    before = await RoleGrant.get(person_id=world.staff.person_id)
    deleted = await admin.post_form(f"{ROLES}/{old.id}/delete", {"move_to": str(new.id)})
    assert deleted.status_code == 303 and not await WorkspaceRole.filter(id=old.id).exists()
    moved = await RoleGrant.get(person_id=world.staff.person_id)
    assert (moved.id, moved.role_id, moved.valid_from, moved.valid_to) == (
        before.id, new.id, before.valid_from, before.valid_to)
    entry = await AuditEntry.get(action="role.delete", object_id=str(old.id))
    assert entry.detail["moved_to"] == "复核员" and entry.detail["moved"] == 1


async def test_grant_with_a_period_and_bad_periods_refused(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    await admin.post_form(ROLES, {"name": "审单员", "codes": ["declaration:review"], "data_scope": "self"})
    role = await WorkspaceRole.get(enterprise_id=world.acme.id, name="审单员")
    staff = await Membership.get(person_id=world.staff.person_id, enterprise_id=world.acme.id)
    url = f"/workbench/admin/people/{staff.id}/grants"
    backwards = await admin.post_form(url, {"role_id": str(role.id), "valid_from": "2026-03-01T09:00",
                                            "valid_to": "2026-02-01T09:00"})
    assert backwards.status_code == 400 and "结束时间须晚于开始时间" in backwards.text
    nothing = await admin.post_form(url, {"role_id": "", "valid_from": "", "valid_to": ""})
    assert nothing.status_code == 400 and "请选择要分配的角色" in nothing.text and "请填写开始时间" in nothing.text
    ok = await admin.post_form(url, {"role_id": str(role.id), "valid_from": "2026-03-01T09:00",
                                     "valid_to": "2026-03-08T09:00"})
    assert ok.status_code == 303
    grant = await RoleGrant.get(person_id=world.staff.person_id)
    assert grant.valid_from.isoformat().startswith("2026-03-01T01:00")  # 09:00 in Shanghai
    page = await admin.get("/workbench/admin/people")
    assert "审单员：2026-03-01 09:00 至 2026-03-08 09:00" in page.text
    assert await AuditEntry.filter(action="role.grant", object_id=str(grant.id)).exists()


async def test_a_staff_member_without_the_code_gets_a_chinese_403(site: Site, world: World) -> None:
    staff = await site.browser(world.staff)
    page = await staff.get(ROLES)
    assert page.status_code == 403 and "您没有该功能的权限" in page.text
    api = await staff.get("/api/v1/workspace/roles")
    assert api.status_code == 403 and api.json()["error"]["code"] == "forbidden"
    anonymous = await site.client.get(ROLES)
    assert anonymous.status_code == 303 and "/h5/login" in anonymous.headers["location"]


async def test_an_ended_grant_is_renewed_in_one_click(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    await admin.post_form(ROLES, {"name": "审单员", "codes": ["declaration:review"], "data_scope": "self"})
    role = await WorkspaceRole.get(enterprise_id=world.acme.id, name="审单员")
    now = site.app.ctx.services.now()
    ended = await RoleGrant.create(person_id=world.staff.person_id, role=role, valid_from=now - timedelta(days=8),
                                   valid_to=now - timedelta(days=1), granted_at=now - timedelta(days=8))
    running = await RoleGrant.create(person_id=world.staff2.person_id, role=role, valid_from=now,
                                     valid_to=now + timedelta(days=30), granted_at=now)
    page = await admin.get("/workbench/admin/people")
    assert f"/workbench/admin/grants/{ended.id}/renew" in page.text
    assert f"/workbench/admin/grants/{running.id}/renew" not in page.text  # far from its end: nothing to renew

    past = await admin.post_form(f"/workbench/admin/grants/{ended.id}/renew", {"valid_to": "2020-01-01T09:00"})
    assert past.status_code == 400 and "续期的结束时间须晚于当前时间" in past.text
    assert 'value="2020-01-01T09:00"' in past.text  # what was typed is kept
    done = await admin.post_form(f"/workbench/admin/grants/{ended.id}/renew", {"valid_to": ""})
    assert done.status_code == 303 and done.headers["location"] == "/workbench/admin/people?done=renewed"

    renewed = await RoleGrant.get(id=ended.id)
    assert renewed.valid_to is not None and renewed.valid_to - now > timedelta(days=6, hours=23)
    assert await AuditEntry.filter(action="role.renew", object_id=str(ended.id)).exists()
    assert "授权已续期" in (await admin.get("/workbench/admin/people?done=renewed")).text
    staff = await site.browser(world.staff2)
    refused = await staff.post_form(f"/workbench/admin/grants/{ended.id}/renew", {"valid_to": ""})
    assert refused.status_code == 403
