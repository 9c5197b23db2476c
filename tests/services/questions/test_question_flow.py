"""The question lifecycle through the services, on every configured backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.audit import AuditEntry
from models.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from models.lifecycle import ClosedBy, Evaluation, Importance, ReplyKind, Status
from models.outbox import OutboxMessage
from models.questions import Question, QuestionEvaluation, QuestionEvent
from services.kit.context import ServiceContext
from services.questions.asking import (
    create_draft,
    delete_question,
    edit_question,
    resubmit_question,
    submit_question,
    withdraw_question,
)
from services.questions.evaluation import append_question, evaluate_question
from services.questions.exec_review import exec_approve_question, exec_edit_question, exec_return_question
from services.questions.handling import accept_question, publish_question, reply_question, unpublish_question
from tests.factories import World

ctx = ServiceContext()


async def timeline(question_id: int) -> list[tuple[str, str | None, str]]:
    events = await QuestionEvent.filter(question_id=question_id).order_by("id")
    return [(e.action, e.from_status and e.from_status.value, e.to_status.value) for e in events]


async def outbox(question_id: int) -> list[tuple[str, int]]:
    rows = await OutboxMessage.filter(question_id=question_id).order_by("id")
    return [(r.event, r.person_id) for r in rows]


async def test_staff_question_goes_through_executive_to_customs_and_is_closed_by_evaluation(world: World) -> None:
    q = await create_draft(ctx, world.staff, world.acme.id, world.form())
    assert q.status is Status.DRAFT
    assert q.number == f"{world.acme.credit_code}{ctx.now().astimezone(ctx.tz).year % 100:02d}0001"

    q = await submit_question(ctx, world.staff, q.id, executive_id=world.executive2.person_id)
    assert (q.status, q.assigned_executive_id) == (Status.PENDING_EXEC_REVIEW, world.executive2.person_id)
    await exec_edit_question(ctx, world.executive2, q.id, world.form("电子口岸IC卡办理地点"))
    q = await exec_approve_question(ctx, world.executive2, q.id, Importance.URGENT)
    assert (q.status, q.importance, q.title) == (Status.SUBMITTED, Importance.URGENT, "电子口岸IC卡办理地点")

    q = await accept_question(ctx, world.officer, q.id)
    assert q.status is Status.ACCEPTED and q.accepted_at is not None
    q = await reply_question(ctx, world.officer, q.id, ReplyKind.ANSWER, "请到大窑湾海关综合业务窗口办理。")
    assert (q.status, q.reply_kind) == (Status.REPLIED, ReplyKind.ANSWER)
    q = await evaluate_question(ctx, world.staff, q.id, Evaluation.AGREED, note="同意")
    assert (q.status, q.closed_by) == (Status.CLOSED, ClosedBy.EVALUATION)

    assert await timeline(q.id) == [
        ("create", None, "draft"),
        ("submit", "draft", "pending_exec_review"),
        ("exec_edit", "pending_exec_review", "pending_exec_review"),
        ("exec_approve", "pending_exec_review", "submitted"),
        ("accept", "submitted", "accepted"),
        ("reply", "accepted", "replied"),
        ("evaluate", "replied", "closed"),
    ]
    assert await outbox(q.id) == [
        ("exec_review_requested", world.executive2.person_id),
        ("customs_accepted", world.staff.person_id),
        ("customs_replied", world.staff.person_id),
        ("customs_replied", world.executive2.person_id),
    ]
    assert [e.kind for e in await QuestionEvaluation.filter(question_id=q.id)] == [Evaluation.AGREED]
    assert await AuditEntry.filter(object_id=q.number).count() == 2


async def test_executive_return_and_resubmission(world: World) -> None:
    q = await create_draft(ctx, world.staff, world.acme.id, world.form())
    with pytest.raises(ValidationFailed, match="多位高管"):
        await submit_question(ctx, world.staff, q.id)
    await submit_question(ctx, world.staff, q.id, executive_id=world.executive.person_id)
    with pytest.raises(Forbidden, match="指定的审核高管"):
        await exec_return_question(ctx, world.executive2, q.id, "不是我审")
    with pytest.raises(ValidationFailed, match="退回原因"):
        await exec_return_question(ctx, world.executive, q.id, "  ")
    q = await exec_return_question(ctx, world.executive, q.id, "请补充报关单号")
    assert q.status is Status.RETURNED_BY_EXEC
    await edit_question(ctx, world.staff, q.id, world.form(description="报关单号 091020221000000001，IC卡如何办理？"))
    q = await submit_question(ctx, world.staff, q.id)
    assert (q.status, q.assigned_executive_id) == (Status.PENDING_EXEC_REVIEW, world.executive.person_id)
    with pytest.raises(ValidationFailed, match="重要性"):
        await exec_approve_question(ctx, world.executive, q.id, None)
    assert ("exec_returned", world.staff.person_id) in await outbox(q.id)


async def test_executive_and_review_free_enterprise_go_straight_to_customs(world: World) -> None:
    q = await create_draft(ctx, world.executive, world.acme.id, world.form())
    assert (await submit_question(ctx, world.executive, q.id)).status is Status.SUBMITTED
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form())
    assert (await submit_question(ctx, world.solo_staff, q.id)).status is Status.SUBMITTED


async def test_withdraw_modify_resubmit_delete(world: World) -> None:
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form())
    await submit_question(ctx, world.solo_staff, q.id)
    q = await withdraw_question(ctx, world.solo_staff, q.id)
    assert q.status is Status.WITHDRAWN
    await edit_question(ctx, world.solo_staff, q.id, world.form("改过的标题"))
    q = await submit_question(ctx, world.solo_staff, q.id)
    assert (q.status, q.title) == (Status.SUBMITTED, "改过的标题")
    await withdraw_question(ctx, world.solo_staff, q.id)
    q = await delete_question(ctx, world.solo_staff, q.id)
    assert q.status is Status.DELETED
    with pytest.raises(NotFound):
        await submit_question(ctx, world.solo_staff, q.id)
    assert await Question.filter(id=q.id).exists()  # soft delete: kept for audit


async def test_refusals_name_the_status(world: World) -> None:
    q = await create_draft(ctx, world.executive, world.acme.id, world.form())
    await submit_question(ctx, world.executive, q.id)
    await accept_question(ctx, world.officer, q.id)
    with pytest.raises(IllegalTransition, match="问题已受理，不能撤回"):
        await withdraw_question(ctx, world.staff, q.id)
    with pytest.raises(IllegalTransition, match="问题已受理，不能受理"):
        await accept_question(ctx, world.supervisor, q.id)


async def test_scoping_other_enterprise_and_other_office_see_nothing(world: World) -> None:
    q = await create_draft(ctx, world.executive, world.acme.id, world.form())
    with pytest.raises(NotFound):
        await submit_question(ctx, world.solo_staff, q.id)
    await submit_question(ctx, world.executive, q.id)
    with pytest.raises(NotFound):
        await accept_question(ctx, world.nanjing_officer, q.id)
    with pytest.raises(Forbidden):
        await accept_question(ctx, world.customs_admin, q.id)
    assert (await accept_question(ctx, world.supervisor, q.id)).status is Status.ACCEPTED


async def test_evaluation_3_with_and_without_append(world: World) -> None:
    q = await create_draft(ctx, world.executive, world.acme.id, world.form())
    await submit_question(ctx, world.executive, q.id)
    await reply_question(ctx, world.officer, q.id, ReplyKind.ANSWER, "答复一")
    with pytest.raises(ValidationFailed, match="补充说明或追加问题"):
        await evaluate_question(ctx, world.executive, q.id, Evaluation.NOT_SOLVED)
    q = await evaluate_question(ctx, world.executive, q.id, Evaluation.NOT_SOLVED, note="没说清楚")
    assert q.status is Status.AWAITING_APPEND
    q = await append_question(ctx, world.executive, q.id, "具体需要哪些材料？")
    assert (q.status, q.round, q.reply_kind) == (Status.SUBMITTED, 2, None)
    with pytest.raises(IllegalTransition, match="追加的问题不可撤回"):
        await withdraw_question(ctx, world.executive, q.id)
    await reply_question(ctx, world.officer, q.id, ReplyKind.ANSWER, "答复二")
    q = await evaluate_question(ctx, world.admin, q.id, Evaluation.PARTLY_SOLVED, appended_text="还有一个问题")
    assert (q.status, q.round) == (Status.SUBMITTED, 3)


async def test_append_period_is_enforced(world: World) -> None:
    q = await create_draft(ctx, world.executive, world.acme.id, world.form())
    await submit_question(ctx, world.executive, q.id)
    await reply_question(ctx, world.officer, q.id, ReplyKind.ANSWER, "答复")
    await evaluate_question(ctx, world.executive, q.id, Evaluation.NOT_SOLVED, note="未解决")
    late = ServiceContext(clock=lambda: ctx.now() + timedelta(days=7, seconds=1))
    with pytest.raises(IllegalTransition, match="追加期限"):
        await append_question(late, world.executive, q.id, "迟到的追加")


async def test_needs_modification_then_resubmit_same_round(world: World) -> None:
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form())
    await submit_question(ctx, world.solo_staff, q.id)
    q = await reply_question(ctx, world.officer, q.id, ReplyKind.NEEDS_MODIFICATION, "请补充商品编码")
    assert q.accepted_at is not None  # accepted on the way
    with pytest.raises(IllegalTransition, match="不能评价"):
        await evaluate_question(ctx, world.solo_staff, q.id, Evaluation.SOLVED)
    await edit_question(ctx, world.solo_staff, q.id, world.form(description="商品编码 8471300000"))
    q = await submit_question(ctx, world.solo_staff, q.id)
    assert (q.status, q.round, q.reply_kind, q.accepted_at) == (Status.SUBMITTED, 1, None, None)
    assert ("modification_requested", world.solo_staff.person_id) in await outbox(q.id)


async def test_publication_only_by_supervisor_and_when_allowed(world: World) -> None:
    q = await create_draft(ctx, world.executive, world.acme.id, world.form(allow_publication=False))
    await submit_question(ctx, world.executive, q.id)
    await reply_question(ctx, world.officer, q.id, ReplyKind.ANSWER, "答复")
    with pytest.raises(Forbidden):
        await publish_question(ctx, world.officer, q.id, title="t", description="d", reply="r")
    with pytest.raises(IllegalTransition, match="未允许公开"):
        await publish_question(ctx, world.supervisor, q.id, title="t", description="d", reply="r")

    allowed = await create_draft(ctx, world.executive, world.acme.id, world.form())
    await submit_question(ctx, world.executive, allowed.id)
    await reply_question(ctx, world.officer, allowed.id, ReplyKind.ANSWER, "答复")
    with pytest.raises(IllegalTransition, match="尚未公开"):
        await unpublish_question(ctx, world.supervisor, allowed.id)
    p = await publish_question(ctx, world.supervisor, allowed.id, title="IC卡办理", description="如何办理",
                               reply="窗口")
    assert (p.published, p.public_title, p.status) == (True, "IC卡办理", Status.REPLIED)
    assert not (await unpublish_question(ctx, world.supervisor, allowed.id)).published


async def test_form_validation(world: World) -> None:
    with pytest.raises(ValidationFailed) as error:
        await create_draft(ctx, world.staff, world.acme.id, world.form("一二三四五六七八九十一二三四五六七八九十一"))
    assert error.value.field == "title"
    twenty = await create_draft(ctx, world.staff, world.acme.id, world.form("一二三四五六七八九十一二三四五六七八九十"))
    assert len(twenty.title) == 20
    with pytest.raises(ValidationFailed) as error:
        await create_draft(ctx, world.staff, world.acme.id, world.form(office_id=world.nanjing.id))
    assert error.value.field == "office_id"
    with pytest.raises(ValidationFailed) as error:
        await create_draft(ctx, world.staff, world.acme.id, world.form(contact_phone="12345"))
    assert error.value.field == "contact_phone"
    with pytest.raises(NotFound):
        await create_draft(ctx, world.staff, world.solo.id, world.form())


async def test_modify_and_resubmit_is_one_step_and_refused_whole(world: World) -> None:
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form())
    await submit_question(ctx, world.solo_staff, q.id)
    with pytest.raises(IllegalTransition, match="问题已提交，不能修改"):
        await resubmit_question(ctx, world.solo_staff, q.id, world.form("不该生效的标题"))
    await withdraw_question(ctx, world.solo_staff, q.id)
    q = await resubmit_question(ctx, world.solo_staff, q.id, world.form("修改后的标题", type_ids=world.type_ids[1:]))
    assert (q.status, q.title) == (Status.SUBMITTED, "修改后的标题")
    assert sorted(t.id for t in await q.types.all()) == sorted(world.type_ids[1:])
    assert [a for a, _, _ in await timeline(q.id)][-2:] == ["edit", "submit"]

    await withdraw_question(ctx, world.solo_staff, q.id)
    with pytest.raises(ValidationFailed):  # a bad form changes nothing
        await resubmit_question(ctx, world.solo_staff, q.id, world.form(""))
    assert (await Question.get(id=q.id)).status is Status.WITHDRAWN
