"""Issue 12: a question over several rounds (round 1's times kept, every round on the customs page, the public
draft from every round) and the customs queue as a work queue (open work oldest first, handler, suffix search),
and the refusal that says how to get an executive. On every configured backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.enterprises import MemberRole, Membership
from models.lifecycle import NO_EXECUTIVE, Evaluation, ReplyKind, Status
from models.questions import Question
from services.kit.context import ServiceContext
from services.questions.ask_options import ask_options, ask_refusal
from services.questions.asking import create_draft, submit_question
from services.questions.customs_views import customs_question
from services.questions.evaluation import append_question, evaluate_question
from services.questions.forwarding import forward_question
from services.questions.handling import accept_question, reply_question
from services.questions.queue import QueueFilter, list_queue
from tests.factories import World

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
ROUND_1 = "我司新设立，请问电子口岸IC卡在哪里办理、需要哪些材料？"
ROUND_2 = "材料里的营业执照要原件还是复印件？"


def at(hours: float) -> ServiceContext:
    return ServiceContext(clock=lambda: T0 + timedelta(hours=hours))


async def ask(world: World, title: str, hours: float) -> Question:
    q = await create_draft(at(hours), world.solo_staff, world.solo.id, world.form(title))
    return await submit_question(at(hours), world.solo_staff, q.id)


async def two_rounds(world: World) -> Question:
    """Asked at 0 h, accepted at 1 h, answered at 2 h; not solved, appended at 24 h (round 2), accepted at 25 h."""
    q = await ask(world, "电子口岸IC卡办理", 0)
    await accept_question(at(1), world.officer, q.id)
    await reply_question(at(2), world.officer, q.id, ReplyKind.ANSWER, "请到综合业务窗口办理。")
    await evaluate_question(at(24), world.solo_staff, q.id, Evaluation.NOT_SOLVED, appended_text=ROUND_2)
    await accept_question(at(25), world.supervisor, q.id)
    return await Question.get(id=q.id)


async def test_an_appended_round_keeps_round_ones_times_and_has_its_own(world: World) -> None:
    q = await two_rounds(world)
    assert (q.round, q.status) == (2, Status.ACCEPTED)
    assert (q.first_submitted_at, q.first_accepted_at) == (T0, T0 + timedelta(hours=1))  # 提交时间 / 受理时间
    assert (q.submitted_at, q.accepted_at) == (T0 + timedelta(hours=24), T0 + timedelta(hours=25))  # this round's
    view = await customs_question(ServiceContext(), world.supervisor.account_id, q.id)
    assert [(r.number, r.question) for r in view.rounds] == [(1, ROUND_1), (2, ROUND_2)]
    assert view.current.question == ROUND_2 and [r.number for r in view.history] == [1]
    assert [(r.submitted_at, r.accepted_at) for r in view.rounds] == [
        (T0, T0 + timedelta(hours=1)), (T0 + timedelta(hours=24), T0 + timedelta(hours=25))]
    assert [r.text for r in view.rounds[0].replies] == ["请到综合业务窗口办理。"] and view.current.replies == ()


async def test_a_round_opened_by_append_takes_the_appended_text(world: World) -> None:
    q = await ask(world, "减免税备案", 0)
    await reply_question(at(1), world.officer, q.id, ReplyKind.ANSWER, "需要备案。")
    await evaluate_question(at(2), world.solo_staff, q.id, Evaluation.PARTLY_SOLVED, note="还有疑问")
    await append_question(at(3), world.solo_staff, q.id, "备案需要多长时间？")
    view = await customs_question(ServiceContext(), world.officer.account_id, q.id)
    assert [r.question for r in view.rounds] == [ROUND_1, "备案需要多长时间？"]
    found = await Question.get(id=q.id)
    assert (found.first_submitted_at, found.first_accepted_at, found.submitted_at) == (
        T0, T0 + timedelta(hours=1), T0 + timedelta(hours=3))  # a reply from submitted records the acceptance


async def test_the_public_draft_joins_every_round_and_warns(world: World) -> None:
    single = await ask(world, "单轮问题", 0)
    await reply_question(at(1), world.officer, single.id, ReplyKind.ANSWER, "单轮答复。")
    one = (await customs_question(ServiceContext(), world.supervisor.account_id, single.id)).draft
    assert (one.description, one.reply, one.warning) == (ROUND_1, "单轮答复。", "")
    q = await two_rounds(world)
    await reply_question(at(26), world.supervisor, q.id, ReplyKind.ANSWER, "复印件加盖公章即可。")
    draft = (await customs_question(ServiceContext(), world.supervisor.account_id, q.id)).draft
    assert draft.description == f"第 1 轮提问：{ROUND_1}\n\n第 2 轮提问：{ROUND_2}"
    assert draft.reply == "第 1 轮答复：请到综合业务窗口办理。\n\n第 2 轮答复：复印件加盖公章即可。"
    assert "共 2 轮" in draft.warning and "最后一轮的答复单独并不能回答第一轮的问题" in draft.warning


async def test_the_default_view_is_open_work_oldest_first_paged(world: World) -> None:
    made = [await ask(world, f"问题{i}", hours=i) for i in range(5)]
    await reply_question(at(6), world.officer, made[1].id, ReplyKind.ANSWER, "已答复。")
    await evaluate_question(at(7), world.solo_staff, made[1].id, Evaluation.SOLVED)
    await accept_question(at(8), world.officer, made[3].id)
    work = QueueFilter.from_args({})
    seen: list[str] = []
    cursor = None
    while True:
        page = await list_queue(world.officer.account_id, work, cursor=cursor, limit=2, ctx=at(30))
        seen += [item.title for item in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert seen == ["问题0", "问题2", "问题3", "问题4"]  # the closed one is not work; the oldest on top
    everything = await list_queue(world.officer.account_id, QueueFilter.from_args({"status": "all"}), ctx=at(30))
    assert [i.title for i in everything.items] == ["问题4", "问题3", "问题2", "问题1", "问题0"]  # history: newest first
    ages = {i.title: i.age_days for i in everything.items}
    assert ages["问题1"] is None and ages["问题0"] == 1  # a closed row has no 已等待


async def test_an_appended_round_waits_from_its_append(world: World) -> None:
    q = await two_rounds(world)  # round 2 reached customs at 24 h
    newer = await ask(world, "后来的问题", 12)
    page = await list_queue(world.supervisor.account_id, QueueFilter.from_args({}), ctx=at(30))
    assert [(i.title, i.round) for i in page.items] == [("后来的问题", 1), (q.title, 2)]
    assert newer.id != q.id


async def test_the_handler_is_who_accepted_the_current_round(world: World) -> None:
    q = await two_rounds(world)
    waiting = await ask(world, "没人受理", 3)
    answered = await ask(world, "直接答复", 4)
    await reply_question(at(5), world.officer, answered.id, ReplyKind.ANSWER, "直接答复。")
    forwarded = await ask(world, "受理后转交", 5)
    await accept_question(at(6), world.officer, forwarded.id)
    await forward_question(at(7), world.officer, forwarded.id, world.tariff_dept.id, "属关税业务")
    page = await list_queue(world.supervisor.account_id, QueueFilter.from_args({"status": "all"}), ctx=at(30))
    handlers = {i.id: i.handler for i in page.items}
    assert handlers == {q.id: "supervisor", waiting.id: "", answered.id: "officer", forwarded.id: ""}


async def test_a_number_suffix_of_four_or_more_finds_the_question(world: World) -> None:
    first, second = await ask(world, "第一个", 0), await ask(world, "第二个", 1)
    sup = world.supervisor.account_id

    async def found(keyword: str) -> list[str]:
        return [i.title for i in (await list_queue(sup, QueueFilter(keyword=keyword))).items]

    assert await found(second.number[-4:]) == ["第二个"]  # the sequence
    assert await found(first.number[-6:].lower()) == ["第一个"]  # year + sequence
    assert await found(first.number[-3:]) == []  # too short to search as a suffix
    assert await found(first.number[:18]) == ["第二个", "第一个"]  # the credit code: a prefix, as before


async def test_without_an_executive_the_refusal_says_how_to_get_one(world: World) -> None:
    await Membership.filter(enterprise_id=world.acme.id, role=MemberRole.EXECUTIVE).update(active=False)
    ctx = ServiceContext()
    assert await ask_refusal(ctx, world.staff, world.acme.id) == NO_EXECUTIVE
    assert await ask_refusal(ctx, world.admin, world.acme.id) == NO_EXECUTIVE
    options = await ask_options(ctx, world.staff, world.acme.id, ["0900"])
    assert options.refusal == NO_EXECUTIVE and "请企业管理员在“企业人员”中添加企业高管" in NO_EXECUTIVE
    assert await ask_refusal(ctx, world.solo_staff, world.solo.id) == ""  # no review required
    await Membership.filter(person_id=world.executive.person_id).update(active=True)
    assert await ask_refusal(ctx, world.staff, world.acme.id) == ""
