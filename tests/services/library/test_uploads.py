"""Customs uploads: every rule refuses its bad row with a Chinese reason and the row comes back highlighted in the
annotated workbook; good rows are stored once; broken files are refused at once; only supervisors and admins in
scope upload and see uploads."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from tortoise.transactions import in_transaction

from models.audit import AuditEntry
from models.customs_accounts import CustomsRole
from models.enterprises import Enterprise, EnterpriseStatus
from models.errors import Forbidden, NotFound, ValidationFailed
from models.library import LibraryMark, LibraryRow, LibrarySource, LibraryUpload, UploadKind, UploadStatus
from models.offices import OfficeKind
from services.jobs.worker import JobRunner, run_due
from services.kit.context import ServiceContext
from services.library.columns import HEADERS
from services.library.keywords import keyword_condition, keyword_tokens, stored_keywords
from services.library.store import settle_upload
from services.library.uploads import error_workbook, list_uploads, run_upload, start_upload
from tests.conftest import PG_URL
from tests.factories import World, account, credit_code, office
from tests.services.library.support import CONSIGNEE, SPEC, good_row, load_small_reference, upload, workbook

BAD_CREDIT = CONSIGNEE[:-1] + ("0" if CONSIGNEE[-1] != "0" else "1")


@pytest.fixture
async def reference(db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


def annotated(path: Path) -> tuple[list[Any], list[list[Any]], set[tuple[int, int]], list[list[Any]]]:
    """The error workbook's header, rows, highlighted (row, column) cells and its report sheet."""
    book = load_workbook(path)
    sheet = book["错误数据"]
    lines = [[c.value for c in row] for row in sheet.iter_rows()]
    marked = {(c.row, c.column) for row in sheet.iter_rows() for c in row if c.fill.fgColor.rgb == "FFFFC7CE"}
    return lines[0], lines[1:], marked, [[c.value for c in r] for r in book["错误报告"].iter_rows()][1:]


RULES = [
    ({"entry_number": "09012026"}, "海关编号", "海关编号应为18位数字"),
    ({"item_number": 0}, "项号", "项号应为1至999的整数"),
    ({"item_number": "一"}, "项号", "应为整数"),
    ({"declared_on": "2026-13-40"}, "申报日期", "应为日期"),
    ({"declared_on": date(2099, 1, 1)}, "申报日期", "申报日期不能晚于今天"),
    ({"ie_flag": "X"}, "进出口标志", "进出口标志应为 I（进口）或 E（出口）"),
    ({"trade_mode": "9998"}, "监管方式", "监管方式代码不存在：9998"),
    ({"customs_office": "ZZ01"}, "申报地海关", "关区代码不存在：ZZ01"),
    ({"customs_office": "2301"}, "申报地海关", "申报地海关不在您的关区范围内"),
    ({"transport_mode": "Q"}, "运输方式", "运输方式代码不存在：Q"),
    ({"transaction_mode": "9"}, "成交方式", "成交方式代码不存在：9"),
    ({"hs_code": "84821020"}, "商品编号", "商品编号应为10位数字"),
    ({"hs_code": "8482109999"}, "商品编号", "商品编号在2026版商品目录中不存在"),
    ({"model_spec": SPEC + "|多余|多余"}, "规格型号", "申报要素多于商品目录的8项"),
    ({"model_spec": "0|3||SKF|6205"}, "规格型号", "缺少必填申报要素：结构类型"),
    ({"model_spec": "SKF|0|3|深沟球|6205"}, "规格型号", "申报要素“品牌类型”的值“SKF”不在允许范围（0、1、2、3、4）内"),
    ({"model_spec": "0|7|深沟球|SKF|6205"}, "规格型号", "申报要素“出口享惠情况”的值“7”不在允许范围（0、1、2、3）内"),
    ({"declarant_code": "91210200MA0XY312"}, "申报单位统一社会信用代码", "统一社会信用代码有误"),
    ({"consignee_code": BAD_CREDIT}, "收发货人统一社会信用代码", "统一社会信用代码有误"),
    ({"origin_country": "XXX"}, "原产国（地区）", "国别（地区）代码不存在：XXX"),
    ({"destination_country": "QQQ"}, "最终目的国（地区）", "国别（地区）代码不存在：QQQ"),
    ({"currency": "ABC"}, "币制", "币制代码不存在：ABC"),
    ({"unit": "999"}, "成交计量单位", "计量单位代码不存在：999"),
    ({"legal_unit": "998"}, "法定第一计量单位", "计量单位代码不存在：998"),
    ({"quantity": "很多"}, "成交数量", "应为数字"),
    ({"quantity": "1e999"}, "成交数量", "应为数字"),
    ({"legal_quantity": -1}, "法定第一数量", "应为非负数，整数部分不超过14位"),
    ({"total_price": 1e15}, "总价", "应为非负数，整数部分不超过15位"),
    ({"goods_name": ""}, "商品名称", "必填"),
    ({"conclusion": "好"}, "审核结论", "审核结论应为“规范”或“不规范”"),
    ({"conclusion": "不规范", "remarks": ""}, "审核意见", "审核结论为不规范时须填写审核意见"),
]


@pytest.mark.parametrize(("changes", "column", "reason"), RULES, ids=[r[2][:12] + r[1] for r in RULES])
async def test_every_rule_refuses_its_bad_row_and_keeps_the_good_one(
        world: World, reference: None, tmp_path: Path, changes: dict[str, Any], column: str, reason: str) -> None:
    done = await upload(world, tmp_path, [good_row(1), good_row(2, **changes)])

    assert (done.status, done.rows_accepted, done.rows_stored, done.rows_rejected) == (UploadStatus.DONE, 1, 1, 1)
    header, rows, marked, report = annotated(tmp_path / "exports" / done.error_path)
    assert len(rows) == 1 and rows[0][header.index("原行号")] == 3
    assert f"{column}：" in rows[0][-1] and reason in rows[0][-1]
    assert (2, header.index(column) + 1) in marked
    assert [3, column] == report[0][:2] and reason in report[0][2]
    assert await LibraryRow.all().values_list("entry_number", flat=True) == [good_row(1)["entry_number"]]


async def test_a_duplicate_item_in_the_file_is_refused_on_its_second_row(
        world: World, reference: None, tmp_path: Path) -> None:
    done = await upload(world, tmp_path, [good_row(1), good_row(1, goods_name="深沟球轴承2")])

    _, rows, _, _ = annotated(tmp_path / "exports" / done.error_path)
    assert (done.rows_accepted, done.rows_rejected) == (1, 1)
    assert "项号：与本文件第2行的海关编号和项号重复" in rows[0][-1]


async def test_thousands_of_bad_rows_are_all_reported_with_every_problem(
        world: World, reference: None, tmp_path: Path) -> None:
    bad = [good_row(n, trade_mode="9998", currency="ABC") for n in range(1, 3001)]
    done = await upload(world, tmp_path, [*bad, good_row(5000)])

    assert (done.rows_total, done.rows_accepted, done.rows_rejected, done.errors) == (3001, 1, 3000, 6000)
    _, rows, marked, report = annotated(tmp_path / "exports" / done.error_path)
    assert len(rows) == 3000 and len(report) == 6000 and len(marked) == 6000
    assert [r[-2] for r in rows] == list(range(2, 3002))


async def test_stored_rows_carry_marks_keywords_enterprises_and_the_catalogue_version(
        world: World, reference: None, tmp_path: Path) -> None:
    await upload(world, tmp_path, [good_row(1), good_row(2, conclusion="不规范", remarks="品牌应申报中文名称")])

    rows = await LibraryRow.all().order_by("entry_number")
    assert [(r.mark, r.public, r.remarks) for r in rows] == [
        (LibraryMark.STANDARD, True, ""), (LibraryMark.NONSTANDARD, False, "品牌应申报中文名称")]
    first = rows[0]
    assert first.elements == ["0", "3", "深沟球", "SKF", "6205-2RS", "", "", ""]
    assert (first.consignee_enterprise_id, first.declarant_enterprise_id) == (world.acme.id, None)
    assert first.catalogue_version_id is not None and first.source is LibrarySource.AUDITED
    dialect = LibraryRow._meta.db.capabilities.dialect
    stored = await LibraryRow._meta.db.execute_query(_portable("SELECT keywords FROM library_row WHERE id = ?"),
                                                     [first.id])
    assert stored[1][0]["keywords"] == stored_keywords(keyword_tokens(first.goods_name, first.model_spec), dialect)
    sql, args = keyword_condition("轴承", dialect)
    found = await LibraryRow._meta.db.execute_query(_portable(f"SELECT id FROM library_row WHERE {sql}"), args)
    assert len(found[1]) == 2
    sql, args = keyword_condition("承轴", LibraryRow._meta.db.capabilities.dialect)
    assert len((await LibraryRow._meta.db.execute_query(_portable(f"SELECT id FROM library_row WHERE {sql}"),
                                                        args))[1]) == 0


@pytest.mark.parametrize("backend", ["postgres"] if PG_URL else [])  # SQLite's one writer: no such overlap
async def test_an_enterprise_registered_while_the_upload_ran_is_linked_when_it_settles(
        world: World, reference: None, tmp_path: Path) -> None:
    """On PostgreSQL the insert and the registration each miss the other's uncommitted rows: here the enterprise
    appears after the rows were stored (created directly, as the registration's own linking would not have seen
    them), and the upload's settling links it."""
    late = credit_code("91210200MA0LATE01")
    done = await upload(world, tmp_path, [good_row(1, declarant_code=late), good_row(2)])
    enterprise = await Enterprise.create(name="大连后到贸易有限公司", credit_code=late, status=EnterpriseStatus.ACTIVE)
    assert await LibraryRow.filter(declarant_enterprise_id=enterprise.id).count() == 0

    async with in_transaction() as conn:
        await settle_upload(conn, done.id, LibrarySource.AUDITED)

    rows = await LibraryRow.all().order_by("entry_number").values_list("declarant_enterprise_id",
                                                                        "consignee_enterprise_id")
    assert rows == [(enterprise.id, world.acme.id), (None, world.acme.id)]


def _portable(sql: str) -> str:
    from core.db import portable_sql

    return portable_sql(sql, LibraryRow._meta.db)


async def test_re_uploading_stores_nothing_twice_and_an_audit_supersedes_the_declared_row(
        world: World, reference: None, tmp_path: Path) -> None:
    rows = [good_row(1), good_row(2), good_row(3)]
    declared = await upload(world, tmp_path, rows, UploadKind.DECLARED)
    again = await upload(world, tmp_path, rows, UploadKind.DECLARED)

    assert (declared.rows_stored, again.rows_accepted, again.rows_stored) == (3, 3, 0)
    assert await AuditEntry.filter(action="library_upload", actor_id=world.supervisor.account_id).count() == 2
    assert await LibraryRow.filter(mark=LibraryMark.MATCHED, superseded=False).count() == 3
    await upload(world, tmp_path, [good_row(2, conclusion="不规范", remarks="型号不完整")])
    assert await LibraryRow.all().count() == 4
    assert await LibraryRow.filter(superseded=True).values_list("entry_number", flat=True) == [
        good_row(2)["entry_number"]]
    assert await LibraryRow.filter(superseded=False).count() == 3


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "请选择要上传的 Excel 文件"),
    (b"name,code\n1,2\n", "文件不是 Excel（.xlsx）格式，请使用下载的模板"),
    (b"PK\x03\x04 truncated zip", "文件不是 Excel（.xlsx）格式，请使用下载的模板"),
    (b"PK\x03\x04" + b"0" * (20 * 1024 * 1024 - 3), "文件超过 20 MB，请拆分后分批上传"),
    ("empty", "文件中没有数据"),
    ("headers", "表头与模板不符，缺少列：商品编号、规格型号。请下载最新模板"),
])
async def test_broken_files_are_refused_at_once(world: World, reference: None, tmp_path: Path, data: Any,
                                                reason: str) -> None:
    if data == "empty":
        data = workbook([], headers=[])
    elif data == "headers":
        data = workbook([good_row()], headers=[h for h in HEADERS.values() if h not in ("商品编号", "规格型号")])
    with pytest.raises(ValidationFailed) as refused:
        await start_upload(ServiceContext(), world.supervisor, UploadKind.AUDITED, "x.xlsx", data, tmp_path)
    assert (refused.value.field, refused.value.message) == ("file", reason)
    assert await LibraryUpload.all().count() == 0


async def test_officers_cannot_upload_and_other_districts_see_no_upload(
        world: World, reference: None, tmp_path: Path) -> None:
    with pytest.raises(Forbidden):
        await start_upload(ServiceContext(), world.officer, UploadKind.AUDITED, "x.xlsx", workbook([good_row()]),
                           tmp_path)
    done = await upload(world, tmp_path, [good_row(1, trade_mode="9998")])
    nanjing_boss = await account("nanjing_boss", world.nanjing, CustomsRole.SUPERVISOR)

    assert [u.id for u in await list_uploads(world.supervisor.account_id)] == [done.id]
    assert await list_uploads(nanjing_boss.account_id) == []
    with pytest.raises(NotFound):
        await error_workbook(nanjing_boss.account_id, done.id, tmp_path / "exports")
    path, name = await error_workbook(world.supervisor.account_id, done.id, tmp_path / "exports") or (None, "")
    assert path is not None and path.exists() and name == "错误数据-审核数据.xlsx"
    sub = await office("0902", "大连港湾海关", OfficeKind.SUBORDINATE, world.dalian)
    sub_boss = await account("sub_boss", sub, CustomsRole.SUPERVISOR)
    assert await list_uploads(sub_boss.account_id) == []


async def test_a_file_gone_before_the_worker_reads_it_fails_the_upload_in_chinese(
        world: World, reference: None, tmp_path: Path) -> None:
    ctx = ServiceContext()
    started = await start_upload(ctx, world.supervisor, UploadKind.DECLARED, "申报数据.xlsx",
                                 workbook([good_row()]), tmp_path / "exports")
    (tmp_path / "exports" / started.stored_path).write_bytes(b"PK\x03\x04 damaged on the disk")
    await run_due(JobRunner(ctx, tmp_path / "exports", lease_seconds=30))

    failed = await LibraryUpload.get(id=started.id)
    assert (failed.status, failed.error) == (UploadStatus.FAILED, "无法读取文件，请上传 Excel（.xlsx）文件")
    assert await LibraryRow.all().count() == 0


async def test_a_failure_mid_file_stores_nothing_of_the_file(world: World, reference: None,
                                                              tmp_path: Path) -> None:
    """A row the database refuses (a unique index the natural key's ON CONFLICT does not cover, and a stored row
    it conflicts with) after the first batch was inserted: the whole file is rolled back."""
    conflicting = good_row(2400)
    await upload(world, tmp_path, [conflicting], UploadKind.DECLARED)
    conn = LibraryRow._meta.db
    await conn.execute_script("CREATE UNIQUE INDEX test_one_item ON library_row (entry_number, item_number)")
    try:
        rows = [good_row(n) for n in range(1, 2501)]  # more than one batch of 2,000
        failed = await upload(world, tmp_path, rows)
    finally:
        await conn.execute_script("DROP INDEX test_one_item")

    assert await LibraryRow.all().values_list("source", flat=True) == [LibrarySource.DECLARED]
    assert failed.status is not UploadStatus.DONE and failed.rows_stored == 0
    again = await upload(world, tmp_path, rows)  # the conflict gone (the index dropped), the file stores whole
    assert (again.status, again.rows_stored) == (UploadStatus.DONE, 2500)


async def test_a_file_broken_further_down_is_refused_in_chinese_and_stores_nothing(
        world: World, reference: None, tmp_path: Path) -> None:
    ctx = ServiceContext()
    started = await start_upload(ctx, world.supervisor, UploadKind.AUDITED, "审核数据.xlsx",
                                 workbook([good_row(n) for n in range(1, 3000)]), tmp_path / "exports")
    stored = tmp_path / "exports" / started.stored_path
    with zipfile.ZipFile(stored) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/"))
    parts[sheet] = parts[sheet].replace(b'<c r="B2500"', b'<c r="B2500" t="s"><v>99999</v></c><c r="Z2500"', 1)
    with zipfile.ZipFile(stored, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)

    with pytest.raises(ValidationFailed) as refused:
        await run_upload(ctx, started.id, tmp_path / "exports", tmp_path / "exports" / "e.xlsx")
    assert refused.value.message == "无法读取文件，请上传 Excel（.xlsx）文件"
    assert await LibraryRow.all().count() == 0 and not (tmp_path / "exports" / "e.xlsx").exists()
