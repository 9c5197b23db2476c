"""The customs queue: filters, keyword, scope, keyset paging and the overdue flag, on every configured backend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.db import connection
from models.errors import NotFound, ValidationFailed
from models.lifecycle import Importance, ReplyKind, Status
from models.questions import Question
from services.kit.access import access_customs_account, customs_scope
from services.kit.context import ServiceContext
from services.kit.paging import MSG_BAD_CURSOR
from services.questions.asking import create_draft, submit_question
from services.questions.exec_review import exec_approve_question
from services.questions.handling import accept_question, reply_question
from services.questions.queue import QueueFilter, list_queue, new_work_count
from tests.factories import World

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def ask(world: World, clock: Clock, title: str, **form: object) -> Question:
    """A question by the review-free enterprise, submitted to customs at the clock's time."""
    ctx = ServiceContext(clock=clock)
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(title, **form))
    return await submit_question(ctx, world.solo_staff, q.id)


async def titles(account_id: int, flt: QueueFilter | None = None) -> list[str]:
    page = await list_queue(account_id, flt or QueueFilter(), limit=100)
    return [item.title for item in page.items]


@pytest.fixture
async def queue(world: World) -> dict[str, Question]:
    """Five questions a day apart, newest last: in Dayaowan, its department, and Nanjing; in several states."""
    clock = Clock(T0)
    made: dict[str, Question] = {}
    made["ic"] = await ask(world, clock, "电子口岸IC卡办理", type_ids=world.type_ids[:1])
    clock.now += timedelta(days=1)
    made["tariff"] = await ask(world, clock, "关税缴纳期限", office_id=world.tariff_dept.id,
                               type_ids=world.type_ids[1:2])
    clock.now += timedelta(days=1)
    made["nanjing"] = await ask(world, clock, "南京关区报关咨询", accepting_office_id=world.nanjing.id,
                                office_id=world.nanjing.id)
    clock.now += timedelta(days=1)
    ctx = ServiceContext(clock=clock)
    q = await create_draft(ctx, world.staff, world.acme.id, world.form("加工贸易手册核销"))
    await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
    made["urgent"] = await exec_approve_question(ctx, world.executive, q.id, Importance.URGENT)
    await accept_question(ctx, world.officer, made["ic"].id)
    await reply_question(ctx, world.supervisor, made["tariff"].id, ReplyKind.ANSWER, "按规定期限缴纳。")
    clock.now += timedelta(days=1)
    draft = await create_draft(ctx, world.solo_staff, world.solo.id, world.form("还没提交的草稿"))
    made["draft"] = draft
    return made


async def test_officer_sees_own_office_newest_first_and_supervisor_the_subtree(world: World, queue) -> None:
    assert await titles(world.officer.account_id) == ["加工贸易手册核销", "电子口岸IC卡办理"]
    assert await titles(world.supervisor.account_id) == ["加工贸易手册核销", "关税缴纳期限", "电子口岸IC卡办理"]
    assert await titles(world.nanjing_officer.account_id) == ["南京关区报关咨询"]
    # the same rule as services.kit.access.customs_scope, resolved at the office level
    for actor in (world.officer, world.supervisor, world.nanjing_officer, world.customs_admin):
        account = await access_customs_account(actor.account_id, connection())
        expected = await Question.filter(customs_scope(account)).exclude(
            status__in=(Status.DRAFT, Status.PENDING_EXEC_REVIEW, Status.RETURNED_BY_EXEC, Status.DELETED)
        ).order_by("-submitted_at").values_list("title", flat=True)
        assert await titles(actor.account_id) == expected


async def test_items_carry_what_the_queue_shows(world: World, queue) -> None:
    page = await list_queue(world.supervisor.account_id, QueueFilter(keyword="加工贸易"))
    [item] = page.items
    assert (item.number, item.enterprise_name, item.types, item.office_name) == (
        queue["urgent"].number, "大连示例进出口有限公司", ("通关运行",), "大窑湾海关")
    assert (item.importance, item.importance_label, item.status, item.status_label) == (
        Importance.URGENT, "紧急", Status.SUBMITTED, "已提交")
    assert page.next_cursor is None


@pytest.mark.parametrize(("flt", "expected"), [
    (QueueFilter(statuses=(Status.SUBMITTED,)), ["加工贸易手册核销"]),
    (QueueFilter(statuses=(Status.ACCEPTED, Status.REPLIED)), ["关税缴纳期限", "电子口岸IC卡办理"]),
    (QueueFilter(importance=Importance.URGENT), ["加工贸易手册核销"]),
    (QueueFilter(submitted_from=date(2026, 3, 3), submitted_to=date(2026, 3, 3)), ["关税缴纳期限"]),
    (QueueFilter(submitted_from=date(2026, 3, 4)), ["加工贸易手册核销"]),
    (QueueFilter(submitted_to=date(2026, 3, 2)), ["电子口岸IC卡办理"]),
])
async def test_filters(world: World, queue, flt: QueueFilter, expected: list[str]) -> None:
    assert await titles(world.supervisor.account_id, flt) == expected


async def test_type_and_office_filters(world: World, queue) -> None:
    assert await titles(world.supervisor.account_id, QueueFilter(type_id=world.type_ids[1])) == ["关税缴纳期限"]
    # an office includes its departments; an office outside the reader's scope shows nothing
    assert await titles(world.supervisor.account_id, QueueFilter(office_id=world.dayaowan.id)) == [
        "加工贸易手册核销", "关税缴纳期限", "电子口岸IC卡办理"]
    assert await titles(world.supervisor.account_id, QueueFilter(office_id=world.tariff_dept.id)) == ["关税缴纳期限"]
    assert await titles(world.officer.account_id, QueueFilter(office_id=world.nanjing.id)) == []


async def test_keyword_matches_number_title_or_enterprise(world: World, queue) -> None:
    sup = world.supervisor.account_id
    number = queue["ic"].number
    assert await titles(sup, QueueFilter(keyword=number)) == ["电子口岸IC卡办理"]
    assert await titles(sup, QueueFilter(keyword=number[:-4].lower())) == ["关税缴纳期限", "电子口岸IC卡办理"]
    assert await titles(sup, QueueFilter(keyword="IC卡")) == ["电子口岸IC卡办理"]
    assert await titles(sup, QueueFilter(keyword="示例进出口")) == ["加工贸易手册核销"]
    assert await titles(sup, QueueFilter(keyword="100%")) == []


async def test_paging_walks_every_row_once(world: World) -> None:
    clock = Clock(T0)
    for i in range(7):
        await ask(world, clock, f"问题{i}")
        if i % 3 != 2:  # several submissions at the same instant: the id breaks the tie
            clock.now += timedelta(minutes=5)
    seen: list[str] = []
    cursor = None
    while True:
        page = await list_queue(world.officer.account_id, QueueFilter(), cursor=cursor, limit=3)
        seen += [item.title for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == [f"问题{i}" for i in range(7)] and len(set(seen)) == 7
    assert seen == await titles(world.officer.account_id)


@pytest.mark.parametrize("cursor", ["garbage!", "WzEsMl0", "WyJ4IiwxXQ"])
async def test_bad_cursor_is_a_chinese_400(world: World, cursor: str) -> None:
    with pytest.raises(ValidationFailed, match=MSG_BAD_CURSOR) as caught:
        await list_queue(world.officer.account_id, QueueFilter(), cursor=cursor)
    assert (caught.value.status, caught.value.field) == (400, "cursor")


async def test_age_and_overdue_by_a_controlled_clock(world: World, queue) -> None:
    def at(day: int) -> ServiceContext:
        return ServiceContext(clock=lambda: T0 + timedelta(days=day, hours=1))

    page = await list_queue(world.supervisor.account_id, QueueFilter(), ctx=at(4))
    flags = {item.title: (item.age_days, item.overdue) for item in page.items}
    # submitted on day 3, 1 day old: not overdue yet; accepted on day 0, 4 days old, reply due within 5 days
    assert flags == {"加工贸易手册核销": (1, False), "电子口岸IC卡办理": (4, False), "关税缴纳期限": (3, False)}
    page = await list_queue(world.supervisor.account_id, QueueFilter(), ctx=at(6))
    flags = {item.title: (item.age_days, item.overdue) for item in page.items}
    # replied questions are never overdue
    assert flags == {"加工贸易手册核销": (3, True), "电子口岸IC卡办理": (6, True), "关税缴纳期限": (5, False)}
    page = await list_queue(world.supervisor.account_id, QueueFilter(), ctx=at(6), accept_within_days=4,
                            reply_within_days=7)
    assert [item.overdue for item in page.items] == [False, False, False]


async def test_new_work_count(world: World, queue) -> None:
    assert await new_work_count(world.officer.account_id) == 1
    assert await new_work_count(world.supervisor.account_id) == 1
    assert await new_work_count(world.nanjing_officer.account_id) == 1


async def test_unknown_account_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        await list_queue(999_999, QueueFilter())


def test_from_args_parses_a_query_string() -> None:
    flt = QueueFilter.from_args({"status": ["submitted,accepted", "replied"], "type_id": "3", "office_id": "7",
                                 "importance": "urgent", "submitted_from": "2026-03-01",
                                 "submitted_to": "2026-03-31", "keyword": "  IC卡  办理 "})
    assert flt == QueueFilter(statuses=(Status.SUBMITTED, Status.ACCEPTED, Status.REPLIED), type_id=3, office_id=7,
                              importance=Importance.URGENT, submitted_from=date(2026, 3, 1),
                              submitted_to=date(2026, 3, 31), keyword="IC卡 办理")
    # the page opens on the open work; "all" (or the empty choice) is every status
    assert QueueFilter.from_args({}) == QueueFilter(statuses=(Status.SUBMITTED, Status.ACCEPTED))
    assert QueueFilter.from_args({"status": "all"}) == QueueFilter()
    assert QueueFilter.from_args({"status": "", "type_id": ""}) == QueueFilter()


@pytest.mark.parametrize(("args", "field", "message"), [
    ({"status": "draft"}, "status", "状态筛选无效"),
    ({"status": "nonsense"}, "status", "状态筛选无效"),
    ({"type_id": "abc"}, "type_id", "问题类型"),
    ({"office_id": "-1"}, "office_id", "受理海关"),
    ({"office_id": "99999999999"}, "office_id", "受理海关"),
    ({"importance": "high"}, "importance", "重要性"),
    ({"submitted_from": "2026/03/01"}, "submitted_from", "YYYY-MM-DD"),
    ({"submitted_to": "2026-02-30"}, "submitted_to", "YYYY-MM-DD"),
    ({"submitted_from": "2026-03-02", "submitted_to": "2026-03-01"}, "submitted_to", "不能早于"),
    ({"keyword": "字" * 51}, "keyword", "关键词"),
])
def test_from_args_refuses_bad_values_naming_the_field(args: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message) as caught:
        QueueFilter.from_args(args)
    assert caught.value.field == field
