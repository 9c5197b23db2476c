"""The settings use cases below the pages: catalog order, the office tree and its rules, account rules, and
``load-data`` leaving an admin's deactivation alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.audit import AuditEntry
from models.catalog import QuestionType
from models.customs_accounts import CustomsAccount, CustomsRole
from models.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from models.offices import CustomsOffice
from services.desk.account_settings import (
    AccountForm,
    accounts_in_scope,
    create_account,
    edit_account,
    set_account_active,
)
from services.desk.catalog_settings import CatalogKind, add_catalog_item, move_catalog_item, set_catalog_item_active
from services.desk.office_settings import add_department, office_tree, rename_office, set_office_active
from services.desk.reference_data import load_catalog
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from tests.factories import World

ctx = ServiceContext()
PASSWORD = "Kaiguan2026x"


async def codes() -> list[str]:
    return [t.code for t in await QuestionType.all().order_by("sort", "id")]


async def test_moving_past_either_end_changes_nothing(world: World) -> None:
    admin = world.customs_admin
    await move_catalog_item(ctx, admin, CatalogKind.TYPES, world.type_ids[0], up=True)
    await move_catalog_item(ctx, admin, CatalogKind.TYPES, world.type_ids[2], up=False)
    assert await codes() == ["tongguan", "shuishou", "qita"]
    await move_catalog_item(ctx, admin, CatalogKind.TYPES, world.type_ids[0], up=False)
    assert await codes() == ["shuishou", "tongguan", "qita"]
    assert [t.sort for t in await QuestionType.all().order_by("sort")] == [10, 20, 30]
    assert await AuditEntry.filter(action="question_type.move").count() == 1


async def test_only_admins_change_the_catalog(world: World) -> None:
    with pytest.raises(Forbidden):
        await add_catalog_item(ctx, world.supervisor, CatalogKind.TYPES, "jiandu", "稽查")
    with pytest.raises(NotFound):
        await set_catalog_item_active(ctx, world.customs_admin, CatalogKind.CATEGORIES, 999999, False)


async def test_load_data_keeps_a_deactivated_entry_deactivated(world: World, tmp_path: Path) -> None:
    await set_catalog_item_active(ctx, world.customs_admin, CatalogKind.TYPES, world.type_ids[2], False)
    data = tmp_path / "question_types.csv"
    data.write_text("code,name,sort\ntongguan,通关运行,1\nqita,其他,3\nxinde,新类型,4\n", encoding="utf-8")
    await load_catalog(QuestionType, data)
    assert not (await QuestionType.get(code="qita")).active
    assert (await QuestionType.get(code="xinde")).active


async def test_the_tree_is_depth_first_with_active_account_counts(world: World) -> None:
    await add_department(ctx, world.customs_admin, world.dalian.id, "0900-01", "综合业务处")
    rows = await office_tree(world.customs_admin)
    assert [(r.office.code, r.depth, r.active_accounts) for r in rows] == [
        ("0900", 0, 2), ("0900-01", 1, 0), ("0901", 1, 1), ("0901-01", 2, 0)]
    assert rows[1].kind_label == "部门"


async def test_no_department_under_a_deactivated_office_and_no_reactivation_under_one(world: World) -> None:
    dept = await add_department(ctx, world.customs_admin, world.tariff_dept.id, "0901-01-1", "一组")
    await set_office_active(ctx, world.customs_admin, dept.id, False)
    await set_office_active(ctx, world.customs_admin, world.tariff_dept.id, False)
    with pytest.raises(ValidationFailed, match="上级单位已停用"):
        await add_department(ctx, world.customs_admin, world.tariff_dept.id, "0901-01-2", "二组")
    with pytest.raises(IllegalTransition, match="请先启用上级单位"):
        await set_office_active(ctx, world.customs_admin, dept.id, True)
    assert (await CustomsOffice.get(id=dept.id)).path == "/0900/0901/0901-01/0901-01-1/"


async def test_accounts_in_scope_put_active_ones_first(world: World) -> None:
    await set_account_active(ctx, world.customs_admin, world.officer.account_id, False)
    rows = await accounts_in_scope(ctx, world.customs_admin)
    assert [r.account.username for r in rows] == ["customs_admin", "supervisor", "officer"]
    with pytest.raises(Forbidden):
        await accounts_in_scope(ctx, world.supervisor)


async def test_an_account_of_a_deactivated_office_is_moved_before_reactivation(world: World) -> None:
    created = await create_account(ctx, world.customs_admin, "li.na",
                                   AccountForm("李娜", "officer", world.tariff_dept.id), PASSWORD)
    await set_account_active(ctx, world.customs_admin, created.id, False)
    await set_office_active(ctx, world.customs_admin, world.tariff_dept.id, False)
    with pytest.raises(ValidationFailed, match="所属单位已停用"):
        await set_account_active(ctx, world.customs_admin, created.id, True)
    with pytest.raises(ValidationFailed, match="该单位已停用"):
        await edit_account(ctx, world.customs_admin, created.id, AccountForm("李娜", "officer", world.tariff_dept.id))
    await edit_account(ctx, world.customs_admin, created.id, AccountForm("李娜", "officer", world.dayaowan.id))
    await set_account_active(ctx, world.customs_admin, created.id, True)
    assert (await CustomsAccount.get(id=created.id)).active


async def test_an_edit_without_changes_is_not_audited_and_one_admin_may_demote_another(world: World) -> None:
    me = await CustomsAccount.get(id=world.customs_admin.account_id)
    await edit_account(ctx, world.customs_admin, me.id, AccountForm(me.name, "admin", world.dalian.id))
    assert not await AuditEntry.filter(action="customs_account.update").exists()
    other = await create_account(ctx, world.customs_admin, "admin2", AccountForm("管理员二", "admin", world.dalian.id),
                                 PASSWORD)
    await edit_account(ctx, world.customs_admin, other.id, AccountForm("管理员二", "supervisor", world.dalian.id))
    assert (await CustomsAccount.get(id=other.id)).role is CustomsRole.SUPERVISOR
    entry = await AuditEntry.get(action="customs_account.update")
    assert entry.detail == {"role": ["admin", "supervisor"]}


async def test_an_admin_of_a_sub_office_reaches_only_its_own_subtree(world: World) -> None:
    local = await create_account(ctx, world.customs_admin, "dyw_admin",
                                 AccountForm("大窑湾管理员", "admin", world.dayaowan.id), PASSWORD)
    local_admin = CustomsActor(local.id)
    assert [r.office.code for r in await office_tree(local_admin)] == ["0901", "0901-01"]
    assert {r.account.username for r in await accounts_in_scope(ctx, local_admin)} == {"officer", "dyw_admin"}
    with pytest.raises(NotFound):
        await rename_office(ctx, local_admin, world.dalian.id, "改名")
    with pytest.raises(NotFound):
        await add_department(ctx, local_admin, world.dalian.id, "0900-77", "新处")
    with pytest.raises(NotFound):
        await set_account_active(ctx, local_admin, world.supervisor.account_id, False)
    with pytest.raises(NotFound):
        await create_account(ctx, local_admin, "wang.fang", AccountForm("王芳", "officer", world.dalian.id), PASSWORD)
    assert (await CustomsOffice.get(id=world.dalian.id)).name == "大连海关"
