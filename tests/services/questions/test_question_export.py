"""Excel exports: the queue under a filter, and an enterprise's 关企沟通记录, read back with openpyxl."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.errors import NotFound
from models.lifecycle import Evaluation, Importance, ReplyKind, Status
from models.questions import Question
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.evaluation import append_question, evaluate_question
from services.questions.exec_review import exec_approve_question
from services.questions.export import AEO_HEADERS, QUEUE_HEADERS, export_aeo_record, export_queue
from services.questions.handling import accept_question, reply_question
from services.questions.queue import QueueFilter
from tests.factories import World

T0 = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)  # 2026-03-03 01:30 in Shanghai: another calendar day than UTC


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def sheet_rows(path: Path) -> list[tuple[object, ...]]:
    """The first sheet's rows; trailing empty cells are not stored, so rows are padded to the widest."""
    rows = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    width = max(len(row) for row in rows)
    return [tuple(row) + (None,) * (width - len(row)) for row in rows]


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
async def asked(world: World, clock: Clock) -> dict[str, int]:
    """Three questions of 辽宁单人贸易 in Dayaowan an hour apart (one accepted and answered), one in Nanjing."""
    ctx = ServiceContext(clock=clock)
    ids: dict[str, int] = {}
    nanjing = {"accepting_office_id": world.nanjing.id, "office_id": world.nanjing.id}
    two_types = {"type_ids": world.type_ids[:2]}
    for key, title, changes in (("ic", "电子口岸IC卡办理", {}), ("tariff", "关税缴纳期限", two_types),
                                ("nj", "南京关区咨询", nanjing)):
        q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(title, **changes))
        ids[key] = (await submit_question(ctx, world.solo_staff, q.id)).id
        clock.now += timedelta(hours=1)
    await accept_question(ctx, world.officer, ids["ic"])
    clock.now += timedelta(hours=1)
    await reply_question(ctx, world.officer, ids["ic"], ReplyKind.ANSWER, "请到综合业务窗口办理。")
    return ids


async def test_queue_export_has_chinese_headers_one_row_per_question_and_shanghai_times(
        world: World, asked: dict[str, int], tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    path = tmp_path / "queue.xlsx"
    written = await export_queue(world.officer.account_id, QueueFilter(), path,
                                 progress=lambda done, total: calls.append((done, total)), batch_size=1)
    rows = sheet_rows(path)
    assert written == 2 and rows[0] == QUEUE_HEADERS
    assert rows[0][:3] == ("问题编号", "标题", "企业名称")
    tariff, ic = rows[1], rows[2]  # newest submission first
    assert tariff[1:8] == ("关税缴纳期限", "辽宁单人贸易有限公司", "通关运行、关税征管", "大窑湾海关", None, "已提交",
                           datetime(2026, 3, 3, 2, 30))
    assert ic[1] == "电子口岸IC卡办理" and ic[6] == "已回复"
    assert ic[7:11] == (datetime(2026, 3, 3, 1, 30), datetime(2026, 3, 3, 4, 30), datetime(2026, 3, 3, 5, 30), None)
    assert calls == [(0, 2), (1, 2), (2, 2)]
    cell = next(load_workbook(path).worksheets[0].iter_rows(min_row=2, min_col=8, max_col=8))[0]
    assert cell.is_date


async def test_a_second_round_is_ordered_by_its_own_submission_and_shows_the_first_rounds_times(
        world: World, asked: dict[str, int], clock: Clock, tmp_path: Path) -> None:
    ctx = ServiceContext(clock=clock)
    clock.now += timedelta(hours=1)
    await evaluate_question(ctx, world.solo_staff, asked["ic"], Evaluation.NOT_SOLVED, note="还需要材料清单")
    await append_question(ctx, world.solo_staff, asked["ic"], "请列出所需材料。")  # round 2, submitted now
    path = tmp_path / "queue.xlsx"
    assert await export_queue(world.officer.account_id, QueueFilter(), path, batch_size=1) == 2  # both batches
    ic, tariff = sheet_rows(path)[1:]  # the newest submission first: round 2 of the IC-card question
    assert (ic[1], tariff[1]) == ("电子口岸IC卡办理", "关税缴纳期限")
    assert ic[7:9] == (datetime(2026, 3, 3, 1, 30), datetime(2026, 3, 3, 4, 30))  # round 1's 提交时间 / 受理时间


async def test_queue_export_applies_the_filter_and_the_scope(world: World, asked: dict[str, int],
                                                             tmp_path: Path) -> None:
    path = tmp_path / "queue.xlsx"
    flt = QueueFilter(statuses=(Status.REPLIED,))
    assert await export_queue(world.supervisor.account_id, flt, path, progress=None) == 1
    assert [row[1] for row in sheet_rows(path)[1:]] == ["电子口岸IC卡办理"]
    assert await export_queue(world.nanjing_officer.account_id, QueueFilter(), path) == 1
    assert [row[1] for row in sheet_rows(path)[1:]] == ["南京关区咨询"]
    assert await export_queue(world.officer.account_id, QueueFilter(keyword="没有这个"), path) == 0
    assert sheet_rows(path) == [QUEUE_HEADERS]


async def test_queue_export_shows_importance(world: World, clock: Clock, tmp_path: Path) -> None:
    ctx = ServiceContext(clock=clock)
    q = await create_draft(ctx, world.staff, world.acme.id, world.form("加工贸易手册核销"))
    await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
    await exec_approve_question(ctx, world.executive, q.id, Importance.IMPORTANT)
    path = tmp_path / "queue.xlsx"
    await export_queue(world.officer.account_id, QueueFilter(), path)
    assert sheet_rows(path)[1][2:7] == ("大连示例进出口有限公司", "通关运行", "大窑湾海关", "重要", "已提交")


async def test_aeo_record_lists_questions_replies_and_evaluations(world: World, asked: dict[str, int], clock: Clock,
                                                                  tmp_path: Path) -> None:
    ctx = ServiceContext(clock=clock)
    clock.now += timedelta(hours=1)
    await evaluate_question(ctx, world.solo_staff, asked["ic"], Evaluation.NOT_SOLVED, note="还需要材料清单")
    clock.now += timedelta(hours=1)
    await append_question(ctx, world.solo_staff, asked["ic"], "请列出所需材料。")
    path = tmp_path / "aeo.xlsx"
    count = await export_aeo_record(world.supervisor.account_id, world.solo.id, date(2026, 3, 3), date(2026, 3, 3),
                                    path, ctx=ctx)
    rows = sheet_rows(path)
    assert rows[0][0] == "辽宁单人贸易有限公司 关企沟通记录"
    assert rows[1][:2] == (f"统一社会信用代码：{world.solo.credit_code}", "期间：2026-03-03 至 2026-03-03")
    assert rows[2] == AEO_HEADERS
    body = [(r[1], r[2], r[3], r[4], r[6], r[7]) for r in rows[3:]]
    assert count == len(body) == 6
    ic = [row for row in body if row[0] == "电子口岸IC卡办理"]
    assert ic == [
        ("电子口岸IC卡办理", 1, datetime(2026, 3, 3, 1, 30), "单人己", "提交海关",
         "我司新设立，请问电子口岸IC卡在哪里办理、需要哪些材料？"),
        ("电子口岸IC卡办理", 1, datetime(2026, 3, 3, 4, 30), "officer", "海关受理", None),
        ("电子口岸IC卡办理", 1, datetime(2026, 3, 3, 5, 30), "officer", "海关回复（答复）", "请到综合业务窗口办理。"),
        ("电子口岸IC卡办理", 1, datetime(2026, 3, 3, 6, 30), "单人己", "评价：没有解决问题", "还需要材料清单"),
        ("电子口岸IC卡办理", 2, datetime(2026, 3, 3, 7, 30), "单人己", "追加问题", "请列出所需材料。"),
    ]
    assert [row[0] for row in body if row[0] != "电子口岸IC卡办理"] == ["关税缴纳期限"]  # not Nanjing's: out of scope


async def test_aeo_record_date_range_is_in_shanghai_days(world: World, asked: dict[str, int],
                                                         tmp_path: Path) -> None:
    path = tmp_path / "aeo.xlsx"
    # everything happened on 2026-03-02 UTC, which is already 2026-03-03 in Shanghai
    assert await export_aeo_record(world.officer.account_id, world.solo.id, date(2026, 3, 2), date(2026, 3, 2),
                                   path) == 0
    assert sheet_rows(path)[2:] == [AEO_HEADERS]


async def test_aeo_record_of_an_enterprise_outside_the_scope_is_not_found(world: World, asked: dict[str, int],
                                                                         tmp_path: Path) -> None:
    path = tmp_path / "aeo.xlsx"
    with pytest.raises(NotFound, match="企业不存在或无权查看"):
        await export_aeo_record(world.officer.account_id, world.acme.id, date(2026, 3, 1), date(2026, 3, 31), path)
    with pytest.raises(NotFound):
        await export_aeo_record(world.officer.account_id, 999_999, date(2026, 3, 1), date(2026, 3, 31), path)
    assert not path.exists()


async def test_queue_export_has_description_contact_reply_and_evaluation_and_survives_control_characters(
        world: World, asked: dict[str, int], clock: Clock, tmp_path: Path) -> None:
    ctx = ServiceContext(clock=clock)
    clock.now += timedelta(hours=1)
    await evaluate_question(ctx, world.solo_staff, asked["ic"], Evaluation.NOT_SOLVED, note="还需要材料清单")
    await Question.filter(id=asked["tariff"]).update(title="关税\x01缴纳\x1b")  # once broke the whole export
    path = tmp_path / "queue.xlsx"
    assert await export_queue(world.officer.account_id, QueueFilter(), path) == 2
    sheet = load_workbook(path).worksheets[0]
    assert sheet.freeze_panes == "A2" and all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["L"].width == 50  # 问题描述
    rows = sheet_rows(path)
    assert rows[0][11:] == ("问题描述", "联系人", "联系电话", "回复内容", "企业评价")
    tariff, ic = rows[1], rows[2]
    assert tariff[1] == "关税缴纳" and tariff[14:] == (None, None)
    assert ic[11] == "我司新设立，请问电子口岸IC卡在哪里办理、需要哪些材料？"
    assert ic[12:] == ("王经理", "13800138000", "请到综合业务窗口办理。", "没有解决问题：还需要材料清单")
    submitted_cell = sheet.cell(row=3, column=8)
    assert submitted_cell.is_date and submitted_cell.number_format == "yyyy-mm-dd hh:mm"
