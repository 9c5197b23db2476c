"""What a customs account reads: one question with its enterprise, contact, timeline, images and the
actions the transition table allows this account now — within the account's scope (else NotFound)."""

from __future__ import annotations

from dataclasses import dataclass

from core.db import connection
from models.enterprises import Enterprise
from models.lifecycle import Action, Actor, allowed_actions
from models.questions import Attachment, Question, QuestionEvaluation, QuestionEvent
from services.kit.access import access_question_for_customs, customs_lifecycle_role
from services.kit.context import ServiceContext
from services.questions.rounds import PublicDraft, Round, public_draft, question_rounds
from services.questions.state import question_state
from services.questions.views import Reply, TimelineEntry, reply_view, timeline_entry


@dataclass(frozen=True)
class CustomsQuestion:
    question: Question  # with types, offices, creator, business category loaded
    enterprise: Enterprise
    timeline: tuple[TimelineEntry, ...]
    replies: tuple[Reply, ...]
    images: tuple[Attachment, ...]
    actions: frozenset[Action]
    rounds: tuple[Round, ...]  # the current one last: the page shows it on top, earlier ones as a history
    draft: PublicDraft

    @property
    def current(self) -> Round:
        return self.rounds[-1]

    @property
    def history(self) -> tuple[Round, ...]:
        """The earlier rounds, latest first."""
        return self.rounds[-2::-1]


async def customs_question(ctx: ServiceContext, account_id: int, question_id: int) -> CustomsQuestion:
    conn = connection()
    found, account = await access_question_for_customs(account_id, question_id, conn)
    actor = Actor(customs_lifecycle_role(account))
    actions = frozenset(allowed_actions(await question_state(found, conn), actor, ctx.policy, ctx.now()))
    question = await (Question.filter(id=question_id).using_db(conn)
                      .select_related("creator", "office", "accepting_office", "business_category", "enterprise")
                      .prefetch_related("types").get())
    events = await QuestionEvent.filter(question_id=question_id).using_db(conn).order_by("id")
    evaluations = await QuestionEvaluation.filter(question_id=question_id).using_db(conn).order_by("id")
    images = await Attachment.filter(question_id=question_id).using_db(conn).order_by("round", "id")
    replies = tuple(reply_view(e) for e in events if e.action == Action.REPLY.value)
    rounds = question_rounds(question, events, evaluations)
    return CustomsQuestion(question, question.enterprise, tuple(timeline_entry(e) for e in events), replies,
                           tuple(images), actions, rounds, public_draft(question, rounds))
