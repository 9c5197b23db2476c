"""Settings → question types and business categories, through the admin web: add, rename, reorder,
deactivate and reactivate, each audited; a repeated code is refused beside the field; only admins, only
with the form's CSRF token. A deactivated type leaves the ask form but stays on the questions that carry it."""

from __future__ import annotations

from handlers.kit.sessions import ADMIN_COOKIE
from models.audit import AuditEntry
from models.catalog import BusinessCategory, QuestionType
from services.kit.context import ServiceContext
from services.questions.ask_options import ask_options
from services.questions.asking import create_draft
from services.questions.views import question_detail
from tests.factories import World
from tests.http.support import Site, desk_for

ctx = ServiceContext()
CATALOG = "/admin/settings/catalog"


async def test_the_overview_and_the_catalog_page_show_both_lists(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    overview = await admin.get("/admin/settings")
    assert overview.status_code == 200
    assert "问题类型与业务类别" in overview.text and "海关与部门" in overview.text and "海关账号" in overview.text
    assert "问题类型 3 个在用" in overview.text
    page = await admin.get(CATALOG)
    assert page.status_code == 200
    assert "通关运行" in page.text and "关税征管" in page.text and "业务类别" in page.text


async def test_an_admin_adds_renames_and_reorders_a_question_type(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    await admin.get(CATALOG)
    added = await admin.post(f"{CATALOG}/types/add", code="jiandu", name="稽查")
    assert added.status_code == 303
    new = await QuestionType.get(code="jiandu")
    assert new.active and new.sort > max(t.sort for t in await QuestionType.exclude(id=new.id))
    assert (await admin.post(f"{CATALOG}/types/{new.id}/rename", name="稽查与核查")).status_code == 303
    assert (await QuestionType.get(id=new.id)).name == "稽查与核查"
    assert (await admin.post(f"{CATALOG}/types/{new.id}/move", direction="up")).status_code == 303
    order = [t.code for t in await QuestionType.all().order_by("sort", "id")]
    assert order == ["tongguan", "shuishou", "jiandu", "qita"]
    actions = set(await AuditEntry.filter(object_type="question_type").values_list("action", flat=True))
    assert actions == {"question_type.create", "question_type.rename", "question_type.move"}
    assert (await AuditEntry.get(action="question_type.create")).actor_name == "customs_admin"


async def test_a_repeated_code_or_an_empty_name_is_refused_beside_the_field(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    await admin.get(CATALOG)
    again = await admin.post(f"{CATALOG}/categories/add", code="tongguan", name="通关二")
    assert again.status_code == 400 and "代码 tongguan 已被使用" in again.text
    assert 'value="通关二"' in again.text  # what was typed is kept
    assert await BusinessCategory.filter(code="tongguan").count() == 1
    bad = await admin.post(f"{CATALOG}/categories/add", code="通关", name="通关")
    assert bad.status_code == 400 and "代码为 2–32 位小写字母" in bad.text
    empty = await admin.post(f"{CATALOG}/types/{world.type_ids[0]}/rename", name="  ")
    assert empty.status_code == 400 and "请填写名称" in empty.text
    assert (await admin.post(f"{CATALOG}/types/999999/rename", name="x")).status_code == 404
    assert (await admin.post(f"{CATALOG}/colours/add", code="red", name="红")).status_code == 404


async def test_a_deactivated_type_leaves_the_ask_form_but_stays_on_old_questions(site: Site, world: World) -> None:
    question = await create_draft(ctx, world.staff, world.acme.id, world.form(type_ids=(world.type_ids[1],)))
    admin = await desk_for(site, "customs_admin")
    await admin.get(CATALOG)
    off = await admin.post(f"{CATALOG}/types/{world.type_ids[1]}/active", active="0")
    assert off.status_code == 303
    page = await admin.get(CATALOG)
    assert "已停用" in page.text and "启用" in page.text
    form = await ask_options(ctx, world.staff, world.acme.id, ["0900"])
    assert [t.name for t in form.types] == ["通关运行", "其他"]
    detail = await question_detail(ctx, world.staff.person_id, question.id)
    assert detail.item.types == ("关税征管",)
    assert (await admin.post(f"{CATALOG}/types/{world.type_ids[1]}/active", active="1")).status_code == 303
    form = await ask_options(ctx, world.staff, world.acme.id, ["0900"])
    assert "关税征管" in [t.name for t in form.types]
    actions = await AuditEntry.filter(object_id="shuishou").order_by("id").values_list("action", flat=True)
    assert actions == ["question_type.deactivate", "question_type.activate"]


async def test_officers_and_supervisors_are_refused_and_forms_need_the_csrf_token(site: Site, world: World) -> None:
    for username in ("officer", "supervisor"):
        desk = await desk_for(site, username)
        assert (await desk.get("/admin/settings")).status_code == 403
        assert (await desk.get(CATALOG)).status_code == 403
        refused = await desk.post(f"{CATALOG}/types/add", code="xx", name="某类")
        assert refused.status_code == 403 and "只有系统管理员" in refused.text
        await site.client.post("/admin/logout", data={"csrf_token": desk.csrf})
    admin = await desk_for(site, "customs_admin")
    no_token = await site.client.post(f"{CATALOG}/types/add", data={"code": "xx", "name": "某类"})
    assert no_token.status_code == 403
    assert not await QuestionType.filter(code="xx").exists()
    assert admin.csrf and site.client.cookies.get(ADMIN_COOKIE)
