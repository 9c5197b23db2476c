"""The enterprise library: the card-authorisation lock, the enterprise's own rows only (either role), the
audited row winning over the declared one, every filter, keyset pages, 申报要素详情 against the current catalogue,
设为自选 and its undo (compare-and-set: of two at once one wins), the public flag — each change audited."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.audit import AuditEntry
from models.enterprises import Membership
from models.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from models.library import LibraryMark, LibraryRow, LibrarySource
from services.accounts.registration import Applicant, CardEnterprise, register_with_card
from services.kit.actors import PersonActor
from services.kit.context import ServiceContext
from services.library.customs_rows import EXPORT_FIELDS
from services.library.details import element_details
from services.library.enterprise import (
    access_row,
    choose,
    enterprise_rows,
    enterprise_scope,
    export_enterprise_rows,
    set_public,
    unchoose,
)
from services.library.filters import LibraryFilter
from services.library.rows_sql import BATCH, every_row
from tests.factories import World
from tests.services.library.library_rows import BROKER, OTHERS, authorise, item, put
from tests.services.library.support import load_small_reference

CTX = ServiceContext()


@pytest.fixture
async def reference(db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def member(world: World, enterprise_id: int | None = None) -> Membership:
    return await Membership.get(person_id=world.staff.person_id, enterprise_id=enterprise_id or world.acme.id)


async def authorised(world: World) -> Membership:
    await authorise(world.staff, world.acme.id, world.admin)
    return await member(world)


async def ids(membership: Membership, **args: str) -> list[str]:
    found = await enterprise_rows(membership, LibraryFilter.from_args(args), limit=100)
    return [r.entry_number[-3:] for r in found.items]


async def test_without_the_legal_person_cards_authorisation_the_library_is_locked(world: World,
                                                                                 reference: None) -> None:
    await put(item(1, world.acme.credit_code))
    with pytest.raises(Forbidden) as refused:
        await enterprise_rows(await member(world), LibraryFilter())
    assert refused.value.message == "尚未获得法人卡授权，无法使用规范申报企业专属库"
    assert len((await enterprise_rows(await authorised(world), LibraryFilter())).items) == 1


async def test_an_enterprise_sees_its_own_rows_in_either_role_and_never_anothers(world: World,
                                                                                reference: None) -> None:
    acme, solo = world.acme.credit_code, world.solo.credit_code
    await put(item(1, acme), item(2, OTHERS[0], declarant=acme), item(3, solo), item(4, OTHERS[1], declarant=solo),
              item(5, solo, declarant=acme))
    mine = await authorised(world)
    assert await ids(mine) == ["005", "002", "001"]
    assert await ids(mine, role="consignee") == ["001"]
    assert await ids(mine, role="declarant") == ["005", "002"]
    solo_row = (await put(item(3, solo)))[0]
    with pytest.raises(NotFound):
        await access_row(mine, solo_row.id)
    with pytest.raises(NotFound):
        await choose(CTX, mine, solo_row.id, solo_row.version, "")


async def test_the_audited_row_wins_and_marks_follow_the_source(world: World, reference: None) -> None:
    acme = world.acme.credit_code
    await put(item(1, acme, source=LibrarySource.DECLARED, mark=LibraryMark.MATCHED),
              item(1, acme, mark=LibraryMark.NONSTANDARD, remarks="品牌应申报中文名称"),
              item(2, acme, source=LibrarySource.DECLARED, mark=LibraryMark.MATCHED), item(3, acme))
    found = await enterprise_rows(await authorised(world), LibraryFilter())
    assert [(r.entry_number[-3:], r.source, r.mark) for r in found.items] == [
        ("003", LibrarySource.AUDITED, LibraryMark.STANDARD), ("002", LibrarySource.DECLARED, LibraryMark.MATCHED),
        ("001", LibrarySource.AUDITED, LibraryMark.NONSTANDARD)]


async def test_every_filter(world: World, reference: None) -> None:
    acme = world.acme.credit_code
    await put(item(1, acme), item(2, acme, mark=LibraryMark.NONSTANDARD, ie_flag="I", trade_mode="0214"),
              item(3, acme, hs_code="8482101010", declared_on=date(2026, 1, 5), goods_name="调心球轴承"),
              item(4, acme, hs_code="9403609990", goods_name="木制办公桌", model_spec="0|3|办公用|橡木|无品牌|D-1",
                   declared_on=date(2026, 2, 1)),
              item(5, acme, source=LibrarySource.DECLARED, mark=LibraryMark.MATCHED, ie_flag="I"))
    mine = await authorised(world)
    assert await ids(mine, mark="nonstandard") == ["002"]
    assert await ids(mine, mark="matched") == ["005"]
    assert await ids(mine, trade_mode="0214") == ["002"]
    assert await ids(mine, ie_flag="I") == ["005", "002"]
    assert await ids(mine, hs_code="8482") == ["005", "002", "001", "003"]
    assert await ids(mine, hs_code="848210") == ["005", "002", "001", "003"]
    assert await ids(mine, hs_code="84821010") == ["003"]
    assert await ids(mine, hs_code="8482102000") == ["005", "002", "001"]
    assert await ids(mine, hs_code="9403") == ["004"]
    assert await ids(mine, date_from="2026-01-01", date_to="2026-02-28") == ["004", "003"]
    assert await ids(mine, keyword="轴承") == ["005", "002", "001", "003"]
    assert await ids(mine, keyword="调心") == ["003"]
    assert await ids(mine, keyword="橡木") == ["004"]
    assert await ids(mine, keyword="承轴") == []
    assert await ids(mine, keyword="skf") == ["005", "002", "001", "003"]


def test_a_bad_filter_names_every_field_at_once() -> None:
    with pytest.raises(ValidationFailed) as refused:
        LibraryFilter.from_args({"mark": "good", "hs_code": "84821", "ie_flag": "X", "role": "boss",
                                 "date_from": "2026-03-01", "date_to": "2026-02-01", "keyword": "轴" * 31})
    assert refused.value.errors == {
        "mark": "请从列表中选择", "hs_code": "商品编号应为4、6、8或10位数字", "ie_flag": "请从列表中选择",
        "role": "请从列表中选择", "keyword": "关键字不能超过30个字", "date_to": "开始日期不能晚于结束日期"}


def test_a_one_character_keyword_is_refused_beside_its_field() -> None:
    """The index holds bigrams: 轴 alone, or 轴 and 承 apart, cannot be looked up."""
    for keyword in ("轴", "轴 承", "a|b"):
        with pytest.raises(ValidationFailed) as refused:
            LibraryFilter.from_args({"keyword": keyword})
        assert refused.value.errors == {"keyword": "关键字请至少输入两个连续的字（空格、| 等分隔符不算）"}
    assert LibraryFilter.from_args({"keyword": " 轴承 "}).keyword == "轴承"


async def test_keyset_pages_follow_the_declaration_date_then_the_id(world: World, reference: None) -> None:
    acme = world.acme.credit_code
    await put(*[item(n, acme, declared_on=date(2026, 3, 1 + n % 2)) for n in range(1, 6)])
    mine = await authorised(world)
    seen, cursor = [], ""
    while True:
        found = await enterprise_rows(mine, LibraryFilter(), cursor, limit=2)
        seen.append([r.entry_number[-3:] for r in found.items])
        if found.next_cursor is None:
            break
        cursor = found.next_cursor
    assert seen == [["005", "003"], ["001", "004"], ["002"]]
    with pytest.raises(ValidationFailed):
        await enterprise_rows(mine, LibraryFilter(), "x.1")


async def test_element_details_follow_the_current_catalogue_and_show_what_differs(world: World,
                                                                                 reference: None) -> None:
    acme = world.acme.credit_code
    await put(item(1, acme, source=LibrarySource.DECLARED, mark=LibraryMark.MATCHED,
                   model_spec="0|3|深沟球|SKF|通用|||"),
              item(1, acme, mark=LibraryMark.NONSTANDARD, model_spec="0|3|深沟球|SKF|6205-2RS|||多余"))
    row = (await enterprise_rows(await authorised(world), LibraryFilter())).items[0]
    details = await element_details(row, date(2026, 3, 10))
    assert details.version_code == "2026"
    assert [(line.name, line.value, line.required) for line in details.lines[:5]] == [
        ("品牌类型", "0", True), ("出口享惠情况", "3", True), ("结构类型", "深沟球", True),
        ("品牌（中文或外文名称）", "SKF", True), ("型号", "6205-2RS", True)]
    assert "0 无品牌" in details.lines[0].allowed and details.lines[2].allowed == []
    assert [(line.name, line.declared) for line in details.lines if line.differs] == [("型号", "通用"), ("其他", "")]
    standard = (await put(item(2, acme)))[0]
    assert not any(line.differs for line in (await element_details(standard, date(2026, 3, 10))).lines)


async def test_choose_and_undo_are_audited_and_refused_on_other_marks(world: World, reference: None) -> None:
    acme = world.acme.credit_code
    matched, standard = await put(item(1, acme, source=LibrarySource.DECLARED, mark=LibraryMark.MATCHED),
                                  item(2, acme))
    mine = await authorised(world)
    chosen = await choose(CTX, mine, matched.id, matched.version, "  与合同一致的型号写法 ", ip="10.0.0.1")
    assert (chosen.mark, chosen.mark_note, chosen.version) == (LibraryMark.CHOSEN, "与合同一致的型号写法", 2)
    with pytest.raises(IllegalTransition) as refused:
        await choose(CTX, mine, chosen.id, chosen.version, "")
    assert refused.value.message == "只有系统匹配数据可以设为自选"
    with pytest.raises(IllegalTransition):
        await choose(CTX, mine, standard.id, standard.version, "")
    with pytest.raises(ValidationFailed):
        await choose(CTX, mine, matched.id, chosen.version, "长" * 301)
    back = await unchoose(CTX, mine, chosen.id, chosen.version)
    assert (back.mark, back.mark_note, back.version) == (LibraryMark.MATCHED, "", 3)
    entries = await AuditEntry.filter(object_type="library_row").order_by("id")
    assert [(e.action, e.actor_id, e.object_id) for e in entries] == [
        ("library.choose", world.staff.person_id, str(matched.id)),
        ("library.unchoose", world.staff.person_id, str(matched.id))]
    assert entries[0].detail["mark_note"] == "与合同一致的型号写法" and entries[0].ip == "10.0.0.1"


async def test_of_two_choices_at_once_one_wins(world: World, reference: None) -> None:
    matched = (await put(item(1, world.acme.credit_code, source=LibrarySource.DECLARED,
                              mark=LibraryMark.MATCHED)))[0]
    mine = await authorised(world)
    outcomes = await asyncio.gather(choose(CTX, mine, matched.id, matched.version, "甲"),
                                    choose(CTX, mine, matched.id, matched.version, "乙"), return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "LibraryRow"]
    with pytest.raises(Conflict) as stale:
        await unchoose(CTX, mine, matched.id, matched.version)
    assert stale.value.message == "该数据刚被他人修改，请刷新后重试"
    assert await AuditEntry.filter(action="library.choose").count() == 1


async def test_a_standard_row_is_withdrawn_and_published_again(world: World, reference: None) -> None:
    acme = world.acme.credit_code
    standard, nonstandard = await put(item(1, acme), item(2, acme, mark=LibraryMark.NONSTANDARD))
    mine = await authorised(world)
    withdrawn = await set_public(CTX, mine, standard.id, standard.version, False)
    assert not withdrawn.public
    again = await set_public(CTX, mine, withdrawn.id, withdrawn.version, True)
    assert again.public and again.version == 3
    with pytest.raises(IllegalTransition) as refused:
        await set_public(CTX, mine, nonstandard.id, nonstandard.version, True)
    assert refused.value.message == "只有规范数据可以设置公开状态"
    assert [e.action for e in await AuditEntry.filter(object_type="library_row").order_by("id")] == [
        "library.withdraw", "library.publish"]


async def test_every_row_is_read_once_in_keyset_batches_as_records_holding_the_rows_values(
        world: World, reference: None, tmp_path: Path) -> None:
    acme = world.acme.credit_code
    plain = [item(n, acme, declared_on=date(2025, 1 + n % 12, 1 + n % 28), ie_flag="I" if n % 2 else "E",
                  total_price=n / 8, quantity=None if n % 5 == 0 else n) for n in range(1, BATCH + 40)]
    declared = [item(n, acme, source=LibrarySource.DECLARED, mark=LibraryMark.MATCHED, declared_on=date(2025, 5, 5))
                for n in range(BATCH + 40, BATCH + 50)]
    await put(*plain, *declared, item(BATCH + 60, OTHERS[0]))  # many rows share a date: batches end inside one
    records = [r async for batch in every_row(enterprise_scope(world.acme.id, ""), LibraryFilter(), EXPORT_FIELDS)
               for r in batch]
    stored = await LibraryRow.filter(consignee_code=acme).select_related("catalogue_version").order_by(
        "-declared_on", "-id")
    assert [tuple(r) for r in records] == [tuple(getattr(s, f) for f in EXPORT_FIELDS) for s in stored]
    assert len(records) == BATCH + 49 and records[0].catalogue_version.code == stored[0].catalogue_version.code
    assert [[type(v) for v in r] for r in records[:50]] == [[type(getattr(s, f)) for f in EXPORT_FIELDS]
                                                            for s in stored[:50]]


async def test_the_export_of_every_row_writes_the_cells_of_the_page_export(
        world: World, reference: None, tmp_path: Path) -> None:
    acme = world.acme.credit_code
    await put(*[item(n, acme, declared_on=date(2025, 1 + n % 12, 1 + n % 3), ie_flag="I" if n % 2 else "E",
                     total_price=n / 8, quantity=None if n % 5 == 0 else n,
                     **({"source": LibrarySource.DECLARED, "mark": LibraryMark.MATCHED} if n % 3 == 0 else {}))
                for n in range(1, 31)])
    mine = await authorised(world)
    await export_enterprise_rows(mine, LibraryFilter(), tmp_path / "all.xlsx", CTX)
    await export_enterprise_rows(mine, LibraryFilter(), tmp_path / "page.xlsx", CTX, cursor="", limit=30)

    def cells(name: str) -> list[tuple[object, ...]]:
        return list(load_workbook(tmp_path / name).active.iter_rows(values_only=True))
    everything = cells("all.xlsx")
    assert everything == cells("page.xlsx") and len(everything) == 31
    assert {line[2] for line in everything[1:]} >= {datetime(2025, 1, 1)}  # 申报日期 a date, not text
    assert {line[-4] for line in everything[1:]} == {"进口", "出口"} and {line[-3] for line in everything[1:]} == {
        "规范", "系统匹配"}


async def test_the_export_holds_the_page_or_every_filtered_row_of_the_enterprise_only(
        world: World, reference: None, tmp_path: Path) -> None:
    acme, solo = world.acme.credit_code, world.solo.credit_code
    await put(*[item(n, acme) for n in range(1, 26)], item(30, solo), item(31, OTHERS[0], declarant=solo))
    mine = await authorised(world)
    everything = await export_enterprise_rows(mine, LibraryFilter(), tmp_path / "all.xlsx", CTX)
    page = await export_enterprise_rows(mine, LibraryFilter(), tmp_path / "page.xlsx", CTX, cursor="")
    assert (everything, page) == (25, 20)
    sheet = load_workbook(tmp_path / "all.xlsx").active
    entries = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(entries) == 25 and not any(e.endswith(("030", "031")) for e in entries)
    assert solo not in {c for row in sheet.iter_rows(values_only=True) for c in row} and BROKER


async def test_an_enterprise_registered_after_the_upload_finds_the_rows_that_name_it(world: World,
                                                                                    reference: None) -> None:
    card = CardEnterprise(credit_code=OTHERS[2], customs_code="2102960009", enterprise_name="大连后注册贸易有限公司",
                          holder_name="孙法人", legal_person_card=True)
    await put(item(1, card.credit_code), item(2, OTHERS[3], declarant=card.credit_code), item(3, OTHERS[4]))

    enterprise = await register_with_card(CTX, card, Applicant("孙法人", "13700000009"))

    linked = await LibraryRow.all().order_by("entry_number").values_list("consignee_enterprise_id",
                                                                          "declarant_enterprise_id")
    assert linked == [(enterprise.id, None), (None, enterprise.id), (None, None)]
    admin = await Membership.get(enterprise_id=enterprise.id)
    await authorise(PersonActor(admin.person_id), enterprise.id, PersonActor(admin.person_id))
    assert await ids(admin) == ["002", "001"]
