"""The automatic close after the period, and the reminders before it, on every configured backend.

Questions are put in their statuses through the real services, with a clock the test moves; the sweep is
then run at a chosen ``now``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from core.config import DatabaseSettings
from core.db import connection
from models.errors import IllegalTransition
from models.lifecycle import Action, Actor, ClosedBy, Command, Evaluation, ReplyKind, Role, Status, decide
from models.outbox import OutboxMessage
from models.questions import Question, QuestionEvent
from services.kit.actors import PersonActor
from services.kit.context import ServiceContext
from services.questions import autoclose
from services.questions.asking import create_draft, edit_question, submit_question, withdraw_question
from services.questions.autoclose import SweepResult, close_overdue, queue_reminders, sweep
from services.questions.evaluation import append_question, evaluate_question
from services.questions.handling import accept_question, reply_question
from services.questions.state import question_state
from services.questions.transitions import status_fields
from tests.conftest import BACKENDS
from tests.factories import World

BASE = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # when the test's customs replies
PERIOD = timedelta(days=7)


class Clock:
    """The services' clock, moved by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(BASE)


@pytest.fixture
def ctx(clock: Clock) -> ServiceContext:
    return ServiceContext(clock=clock)


class Make:
    """Questions in a given status, made through the services at given times."""

    def __init__(self, world: World, ctx: ServiceContext, clock: Clock) -> None:
        self.world, self.ctx, self.clock = world, ctx, clock
        self.solo = False  # alternate the asker: an executive of acme, the single user of solo

    def _asker(self) -> tuple[PersonActor, int]:
        self.solo = not self.solo
        w = self.world
        return (w.solo_staff, w.solo.id) if self.solo else (w.executive, w.acme.id)

    async def draft(self, at: datetime) -> int:
        self.clock.at = at
        actor, enterprise_id = self._asker()
        return (await create_draft(self.ctx, actor, enterprise_id, self.world.form())).id

    async def submitted(self, at: datetime) -> int:
        qid = await self.draft(at)
        await submit_question(self.ctx, await self.creator(qid), qid)
        return qid

    async def replied(self, kind: ReplyKind, at: datetime) -> int:
        qid = await self.submitted(at - timedelta(hours=2))
        self.clock.at = at
        await reply_question(self.ctx, self.world.officer, qid, kind, f"海关{kind.label}")
        return qid

    async def awaiting_append(self, evaluated_at: datetime, replied_at: datetime | None = None) -> int:
        qid = await self.replied(ReplyKind.ANSWER, replied_at or evaluated_at - timedelta(days=1))
        self.clock.at = evaluated_at
        await evaluate_question(self.ctx, await self.creator(qid), qid, Evaluation.NOT_SOLVED, note="没有解决")
        return qid

    async def creator(self, qid: int) -> PersonActor:
        return PersonActor((await Question.get(id=qid)).creator_id)


@pytest.fixture
def make(world: World, ctx: ServiceContext, clock: Clock) -> Make:
    return Make(world, ctx, clock)


async def snapshot(qid: int) -> tuple:
    q = await Question.get(id=qid)
    return (q.status, q.closed_by, q.closed_at, q.version, q.updated_at)


async def auto_close_events(qid: int) -> list[QuestionEvent]:
    return await QuestionEvent.filter(question_id=qid, action="auto_close").order_by("id")


async def outbox_rows(qid: int, event: str) -> list[OutboxMessage]:
    return await OutboxMessage.filter(question_id=qid, event=event).order_by("id")


async def assert_auto_closed(qid: int, reason: ClosedBy, from_status: Status, now: datetime) -> None:
    q = await Question.get(id=qid)
    assert (q.status, q.closed_by, q.closed_at) == (Status.CLOSED, reason, now)
    [event] = await auto_close_events(qid)
    assert (event.from_status, event.to_status, event.actor_role, event.round) == (
        from_status, Status.CLOSED, Role.SYSTEM, q.round)
    assert event.detail == {"closed_by": reason.value}
    assert event.created_at == now and event.text and event.person_id is None
    latest = await QuestionEvent.filter(question_id=qid).order_by("-id").first()
    assert latest is not None and latest.id == event.id  # the close is the last step on the timeline
    [notice] = await outbox_rows(qid, "auto_closed")
    assert notice.person_id == q.creator_id
    assert notice.payload["closed_by"] == reason.value and notice.payload["number"] == q.number
    assert notice.status.value == "pending"


async def test_exactly_the_due_questions_close_with_their_reason(make: Make) -> None:
    now = BASE + PERIOD + timedelta(hours=1)
    answer = await make.replied(ReplyKind.ANSWER, BASE)
    returned = await make.replied(ReplyKind.RETURN, BASE)
    modify = await make.replied(ReplyKind.NEEDS_MODIFICATION, BASE)
    append = await make.awaiting_append(BASE, replied_at=BASE - timedelta(days=3))
    one_second_over = await make.replied(ReplyKind.ANSWER, now - PERIOD - timedelta(seconds=1))
    due = {answer: (ClosedBy.DEEMED_ACCEPTED, Status.REPLIED), returned: (ClosedBy.CUSTOMS_RETURN, Status.REPLIED),
           modify: (ClosedBy.MODIFICATION_EXPIRED, Status.REPLIED),
           append: (ClosedBy.APPEND_EXPIRED, Status.AWAITING_APPEND),
           one_second_over: (ClosedBy.DEEMED_ACCEPTED, Status.REPLIED)}

    untouched = [
        await make.replied(ReplyKind.ANSWER, now - PERIOD + timedelta(seconds=1)),  # one second short
        await make.replied(ReplyKind.ANSWER, now - PERIOD),  # exactly the period: not yet "older than" it
        await make.replied(ReplyKind.RETURN, BASE + timedelta(days=2)),
        # the reply is old but the evaluation is recent: the evaluation's date counts
        await make.awaiting_append(BASE + timedelta(days=3), replied_at=BASE - timedelta(days=20)),
        await make.draft(BASE - timedelta(days=30)),
        await make.submitted(BASE - timedelta(days=30)),
    ]
    accepted = await make.submitted(BASE - timedelta(days=30))
    await accept_question(make.ctx, make.world.officer, accepted)
    evaluated = await make.replied(ReplyKind.ANSWER, BASE - timedelta(days=20))
    await evaluate_question(make.ctx, await make.creator(evaluated), evaluated, Evaluation.SOLVED)
    withdrawn = await make.submitted(BASE - timedelta(days=30))
    await withdraw_question(make.ctx, await make.creator(withdrawn), withdrawn)
    appended = await make.awaiting_append(BASE - timedelta(days=20))
    await append_question(make.ctx, await make.creator(appended), appended, "追加：具体材料？")
    untouched += [accepted, evaluated, withdrawn, appended]
    before = {qid: await snapshot(qid) for qid in untouched}

    assert await close_overdue(make.ctx, now) == len(due)

    for qid, (reason, from_status) in due.items():
        await assert_auto_closed(qid, reason, from_status, now)
        assert (await Question.get(id=qid)).updated_at == now
    for qid in untouched:
        assert await snapshot(qid) == before[qid]
        assert await auto_close_events(qid) == [] and await outbox_rows(qid, "auto_closed") == []


@pytest.mark.parametrize("offset", [-1, 0, 1], ids=["deadline-1s", "deadline", "deadline+1s"])
async def test_the_sweep_closes_exactly_what_decide_closes(make: Make, offset: int) -> None:
    """The set-based close is generated from ``decide`` and ``status_fields``: per question, they agree."""
    questions = [await make.replied(kind, BASE) for kind in ReplyKind] + [await make.awaiting_append(BASE)]
    now = BASE + PERIOD + timedelta(seconds=offset)
    expected = {}
    for qid in questions:
        question = await Question.get(id=qid)
        state = await question_state(question, connection())
        try:
            outcome = decide(state, Command(Action.AUTO_CLOSE), Actor(Role.SYSTEM), make.ctx.policy, now)
        except IllegalTransition:
            expected[qid] = (question.status, None, None)
        else:
            fields = status_fields(state, Command(Action.AUTO_CLOSE), outcome, now)
            expected[qid] = (fields["status"], fields["closed_by"], fields["closed_at"])

    closed = await close_overdue(make.ctx, now)

    got = {qid: (q.status, q.closed_by, q.closed_at) for qid in questions for q in [await Question.get(id=qid)]}
    assert got == expected
    assert closed == sum(status is Status.CLOSED for status, _, _ in expected.values())
    assert closed == (len(questions) if offset > 0 else 0)  # the lifecycle: "older than the period"


async def test_a_second_sweep_changes_nothing(make: Make) -> None:
    now = BASE + PERIOD + timedelta(minutes=5)
    first = [await make.replied(kind, BASE) for kind in ReplyKind] + [await make.awaiting_append(BASE)]
    result = await sweep(make.ctx, now)
    assert result == SweepResult(closed=4, reminders=0)
    counts = (await QuestionEvent.all().count(), await OutboxMessage.all().count())
    snapshots = {qid: await snapshot(qid) for qid in first}

    assert await sweep(make.ctx, now) == SweepResult(closed=0, reminders=0)
    assert await sweep(make.ctx, now + timedelta(days=30)) == SweepResult(closed=0, reminders=0)
    assert (await QuestionEvent.all().count(), await OutboxMessage.all().count()) == counts
    assert {qid: await snapshot(qid) for qid in first} == snapshots

    # A question that became due later, swept at the very same instant, closes alone: the earlier ones
    # are not written a second time.
    late = await make.replied(ReplyKind.ANSWER, BASE)
    assert await close_overdue(make.ctx, now) == 1
    for qid in [*first, late]:
        assert len(await auto_close_events(qid)) == 1 and len(await outbox_rows(qid, "auto_closed")) == 1


async def test_now_in_another_time_zone_is_the_same_instant(make: Make) -> None:
    due = await make.replied(ReplyKind.ANSWER, BASE)
    not_due = await make.replied(ReplyKind.ANSWER, BASE + timedelta(hours=3))
    shanghai_now = (BASE + PERIOD + timedelta(hours=1)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert await close_overdue(make.ctx, shanghai_now) == 1
    await assert_auto_closed(due, ClosedBy.DEEMED_ACCEPTED, Status.REPLIED, shanghai_now)
    assert (await Question.get(id=not_due)).status is Status.REPLIED


async def test_reminders_are_queued_once_each_and_not_for_returns(make: Make) -> None:
    answer = await make.replied(ReplyKind.ANSWER, BASE)
    modify = await make.replied(ReplyKind.NEEDS_MODIFICATION, BASE)
    returned = await make.replied(ReplyKind.RETURN, BASE)
    append = await make.awaiting_append(BASE)
    later = await make.replied(ReplyKind.ANSWER, BASE + timedelta(days=3))

    assert await queue_reminders(make.ctx, BASE + timedelta(days=4)) == 0  # 3 days left: too early
    assert await queue_reminders(make.ctx, BASE + timedelta(days=5)) == 3  # exactly 2 days left
    assert await queue_reminders(make.ctx, BASE + timedelta(days=5, hours=1)) == 0
    assert await queue_reminders(make.ctx, BASE + timedelta(days=6, hours=23)) == 0
    for qid, status in ((answer, Status.REPLIED), (modify, Status.REPLIED), (append, Status.AWAITING_APPEND)):
        [reminder] = await outbox_rows(qid, "auto_close_reminder")
        q = await Question.get(id=qid)
        assert reminder.person_id == q.creator_id
        assert reminder.payload["days_left"] == 2 and reminder.payload["status"] == status.value
        assert reminder.payload["number"] == q.number
    assert await outbox_rows(returned, "auto_close_reminder") == []
    assert await outbox_rows(later, "auto_close_reminder") == []

    # the sweep: the later question gets its reminder, the four others close
    result = await sweep(make.ctx, BASE + PERIOD + timedelta(days=1))
    assert result == SweepResult(closed=4, reminders=1)
    assert await sweep(make.ctx, BASE + PERIOD + timedelta(days=1)) == SweepResult(closed=0, reminders=0)
    for qid in (answer, modify, append, later):
        assert len(await outbox_rows(qid, "auto_close_reminder")) == 1
    assert await outbox_rows(returned, "auto_close_reminder") == []


async def test_a_reminder_for_every_configured_day_and_for_every_reply(make: Make) -> None:
    ctx = ServiceContext(clock=make.clock, reminder_days_before=(3, 1))
    qid = await make.replied(ReplyKind.NEEDS_MODIFICATION, BASE)
    assert await queue_reminders(ctx, BASE + timedelta(days=4, hours=1)) == 1
    assert await queue_reminders(ctx, BASE + timedelta(days=5)) == 0
    assert await queue_reminders(ctx, BASE + timedelta(days=6, hours=1)) == 1
    assert await queue_reminders(ctx, BASE + timedelta(days=6, hours=2)) == 0
    assert sorted(r.payload["days_left"] for r in await outbox_rows(qid, "auto_close_reminder")) == [1, 3]

    # a sweep that comes late (the worker was down) sends only the nearest reminder, not a stale "3 days left"
    late = await make.replied(ReplyKind.ANSWER, BASE)
    assert await queue_reminders(ctx, BASE + timedelta(days=6, hours=12)) == 1
    assert [r.payload["days_left"] for r in await outbox_rows(late, "auto_close_reminder")] == [1]

    # the enterprise modifies and resubmits (same round); customs answers: the new reply has its own reminders
    make.clock.at = BASE + timedelta(days=6, hours=3)
    creator = await make.creator(qid)
    await edit_question(make.ctx, creator, qid, make.world.form(description="补充了商品编码 8471300000"))
    await submit_question(make.ctx, creator, qid)
    make.clock.at = replied_again = BASE + timedelta(days=6, hours=4)
    await reply_question(make.ctx, make.world.officer, qid, ReplyKind.ANSWER, "答复")
    assert (await Question.get(id=qid)).round == 1
    assert await queue_reminders(ctx, replied_again + timedelta(days=6, hours=1)) == 1
    assert len(await outbox_rows(qid, "auto_close_reminder")) == 3


async def test_a_question_evaluated_or_resubmitted_just_before_the_sweep_stays_open(make: Make) -> None:
    now = BASE + PERIOD + timedelta(days=1)
    not_solved = await make.replied(ReplyKind.ANSWER, BASE)
    agreed = await make.replied(ReplyKind.ANSWER, BASE)
    modified = await make.replied(ReplyKind.NEEDS_MODIFICATION, BASE)
    untouched_due = await make.replied(ReplyKind.ANSWER, BASE)

    make.clock.at = now - timedelta(minutes=1)
    await evaluate_question(make.ctx, await make.creator(not_solved), not_solved, Evaluation.NOT_SOLVED, note="不对")
    await evaluate_question(make.ctx, await make.creator(agreed), agreed, Evaluation.AGREED, note="同意")
    await submit_question(make.ctx, await make.creator(modified), modified)

    assert await close_overdue(make.ctx, now) == 1
    await assert_auto_closed(untouched_due, ClosedBy.DEEMED_ACCEPTED, Status.REPLIED, now)
    assert (await Question.get(id=not_solved)).status is Status.AWAITING_APPEND
    q = await Question.get(id=agreed)
    assert (q.status, q.closed_by) == (Status.CLOSED, ClosedBy.EVALUATION)
    assert (await Question.get(id=modified)).status is Status.SUBMITTED
    for qid in (not_solved, agreed, modified):
        assert await auto_close_events(qid) == [] and await outbox_rows(qid, "auto_closed") == []

    # and after the close, the enterprise is told why it can no longer evaluate
    make.clock.at = now + timedelta(minutes=1)
    with pytest.raises(IllegalTransition, match="已办结"):
        await evaluate_question(make.ctx, await make.creator(untouched_due), untouched_due, Evaluation.SOLVED)


async def test_concurrent_sweeps_close_and_notify_each_question_once(make: Make) -> None:
    now = BASE + PERIOD + timedelta(hours=1)
    kinds = list(ReplyKind)
    due = [await make.replied(kinds[i % 3], BASE) for i in range(9)] + [await make.awaiting_append(BASE)
                                                                        for _ in range(3)]
    soon = [await make.replied(ReplyKind.ANSWER, BASE + timedelta(days=1)) for _ in range(4)]

    for attempt in range(3):  # the same instant, and a worker whose clock differs a little
        results = await asyncio.gather(sweep(make.ctx, now), sweep(make.ctx, now + timedelta(milliseconds=3)),
                                       sweep(make.ctx, now))
        if attempt == 0:
            assert sum(r.closed for r in results) == len(due)
            assert sum(r.reminders for r in results) == len(soon)
        else:
            assert all(r == SweepResult(0, 0) for r in results)

    for qid in due:
        assert (await Question.get(id=qid)).status is Status.CLOSED
        assert len(await auto_close_events(qid)) == 1
        assert len(await outbox_rows(qid, "auto_closed")) == 1
    for qid in soon:
        assert (await Question.get(id=qid)).status is Status.REPLIED
        assert len(await outbox_rows(qid, "auto_close_reminder")) == 1
    assert await QuestionEvent.filter(action="auto_close").count() == len(due)
    assert await OutboxMessage.filter(event="auto_closed").count() == len(due)


async def test_shares_of_the_close_and_a_close_inside_a_callers_transaction(
        make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autoclose, "SHARE_BLOCK", 1)  # consecutive ids fall in different shares (PostgreSQL)
    now = BASE + PERIOD + timedelta(hours=1)
    first = [await make.replied(ReplyKind.ANSWER, BASE) for _ in range(5)]
    assert await close_overdue(make.ctx, now) == len(first)
    second = [await make.awaiting_append(BASE) for _ in range(3)]
    async with in_transaction():  # one connection: the shares run one after the other
        assert await close_overdue(make.ctx, now) == len(second)
    for qid in first:
        await assert_auto_closed(qid, ClosedBy.DEEMED_ACCEPTED, Status.REPLIED, now)
    for qid in second:
        await assert_auto_closed(qid, ClosedBy.APPEND_EXPIRED, Status.AWAITING_APPEND, now)


# PostgreSQL only: on SQLite one writer at a time is the whole story, there is no row lock to step around.
@pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "postgres"])
async def test_a_question_locked_by_a_user_is_skipped_not_waited_for(make: Make, db: DatabaseSettings) -> None:
    now = BASE + PERIOD + timedelta(hours=1)
    locked, free = await make.replied(ReplyKind.ANSWER, BASE), await make.replied(ReplyKind.RETURN, BASE)
    user = await asyncpg.connect(db.url)
    try:
        tx = user.transaction()
        await tx.start()
        await user.execute("SELECT id FROM question WHERE id = $1 FOR UPDATE", locked)  # a user's evaluation
        assert await asyncio.wait_for(close_overdue(make.ctx, now), timeout=10) == 1
        assert (await Question.get(id=free)).status is Status.CLOSED
        assert (await Question.get(id=locked)).status is Status.REPLIED
        await tx.rollback()  # the user gave up: the next sweep closes it
    finally:
        await user.close()
    assert await close_overdue(make.ctx, now) == 1
    await assert_auto_closed(locked, ClosedBy.DEEMED_ACCEPTED, Status.REPLIED, now)
