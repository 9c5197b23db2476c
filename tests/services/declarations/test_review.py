"""审单 services: the click cycle of a mark and its history, the version check of two reviewers, the red fields as
the return's content and the preparer's message, what changed after a fix (green carried over, changed reset),
高级审核's refusal naming the unmarked fields, 二复核 by a different person, the filters and the data scope, and the
month's 单证复核记录 read back with openpyxl."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from models.audit import AuditEntry
from models.declaration_lifecycle import DeclarationAction, DeclarationStatus
from models.declarations import Declaration, DeclarationKind, DeclarationMark, MarkState
from models.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.messages import Message
from services.declarations.entry import create_draft, get_declaration, submit_declaration
from services.declarations.marks import field_state, set_mark
from services.declarations.review import ReviewMode, approve, get_review, list_for_review, send_back
from services.declarations.review_export import export_marks
from services.declarations.review_filters import ReviewFilter
from services.kit.context import ServiceContext
from services.workspace.company import save_second_review
from tests.factories import World
from tests.services.declarations.support import ENTRY, REVIEW, good_form, good_head, good_item, member_of
from tests.services.library.support import load_small_reference

REVIEW2 = "declaration:review2"
TZ = ZoneInfo("Asia/Shanghai")
CTX = ServiceContext(clock=lambda: datetime(2026, 3, 10, 9, 30, tzinfo=TZ))
R, W, N = MarkState.RIGHT, MarkState.WRONG, MarkState.NONE


@pytest.fixture
async def reference(db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def _submitted(world: World, **head: str) -> Declaration:
    preparer = await member_of(world, world.staff.person_id)
    made = await create_draft(CTX, preparer, DeclarationKind.EXPORT, good_form(good_head(**head)))
    return await submit_declaration(CTX, preparer, made.id, 1)


async def test_a_click_cycle_is_right_wrong_reset_and_every_mark_is_history(world: World, reference: None) -> None:
    d = await _submitted(world)
    reviewer = await member_of(world, world.admin.person_id, REVIEW)
    first = await set_mark(CTX, reviewer, d.id, "head.trade_mode", R, "", 0)
    with pytest.raises(ValidationFailed) as no_comment:
        await set_mark(CTX, reviewer, d.id, "head.trade_mode", W, " ", first.last_id)
    assert (no_comment.value.field, no_comment.value.message) == ("comment", "标为有误时请填写意见")
    second = await set_mark(CTX, reviewer, d.id, "head.trade_mode", W, "应为 0110 一般贸易", first.last_id)
    third = await set_mark(CTX, reviewer, d.id, "head.trade_mode", N, "", second.last_id)

    assert [(s.mark, s.comment) for s in (first, second, third)] == [(R, ""), (W, "应为 0110 一般贸易"), (N, "")]
    history = await DeclarationMark.filter(declaration_id=d.id).order_by("id").values_list("mark", "seq", "value")
    assert history == [(R, 1, "0110"), (W, 2, "0110"), (N, 3, "0110")]
    with pytest.raises(ValidationFailed, match="该字段不在报关单中"):
        await set_mark(CTX, reviewer, d.id, "items[5].hs_code", R, "", 0)


async def test_two_reviewers_lose_no_marks(world: World, reference: None) -> None:
    d = await _submitted(world)
    one = await member_of(world, world.admin.person_id, REVIEW)
    two = await member_of(world, world.executive.person_id, REVIEW)
    await set_mark(CTX, one, d.id, "head.bill_no", R, "", 0)
    await set_mark(CTX, two, d.id, "items[0].hs_code", R, "", 0)  # another field: no conflict
    with pytest.raises(Conflict, match="已被他人标记"):  # two saw no mark of bill_no; one marked it meanwhile
        await set_mark(CTX, two, d.id, "head.bill_no", W, "提单号少一位", 0)
    fresh = await field_state(two, d.id, "head.bill_no")
    assert fresh is not None and fresh.mark is R and fresh.by == one.membership.person.name
    both = await asyncio.gather(*(set_mark(CTX, m, d.id, "head.contract_no", R, "", 0) for m in (one, two)),
                                return_exceptions=True)
    assert sorted(type(r).__name__ for r in both) == ["Conflict", "FieldState"]
    assert await DeclarationMark.filter(declaration_id=d.id).count() == 3


async def test_a_return_carries_the_red_fields_and_a_fix_shows_what_changed(world: World, reference: None) -> None:
    d = await _submitted(world)
    reviewer = await member_of(world, world.admin.person_id, REVIEW)
    preparer = await member_of(world, world.staff.person_id)
    with pytest.raises(ValidationFailed, match="请至少标红一个字段或填写退回原因"):
        await send_back(CTX, reviewer, d.id, 2)
    await set_mark(CTX, reviewer, d.id, "head.trade_mode", R, "", 0)
    await set_mark(CTX, reviewer, d.id, "head.contract_no", W, "合同号应为 DL2026-0302", 0)
    await set_mark(CTX, reviewer, d.id, "items[0].price", W, "单价与发票不符", 0)
    with pytest.raises(ValidationFailed, match="有 2 个字段标为有误"):
        await approve(CTX, reviewer, d.id, 2)
    back = await send_back(CTX, reviewer, d.id, 2)

    assert back.status is DeclarationStatus.RETURNED
    told = await Message.get(person_id=world.staff.person_id)
    assert "合同协议号：合同号应为 DL2026-0302" in told.body and "第 1 项 单价：单价与发票不符" in told.body
    fixed = good_form(good_head(contract_no="DL2026-0302"), [good_item(price="3.568")])
    await submit_declaration(CTX, preparer, d.id, back.version, fixed)

    view = await get_review(reviewer, d.id)
    states = view.states
    assert states["head.trade_mode"].mark is R and not states["head.trade_mode"].changed  # green carried over
    assert states["head.contract_no"].mark is N and states["head.contract_no"].changed  # fixed: reset
    assert states["head.contract_no"].marked_value == "DL2026-0301"
    assert states["items[0].price"].mark is W  # not changed: still red
    assert [s.field.path for s in view.changed] == ["head.contract_no"]


async def test_advanced_review_refuses_until_every_field_is_marked(world: World, reference: None) -> None:
    d = await _submitted(world)
    reviewer = await member_of(world, world.admin.person_id, REVIEW)
    view = await get_review(reviewer, d.id)
    paths = list(view.states)
    assert paths[0] == "head.declare_office" and "items[0].duty_mode" in paths and "head.transit_voyage" not in paths
    for path in paths[:-2]:
        await set_mark(CTX, reviewer, d.id, path, R, "", 0)
    with pytest.raises(ValidationFailed) as refused:
        await approve(CTX, reviewer, d.id, 2, ReviewMode.ADVANCED)
    assert refused.value.message == "高级审核须逐项标记全部字段，尚有 2 个未标记：第 1 项 境内货源地、第 1 项 征免方式"
    assert set(refused.value.errors) == {"marks", paths[-2], paths[-1]}
    for path in paths[-2:]:
        await set_mark(CTX, reviewer, d.id, path, R, "", 0)
    assert (await approve(CTX, reviewer, d.id, 2, ReviewMode.ADVANCED)).status is DeclarationStatus.APPROVED


async def test_second_review_needs_another_person(world: World, reference: None) -> None:
    admin = await member_of(world, world.admin.person_id, "system:company:edit")
    await save_second_review(CTX, admin, True)  # 企业设置 → 审单设置
    assert await AuditEntry.filter(action="company.review").count() == 1
    d = await _submitted(world)
    first = await member_of(world, world.admin.person_id, REVIEW, REVIEW2)
    second = await member_of(world, world.executive.person_id, REVIEW2)
    passed = await approve(CTX, first, d.id, 2)
    assert passed.status is DeclarationStatus.SECOND_REVIEW
    with pytest.raises(Forbidden, match="二复核须由初审以外的另一人完成"):
        await approve(CTX, first, d.id, passed.version)
    with pytest.raises(Forbidden):  # the first reviewer cannot mark during 二复核 either
        await set_mark(CTX, first, d.id, "head.bill_no", R, "", 0)
    await set_mark(CTX, second, d.id, "head.bill_no", R, "", 0)
    done = await approve(CTX, second, d.id, passed.version)
    assert done.status is DeclarationStatus.APPROVED
    view = await get_declaration(await member_of(world, world.staff.person_id), d.id)
    assert [e.action for e in view.events][-2:] == [DeclarationAction.PASS_FIRST, DeclarationAction.APPROVE]


async def test_the_list_filters_and_the_scope(world: World, reference: None) -> None:
    d = await _submitted(world, bill_no="COSU0000000042")
    await _submitted(world, declare_office="0901")
    reviewer = await member_of(world, world.admin.person_id, REVIEW)

    async def found(**args: str) -> list[int]:
        page = await list_for_review(reviewer, ReviewFilter.from_args(args, TZ))
        return [x.id for x in page.items]

    assert await found(bill_no="COSU00000000") == [d.id]
    assert len(await found(review_status="pending_review", declare_office="0900")) == 1
    assert await found(number=d.number) == [d.id]
    assert await found(ie_flag="I") == [] and len(await found(company_role="consignor")) == 2
    assert await found(updated_from="2026-03-11") == [] and len(await found(updated_to="2026-03-10")) == 2
    with pytest.raises(ValidationFailed) as bad:
        ReviewFilter.from_args({"review_status": "done", "declare_office": "09", "updated_from": "2026-3-x"}, TZ)
    assert bad.value.errors == {"review_status": "请从列表中选择审核状态",
                                "declare_office": "申报地海关应为 4 位关区代码，如 0900",
                                "updated_from": "最近操作时间起应为日期，如 2026-03-02"}
    outsider = await member_of(world, world.solo_staff.person_id, REVIEW, enterprise_id=world.solo.id)
    assert (await list_for_review(outsider, ReviewFilter())).items == []
    with pytest.raises(NotFound):
        await get_review(outsider, d.id)
    with pytest.raises(NotFound):
        await set_mark(CTX, outsider, d.id, "head.bill_no", R, "", 0)
    with pytest.raises(Forbidden):
        await get_review(await member_of(world, world.staff2.person_id, ENTRY), d.id)


async def test_the_month_record_reads_back(world: World, reference: None) -> None:
    d = await _submitted(world)
    reviewer = await member_of(world, world.admin.person_id, REVIEW)
    await set_mark(CTX, reviewer, d.id, "items[0].hs_code", W, "应归入 8482.10", 0)
    data, count = await export_marks(CTX, reviewer, "2026-03")
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert count == 1 and rows[1][:4] == ("系统编号", "统一编号", "报关单类型", "字段")
    assert rows[2][:8] == (d.number, None, "出口报关单", "第 1 项 商品编号", "items[0].hs_code", "有误",
                           "应归入 8482.10", "8482102000")
    assert rows[2][8] == reviewer.membership.person.name and rows[2][9] == datetime(2026, 3, 10, 9, 30)
    assert (await export_marks(CTX, reviewer, "2026-04"))[1] == 0
    with pytest.raises(ValidationFailed, match="月份格式应为 年-月"):
        await export_marks(CTX, reviewer, "2026-13")
