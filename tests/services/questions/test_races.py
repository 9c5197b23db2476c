"""Concurrency: compare-and-set transitions and question numbers. Real races need PostgreSQL, where
each transaction has its own connection; on SQLite the same tests check the serialised outcome."""

from __future__ import annotations

import asyncio

from models.errors import Conflict, IllegalTransition
from models.lifecycle import Status
from models.questions import Question, QuestionEvent
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question, withdraw_question
from services.questions.handling import accept_question
from tests.factories import build_world

ctx = ServiceContext()


async def test_accept_and_withdraw_at_once_exactly_one_wins(db) -> None:
    world = await build_world()
    ids = []
    for i in range(8):
        q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(f"并发问题{i}"))
        await submit_question(ctx, world.solo_staff, q.id)
        ids.append(q.id)

    for question_id in ids:
        accepted, withdrawn = await asyncio.gather(
            accept_question(ctx, world.officer, question_id),
            withdraw_question(ctx, world.solo_staff, question_id),
            return_exceptions=True,
        )
        outcomes = [r for r in (accepted, withdrawn) if not isinstance(r, Exception)]
        errors = [r for r in (accepted, withdrawn) if isinstance(r, Exception)]
        assert len(outcomes) == 1 and len(errors) == 1, (accepted, withdrawn)
        error = errors[0]
        assert isinstance(error, (IllegalTransition, Conflict))
        assert error.message in ("问题已受理，不能撤回", "问题已撤回，不能受理", "问题刚刚被他人更新，请刷新后重试")

        final = await Question.get(id=question_id)
        assert final.status in (Status.ACCEPTED, Status.WITHDRAWN)
        events = await QuestionEvent.filter(question_id=question_id).order_by("id").values_list("action", flat=True)
        assert events == ["create", "submit", "accept" if final.status is Status.ACCEPTED else "withdraw"]
        assert final.version == 3  # created at 1, submitted, and exactly one more change


async def test_fifty_questions_created_at_once_get_fifty_numbers(db) -> None:
    world = await build_world()
    questions = await asyncio.gather(*(
        create_draft(ctx, world.solo_staff, world.solo.id, world.form(f"第{i}个问题")) for i in range(50)
    ))
    numbers = sorted(q.number for q in questions)
    prefix = f"{world.solo.credit_code}{ctx.now().astimezone(ctx.tz).year % 100:02d}"
    assert numbers == [f"{prefix}{n:04d}" for n in range(1, 51)]
    # another enterprise counts on its own
    other = await create_draft(ctx, world.executive, world.acme.id, world.form())
    assert other.number == f"{world.acme.credit_code}{prefix[-2:]}0001"
