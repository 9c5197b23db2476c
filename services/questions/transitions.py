"""The one way a question changes status: decide, compare-and-set, timeline entry, outbox rows.

Callers open the transaction and fetch the question with its access check; ``transition`` does the rest
inside that transaction, so the status change, its timeline entry and its notifications commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.expressions import F

from models.errors import Conflict
from models.lifecycle import Action, Actor, Command, Outcome, QuestionState, Status, decide
from models.questions import Question, QuestionEvent
from services.kit.context import ServiceContext
from services.messages.events import question_messages
from services.notifications.events import notices_for, queue_notices
from services.notifications.officer_notices import brings_new_work, queue_officer_notices
from services.questions.state import question_state

CHANGED_MEANWHILE = "问题刚刚被他人更新，请刷新后重试"  # a compare-and-set lost the race


@dataclass(frozen=True)
class ActorRef:
    """The acting party as recorded on the timeline."""

    actor: Actor
    name: str
    person_id: int | None = None
    customs_account_id: int | None = None


def status_fields(before: QuestionState, command: Command, outcome: Outcome, now: Any) -> dict[str, Any]:
    """The columns that change with the status: timestamps, round, reply kind, reviewer, closing reason.

    ``submitted_at`` / ``accepted_at`` are the current round's; ``first_…`` follow them during round 1 only.

    The automatic close's set-based sweep is generated from this function too (``autoclose``).
    """
    values: dict[str, Any] = {"status": outcome.status}
    if outcome.assigned_executive_id is not None:
        values["assigned_executive_id"] = outcome.assigned_executive_id
    if outcome.status is Status.SUBMITTED and before.status is not Status.SUBMITTED:
        values.update(submitted_at=now, accepted_at=None, replied_at=None, reply_kind=None)
        if outcome.new_round:
            values.update(round=before.round + 1, evaluated_at=None)
    if command.action is Action.EXEC_APPROVE:
        values["importance"] = command.importance
    if command.action is Action.ACCEPT or outcome.records_accept:
        values["accepted_at"] = now
    if command.action is Action.REPLY:
        values.update(replied_at=now, reply_kind=command.reply_kind)
    if command.action is Action.EVALUATE and before.status is Status.REPLIED:
        values["evaluated_at"] = now  # re-evaluating while awaiting an append keeps the first date
    if outcome.status is Status.CLOSED and before.status is not Status.CLOSED:
        values.update(closed_at=now, closed_by=outcome.closed_by)
    if before.round == 1 and not outcome.new_round:  # later rounds keep round 1's 提交时间 / 受理时间
        values.update({f"first_{key}": values[key] for key in ("submitted_at", "accepted_at") if key in values})
    return values


def require_transaction(conn: BaseDBAsyncClient) -> None:
    """A status change commits with its timeline entry and notices, so it runs only inside a transaction.

    Tortoise hands out a ``TransactionalDBClient`` inside ``in_transaction()`` (SQLite and PostgreSQL alike)
    and a plain client outside; a test pins this.
    """
    if not isinstance(conn, TransactionalDBClient):
        raise NotInTransaction("transition() needs the connection of an open transaction (in_transaction())")


class NotInTransaction(RuntimeError):
    """A programming error: a write that must commit with others was given a connection outside a transaction."""


async def transition(
    ctx: ServiceContext,
    conn: BaseDBAsyncClient,
    question: Question,
    by: ActorRef,
    command: Command,
    *,
    fields: dict[str, Any] | None = None,
    text: str = "",
    detail: dict[str, Any] | None = None,
) -> Outcome:
    """Apply ``command`` to ``question`` (already access-checked, in ``conn``'s transaction)."""
    require_transaction(conn)
    now = ctx.now()
    state = await question_state(question, conn)
    outcome = decide(state, command, by.actor, ctx.policy, now)
    values = {**status_fields(state, command, outcome, now), **(fields or {}), "updated_at": now}
    changed = await (Question.filter(id=question.id, version=question.version).using_db(conn)
                     .update(version=F("version") + 1, **values))
    if changed != 1:
        await _refuse_after_race(ctx, conn, question.id, command, by)
    before = question.status
    for key, value in values.items():
        setattr(question, key, value)
    question.version += 1
    event = await record_event(conn, question, by, command.action, before, text=text, detail=detail, now=now)
    notices = notices_for(command.action, outcome, creator_id=question.creator_id,
                          executive_id=question.assigned_executive_id, reply_kind=question.reply_kind)
    await queue_notices(conn, notices, question_id=question.id, occasion=f"e{event.id}",
                        payload={"number": question.number, "title": question.title, "text": text[:200]}, now=now)
    await question_messages(conn, notices, enterprise_id=question.enterprise_id, question_id=question.id,
                            number=question.number, title=question.title, text=text[:200], now=now)
    if brings_new_work(command.action, before, outcome.status):
        await queue_officer_notices(conn, question, occasion=f"e{event.id}",
                                    forwarded=command.action is Action.FORWARD, now=now)
    return outcome


async def record_event(conn: BaseDBAsyncClient, question: Question, by: ActorRef, action: Action,
                       before: Status | None, *, text: str, detail: dict[str, Any] | None, now: Any) -> QuestionEvent:
    """One timeline entry: who did what, when, from which status to the question's current one."""
    return await QuestionEvent.create(
        question_id=question.id, round=question.round, action=action.value, from_status=before,
        to_status=question.status, actor_role=by.actor.role, person_id=by.person_id,
        customs_account_id=by.customs_account_id, actor_name=by.name, text=text,
        detail=detail or {}, created_at=now, using_db=conn,
    )


async def _refuse_after_race(ctx: ServiceContext, conn: BaseDBAsyncClient, question_id: int, command: Command,
                             by: ActorRef) -> None:
    """Someone changed the question since we read it: refuse with the reason its new state gives."""
    fresh = await Question.get(id=question_id, using_db=conn)
    decide(await question_state(fresh, conn), command, by.actor, ctx.policy, ctx.now())
    raise Conflict(CHANGED_MEANWHILE)

