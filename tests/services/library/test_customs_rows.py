"""Customs' query and export of stored rows: scoped to the offices under the account's office, filtered, paged;
the export job writes every filtered row; a bad filter is refused field by field."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.customs_accounts import CustomsRole
from models.errors import Forbidden, ValidationFailed
from models.library import LibraryMark
from services.jobs.exports import start_library_export
from services.jobs.worker import JobRunner, run_due
from services.kit.context import ServiceContext
from services.library.customs_rows import RowFilter, customs_rows
from services.library.uploads import start_upload
from tests.factories import World, account
from tests.services.library.support import good_row, load_small_reference, workbook


@pytest.fixture
async def stored(world: World, db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)
    horses = [good_row(n, hs_code="0101210010", goods_name="改良种用马", model_spec="0|3|是|蒙古马") for n in (6, 7)]
    rows = [good_row(n) for n in range(1, 6)] + horses
    rows[0]["conclusion"], rows[0]["remarks"] = "不规范", "型号不全"
    await start_upload(ServiceContext(), world.supervisor, "audited", "a.xlsx", workbook(rows), tmp_path / "x")
    await run_due(JobRunner(ServiceContext(), tmp_path / "x", lease_seconds=30))


async def test_rows_are_scoped_filtered_and_paged(world: World, stored: None) -> None:
    everything = await customs_rows(world.supervisor.account_id, RowFilter())
    assert len(everything.items) == 7 and everything.next_cursor is None
    first = await customs_rows(world.supervisor.account_id, RowFilter(), limit=4)
    rest = await customs_rows(world.supervisor.account_id, RowFilter(), cursor=first.next_cursor, limit=4)
    assert [r.id for r in first.items + rest.items] == [r.id for r in everything.items]
    horses = await customs_rows(world.supervisor.account_id, RowFilter(hs_code="0101"))
    assert [r.goods_name for r in horses.items] == ["改良种用马", "改良种用马"]
    nonstandard = await customs_rows(world.supervisor.account_id, RowFilter(mark=LibraryMark.NONSTANDARD))
    assert [r.remarks for r in nonstandard.items] == ["型号不全"]
    nanjing_boss = await account("nanjing_boss", world.nanjing, CustomsRole.SUPERVISOR)
    assert (await customs_rows(nanjing_boss.account_id, RowFilter())).items == []
    with pytest.raises(Forbidden):
        await customs_rows(world.officer.account_id, RowFilter())


def test_a_bad_filter_is_refused_field_by_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        RowFilter.from_args({"mark": "best", "date_from": "2026-02-30", "hs_code": "8482"})
    assert refused.value.errors == {"mark": "请从列表中选择", "date_from": "应为日期（年-月-日）"}
    assert RowFilter.from_args({"mark": "standard", "date_to": "2026-03-01"}).args() == [
        ("mark", "standard"), ("date_to", "2026-03-01")]


async def test_the_export_job_writes_every_filtered_row(world: World, stored: None, tmp_path: Path) -> None:
    ctx = ServiceContext()
    await start_library_export(ctx, world.supervisor.account_id, RowFilter(hs_code="8482"))
    await run_due(JobRunner(ctx, tmp_path / "out", lease_seconds=30))

    (path,) = (tmp_path / "out").glob("library_export-*.xlsx")
    sheet = load_workbook(path)["规范申报库"]
    lines = [[c.value for c in row] for row in sheet.iter_rows(values_only=False)]
    header = lines[0]
    assert len(lines) == 6 and header[0] == "海关编号" and header[-4:] == ["进出口", "标记", "数据来源", "商品目录版本"]
    assert sorted(line[header.index("标记")] for line in lines[1:]) == ["不规范", "规范", "规范", "规范", "规范"]
    assert {line[header.index("商品目录版本")] for line in lines[1:]} == {"2026"}
