"""The read models of 我的问题: scoped lists with keyset paging, the question page, the executive's queue."""

from __future__ import annotations

import pytest
from tortoise import connections

from models.errors import NotFound, ValidationFailed
from models.lifecycle import Action, Evaluation, Importance, ReplyKind, Status
from services.kit.context import ServiceContext
from services.kit.paging import decode_cursor, encode_cursor
from services.questions.asking import create_draft, submit_question, withdraw_question
from services.questions.evaluation import evaluate_question
from services.questions.exec_review import exec_approve_question
from services.questions.handling import accept_question, reply_question
from services.questions.views import (
    list_questions,
    question_detail,
    review_queue,
)
from tests.factories import World

ctx = ServiceContext()


async def submitted(world: World, title: str = "电子口岸IC卡如何办理?") -> int:
    q = await create_draft(ctx, world.executive, world.acme.id, world.form(title))
    await submit_question(ctx, world.executive, q.id)
    return q.id


async def test_pages_follow_each_other_without_duplicates_newest_first(world: World) -> None:
    ids = [await submitted(world, f"问题{i}") for i in range(5)]
    first = await list_questions(ctx, world.staff.person_id, world.acme.id, limit=2)
    second = await list_questions(ctx, world.staff.person_id, world.acme.id, cursor=first.next_cursor, limit=2)
    third = await list_questions(ctx, world.staff.person_id, world.acme.id, cursor=second.next_cursor, limit=2)
    seen = [i.id for i in first.items + second.items + third.items]
    assert seen == ids[::-1]
    assert third.next_cursor is None
    assert first.items[0].types == ("通关运行",) and first.items[0].status_label == "已提交"


async def test_the_filter_groups_statuses_as_the_manual_does(world: World) -> None:
    draft = await create_draft(ctx, world.staff, world.acme.id, world.form("草稿"))
    pending = await create_draft(ctx, world.staff, world.acme.id, world.form("待审核"))
    await submit_question(ctx, world.staff, pending.id, executive_id=world.executive.person_id)
    sent = await submitted(world)

    async def titles(group: str) -> list[int]:
        found = await list_questions(ctx, world.admin.person_id, world.acme.id, status=group)
        return [i.id for i in found.items]

    assert await titles("draft") == [draft.id]
    assert await titles("review") == [pending.id]
    assert await titles("submitted") == [sent]
    with pytest.raises(ValidationFailed, match="状态筛选无效"):
        await titles("bogus")


@pytest.mark.parametrize("cursor", ["garbage", "cTow", "cTotMQ", encode_cursor(5)[:-1] + "!", "", "=="])
async def test_a_cursor_we_did_not_hand_out_is_refused(world: World, cursor: str) -> None:
    with pytest.raises(ValidationFailed, match="分页参数无效"):
        await list_questions(ctx, world.staff.person_id, world.acme.id, cursor=cursor or "x")


def test_a_cursor_round_trips() -> None:
    assert decode_cursor(encode_cursor(1234), 1) == [1234]


async def test_actions_follow_the_table_for_each_reader(world: World) -> None:
    q = await create_draft(ctx, world.staff, world.acme.id, world.form())
    await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
    assert set((await question_detail(ctx, world.executive.person_id, q.id)).item.actions) == {
        Action.EXEC_EDIT, Action.EXEC_RETURN, Action.EXEC_APPROVE}
    assert (await question_detail(ctx, world.executive2.person_id, q.id)).item.actions == ()
    await exec_approve_question(ctx, world.executive, q.id, Importance.IMPORTANT)
    assert (await question_detail(ctx, world.staff.person_id, q.id)).item.actions == (Action.WITHDRAW,)
    assert (await question_detail(ctx, world.staff2.person_id, q.id)).item.actions == ()


async def test_the_submit_form_offers_the_executives_only_when_review_is_needed(world: World) -> None:
    q = await create_draft(ctx, world.staff, world.acme.id, world.form())
    names = [e.name for e in (await question_detail(ctx, world.staff.person_id, q.id)).executives]
    assert names == ["高管乙", "高管丙"]
    own = await create_draft(ctx, world.executive, world.acme.id, world.form())
    assert (await question_detail(ctx, world.executive.person_id, own.id)).executives == ()


async def test_the_detail_has_the_whole_timeline_in_chinese(world: World) -> None:
    q = await create_draft(ctx, world.staff, world.acme.id, world.form())
    await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
    await exec_approve_question(ctx, world.executive, q.id, Importance.URGENT)
    await accept_question(ctx, world.officer, q.id)
    await reply_question(ctx, world.officer, q.id, ReplyKind.ANSWER, "请到综合业务窗口办理。")
    await evaluate_question(ctx, world.staff, q.id, Evaluation.NOT_SOLVED, note="没说清楚")
    detail = await question_detail(ctx, world.staff.person_id, q.id)
    assert [(e.what, e.role_label) for e in detail.timeline] == [
        ("新建问题", "关务人员"), ("提交高管审核", "关务人员"), ("审核通过，提交海关（重要性：紧急）", "企业高管"),
        ("海关受理", "海关关员"), ("海关回复（答复）", "海关关员"), ("评价：没有解决问题", "关务人员"),
    ]
    assert detail.timeline[-1].status_label == "待追加"
    assert [(r.kind_label, r.text) for r in detail.replies] == [("答复", "请到综合业务窗口办理。")]
    assert [(e.kind_label, e.note) for e in detail.evaluations] == [("没有解决问题", "没说清楚")]
    assert (detail.office, detail.accepting_office, detail.importance_label) == ("大窑湾海关", "大连海关", "紧急")
    assert set(detail.item.actions) == {Action.EVALUATE, Action.APPEND}


async def test_another_enterprise_sees_nothing(world: World) -> None:
    qid = await submitted(world)
    with pytest.raises(NotFound):
        await question_detail(ctx, world.solo_staff.person_id, qid)
    with pytest.raises(NotFound):
        await list_questions(ctx, world.solo_staff.person_id, world.acme.id)
    assert (await list_questions(ctx, world.solo_staff.person_id, world.solo.id)).items == ()


async def test_a_form_page_for_a_refused_action_raises_the_tables_reason(world: World) -> None:
    qid = await submitted(world)
    await accept_question(ctx, world.officer, qid)
    with pytest.raises(Exception, match="问题已受理，不能评价"):
        await question_detail(ctx, world.staff.person_id, qid, require=Action.EVALUATE)


async def test_the_review_queue_holds_only_this_executives_questions(world: World) -> None:
    mine = await create_draft(ctx, world.staff, world.acme.id, world.form("给乙"))
    await submit_question(ctx, world.staff, mine.id, executive_id=world.executive.person_id)
    other = await create_draft(ctx, world.staff, world.acme.id, world.form("给丙"))
    await submit_question(ctx, world.staff, other.id, executive_id=world.executive2.person_id)
    queue = await review_queue(ctx, world.executive.person_id, world.acme.id)
    assert [(i.title, i.creator_name) for i in queue] == [("给乙", "关务丁")]
    assert await review_queue(ctx, world.staff.person_id, world.acme.id) == ()


async def test_reads_take_a_fixed_number_of_queries(world: World) -> None:
    for i in range(3):
        qid = await submitted(world, f"问题{i}")
    await withdraw_question(ctx, world.executive, qid)
    counts = []
    for _ in range(2):
        with count_queries() as counted:
            await list_questions(ctx, world.staff.person_id, world.acme.id)
            await question_detail(ctx, world.staff.person_id, qid)
        counts.append(counted[0])
        for i in range(3):
            await submitted(world, f"更多{i}")
    assert counts[0] == counts[1] and 4 <= counts[0] <= 14, counts
    assert (await question_detail(ctx, world.staff.person_id, qid)).item.status is Status.WITHDRAWN


class count_queries:  # noqa: N801 - used as a context manager
    """Counts the statements the default connection runs (the backend's execute_query and friends)."""

    def __enter__(self) -> list[int]:
        self.conn = connections.get("default")
        self.counted = [0]
        self.saved = {name: getattr(self.conn, name) for name in ("execute_query", "execute_query_dict")}
        for name, original in self.saved.items():
            setattr(self.conn, name, self._counting(original))
        return self.counted

    def _counting(self, original):  # noqa: ANN001, ANN202
        async def run(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            self.counted[0] += 1
            return await original(*args, **kwargs)

        return run

    def __exit__(self, *exc: object) -> None:
        for name, original in self.saved.items():
            setattr(self.conn, name, original)
