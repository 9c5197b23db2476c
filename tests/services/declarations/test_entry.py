"""报关单录入 services: drafts saved incomplete, every submission check with a bad value (all refusals at once),
the data scope (仅本人 sees only their own; another enterprise sees nothing), compare-and-set versions, the
reviewer's decisions with their message, receipts, copy, delete, library hints and the open-items hand-over."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from models.declaration_lifecycle import DeclarationAction, DeclarationGroup, DeclarationStatus
from models.declarations import Declaration, DeclarationEvent, DeclarationKind
from models.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.library import LibraryMark, LibraryRow, LibrarySource
from models.messages import Message
from models.workspace import DataScope
from services.declarations.checks import check_submission, load_catalogue
from services.declarations.entry import (
    approve_declaration,
    copy_declaration,
    create_draft,
    declare_declaration,
    delete_declaration,
    get_declaration,
    list_declarations,
    record_receipt,
    return_declaration,
    save_draft,
    submit_declaration,
    withdraw_declaration,
)
from services.declarations.fields import DeclarationForm, parse_form
from services.kit.context import ServiceContext
from services.workspace.handover import hand_over_all, open_items
from tests.factories import World
from tests.services.declarations.support import REVIEW, good_form, good_head, good_item, member_of
from tests.services.library.support import load_small_reference

CTX = ServiceContext()
K = DeclarationKind


@pytest.fixture
async def reference(db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def test_a_draft_is_saved_incomplete_then_submitted_complete(world: World, reference: None) -> None:
    preparer = await member_of(world, world.staff.person_id)
    draft = await create_draft(CTX, preparer, K.EXPORT, parse_form({"trade_mode": "0110"}, {}))
    assert (draft.status, draft.number[:1], draft.version) == (DeclarationStatus.DRAFT, "E", 1)

    saved = await save_draft(CTX, preparer, draft.id, 1, good_form())
    submitted = await submit_declaration(CTX, preparer, draft.id, saved.version)

    view = await get_declaration(preparer, draft.id)
    assert view.declaration.status is DeclarationStatus.PENDING_REVIEW and submitted.version == 3
    item = view.form.items[0]
    assert item["model_spec"] == "0|3|深沟球|SKF|6205-2RS|||" and item["second_quantity"] == Decimal("12.5")
    assert view.form.head["gross_weight"] == Decimal(130) and view.form.head["pack_no"] == 10
    assert [e.action for e in view.events] == [DeclarationAction.CREATE, DeclarationAction.SUBMIT]
    listed = await list_declarations(preparer, DeclarationGroup.TODO)
    assert [d.id for d in listed.items] == [draft.id] and listed.counts[DeclarationGroup.TODO] == 1


def _bad(head: dict[str, Any] | None = None, item: dict[str, Any] | None = None, **parts: Any) -> DeclarationForm:
    return parse_form(good_head(**(head or {})), {"items": [good_item(**(item or {}))], **parts})


# (what is wrong, the form, the refused field, a part of its message)
BAD_VALUES = [
    ("申报地海关 not a code", _bad({"declare_office": "0999"}), "declare_office", "不在关区代码表中"),
    ("监管方式 missing", _bad({"trade_mode": ""}), "trade_mode", "请填写监管方式"),
    ("运输方式 unknown", _bad({"traf_mode": "Q"}), "traf_mode", "不在运输方式代码表中"),
    ("征免性质 unknown", _bad({"cut_mode": "100"}), "cut_mode", "不在征免性质代码表中"),
    ("国别 unknown", _bad({"trade_country": "XXX"}), "trade_country", "不在国别（地区）代码表中"),
    ("指运港 unknown", _bad({"distinate_port": "USA999"}), "distinate_port", "不在港口代码表中"),
    ("离境口岸 unknown", _bad({"desp_port": "100000"}), "desp_port", "不在国内口岸代码表中"),
    ("包装种类 unknown", _bad({"wrap_type": "55"}), "wrap_type", "不在包装种类代码表中"),
    ("成交方式 unknown", _bad({"trans_mode": "9"}), "trans_mode", "不在成交方式代码表中"),
    ("境内发货人 credit code", _bad({"trade_code": "91210242679978241"}), "trade_code", "境内发货人代码有误"),
    ("净重 over 毛重", _bad({"net_weight": "131"}), "net_weight", "净重不能大于毛重"),
    ("transit field on a plain export", _bad({"transit_traf_name": "粤B12345"}), "transit_traf_name",
     "只有转关提前报关单"),
    ("HS code not in the catalogue", _bad(item={"hs_code": "8482109999"}), "items[0].hs_code", "商品目录中不存在"),
    ("HS code shape", _bad(item={"hs_code": "84821"}), "items[0].hs_code", "10位数字"),
    ("required element missing", _bad(item={"elements": ["0", "3", "", "SKF", "6205", "", "", ""]}),
     "items[0].elements[2]", "缺少必填申报要素：结构类型"),
    ("enumerated element value", _bad(item={"elements": ["9", "3", "深沟球", "SKF", "6205", "", "", ""]}),
     "items[0].elements[0]", "品牌类型"),
    ("more elements than the catalogue", _bad(item={"elements": ["0", "3", "深沟球", "SKF", "6205", "", "", "", "x"]}),
     "items[0].model_spec", "申报要素多于商品目录的8项"),
    ("运费 mark not 1/2/3", _bad({"trans_mode": "1", "fee_mark": "4", "fee_rate": "5", "insur_mark": "1",
                               "insur_rate": "0.3"}), "fee_mark", "请从列表中选择运费标记"),
    ("运费 without a mark", _bad({"trans_mode": "2", "fee_rate": "5"}), "fee_mark", "请选择标记"),
    ("运费 rate over 100", _bad({"trans_mode": "2", "fee_mark": "1", "fee_rate": "120"}), "fee_rate", "不超过 100"),
    ("运费 rate with a currency", _bad({"trans_mode": "2", "fee_mark": "1", "fee_rate": "5", "fee_curr": "USD"}),
     "fee_curr", "按率填报时不填币制"),
    ("运费 total without currency", _bad({"trans_mode": "2", "fee_mark": "3", "fee_rate": "1200"}), "fee_curr",
     "请填写运费币制"),
    ("运费 currency unknown", _bad({"trans_mode": "2", "fee_mark": "3", "fee_rate": "1200", "fee_curr": "XYZ"}),
     "fee_curr", "不在币制代码表中"),
    ("运费 amount zero", _bad({"trans_mode": "2", "fee_mark": "2", "fee_rate": "0", "fee_curr": "USD"}), "fee_rate",
     "应不为 0"),
    ("CIF without 保费", _bad({"trans_mode": "1", "fee_mark": "3", "fee_rate": "1200", "fee_curr": "USD"}),
     "insur_rate", "成交方式为 CIF 时，出口货物应填报保费"),
    ("FOB with 运费", _bad({"fee_mark": "3", "fee_rate": "1200", "fee_curr": "USD"}), "fee_rate",
     "成交方式为 FOB 时不填报运费"),
    ("杂费 value without a mark", _bad({"other_rate": "-20", "other_curr": "USD"}), "other_mark", "请选择标记"),
    ("成交计量单位 unknown", _bad(item={"unit": "999"}), "items[0].unit", "不在计量单位代码表中"),
    ("legal unit not the catalogue's", _bad(item={"legal_unit": "007"}), "items[0].legal_unit", "套"),
    ("second unit missing", _bad(item={"second_unit": ""}), "items[0].second_unit", "千克"),
    ("same unit, other quantity", _bad(item={"legal_quantity": "99"}), "items[0].legal_quantity", "数量应相同"),
    ("total ≠ quantity × price", _bad(item={"total": "400"}), "items[0].total", "总价应等于数量 × 单价"),
    ("币制 unknown", _bad(item={"currency": "XYZ"}), "items[0].currency", "不在币制代码表中"),
    ("境内货源地 unknown", _bad(item={"district_code": "99999"}), "items[0].district_code", "不在国内地区代码表中"),
    ("征免方式 unknown", _bad(item={"duty_mode": "0"}), "items[0].duty_mode", "不在征免方式代码表中"),
    ("商品名称 missing", _bad(item={"goods_name": ""}), "items[0].goods_name", "请填写商品名称"),
    ("container number", _bad(containers=[{"container_no": "TGHU849", "spec": "11"}]), "containers[0].container_no",
     "4 位字母加 7 位数字"),
    ("container spec", _bad(containers=[{"container_no": "TGHU8491952", "spec": "99"}]), "containers[0].spec",
     "不在集装箱规格代码表中"),
    ("container item numbers", _bad(containers=[{"container_no": "TGHU8491952", "spec": "11", "goods_numbers": "2"}]),
     "containers[0].goods_numbers", "商品项号"),
    ("document code", _bad(documents=[{"code": "ZZ", "number": "X1"}]), "documents[0].code", "不在随附单证代码表中"),
    ("document number missing", _bad(documents=[{"code": "1", "number": ""}]), "documents[0].number", "随附单证编号"),
    ("no item", parse_form(good_head(), {"items": []}), "items", "请至少录入一项商品"),
]


async def test_every_check_refuses_its_bad_value_beside_its_field(db: object, reference: None) -> None:
    on = date(2026, 3, 2)
    good = good_form(containers=[{"container_no": "TGHU8491952", "spec": "11", "goods_numbers": "1"}],
                     documents=[{"code": "1", "number": "INV-2026-001"}])
    assert check_submission(K.EXPORT, good, await load_catalogue(good, on, _conn())) == {}
    for what, form, field, fragment in BAD_VALUES:
        errors = check_submission(K.EXPORT, form, await load_catalogue(form, on, _conn()))
        assert field in errors and fragment in errors[field], (what, errors)
        assert set(errors) == {field}, (what, errors)  # one bad value, one refusal


async def test_fees_as_the_standard_message_gives_them(db: object, reference: None) -> None:
    """运费 / 保费 / 杂费 each as mark + value + currency: CIF declares both, a rate has no currency, 杂费 may be a
    deduction (negative); only 杂费 may be negative."""
    on = date(2026, 3, 2)
    cif = _bad({"trans_mode": "1", "fee_mark": "3", "fee_rate": "1200", "fee_curr": "USD", "insur_mark": "1",
                "insur_rate": "0.3", "other_mark": "3", "other_rate": "-20.5", "other_curr": "USD"})
    assert check_submission(K.EXPORT, cif, await load_catalogue(cif, on, _conn())) == {}
    assert cif.head["other_rate"] == Decimal("-20.5") and cif.head["insur_rate"] == Decimal("0.3")
    with pytest.raises(ValidationFailed) as refused:
        parse_form(good_head(fee_rate="-5", other_rate="五"), {})
    assert refused.value.errors == {"fee_rate": "运费应为不小于 0 的数字（最多 5 位小数）",
                                    "other_rate": "杂费应为数字（最多 5 位小数；应扣除的填负数）"}


def _conn() -> Any:
    from core.db import connection

    return connection()


async def test_transit_kinds_need_a_southern_office_and_their_transit_fields(db: object, reference: None) -> None:
    on = date(2026, 3, 2)
    north = good_form()
    errors = check_submission(K.EXPORT_TRANSIT, north, await load_catalogue(north, on, _conn()))
    assert "南方模式" in errors["declare_office"]
    assert errors["transit_traf_mode"] == "请填写境内运输方式" and "transit_traf_name" in errors
    south = good_form(good_head(declare_office="5100", ie_port="5101", transit_traf_mode="4",
                                transit_traf_name="粤B12345"))
    assert check_submission(K.EXPORT_TRANSIT, south, await load_catalogue(south, on, _conn())) == {}


async def test_a_refused_submission_names_every_field_and_changes_nothing(world: World, reference: None) -> None:
    preparer = await member_of(world, world.staff.person_id)
    draft = await create_draft(CTX, preparer, K.EXPORT, good_form())
    bad = _bad({"net_weight": "200", "trade_mode": ""}, {"total": "1"})
    with pytest.raises(ValidationFailed) as refused:
        await submit_declaration(CTX, preparer, draft.id, 1, bad)
    assert set(refused.value.errors) == {"net_weight", "trade_mode", "items[0].total"}
    stored = await Declaration.get(id=draft.id)
    assert (stored.status, stored.version, stored.trade_mode) == (DeclarationStatus.DRAFT, 1, "0110")


async def test_a_stale_version_is_a_conflict(world: World, reference: None) -> None:
    preparer = await member_of(world, world.staff.person_id)
    draft = await create_draft(CTX, preparer, K.EXPORT, good_form())
    await save_draft(CTX, preparer, draft.id, 1, good_form(good_head(bill_no="A1")))
    with pytest.raises(Conflict, match="已被他人修改"):
        await save_draft(CTX, preparer, draft.id, 1, good_form(good_head(bill_no="B2")))
    assert (await Declaration.get(id=draft.id)).bill_no == "A1"


async def test_only_own_under_self_scope_and_nothing_of_another_enterprise(world: World, reference: None) -> None:
    mine = await create_draft(CTX, await member_of(world, world.staff.person_id), K.EXPORT, good_form())
    theirs = await create_draft(CTX, await member_of(world, world.staff2.person_id), K.EXPORT, good_form())
    self_only = await member_of(world, world.staff.person_id, scope=DataScope.SELF)
    everyone = await member_of(world, world.admin.person_id, scope=DataScope.ALL)
    assert [d.id for d in (await list_declarations(self_only, DeclarationGroup.TODO)).items] == [mine.id]
    assert {d.id for d in (await list_declarations(everyone, DeclarationGroup.TODO)).items} == {mine.id, theirs.id}
    with pytest.raises(NotFound):
        await get_declaration(self_only, theirs.id)
    outsider = await member_of(world, world.solo_staff.person_id, enterprise_id=world.solo.id)
    assert (await list_declarations(outsider, DeclarationGroup.TODO)).items == []
    with pytest.raises(NotFound):
        await save_draft(CTX, outsider, mine.id, 1, good_form())


async def test_review_return_resubmit_approve_and_receipts(world: World, reference: None) -> None:
    preparer = await member_of(world, world.staff.person_id)
    reviewer = await member_of(world, world.executive.person_id, REVIEW)
    draft = await create_draft(CTX, preparer, K.EXPORT, good_form())
    await submit_declaration(CTX, preparer, draft.id, 1)
    with pytest.raises(Forbidden):
        await approve_declaration(CTX, preparer, draft.id)
    with pytest.raises(ValidationFailed):
        await return_declaration(CTX, reviewer, draft.id, " ")
    await return_declaration(CTX, reviewer, draft.id, "单价与合同不符")
    message = await Message.get(person_id=world.staff.person_id)
    assert message.title.startswith("报关单审核退回") and "单价与合同不符" in message.body
    assert [d.id for d in (await list_declarations(preparer, DeclarationGroup.RETURNED)).items] == [draft.id]

    await submit_declaration(CTX, preparer, draft.id, 3)
    await approve_declaration(CTX, reviewer, draft.id, 4)
    stored = await Declaration.get(id=draft.id)
    await declare_declaration(CTX, preparer, draft.id, 5)
    await record_receipt(CTX, world.acme.id, draft.id, DeclarationAction.RECEIPT_DELETED, "重复申报")
    with pytest.raises(NotFound):
        await record_receipt(CTX, world.solo.id, draft.id, DeclarationAction.RECEIPT_DELETED)
    assert stored.status is DeclarationStatus.APPROVED
    assert [d.id for d in (await list_declarations(preparer, DeclarationGroup.DELETED)).items] == [draft.id]
    events = await DeclarationEvent.filter(declaration_id=draft.id).order_by("id").values_list("to_status", "person_id")
    assert [s for s, _ in events] == ["draft", "pending_review", "returned", "pending_review", "approved",
                                      "declared", "customs_deleted"]
    assert events[-1][1] is None and events[2][1] == world.executive.person_id


async def test_copy_withdraw_and_delete(world: World, reference: None) -> None:
    preparer = await member_of(world, world.staff.person_id)
    draft = await create_draft(CTX, preparer, K.EXPORT_RECORD, good_form())
    await submit_declaration(CTX, preparer, draft.id, 1)
    copy = await copy_declaration(CTX, preparer, draft.id)
    assert (copy.kind, copy.status, copy.bill_no) == (K.EXPORT_RECORD, DeclarationStatus.DRAFT, "COSU6321457890")
    assert (await get_declaration(preparer, copy.id)).form.items[0]["hs_code"] == "8482102000"
    await withdraw_declaration(CTX, preparer, draft.id)
    await delete_declaration(CTX, preparer, draft.id)
    page = await list_declarations(preparer, DeclarationGroup.DELETED)
    assert [d.id for d in page.items] == [draft.id] and page.counts[DeclarationGroup.TODO] == 1


async def test_items_are_compared_with_the_enterprises_audited_library_rows(world: World, reference: None) -> None:
    from models.library import CatalogueVersion

    version = await CatalogueVersion.first()
    assert version is not None
    now = CTX.now()
    common: dict[str, Any] = dict(
        source=LibrarySource.AUDITED, declared_on=date(2026, 2, 1), ie_flag="E", trade_mode="0110",
        customs_office="0901", hs_code="8482102000", goods_name="深沟球轴承", declarant_code="x", declarant_name="x",
        consignee_code="y", consignee_name="y", consignee_enterprise_id=world.acme.id, catalogue_version=version,
        created_at=now, updated_at=now)
    await LibraryRow.create(entry_number="090120260000000001", item_number=1, mark=LibraryMark.STANDARD,
                            model_spec="0|3|深沟球|SKF|6205-2RS|||", **common)
    preparer = await member_of(world, world.staff.person_id)
    same = await create_draft(CTX, preparer, K.EXPORT, good_form())
    assert (await get_declaration(preparer, same.id)).hints == {}
    other = await create_draft(CTX, preparer, K.EXPORT, good_form(items=[good_item(
        elements=["0", "3", "深沟球", "NSK", "6205", "", "", ""])]))
    assert "规范" in (await get_declaration(preparer, other.id)).hints["items[0].model_spec"]
    await LibraryRow.create(entry_number="090120260000000002", item_number=1, mark=LibraryMark.NONSTANDARD,
                            model_spec="0|3|深沟球|NSK|6205", remarks="型号不完整", **common)
    hint = (await get_declaration(preparer, other.id)).hints["items[0].model_spec"]
    assert "不规范" in hint and "型号不完整" in hint


async def test_open_declarations_are_handed_over(world: World, reference: None) -> None:
    preparer = await member_of(world, world.staff.person_id)
    draft = await create_draft(CTX, preparer, K.EXPORT, good_form())
    found = await open_items(_conn(), world.acme.id, world.staff.person_id)
    assert [item.link for item in found if item.kind == "报关单"] == [f"/workbench/declarations/entry/{draft.id}"]
    counts = await hand_over_all(_conn(), world.acme.id, world.staff.person_id, world.staff2.person_id, CTX.now())
    assert counts["报关单"] == 1 and (await Declaration.get(id=draft.id)).owner_id == world.staff2.person_id


async def test_a_kind_the_enterprise_switched_off_cannot_be_entered(world: World, reference: None) -> None:
    from services.workspace.company import save_switches

    admin = await member_of(world, world.admin.person_id, "system:company:edit")
    preparer = await member_of(world, world.staff.person_id)
    draft = await create_draft(CTX, preparer, K.EXPORT_TRANSIT, good_form())  # every kind until switched off
    await save_switches(CTX, admin, [K.EXPORT.value, K.EXPORT_RECORD.value], False, "")
    with pytest.raises(Conflict, match="企业已停用“出口转关提前报关”业务"):
        await create_draft(CTX, preparer, K.EXPORT_TRANSIT, good_form())
    with pytest.raises(Conflict, match="出口转关提前报关"):
        await copy_declaration(CTX, preparer, draft.id)
    assert (await create_draft(CTX, preparer, K.EXPORT, good_form())).kind is K.EXPORT
