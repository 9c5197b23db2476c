"""业务数据查询 services: every filter narrows to the declarations it names, the data scope (a 仅本人 preparer sees
only their own; another enterprise nothing — in the page and the export), keyset paging, 提交审核 of several
(each result reported), the 概要申报 default of the last 7 days, and the filter's refusals beside their fields."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from models.declaration_lifecycle import DeclarationStatus
from models.declarations import Declaration, DeclarationKind
from models.errors import Forbidden, ValidationFailed
from models.workspace import DataScope
from services.declarations.entry import create_draft
from services.declarations.fields import parse_form
from services.declarations.query import (
    QueryFilter,
    export_declarations,
    query_declarations,
    submit_selected,
    summary_filter,
)
from services.kit.context import ServiceContext
from tests.factories import World
from tests.services.declarations.support import ENTRY, good_form, good_head, member_of
from tests.services.library.support import load_small_reference

TZ = ZoneInfo("Asia/Shanghai")
CTX = ServiceContext(tz=TZ)
QUERY = "query:print"
K = DeclarationKind


@pytest.fixture
async def reference(db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def _numbers(member: object, **args: str) -> set[str]:
    page = await query_declarations(member, QueryFilter.from_args(args), TZ)  # type: ignore[arg-type]
    return {d.bill_no for d in page.items}


async def test_each_filter_finds_the_declarations_it_names(world: World, reference: None) -> None:
    preparer = await member_of(world, world.staff.person_id, ENTRY, QUERY)
    await create_draft(CTX, preparer, K.EXPORT, good_form(good_head(bill_no="BILL-A")))
    other = await create_draft(CTX, preparer, K.EXPORT_RECORD, good_form(good_head(
        bill_no="BILL-B", declare_office="0901", trade_mode="0214", trade_name="沈阳另一家公司")))
    await Declaration.filter(id=other.id).update(entry_id="090120260000001234", seq_no="I20260000123456789",
                                                 status=DeclarationStatus.DECLARED,
                                                 updated_at=datetime(2026, 1, 10, 3, tzinfo=UTC))

    assert await _numbers(preparer) == {"BILL-A", "BILL-B"}
    assert await _numbers(preparer, bill_no="BILL-B") == {"BILL-B"}
    assert await _numbers(preparer, entry_id="090120260000001234") == {"BILL-B"}
    assert await _numbers(preparer, seq_no="i20260000123456789") == {"BILL-B"}
    assert await _numbers(preparer, status="declared") == {"BILL-B"}
    assert await _numbers(preparer, status="draft") == {"BILL-A"}
    assert await _numbers(preparer, kind="export_record") == {"BILL-B"}
    assert await _numbers(preparer, declare_office="0901") == {"BILL-B"}
    assert await _numbers(preparer, trade_mode="0110") == {"BILL-A"}
    assert await _numbers(preparer, trade="另一家") == {"BILL-B"}
    assert await _numbers(preparer, trade=good_head()["trade_code"]) == {"BILL-A", "BILL-B"}
    assert await _numbers(preparer, owner=preparer.membership.person.name) == {"BILL-A", "BILL-B"}
    assert await _numbers(preparer, owner="没有这个人") == set()
    assert await _numbers(preparer, date_from="2026-01-10", date_to="2026-01-10") == {"BILL-B"}
    assert await _numbers(preparer, date_to="2026-01-09") == set()


async def test_bad_filters_are_refused_beside_their_fields() -> None:
    with pytest.raises(ValidationFailed) as refused:
        QueryFilter.from_args({"date_from": "2026-13-01", "date_to": "2026-01-01", "status": "sent",
                               "declare_office": "09011", "entry_id": "0" * 19})
    assert set(refused.value.errors) == {"date_from", "status", "declare_office", "entry_id"}
    with pytest.raises(ValidationFailed) as refused:
        QueryFilter.from_args({"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert refused.value.errors == {"date_to": "开始日期不能晚于结束日期"}
    flt = QueryFilter.from_args({"bill_no": " COSU 1 ", "status": "draft"})
    assert QueryFilter.from_args(dict(flt.args())) == flt


async def test_an_own_only_preparer_sees_only_their_own_and_another_enterprise_nothing(
        world: World, reference: None, tmp_path: Path) -> None:
    mine = await member_of(world, world.staff.person_id, ENTRY, QUERY, scope=DataScope.SELF)
    colleague = await member_of(world, world.staff2.person_id, ENTRY, QUERY)
    await create_draft(CTX, mine, K.EXPORT, good_form(good_head(bill_no="MINE")))
    await create_draft(CTX, colleague, K.EXPORT, good_form(good_head(bill_no="THEIRS")))
    elsewhere = await member_of(world, world.solo_staff.person_id, ENTRY, QUERY, enterprise_id=world.solo.id)

    assert await _numbers(mine) == {"MINE"}
    assert await _numbers(colleague) == {"MINE", "THEIRS"}
    assert await _numbers(elsewhere) == set()
    assert await _numbers(elsewhere, bill_no="MINE") == set()
    for member, expected in ((mine, ["MINE"]), (elsewhere, [])):
        path = tmp_path / "out.xlsx"
        assert await export_declarations(member, QueryFilter(), path, CTX) == len(expected)
        rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
        assert [row[8] for row in rows[1:]] == expected


async def test_the_query_needs_its_permission(world: World, reference: None) -> None:
    without = await member_of(world, world.staff.person_id, ENTRY)
    with pytest.raises(Forbidden):
        await query_declarations(without, QueryFilter(), TZ)


async def test_pages_follow_each_other_without_gaps(world: World, reference: None) -> None:
    preparer = await member_of(world, world.staff.person_id, ENTRY, QUERY)
    made = [await create_draft(CTX, preparer, K.EXPORT, parse_form({"bill_no": f"P{n}"}, {})) for n in range(5)]
    same = datetime(2026, 2, 1, tzinfo=UTC)  # equal times: the id breaks the tie
    await Declaration.filter(id__in=[d.id for d in made]).update(updated_at=same)
    seen, cursor = [], ""
    while True:
        page = await query_declarations(preparer, QueryFilter(), TZ, cursor=cursor, limit=2)
        seen += [d.bill_no for d in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ["P4", "P3", "P2", "P1", "P0"]
    with pytest.raises(ValidationFailed) as refused:
        await query_declarations(preparer, QueryFilter(), TZ, cursor="bm90LWEtY3Vyc29y")
    assert refused.value.field == "cursor"


async def test_submitting_several_reports_each_result(world: World, reference: None) -> None:
    preparer = await member_of(world, world.staff.person_id, ENTRY, QUERY)
    complete = await create_draft(CTX, preparer, K.EXPORT, good_form())
    incomplete = await create_draft(CTX, preparer, K.EXPORT, parse_form({"bill_no": "HALF"}, {}))
    elsewhere = await member_of(world, world.solo_staff.person_id, ENTRY, QUERY, enterprise_id=world.solo.id)
    foreign = await create_draft(CTX, elsewhere, K.EXPORT, good_form())

    results = await submit_selected(CTX, preparer, [complete.id, incomplete.id, foreign.id, complete.id])

    assert [(r.declaration_id, r.submitted) for r in results] == [
        (complete.id, True), (incomplete.id, False), (foreign.id, False)]
    assert results[1].errors and "trade_mode" in results[1].errors and "处需修改" in results[1].reason
    assert results[2].reason == "报关单不存在或无权查看"
    statuses = dict(await Declaration.all().values_list("id", "status"))
    assert statuses == {complete.id: DeclarationStatus.PENDING_REVIEW, incomplete.id: DeclarationStatus.DRAFT,
                        foreign.id: DeclarationStatus.DRAFT}
    with pytest.raises(ValidationFailed):
        await submit_selected(CTX, preparer, [])


async def test_the_summary_query_defaults_to_the_last_seven_days_of_declared_ones(
        world: World, reference: None) -> None:
    today = date(2026, 3, 10)
    assert summary_filter(QueryFilter(), today) == QueryFilter(date_from=date(2026, 3, 4), date_to=today)
    given = QueryFilter(date_from=date(2026, 1, 1))
    assert summary_filter(given, today) is given
    preparer = await member_of(world, world.staff.person_id, ENTRY, QUERY)
    draft = await create_draft(CTX, preparer, K.EXPORT, good_form(good_head(bill_no="DRAFT")))
    sent = await create_draft(CTX, preparer, K.EXPORT, good_form(good_head(bill_no="SENT")))
    await Declaration.filter(id=sent.id).update(status=DeclarationStatus.RELEASED)
    now = datetime.now(UTC)
    await Declaration.filter(id__in=[draft.id, sent.id]).update(updated_at=now - timedelta(days=1))
    flt = summary_filter(QueryFilter(), now.astimezone(TZ).date())
    page = await query_declarations(preparer, flt, TZ, summary=True)
    assert [d.bill_no for d in page.items] == ["SENT"]
