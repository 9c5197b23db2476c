"""异常状态登记 services: every field rule with a bad value, the filters, 变更状态 (完成 sets 完成日期), delete of the
selected rows, the export read back, the exception a 删单 / 查验 / 退单 receipt registers exactly once (the same
receipt twice; two at once on PostgreSQL), the 报关差错率 on known data, and the scoping (enterprise and 仅本人)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from models.declaration_exceptions import DeclarationException, ExceptionKind, ExceptionStatus, ExceptionType
from models.declaration_lifecycle import DeclarationAction, DeclarationStatus
from models.declarations import Declaration, DeclarationEvent, DeclarationKind
from models.errors import Conflict, NotFound, ValidationFailed
from models.workspace import DataScope
from services.declarations.entry import (
    approve_declaration,
    create_draft,
    declare_declaration,
    record_receipt,
    submit_declaration,
)
from services.declarations.error_rate import error_rate, period
from services.declarations.exception_form import ExceptionFilter, check_exception
from services.declarations.exceptions import (
    add_exception,
    change_status,
    delete_exceptions,
    edit_exception,
    export_exceptions,
    get_exception,
    list_exceptions,
)
from services.kit.context import ServiceContext
from services.workspace.roles import Member
from tests.conftest import PG_URL
from tests.factories import World
from tests.services.declarations.support import ENTRY, REVIEW, good_form, member_of
from tests.services.library.support import load_small_reference

NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
CTX = ServiceContext(clock=lambda: NOW)
TODAY = date(2026, 3, 20)
EDIT = "exception:edit"
K = ExceptionKind


def values(**changes: Any) -> dict[str, Any]:
    typed: dict[str, Any] = {"number": "090120260000012345", "trade_name": "大连示例进出口有限公司", "ie_flag": "E",
                             "client_name": "大连委托贸易有限公司", "exception_type": "modify_delete",
                             "occurred_on": "2026-03-02", "post": "制单", "responsible": "张关务", "penalized": False,
                             "penalty_target": "", "status": "pending", "done_on": "", "reason": "品名申报有误，改单"}
    typed.update(changes)
    return typed


BAD = [
    ("报关单号 empty", {"number": ""}, "number", "请填写报关单号"),
    ("报关单号 not 18 digits", {"number": "09012026000001234X"}, "number", "报关单号应为 18 位数字"),
    ("境内收发货人 too long", {"trade_name": "大" * 101}, "trade_name", "境内收发货人不能超过 100 个字符"),
    ("进出口 unknown", {"ie_flag": "X"}, "ie_flag", "请选择进出口"),
    ("委托企业 too long", {"client_name": "委" * 101}, "client_name", "委托企业不能超过 100 个字符"),
    ("异常类型 missing", {"exception_type": ""}, "exception_type", "请选择异常类型"),
    ("异常类型 unknown", {"exception_type": "fire"}, "exception_type", "请选择异常类型"),
    ("发生日期 missing", {"occurred_on": ""}, "occurred_on", "请填写发生日期"),
    ("发生日期 not a date", {"occurred_on": "2026-02-30"}, "occurred_on", "发生日期应为日期"),
    ("发生日期 in the future", {"occurred_on": "2026-03-21"}, "occurred_on", "发生日期不能晚于今天"),
    ("责任岗位 too long", {"post": "岗" * 31}, "post", "责任岗位不能超过 30 个字符"),
    ("责任人 too long", {"responsible": "人" * 31}, "responsible", "责任人不能超过 30 个字符"),
    ("处罚对象 missing when punished", {"penalized": True}, "penalty_target", "海关处罚时请填写处罚对象"),
    ("处罚对象 without a penalty", {"penalty_target": "本企业"}, "penalty_target", "海关未处罚时不填写处罚对象"),
    ("处理状态 unknown", {"status": "lost"}, "status", "请选择处理状态"),
    ("完成日期 not a date", {"status": "done", "done_on": "3/2"}, "done_on", "完成日期应为日期"),
    ("完成日期 while pending", {"done_on": "2026-03-05"}, "done_on", "处理状态为“已完成”时才填写完成日期"),
    ("完成日期 before 发生日期", {"status": "done", "done_on": "2026-03-01"}, "done_on", "完成日期不能早于发生日期"),
    ("异常原因 too long", {"reason": "因" * 501}, "reason", "异常原因不能超过 500 个字符"),
]


@pytest.mark.parametrize(("what", "changes", "field", "message"), BAD, ids=[b[0] for b in BAD])
def test_every_field_rule_refuses_its_bad_value(what: str, changes: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_exception(K.DECLARATION, values(**changes), TODAY)
    assert refused.value.errors.get(field, "").startswith(message), refused.value.errors


def test_all_refusals_come_at_once_and_good_values_are_typed() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_exception(K.DECLARATION, values(number="1", exception_type="", occurred_on="x"), TODAY)
    assert set(refused.value.errors) == {"number", "exception_type", "occurred_on"}
    form = check_exception(K.DECLARATION, values(status="done", penalized=True, penalty_target="本企业"), TODAY)
    assert (form.exception_type, form.done_on, form.penalized) == (ExceptionType.MODIFY_DELETE, TODAY, True)
    listed = check_exception(K.BONDED_LIST, values(number="qd0901260000001234"), TODAY)
    assert listed.number == "QD0901260000001234"
    with pytest.raises(ValidationFailed, match="清单编号应为 18 位字母或数字"):
        check_exception(K.BONDED_LIST, values(number="QD-0901"), TODAY)


def test_the_filter_refuses_bad_arguments_beside_each() -> None:
    with pytest.raises(ValidationFailed) as refused:
        ExceptionFilter.from_args({"kind": "ship", "status": "x", "date_from": "2026-03-05", "date_to": "2026-03-01",
                                   "number": "1" * 19})
    assert set(refused.value.errors) == {"kind", "status", "date_from", "number"}


async def _editor(world: World, person_id: int | None = None, scope: DataScope = DataScope.ALL) -> Member:
    return await member_of(world, person_id or world.staff.person_id, ENTRY, EDIT, scope=scope)


async def _add(member: Member, kind: ExceptionKind = K.DECLARATION, **changes: Any) -> DeclarationException:
    return await add_exception(CTX, member, kind, check_exception(kind, values(**changes), TODAY))


async def test_filters_status_changes_delete_and_export(world: World, tmp_path: Path) -> None:
    staff = await _editor(world)
    one = await _add(staff)
    two = await _add(staff, number="090120260000099999", exception_type="inspection", post="审单", responsible="王审单",
                     occurred_on="2026-02-10", ie_flag="I")
    await _add(staff, K.BONDED_LIST, number="QD0901260000001234")

    def found(**args: str) -> Any:
        return list_exceptions(staff, ExceptionFilter.from_args(args))

    assert [e.id for e in (await found()).items] == [two.id, one.id]
    assert [e.id for e in (await found(number="99999")).items] == [two.id]
    assert [e.id for e in (await found(exception_type="inspection")).items] == [two.id]
    assert [e.id for e in (await found(post="制单", responsible="张")).items] == [one.id]
    assert [e.id for e in (await found(ie_flag="I")).items] == [two.id]
    assert [e.id for e in (await found(date_from="2026-03-01", date_to="2026-03-31")).items] == [one.id]
    assert (await found(kind="bonded_list")).total == 1

    done = await change_status(CTX, staff, one.id, ExceptionStatus.DONE)
    assert (done.status, done.done_on, done.version) == (ExceptionStatus.DONE, TODAY, 2)
    assert [e.id for e in (await found(status="done")).items] == [one.id]
    back = await change_status(CTX, staff, one.id, ExceptionStatus.HANDLING, version=2)
    assert (back.status, back.done_on) == (ExceptionStatus.HANDLING, None)
    with pytest.raises(Conflict):
        await change_status(CTX, staff, one.id, ExceptionStatus.DONE, version=2)

    path = tmp_path / "out.xlsx"
    assert await export_exceptions(CTX, staff, ExceptionFilter.from_args({}), path) == 2
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:6] == ("号码", "境内收发货人", "进出口", "委托企业", "异常类型", "发生日期")
    assert [r[0] for r in rows[1:]] == ["090120260000099999", "090120260000012345"]
    assert rows[1][2] == "进口" and rows[1][4] == "查验" and rows[2][10] == "处理中"
    assert rows[1][5] == datetime(2026, 2, 10)  # a real date cell

    with pytest.raises(ValidationFailed, match="请勾选要操作的记录"):
        await delete_exceptions(staff, [])
    assert await delete_exceptions(staff, [one.id, two.id]) == 2
    assert (await found()).total == 0 and (await found(kind="bonded_list")).total == 1


async def test_edit_with_a_stale_version_is_a_conflict(world: World) -> None:
    staff = await _editor(world)
    row = await _add(staff)
    form = check_exception(K.DECLARATION, values(responsible="李制单"), TODAY)
    saved = await edit_exception(CTX, staff, row.id, 1, form)
    assert (saved.responsible, saved.version) == ("李制单", 2)
    with pytest.raises(Conflict):
        await edit_exception(CTX, staff, row.id, 1, form)


async def test_scoping_other_enterprise_and_only_own(world: World) -> None:
    staff = await _editor(world)
    mine = await _add(staff)
    solo = await member_of(world, world.solo_staff.person_id, ENTRY, EDIT, enterprise_id=world.solo.id)
    assert (await list_exceptions(solo, ExceptionFilter())).total == 0
    with pytest.raises(NotFound):
        await get_exception(solo, mine.id)
    assert await delete_exceptions(solo, [mine.id]) == 0
    colleague = await _editor(world, world.staff2.person_id, DataScope.SELF)
    theirs = await _add(colleague, number="090120260000077777")
    assert [e.id for e in (await list_exceptions(colleague, ExceptionFilter())).items] == [theirs.id]
    with pytest.raises(NotFound):
        await change_status(CTX, colleague, mine.id, ExceptionStatus.DONE)
    everyone = await _editor(world)
    assert (await list_exceptions(everyone, ExceptionFilter())).total == 2


@pytest.fixture
async def reference(db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def declared(world: World, ctx: ServiceContext = CTX) -> Declaration:
    preparer = await member_of(world, world.staff.person_id)
    reviewer = await member_of(world, world.admin.person_id, REVIEW)
    made = await create_draft(ctx, preparer, DeclarationKind.EXPORT, good_form())
    await submit_declaration(ctx, preparer, made.id, 1)
    await approve_declaration(ctx, reviewer, made.id)
    return await declare_declaration(ctx, preparer, made.id)


async def test_a_deletion_receipt_registers_one_exception_even_when_seen_twice(world: World,
                                                                              reference: None) -> None:
    made = await declared(world)
    at = datetime(2026, 3, 19, 23, 30, tzinfo=UTC)  # 07:30 on the 20th in Shanghai
    for _ in range(2):
        after = await record_receipt(CTX, world.acme.id, made.id, DeclarationAction.RECEIPT_DELETED, "重复申报",
                                     received_at=at)
        assert after.status is DeclarationStatus.CUSTOMS_DELETED
    rows = await DeclarationException.filter(declaration_id=made.id)
    assert len(rows) == 1
    row = rows[0]
    assert (row.exception_type, row.status, row.occurred_on, row.created_by_id, row.owner_id) == (
        ExceptionType.MODIFY_DELETE, ExceptionStatus.PENDING, date(2026, 3, 20), None, world.staff.person_id)
    assert made.seq_no and row.number == made.seq_no and "删单回执：重复申报" in row.reason  # the 统一编号
    assert await DeclarationEvent.filter(declaration_id=made.id, action=DeclarationAction.RECEIPT_DELETED) \
        .count() == 1
    assert (await Declaration.get(id=made.id)).version == made.version + 1  # moved once


async def test_inspection_keeps_the_status_and_two_inspections_are_two(world: World, reference: None) -> None:
    made = await declared(world)
    first, second = NOW - timedelta(hours=5), NOW - timedelta(hours=1)
    for at in (first, second, first):
        kept = await record_receipt(CTX, world.acme.id, made.id, DeclarationAction.RECEIPT_INSPECTED, received_at=at)
        assert kept.status is DeclarationStatus.DECLARED
    inspections = await DeclarationException.filter(declaration_id=made.id).order_by("receipt_at")
    assert [e.exception_type for e in inspections] == [ExceptionType.INSPECTION] * 2
    await record_receipt(CTX, world.acme.id, made.id, DeclarationAction.RECEIPT_REJECTED, "申报要素不全")
    assert await DeclarationException.filter(declaration_id=made.id, exception_type=ExceptionType.REJECTION).count() \
        == 1
    await record_receipt(CTX, world.acme.id, (await declared(world)).id, DeclarationAction.RECEIPT_ENTERED)
    assert await DeclarationException.all().count() == 3  # 入库 registers nothing


@pytest.mark.parametrize("backend", ["postgres"] if PG_URL else [])
async def test_the_same_receipt_twice_at_once_registers_one(world: World, reference: None) -> None:
    made = await declared(world)
    at = NOW - timedelta(minutes=3)
    results = await asyncio.gather(*(record_receipt(CTX, world.acme.id, made.id, DeclarationAction.RECEIPT_DELETED,
                                                    received_at=at) for _ in range(2)), return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert await DeclarationException.filter(declaration_id=made.id).count() == 1
    assert await DeclarationEvent.filter(declaration_id=made.id, action=DeclarationAction.RECEIPT_DELETED) \
        .count() == 1


async def test_the_error_rate_on_known_data(world: World, reference: None) -> None:
    feb = ServiceContext(clock=lambda: datetime(2026, 2, 10, 2, tzinfo=UTC))
    for _ in range(4):
        await declared(world, feb)  # four declared in February
    rejected = await declared(world)  # and two in March
    await declared(world)
    await record_receipt(CTX, world.acme.id, rejected.id, DeclarationAction.RECEIPT_REJECTED, "退单")  # error
    staff = await _editor(world)
    await _add(staff, occurred_on="2026-02-11", post="制单", responsible="张关务")  # 删改单: error
    await _add(staff, occurred_on="2026-02-12", exception_type="inspection", post="制单")  # 查验: not an error
    await _add(staff, K.BONDED_LIST, number="QD0901260000001234", occurred_on="2026-02-12")  # not a declaration
    first, end = period(CTX, "2026-02", "2026-03")
    rate = await error_rate(CTX, staff, first, end)
    assert [(m.label, m.errors, m.declared, str(m.percent)) for m in rate.months] == [
        ("2026-02", 1, 4, "25.00"), ("2026-03", 1, 2, "50.00")]
    assert (rate.total.errors, rate.total.declared, str(rate.total.percent)) == (2, 6, "33.33")
    assert [(p.label, p.errors, str(p.percent)) for p in rate.posts] == [("制单", 1, "16.67"), ("未填写", 1, "16.67")]
    assert [p.label for p in rate.people] == ["张关务", "未填写"]
    solo = await member_of(world, world.solo_staff.person_id, ENTRY, EDIT, enterprise_id=world.solo.id)
    assert (await error_rate(CTX, solo, first, end)).total.declared == 0


def test_the_period_defaults_to_six_months_and_refuses_bad_months() -> None:
    assert period(CTX) == (date(2025, 10, 1), date(2026, 4, 1))
    for first, last, field, message in (("2026-13", "", "from", "月份格式"), ("2026-03", "2026-01", "from", "开始月份"),
                                        ("2023-01", "2026-03", "from", "最多 24 个月"), ("", "26-3", "to", "月份格式")):
        with pytest.raises(ValidationFailed) as refused:
            period(CTX, first, last)
        assert refused.value.errors[field].startswith(message) or message in refused.value.errors[field]
