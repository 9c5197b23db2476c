"""Settings → customs offices and departments, through the admin web: the tree of the admin's scope, a new
department (code unique, path computed), rename, 受理问题 on and off, deactivation refused while the office
is in use; nothing outside the admin's subtree is visible or changeable (404)."""

from __future__ import annotations

from models.audit import AuditEntry
from models.customs_accounts import CustomsAccount
from models.offices import CustomsOffice, OfficeKind
from services.kit.context import ServiceContext
from services.questions.ask_options import ask_options
from services.questions.asking import create_draft, submit_question
from tests.factories import World
from tests.http.support import Site, desk_for

ctx = ServiceContext()
OFFICES = "/admin/settings/offices"


async def test_the_tree_shows_the_admins_subtree_only(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    tree = await admin.get(OFFICES)
    assert tree.status_code == 200
    assert "大连海关" in tree.text and "大窑湾海关" in tree.text and "关税科" in tree.text
    assert "南京海关" not in tree.text
    assert tree.text.index("大窑湾海关") < tree.text.index("关税科")
    assert (await admin.get(f"{OFFICES}/{world.nanjing.id}")).status_code == 404
    assert (await admin.get(f"{OFFICES}/{world.tariff_dept.id}")).status_code == 200


async def test_an_admin_adds_a_department_and_renames_it(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    await admin.get(f"{OFFICES}/{world.dayaowan.id}")
    added = await admin.post(f"{OFFICES}/{world.dayaowan.id}/departments", code="0901-02", name="查验科")
    assert added.status_code == 303
    dept = await CustomsOffice.get(code="0901-02")
    assert (dept.kind, dept.parent_id, dept.path, dept.active) == (
        OfficeKind.DEPARTMENT, world.dayaowan.id, "/0900/0901/0901-02/", True)
    assert (await admin.post(f"{OFFICES}/{dept.id}/rename", name="查验一科")).status_code == 303
    assert (await CustomsOffice.get(id=dept.id)).name == "查验一科"
    assert "查验一科" in (await admin.get(OFFICES)).text
    actions = await AuditEntry.filter(object_id="0901-02").order_by("id").values_list("action", flat=True)
    assert actions == ["customs_office.create", "customs_office.rename"]


async def test_a_repeated_code_is_refused_and_other_districts_are_out_of_reach(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    await admin.get(f"{OFFICES}/{world.dayaowan.id}")
    again = await admin.post(f"{OFFICES}/{world.dayaowan.id}/departments", code="0901-01", name="另一个关税科")
    assert again.status_code == 400 and "代码 0901-01 已被使用" in again.text and 'value="另一个关税科"' in again.text
    bad = await admin.post(f"{OFFICES}/{world.dayaowan.id}/departments", code="a/b", name="斜杠科")
    assert bad.status_code == 400 and "代码为 2–16 位字母" in bad.text
    outside = await admin.post(f"{OFFICES}/{world.nanjing.id}/departments", code="2300-99", name="外关区科")
    assert outside.status_code == 404 and not await CustomsOffice.filter(code="2300-99").exists()
    assert (await admin.post(f"{OFFICES}/{world.nanjing.id}/rename", name="改名")).status_code == 404
    assert (await admin.post(f"{OFFICES}/{world.nanjing.id}/accepts", accepts="0")).status_code == 404
    assert (await admin.post(f"{OFFICES}/{world.nanjing.id}/active", active="0")).status_code == 404
    nanjing = await CustomsOffice.get(id=world.nanjing.id)
    assert (nanjing.name, nanjing.accepts_questions, nanjing.active) == ("南京海关", True, True)


async def test_accepts_questions_switches_the_accepting_unit_of_the_ask_form(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    await admin.get(f"{OFFICES}/{world.dalian.id}")
    assert (await admin.post(f"{OFFICES}/{world.dalian.id}/accepts", accepts="0")).status_code == 303
    assert (await ask_options(ctx, world.staff, world.acme.id, ["0900"])).accepting_offices == ()
    assert (await admin.post(f"{OFFICES}/{world.dalian.id}/accepts", accepts="1")).status_code == 303
    form = await ask_options(ctx, world.staff, world.acme.id, ["0900"])
    assert [o.name for o in form.accepting_offices] == ["大连海关"]
    audited = await AuditEntry.filter(action="customs_office.accepts_questions").values_list("detail", flat=True)
    assert audited == [{"accepts_questions": False}, {"accepts_questions": True}]


async def test_an_office_in_use_cannot_be_deactivated(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    await admin.get(f"{OFFICES}/{world.dayaowan.id}")
    with_account = await admin.post(f"{OFFICES}/{world.dayaowan.id}/active", active="0")
    assert with_account.status_code == 409 and "该单位还有 1 个在用账号" in with_account.text
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(office_id=world.tariff_dept.id))
    await submit_question(ctx, world.solo_staff, q.id)
    with_question = await admin.post(f"{OFFICES}/{world.tariff_dept.id}/active", active="0")
    assert with_question.status_code == 409 and "该单位还有 1 个未办结的问题" in with_question.text
    await CustomsAccount.filter(username="officer").update(active=False)
    with_child = await admin.post(f"{OFFICES}/{world.dayaowan.id}/active", active="0")
    assert with_child.status_code == 409 and "1 个在用的下级单位" in with_child.text
    assert (await CustomsOffice.get(id=world.tariff_dept.id)).active


async def test_an_unused_department_is_deactivated_and_reactivated(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    await admin.get(f"{OFFICES}/{world.tariff_dept.id}")
    assert (await admin.post(f"{OFFICES}/{world.tariff_dept.id}/active", active="0")).status_code == 303
    assert not (await CustomsOffice.get(id=world.tariff_dept.id)).active
    form = await ask_options(ctx, world.staff, world.acme.id, ["0900"])
    assert "关税科" not in [o.name for o in form.offices]
    assert "已停用" in (await admin.get(OFFICES)).text
    assert (await admin.post(f"{OFFICES}/{world.tariff_dept.id}/active", active="1")).status_code == 303
    assert (await CustomsOffice.get(id=world.tariff_dept.id)).active
    actions = await AuditEntry.filter(object_id="0901-01").order_by("id").values_list("action", flat=True)
    assert actions == ["customs_office.deactivate", "customs_office.activate"]


async def test_only_admins_with_the_token_change_offices(site: Site, world: World) -> None:
    supervisor = await desk_for(site, "supervisor")
    assert (await supervisor.get(OFFICES)).status_code == 403
    assert (await supervisor.post(f"{OFFICES}/{world.tariff_dept.id}/rename", name="改名")).status_code == 403
    await site.client.post("/admin/logout", data={"csrf_token": supervisor.csrf})
    await desk_for(site, "customs_admin")
    no_token = await site.client.post(f"{OFFICES}/{world.tariff_dept.id}/rename", data={"name": "改名"})
    assert no_token.status_code == 403
    assert (await CustomsOffice.get(id=world.tariff_dept.id)).name == "关税科"
