"""Forwarding a question to another office of its accepting office (services/questions/forwarding.py), and the
officers' new-question outbox rows (services/notifications/officer_notices.py) it and every submission write."""

from __future__ import annotations

import pytest

from models.audit import AuditEntry
from models.customs_accounts import CustomsAccount, CustomsRole
from models.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from models.lifecycle import Evaluation, ReplyKind, Status
from models.offices import CustomsOffice, OfficeKind
from models.outbox import OutboxMessage
from models.questions import Question, QuestionEvent
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, resubmit_question, submit_question
from services.questions.customs_views import customs_question
from services.questions.evaluation import evaluate_question
from services.questions.forwarding import can_see_question, forward_question, forward_targets
from services.questions.handling import accept_question, reply_question
from services.questions.queue import QueueFilter, list_queue
from services.questions.views import question_detail
from tests.factories import World

ctx = ServiceContext()
NEW = "customs_new_question"


async def submitted(world: World) -> Question:
    """A question of the review-free enterprise, submitted to 大窑湾海关 (accepting office: 大连海关)."""
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form())
    return await submit_question(ctx, world.solo_staff, q.id)


async def officer_at(office: CustomsOffice, username: str, *, openid: str | None = None,
                     role: CustomsRole = CustomsRole.OFFICER, active: bool = True) -> CustomsActor:
    account = await CustomsAccount.create(username=username, name=username, password_hash="-", office=office,
                                          role=role, wechat_openid=openid, active=active)
    return CustomsActor(account.id)


async def new_question_rows(question_id: int) -> list[tuple[int, bool]]:
    rows = await OutboxMessage.filter(question_id=question_id, event=NEW).order_by("id")
    return [(r.customs_account_id, r.payload["forwarded"]) for r in rows]


async def test_an_officer_forwards_to_a_department_which_then_owns_the_question(world: World) -> None:
    q = await submitted(world)
    tariff_officer = await officer_at(world.tariff_dept, "tariff_officer")
    forwarded = await forward_question(ctx, world.officer, q.id, world.tariff_dept.id, "涉及关税征管，请关税科办理")
    assert forwarded.status is Status.SUBMITTED
    stored = await Question.get(id=q.id)
    assert (stored.office_id, stored.accepting_office_id) == (world.tariff_dept.id, world.dalian.id)
    event = await QuestionEvent.filter(question_id=q.id).order_by("-id").first()
    assert event is not None and event.action == "forward" and event.text == "涉及关税征管，请关税科办理"
    assert event.from_status is Status.SUBMITTED and event.to_status is Status.SUBMITTED

    # the enterprise sees the forward on its timeline
    detail = await question_detail(ctx, world.solo_staff.person_id, q.id)
    entry = detail.timeline[-1]
    assert entry.what == "转交 大窑湾海关 → 关税科" and entry.text == "涉及关税征管，请关税科办理"
    assert detail.office == "关税科"

    # the new office's officer has it in the queue and may act; the old office's officer does not
    queue = await list_queue(tariff_officer.account_id, QueueFilter())
    assert [i.id for i in queue.items] == [q.id]
    assert (await list_queue(world.officer.account_id, QueueFilter())).items == ()
    with pytest.raises(NotFound):
        await customs_question(ctx, world.officer.account_id, q.id)
    with pytest.raises(NotFound):
        await accept_question(ctx, world.officer, q.id)
    assert not await can_see_question(world.officer.account_id, q.id)
    # the supervisor above both still sees it, and the tariff officer accepts it
    assert await can_see_question(world.supervisor.account_id, q.id)
    assert (await accept_question(ctx, tariff_officer, q.id)).status is Status.ACCEPTED

    entry_ = await AuditEntry.get(action="question.forward")
    assert entry_.object_id == q.number and entry_.office_id == world.dayaowan.id
    assert entry_.detail["to_office"] == "关税科"


async def test_a_supervisor_forwards_an_accepted_question_back_up(world: World) -> None:
    q = await submitted(world)
    await accept_question(ctx, world.officer, q.id)
    forwarded = await forward_question(ctx, world.supervisor, q.id, world.dalian.id, "需由直属海关统一答复")
    assert forwarded.status is Status.ACCEPTED
    assert (await Question.get(id=q.id)).office_id == world.dalian.id
    assert (await forward_question(ctx, world.supervisor, q.id, world.dayaowan.id, "退回原部门")).office_id \
        == world.dayaowan.id


async def test_forward_targets_are_the_other_active_offices_under_the_accepting_office(world: World) -> None:
    q = await submitted(world)
    closed = await CustomsOffice.create(code="0902", name="已撤销的海关", short_name="撤", kind=OfficeKind.SUBORDINATE,
                                        parent=world.dalian, path="/0900/0902/", active=False)
    targets = await forward_targets(await Question.get(id=q.id))
    assert [(t.name, t.depth) for t in targets] == [("大连海关", 0), ("关税科", 2)]
    for office_id, field, message in [
        (None, "office_id", "请选择转交的部门"),
        (world.dayaowan.id, "office_id", "问题已在该部门，请选择其他部门"),
        (world.nanjing.id, "office_id", "所选部门不属于本问题的受理单位，或已停用"),
        (closed.id, "office_id", "所选部门不属于本问题的受理单位，或已停用"),
        (999999, "office_id", "所选部门不属于本问题的受理单位，或已停用"),
    ]:
        with pytest.raises(ValidationFailed) as info:
            await forward_question(ctx, world.officer, q.id, office_id, "原因")
        assert (info.value.field, info.value.message) == (field, message)
    with pytest.raises(ValidationFailed) as info:
        await forward_question(ctx, world.officer, q.id, world.tariff_dept.id, "  ")
    assert (info.value.field, info.value.message) == ("reason", "请填写转交原因")
    with pytest.raises(ValidationFailed) as info:
        await forward_question(ctx, world.officer, q.id, world.tariff_dept.id, "长" * 501)
    assert info.value.field == "reason"
    assert (await Question.get(id=q.id)).office_id == world.dayaowan.id
    assert not await QuestionEvent.filter(question_id=q.id, action="forward").exists()


async def test_forward_is_refused_outside_scope_after_the_reply_and_for_a_customs_admin(world: World) -> None:
    q = await submitted(world)
    with pytest.raises(NotFound):
        await forward_question(ctx, world.nanjing_officer, q.id, world.tariff_dept.id, "原因")
    with pytest.raises(Forbidden):
        await forward_question(ctx, world.customs_admin, q.id, world.tariff_dept.id, "原因")
    await reply_question(ctx, world.officer, q.id, ReplyKind.ANSWER, "答复")
    with pytest.raises(IllegalTransition, match="问题已回复，不能转交"):
        await forward_question(ctx, world.officer, q.id, world.tariff_dept.id, "原因")


async def test_bound_active_officers_of_the_office_get_a_new_question_row(world: World) -> None:
    bound = await officer_at(world.dayaowan, "bound", openid="o_bound")
    await officer_at(world.dayaowan, "unbound")
    await officer_at(world.dayaowan, "gone", openid="o_gone", active=False)
    chief = await officer_at(world.dayaowan, "chief", openid="o_chief", role=CustomsRole.SUPERVISOR)
    await officer_at(world.dayaowan, "settings", openid="o_settings", role=CustomsRole.ADMIN)
    await officer_at(world.dalian, "above", openid="o_above", role=CustomsRole.SUPERVISOR)
    tariff = await officer_at(world.tariff_dept, "tariff", openid="o_tariff")

    q = await submitted(world)
    assert await new_question_rows(q.id) == [(bound.account_id, False), (chief.account_id, False)]
    row = await OutboxMessage.filter(question_id=q.id, event=NEW).first()
    assert row is not None and row.person_id is None and row.payload["enterprise_name"] == "辽宁单人贸易有限公司"

    await accept_question(ctx, bound, q.id)  # accepting is no new work
    assert len(await new_question_rows(q.id)) == 2
    await forward_question(ctx, bound, q.id, world.tariff_dept.id, "请关税科办理")
    assert (await new_question_rows(q.id))[2:] == [(tariff.account_id, True)]


async def test_a_resubmission_and_an_appended_round_are_new_work_again(world: World) -> None:
    bound = await officer_at(world.dayaowan, "bound", openid="o_bound")
    q = await submitted(world)
    await reply_question(ctx, bound, q.id, ReplyKind.NEEDS_MODIFICATION, "请补充报关单号")
    await resubmit_question(ctx, world.solo_staff, q.id, world.form(description="报关单号 0910，IC卡如何办理？"))
    assert len(await new_question_rows(q.id)) == 2
    await reply_question(ctx, bound, q.id, ReplyKind.ANSWER, "请到窗口办理")
    await evaluate_question(ctx, world.solo_staff, q.id, Evaluation.PARTLY_SOLVED, appended_text="还需要什么材料？")
    assert (await Question.get(id=q.id)).round == 2
    rows = await OutboxMessage.filter(question_id=q.id, event=NEW).order_by("id")
    assert len(rows) == 3 and rows[-1].payload["round"] == 2
    assert len({r.dedupe_key for r in rows}) == 3
