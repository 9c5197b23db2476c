"""管理员中心 through HTTP: 部门管理, 人员管理 (filters, departments, removal with hand-over: the removed
person's open session refused at once), 问题清单 under each data scope (page and API), 加入申请 and 我的企业
(desktop and H5); Chinese refusals beside their fields on pages, JSON 4xx on the API."""

from __future__ import annotations

from models.audit import AuditEntry
from models.departments import Department, DepartmentMember
from models.enterprises import MemberRole, Membership
from models.joins import JoinRequest, JoinStatus
from models.messages import Message
from models.questions import Question
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from services.kit.context import ServiceContext
from services.questions.asking import create_draft
from services.workspace.permissions import bump_version
from tests.factories import World
from tests.http.support import Site

DEPTS, PEOPLE, QUESTIONS = "/workbench/admin/departments", "/workbench/admin/people", "/workbench/questions"
JOINS, COMPANIES, H5_COMPANIES = "/workbench/admin/joins", "/workbench/personal/companies", "/h5/personal/companies"
CTX = ServiceContext()


async def department(name: str) -> Department:
    return await Department.get(name=name)


async def test_departments_are_added_renamed_moved_and_deleted_only_when_empty(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    assert (await admin.post_form(DEPTS, {"name": "关务部", "parent_id": ""})).status_code == 303
    customs = await department("关务部")
    assert (await admin.post_form(DEPTS, {"name": "一组", "parent_id": str(customs.id)})).status_code == 303
    assert (await admin.post_form(DEPTS, {"name": "财务部"})).status_code == 303
    team, finance = await department("一组"), await department("财务部")
    page = await admin.get(DEPTS)
    assert page.status_code == 200 and page.text.index("关务部") < page.text.index("一组") < page.text.index("财务部")

    blank = await admin.post_form(DEPTS, {"name": "", "parent_id": "abc"})
    assert blank.status_code == 400
    assert 'id="parent_id-error"' in blank.text and "上级部门不存在，请重新选择" in blank.text
    taken = await admin.post_form(f"{DEPTS}/{team.id}/rename", {"name": "  "})
    assert taken.status_code == 400 and 'id="name-error"' in taken.text and "请填写部门名称" in taken.text
    loop = await admin.post_form(f"{DEPTS}/{customs.id}/move", {"parent_id": str(team.id)})
    assert loop.status_code == 400 and "不能把部门移到它自己或它的下级部门之下" in loop.text

    assert (await admin.post_form(f"{DEPTS}/{customs.id}/move", {"parent_id": str(finance.id)})).status_code == 303
    assert (await Department.get(id=team.id)).path == f"/{finance.id}/{customs.id}/{team.id}/"
    not_empty = await admin.post_form(f"{DEPTS}/{finance.id}/delete")
    assert not_empty.status_code == 409 and "该部门下还有下级部门，请先删除或移走下级部门" in not_empty.text
    assert (await admin.post_form(f"{DEPTS}/{team.id}/delete")).status_code == 303
    assert not await Department.filter(id=team.id).exists()
    assert await AuditEntry.filter(action="department.delete", object_id=str(team.id)).exists()


async def test_people_are_filtered_and_placed_in_departments(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    await admin.post_form(DEPTS, {"name": "关务部"})
    await admin.post_form(DEPTS, {"name": "财务部"})
    customs, finance = await department("关务部"), await department("财务部")
    staff = await Membership.get(person_id=world.staff.person_id, enterprise_id=world.acme.id)

    found = await admin.get(PEOPLE, params={"name": "关务", "status": "active"})
    assert found.status_code == 200 and "关务丁" in found.text and "高管乙" not in found.text
    bad = await admin.get(PEOPLE, params={"joined_from": "2026-03-02", "joined_to": "2026-03-01", "status": "x",
                                          "name": "丁"})
    assert bad.status_code == 400 and 'id="joined_to-error"' in bad.text and "结束日期不能早于开始日期" in bad.text
    assert "请选择在职或已移除" in bad.text and 'value="丁"' in bad.text  # typed values kept
    garbage = await admin.get(PEOPLE, params={"joined_from": "昨天"})
    assert garbage.status_code == 400 and "请填写正确的日期" in garbage.text

    url = f"{PEOPLE}/{staff.id}/departments"
    no_primary = await admin.post_form(url, {"department_ids": [str(customs.id), str(finance.id)]})
    assert no_primary.status_code == 400 and 'id="primary_id-error"' in no_primary.text
    assert "请在所选部门中指定一个主部门" in no_primary.text
    junk = await admin.post_form(url, {"department_ids": ["x"], "primary_id": "y"})
    assert junk.status_code == 400 and "所选部门不存在" in junk.text
    placed = await admin.post_form(url, {"department_ids": [str(customs.id), str(finance.id)],
                                         "primary_id": str(finance.id)})
    assert placed.status_code == 303 and placed.headers["location"] == f"{PEOPLE}/{staff.id}?done=placed"
    assert await DepartmentMember.filter(person_id=world.staff.person_id, primary=True).values_list(
        "department_id", flat=True) == [finance.id]
    listing = await admin.get(PEOPLE)
    assert "财务部<span class=\"hint\">（主）</span>" in listing.text


async def test_removal_lists_open_items_hands_them_over_and_ends_the_open_session(site: Site, world: World) -> None:
    question = await create_draft(CTX, world.staff, world.acme.id, world.form("待交接的问题"))
    staff = await Membership.get(person_id=world.staff.person_id, enterprise_id=world.acme.id)
    colleague = await Membership.get(person_id=world.staff2.person_id, enterprise_id=world.acme.id)
    removed = await site.browser(world.staff)
    assert (await removed.get("/workbench/")).status_code == 200
    admin = await site.browser(world.admin)

    confirm = await admin.get(f"{PEOPLE}/{staff.id}/remove")
    assert confirm.status_code == 200 and "待交接的问题" in confirm.text and "关务戊" in confirm.text
    nobody = await admin.post_form(f"{PEOPLE}/{staff.id}/remove", {"colleague_id": ""})
    assert nobody.status_code == 400 and 'id="colleague_id-error"' in nobody.text
    assert "该人员还有未办结事项，请选择接手的同事" in nobody.text
    itself = await admin.post_form(f"{PEOPLE}/{staff.id}/remove", {"colleague_id": str(staff.id)})
    assert itself.status_code == 400 and "接手人须是本企业在职的其他人员" in itself.text

    done = await admin.post_form(f"{PEOPLE}/{staff.id}/remove", {"colleague_id": str(colleague.id)})
    assert done.status_code == 303 and done.headers["location"] == f"{PEOPLE}?done=removed"
    assert (await Question.get(id=question.id)).creator_id == world.staff2.person_id
    refused = await removed.get("/workbench/")  # the same cookie, the next request
    assert refused.status_code == 303 and "/h5/login" in refused.headers["location"]
    api = await removed.get("/api/v1/workspace/me")
    assert api.status_code == 401
    gone = await admin.get(PEOPLE, params={"status": "inactive"})
    assert "关务丁" in gone.text and "已移除" in gone.text

    me = await Membership.get(person_id=world.admin.person_id, enterprise_id=world.acme.id)
    self_removal = await admin.get(f"{PEOPLE}/{me.id}/remove")
    assert self_removal.status_code == 403 and "不能移除您自己" in self_removal.text


async def role_for(site: Site, world: World, person_id: int, scope: DataScope) -> None:
    """``person_id`` holds only 问题清单 with ``scope`` (their built-in role's codes emptied)."""
    now = CTX.now()
    membership = await Membership.get(person_id=person_id, enterprise_id=world.acme.id)
    await WorkspaceRole.get_or_create(enterprise_id=world.acme.id, builtin=membership.role, defaults=dict(
        name=f"内置{person_id}", codes=[], data_scope=DataScope.SELF, created_at=now, updated_at=now))
    role = await WorkspaceRole.create(enterprise_id=world.acme.id, name=f"清单{person_id}", codes=["question:view"],
                                      data_scope=scope, created_at=now, updated_at=now)
    await RoleGrant.create(person_id=person_id, role=role, valid_from=now, granted_at=now)
    await bump_version(site.app.ctx.cache, world.acme.id)


async def test_the_question_list_follows_the_data_scope_on_the_page_and_the_api(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    await admin.post_form(DEPTS, {"name": "关务部"})
    customs = await department("关务部")
    await admin.post_form(DEPTS, {"name": "一组", "parent_id": str(customs.id)})
    team = await department("一组")
    for person, place in ((world.staff, team), (world.executive, customs)):
        membership = await Membership.get(person_id=person.person_id, enterprise_id=world.acme.id)
        await admin.post_form(f"{PEOPLE}/{membership.id}/departments", {"department_ids": [str(place.id)]})
    await create_draft(CTX, world.staff, world.acme.id, world.form("一组的问题"))
    await create_draft(CTX, world.staff2, world.acme.id, world.form("无部门的问题"))
    await create_draft(CTX, world.executive, world.acme.id, world.form("关务部的问题"))
    await create_draft(CTX, world.solo_staff, world.solo.id, world.form("别家的问题"))
    await role_for(site, world, world.staff.person_id, DataScope.SELF)
    await role_for(site, world, world.executive.person_id, DataScope.DEPARTMENT)
    await role_for(site, world, world.executive2.person_id, DataScope.ALL)

    async def titles(person: object) -> set[str]:
        client = await site.api(person)  # type: ignore[arg-type]
        answer = await client.get("/api/v1/workspace/questions")
        assert answer.status_code == 200
        return {item["title"] for item in answer.json()["items"]}

    assert await titles(world.staff) == {"一组的问题"}
    assert await titles(world.executive) == {"一组的问题", "关务部的问题"}
    assert await titles(world.executive2) == {"一组的问题", "无部门的问题", "关务部的问题"}
    page = await (await site.browser(world.staff)).get(QUESTIONS)
    assert page.status_code == 200 and "一组的问题" in page.text and "无部门的问题" not in page.text
    assert "/h5/questions/" in page.text

    api = await site.api(world.executive2)
    bad = await api.get("/api/v1/workspace/questions", params={"cursor": "!!", "limit": "0"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] in ("cursor", "limit")
    first = (await api.get("/api/v1/workspace/questions", params={"limit": "2"})).json()
    rest = (await api.get("/api/v1/workspace/questions", params={"cursor": first["next_cursor"]})).json()
    assert [i["title"] for i in first["items"] + rest["items"]] == ["关务部的问题", "无部门的问题", "一组的问题"]


async def test_a_join_request_from_my_companies_is_approved_by_the_admin(site: Site, world: World) -> None:
    outsider = await site.browser(world.solo_staff)
    page = await outsider.get(COMPANIES)
    assert page.status_code == 200 and "辽宁单人贸易有限公司" in page.text and "企业管理员" in page.text
    empty = await outsider.post_form(f"{COMPANIES}/join", {"query": ""})
    assert empty.status_code == 400 and 'id="query-error"' in empty.text
    assert "请输入统一社会信用代码或企业全称" in empty.text
    asked = await outsider.post_form(f"{COMPANIES}/join", {"query": world.acme.credit_code})
    assert asked.status_code == 303
    twice = await outsider.post_form(f"{COMPANIES}/join", {"query": world.acme.name})
    assert twice.status_code == 409 and "您已提交过加入该企业的申请" in twice.text
    request = await JoinRequest.get(person_id=world.solo_staff.person_id)
    assert request.asked_from_id == world.solo.id

    admin = await site.browser(world.admin)
    listing = await admin.get(JOINS)
    assert listing.status_code == 200 and "单人己" in listing.text
    no_reason = await admin.post_form(f"{JOINS}/{request.id}/refuse", {"reason": ""})
    assert no_reason.status_code == 400 and 'id="reason-error"' in no_reason.text
    approved = await admin.post_form(f"{JOINS}/{request.id}/approve", {"role_id": ""})
    assert approved.status_code == 303
    again = await admin.post_form(f"{JOINS}/{request.id}/approve", {"role_id": ""})
    assert again.status_code == 303  # idempotent
    assert (await JoinRequest.get(id=request.id)).status is JoinStatus.APPROVED
    assert (await Membership.get(person_id=world.solo_staff.person_id, enterprise_id=world.acme.id)).role \
        is MemberRole.STAFF
    assert await Message.filter(person_id=world.solo_staff.person_id, enterprise_id=world.acme.id).count() == 1
    late = await admin.post_form(f"{JOINS}/{request.id}/refuse", {"reason": "太晚了"})
    assert late.status_code == 409 and "该申请已处理" in late.text

    mine = await outsider.get(H5_COMPANIES)
    assert mine.status_code == 200 and "大连示例进出口有限公司" in mine.text and "已通过" in mine.text
    left = await outsider.post_form(f"{H5_COMPANIES}/leave", {"enterprise_id": str(world.acme.id)})
    assert left.status_code == 303 and left.headers["location"] == f"{H5_COMPANIES}?done=left"
    current = await outsider.post_form(f"{COMPANIES}/leave", {"enterprise_id": str(world.solo.id)})
    assert current.status_code == 409 and "请先切换到其他企业" in current.text


async def test_an_enterprise_waiting_for_customs_offers_certification(site: Site, world: World) -> None:
    world.solo.status = "pending_review"  # type: ignore[assignment]
    await world.solo.save()
    await Membership.create(person_id=world.staff.person_id, enterprise_id=world.solo.id, role=MemberRole.ADMIN)
    page = await (await site.browser(world.staff)).get(COMPANIES)
    assert "立即认证" in page.text and "/h5/card/register" in page.text and "/h5/registration" in page.text


async def test_staff_without_the_codes_are_refused(site: Site, world: World) -> None:
    staff = await site.browser(world.staff)
    for url in (DEPTS, PEOPLE, JOINS):
        assert (await staff.get(url)).status_code == 403
    staff_membership = await Membership.get(person_id=world.staff.person_id, enterprise_id=world.acme.id)
    refused = await staff.post_form(f"{PEOPLE}/{staff_membership.id}/remove", {"colleague_id": ""})
    assert refused.status_code == 403 and "您没有该功能的权限" in refused.text
    assert (await staff.get(COMPANIES)).status_code == 200  # everyone's own centre
