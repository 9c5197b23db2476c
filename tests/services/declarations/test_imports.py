"""导入 services: the template's columns and drop-down lists; a file of good and bad declarations — the good
created as drafts with their items, every bad row reported in the annotated workbook (read back with openpyxl:
error column, highlighted cells), a declaration with one bad row not created at all; the same file uploaded
again creates nothing; a file of several chunks reports its progress, and a database refusal in its last chunk
leaves nothing stored; the upload's refusals beside the file field."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from core.db import connection, dialect
from models.declaration_lifecycle import DeclarationStatus
from models.declarations import Declaration, DeclarationEvent, DeclarationImport, DeclarationItem, ImportStatus
from models.errors import Forbidden, ValidationFailed
from services.declarations.fields import HEAD_FIELDS, ITEM_FIELDS
from services.declarations.import_template import import_template
from services.declarations.imports import CHUNK, HEADERS, run_import, start_import
from services.kit.context import ServiceContext
from tests.factories import World
from tests.services.declarations.support import ENTRY, good_head, good_item, member_of
from tests.services.library.support import load_small_reference

CTX = ServiceContext()
QUERY, IMPORT = "query:print", "query:import"


@pytest.fixture
async def reference(db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


def line(group: str, head: dict[str, Any] | None = None, item: dict[str, Any] | None = None,
         kind: str = "出口报关单") -> list[Any]:
    head, item = head or good_head(), item or good_item()
    item = {**item, "model_spec": "|".join(item.pop("elements", []))} if "elements" in item else item
    return [group, kind, *(head.get(s.key, "") for s in HEAD_FIELDS), *(item.get(s.key, "") for s in ITEM_FIELDS)]


def workbook(lines: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS))
    for values in lines:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _import(member: Any, data: bytes, folder: Path) -> DeclarationImport:
    record, new = await start_import(CTX, member, "报关单.xlsx", data, folder)
    assert new
    return await run_import(CTX, record.id, folder, folder / "errors.xlsx")


async def test_the_template_has_every_column_and_drop_down_lists(world: World, reference: None) -> None:
    book = load_workbook(io.BytesIO(await import_template()))
    sheet = book["报关单"]
    assert [c.value for c in sheet[1]] == list(HEADERS)
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    trade_mode = HEADERS.index("监管方式") + 1
    assert any(f.startswith("'代码表'!") for f in lists.values()) and len(lists) > 10
    assert f"{sheet.cell(1, trade_mode).column_letter}2" in lists
    assert "出口报关单" in lists["B2"]
    assert book["代码表"].sheet_state == "hidden"


async def test_good_declarations_are_created_and_every_bad_row_is_reported(
        world: World, reference: None, tmp_path: Path) -> None:
    member = await member_of(world, world.admin.person_id, ENTRY, QUERY, IMPORT)
    lines = [
        line("1"), line("1", item=good_item(goods_name="深沟球轴承二")),  # good: two items
        line("2", head=good_head(trade_mode="9999")),  # bad head code
        line("2", head=good_head(trade_mode="9999")),  # its second row: the declaration is still refused
        line("3", item=good_item(quantity="many")),  # not a number
        line("3", item=good_item(hs_code="0000000000")),  # unknown HS code
        line("4", kind="进口报关单"),  # no such kind
        line("5", head=good_head(bill_no="B5")),
        line("5", head=good_head(bill_no="DIFFERENT")),  # the head must repeat
    ]
    done = await _import(member, workbook(lines), tmp_path)

    assert (done.status, done.declarations_created, done.declarations_rejected, done.rows_total,
            done.rows_rejected) == (ImportStatus.DONE, 1, 4, 9, 7)
    created = await Declaration.get()
    assert (created.status, created.owner_id, created.trade_mode) == (DeclarationStatus.DRAFT,
                                                                      world.admin.person_id, "0110")
    assert await DeclarationItem.filter(declaration_id=created.id).order_by("position") \
        .values_list("goods_name", flat=True) == ["深沟球轴承", "深沟球轴承二"]
    assert "由导入文件" in (await DeclarationEvent.get(declaration_id=created.id)).note

    sheet = load_workbook(tmp_path / done.error_path)["错误数据"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[-2:] == ["原行号", "错误原因"]
    by_row = {row[-2]: row[-1] for row in rows[1:]}
    assert sorted(by_row) == [4, 5, 6, 7, 8, 9, 10]  # every row of the refused declarations (row 1 is the header)
    assert "监管方式" in by_row[4] and "不在" in by_row[4]
    assert "其他行有误" in by_row[5]
    assert "成交数量" in by_row[6] and "商品编号" in by_row[7]
    assert "报关单类型" in by_row[8]
    assert "提运单号" in by_row[10] and "第 9 行" in by_row[10]
    trade_mode = header.index("监管方式") + 1
    assert sheet.cell(2, trade_mode).fill.start_color.rgb == "FFFFC7CE"  # the bad cell highlighted
    assert sheet.cell(3, trade_mode).fill.start_color.rgb != "FFFFC7CE"
    report = list(load_workbook(tmp_path / done.error_path)["错误报告"].iter_rows(values_only=True))
    assert len(report) - 1 == done.errors == 5


async def test_the_same_file_again_creates_nothing(world: World, reference: None, tmp_path: Path) -> None:
    member = await member_of(world, world.admin.person_id, ENTRY, QUERY, IMPORT)
    data = workbook([line("1"), line("2", head=good_head(bill_no="OTHER"))])
    first = await _import(member, data, tmp_path)
    again, new = await start_import(CTX, member, "再次.xlsx", data, tmp_path)
    assert (new, again.id, first.declarations_created) == (False, first.id, 2)
    assert await Declaration.all().count() == 2
    # a retried job after the commit changes nothing either
    await run_import(CTX, first.id, tmp_path, tmp_path / "errors.xlsx")
    assert await Declaration.all().count() == 2


async def test_unreadable_uploads_are_refused_beside_the_file(world: World, reference: None, tmp_path: Path) -> None:
    member = await member_of(world, world.admin.person_id, ENTRY, QUERY, IMPORT)
    for data, text in ((b"", "请选择"), (b"not a workbook", "Excel"), (_wrong_headers(), "缺少以下列")):
        with pytest.raises(ValidationFailed) as refused:
            await start_import(CTX, member, "x.xlsx", data, tmp_path)
        assert refused.value.field == "file" and text in refused.value.message
    reader = await member_of(world, world.staff.person_id, ENTRY, QUERY)
    with pytest.raises(Forbidden):
        await start_import(CTX, reader, "x.xlsx", workbook([line("1")]), tmp_path)


async def test_a_file_of_several_chunks_reports_progress_and_is_stored_whole(
        world: World, reference: None, tmp_path: Path) -> None:
    member = await member_of(world, world.admin.person_id, ENTRY, QUERY, IMPORT)
    count = CHUNK + 1
    data = workbook([line(str(n), head=good_head(bill_no=f"B{n}")) for n in range(1, count + 1)])
    record, _ = await start_import(CTX, member, "大批.xlsx", data, tmp_path)
    seen: list[tuple[int, int]] = []
    done = await run_import(CTX, record.id, tmp_path, tmp_path / "errors.xlsx", lambda *at: seen.append(at))
    assert (done.status, done.declarations_created, done.rows_total) == (ImportStatus.DONE, count, count)
    assert seen == [(CHUNK, count), (count, count)]
    numbers = await Declaration.all().order_by("id").values_list("id", "number", "bill_no")
    assert [bill for _, _, bill in numbers] == [f"B{n}" for n in range(1, count + 1)]
    assert all(number.endswith(f"{declaration_id:08d}") for declaration_id, number, _ in numbers)
    assert await DeclarationItem.all().count() == await DeclarationEvent.filter(to_status="draft").count() == count


REFUSE_SQL = {  # a row the database refuses: the last declaration of the file
    "sqlite": ["CREATE TRIGGER refuse_last BEFORE INSERT ON declaration WHEN NEW.bill_no = 'LAST' "
               "BEGIN SELECT RAISE(ABORT, 'refused'); END"],
    "postgres": ["CREATE FUNCTION refuse_last() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ "
                 "LANGUAGE plpgsql",
                 "CREATE TRIGGER refuse_last BEFORE INSERT ON declaration FOR EACH ROW WHEN (NEW.bill_no = 'LAST') "
                 "EXECUTE FUNCTION refuse_last()"],
}
DROP_SQL = {"sqlite": ["DROP TRIGGER refuse_last"],
            "postgres": ["DROP TRIGGER refuse_last ON declaration", "DROP FUNCTION refuse_last()"]}


async def test_a_refusal_in_the_last_chunk_leaves_nothing_stored(
        world: World, reference: None, tmp_path: Path) -> None:
    member = await member_of(world, world.admin.person_id, ENTRY, QUERY, IMPORT)
    lines = [line(str(n), head=good_head(bill_no=f"B{n}")) for n in range(1, CHUNK + 1)]
    data = workbook([*lines, line("last", head=good_head(bill_no="LAST"))])
    record, _ = await start_import(CTX, member, "失败.xlsx", data, tmp_path)
    kind = dialect(connection())
    for sql in REFUSE_SQL[kind]:
        await connection().execute_script(sql)
    try:
        with pytest.raises(Exception, match="refused"):
            await run_import(CTX, record.id, tmp_path, tmp_path / "errors.xlsx")
    finally:
        for sql in DROP_SQL[kind]:
            await connection().execute_script(sql)
    assert await Declaration.all().count() == await DeclarationItem.all().count() == 0
    assert await DeclarationEvent.all().count() == 0
    assert (await DeclarationImport.get(id=record.id)).status is not ImportStatus.DONE


def _wrong_headers() -> bytes:
    book = Workbook()
    book.active.append(["报关单序号", "别的列"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
