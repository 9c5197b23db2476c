"""Question statistics over questions driven through the services with a test clock, on every backend.

The asking, accepting and replying instants sit around the 2025 National Day holiday (1–8 October, with the
make-up working Sunday 28 September), so the working-day durations are known by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from models.errors import NotFound
from models.lifecycle import Evaluation, Importance, ReplyKind
from services.desk.statistics import DEEMED_ACCEPTED_LABEL, Statistics, question_statistics, statistics_csv
from services.kit.actors import CustomsActor, PersonActor
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question, withdraw_question
from services.questions.autoclose import close_overdue
from services.questions.evaluation import evaluate_question
from services.questions.exec_review import exec_approve_question
from services.questions.handling import accept_question, reply_question
from tests.factories import World

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int) -> datetime:
    """A Shanghai wall-clock time as the UTC instant the services' clock gives (like ``utc_now``)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI).astimezone(UTC)


class Clock:
    def __init__(self) -> None:
        self.at = at("2025-09-22", 9)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(clock: Clock) -> ServiceContext:
    return ServiceContext(clock=clock)


@pytest.fixture
async def questions(world: World, ctx: ServiceContext, clock: Clock) -> None:
    """Five questions that reached customs in the week of 22 September, one draft, one in Nanjing.

    accept / reply in working days: 大窑湾 solo 0.25 / 1.0; 大连 solo 1.625 / 3.625 (over the Sunday make-up
    day and the holiday); 大窑湾 acme (urgent) 0.5 / 1.0.
    """

    async def submitted(actor: PersonActor, enterprise_id: int, when: datetime, **form: object) -> int:
        clock.at = when
        qid = (await create_draft(ctx, actor, enterprise_id, world.form(**form))).id
        await submit_question(ctx, actor, qid, executive_id=world.executive.person_id
                              if actor is world.staff else None)
        return qid

    async def step(when: datetime, action: object, *args: object, **kwargs: object) -> None:
        clock.at = when
        await action(ctx, *args, **kwargs)  # type: ignore[operator]

    solo = await submitted(world.solo_staff, world.solo.id, at("2025-09-22", 9))
    await step(at("2025-09-22", 15), accept_question, world.officer, solo)
    await step(at("2025-09-23", 9), reply_question, world.officer, solo, ReplyKind.ANSWER, "请到窗口办理")
    await step(at("2025-09-23", 10), evaluate_question, world.solo_staff, solo, Evaluation.SOLVED)

    dalian = await submitted(world.solo_staff, world.solo.id, at("2025-09-26", 18), office_id=world.dalian.id)
    await step(at("2025-09-29", 9), accept_question, world.supervisor, dalian)
    await step(at("2025-10-09", 9), reply_question, world.supervisor, dalian, ReplyKind.ANSWER, "已答复")
    assert await close_overdue(ctx, at("2025-10-16", 10)) == 1  # not evaluated within 7 days

    urgent = await submitted(world.staff, world.acme.id, at("2025-09-23", 8), type_ids=world.type_ids[:2])
    await step(at("2025-09-23", 9), exec_approve_question, world.executive, urgent, Importance.URGENT)
    await step(at("2025-09-23", 21), accept_question, world.officer, urgent)
    await step(at("2025-09-24", 9), reply_question, world.officer, urgent, ReplyKind.ANSWER, "答复")
    await step(at("2025-09-24", 10), evaluate_question, world.staff, urgent, Evaluation.NOT_SOLVED, note="未解决")

    withdrawn = await submitted(world.solo_staff, world.solo.id, at("2025-09-24", 9))
    await step(at("2025-09-24", 10), withdraw_question, world.solo_staff, withdrawn)
    await submitted(world.solo_staff, world.solo.id, at("2025-09-25", 9), office_id=world.tariff_dept.id)

    clock.at = at("2025-09-25", 9)
    await create_draft(ctx, world.solo_staff, world.solo.id, world.form("只是草稿"))
    await submitted(world.solo_staff, world.solo.id, at("2025-09-25", 9), accepting_office_id=world.nanjing.id,
                    office_id=world.nanjing.id)
    clock.at = at("2025-10-20", 9)


async def stats_for(actor: CustomsActor, ctx: ServiceContext, date_from: date | None = date(2025, 9, 22),
                    date_to: date | None = date(2025, 10, 19)) -> Statistics:
    return await question_statistics(actor.account_id, date_from=date_from, date_to=date_to, ctx=ctx)


async def test_supervisor_sees_the_subtree_with_counts_by_status_office_type_importance(
        world: World, ctx: ServiceContext, questions: None) -> None:
    stats = await stats_for(world.supervisor, ctx)
    assert stats.total == 5
    assert dict(stats.by_status) == {"已提交": 1, "已撤回": 1, "待追加": 1, "已办结": 2}
    assert [label for label, _ in stats.by_status] == ["已提交", "已撤回", "待追加", "已办结"]  # lifecycle order
    assert stats.by_office == (("大窑湾海关", 3), ("关税科", 1), ("大连海关", 1))
    assert stats.by_type == (("通关运行", 5), ("关税征管", 1))
    assert stats.by_importance == (("紧急", 1), ("未标注", 4))
    assert not stats.calendar_fallback and stats.notes == ()


async def test_officer_sees_only_his_office(world: World, ctx: ServiceContext, questions: None) -> None:
    stats = await stats_for(world.officer, ctx)
    assert stats.total == 3
    assert stats.by_office == (("大窑湾海关", 3),)
    assert (await stats_for(world.nanjing_officer, ctx)).by_office == (("南京海关", 1),)


async def test_auto_closed_answer_is_deemed_accepted_never_satisfied(
        world: World, ctx: ServiceContext, questions: None) -> None:
    stats = await stats_for(world.supervisor, ctx)
    assert stats.evaluations == (("完全解决问题", 1), ("同意答复意见", 0), ("没有解决问题", 1), ("解决部分问题", 0))
    assert stats.deemed_accepted == 1
    officer = await stats_for(world.officer, ctx)
    assert officer.deemed_accepted == 0  # the auto-closed question was Dalian's


async def test_durations_in_working_days_on_the_chinese_calendar(
        world: World, ctx: ServiceContext, questions: None) -> None:
    stats = await stats_for(world.supervisor, ctx)
    # accept: 0.25, 0.5, 1.625 → median 0.5; p90 at rank 1.8: 0.5 + 0.8 × 1.125
    assert (stats.time_to_accept.count, stats.time_to_accept.median) == (3, pytest.approx(0.5))
    assert stats.time_to_accept.p90 == pytest.approx(1.4)
    # reply: 1.0, 1.0, 3.625 → median 1.0; p90: 1.0 + 0.8 × 2.625
    assert (stats.time_to_reply.count, stats.time_to_reply.median) == (3, pytest.approx(1.0))
    assert stats.time_to_reply.p90 == pytest.approx(3.1)


async def test_weekly_trend_and_period(world: World, ctx: ServiceContext, questions: None) -> None:
    stats = await stats_for(world.supervisor, ctx)
    assert [(w.week, w.monday, w.asked, w.replied, w.closed) for w in stats.weekly] == [
        ("2025-W39", date(2025, 9, 22), 5, 2, 1),
        ("2025-W40", date(2025, 9, 29), 0, 0, 0),
        ("2025-W41", date(2025, 10, 6), 0, 1, 0),
        ("2025-W42", date(2025, 10, 13), 0, 0, 1),
    ]
    friday = await stats_for(world.supervisor, ctx, date(2025, 9, 26), date(2025, 9, 26))
    assert (friday.total, friday.by_office, friday.time_to_reply.median) == (1, (("大连海关", 1),), 3.625)
    unbounded = await stats_for(world.supervisor, ctx, None, None)
    assert unbounded.total == 5 and unbounded.weekly[0].monday == date(2025, 9, 22)
    assert unbounded.weekly[-1].monday == date(2025, 10, 20)  # up to the clock's week
    assert (await stats_for(world.supervisor, ctx, date(2025, 11, 1), date(2025, 11, 30))).total == 0


async def test_days_outside_the_calendar_package_fall_back_to_weekdays(
        world: World, ctx: ServiceContext) -> None:
    stats = await stats_for(world.supervisor, ctx, date(2030, 1, 1), date(2030, 1, 31))
    assert stats.total == 0 and stats.calendar_fallback
    assert stats.notes and "周一至周五" in stats.notes[0]
    assert (stats.time_to_accept.count, stats.time_to_accept.median) == (0, None)


async def test_csv_has_the_same_figures_with_a_bom(world: World, ctx: ServiceContext, questions: None) -> None:
    text = statistics_csv(await stats_for(world.supervisor, ctx))
    assert text.startswith("\ufeff类别,项目,数值\r\n")
    lines = text.splitlines()
    assert f"评价,{DEEMED_ACCEPTED_LABEL},1" in lines
    assert "评价,完全解决问题,1" in lines
    assert "受理用时（工作日）,中位数,0.50" in lines and "回复用时（工作日）,第90百分位,3.10" in lines
    assert "按受理海关/部门,大窑湾海关,3" in lines
    assert "每周回复,2025-W41（10-06起）,1" in lines


async def test_unknown_account_is_not_found(world: World, ctx: ServiceContext) -> None:
    with pytest.raises(NotFound):
        await question_statistics(999_999, date_from=None, date_to=None, ctx=ctx)
