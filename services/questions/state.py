"""What the lifecycle knows about a question (``QuestionState``), built here and nowhere else.

Also the one query for "the active executives of an enterprise": an active membership with role executive
of an active person, ordered by person id (the order a single choice and the choice lists follow).
"""

from __future__ import annotations

from dataclasses import replace

from tortoise.backends.base.client import BaseDBAsyncClient

from models.enterprises import Enterprise, EnterpriseStatus, MemberRole, Membership
from models.lifecycle import QuestionState, Status
from models.questions import Question


async def active_executives(conn: BaseDBAsyncClient, enterprise_id: int) -> list[Membership]:
    """The enterprise's active executives, with their person, by person id."""
    return await (Membership.filter(enterprise_id=enterprise_id, role=MemberRole.EXECUTIVE, active=True,
                                    person__active=True)
                  .using_db(conn).select_related("person").order_by("person_id"))


def state_of(enterprise: Enterprise, executive_ids: tuple[int, ...], question: Question | None = None, *,
             status: Status | None = None, creator_id: int | None = None) -> QuestionState:
    """The state of ``question`` of ``enterprise``; without a question, of one in ``status`` by ``creator_id``."""
    if question is None:
        return QuestionState(status=status, creator_id=creator_id, executive_ids=executive_ids,
                             review_required=enterprise.exec_review_required,
                             enterprise_active=enterprise.status is EnterpriseStatus.ACTIVE)
    return replace(
        state_of(enterprise, executive_ids, status=question.status, creator_id=question.creator_id),
        round=question.round, reply_kind=question.reply_kind, assigned_executive_id=question.assigned_executive_id,
        allow_publication=question.allow_publication, published=question.published,
        replied_at=question.replied_at, evaluated_at=question.evaluated_at,
    )


async def question_state(question: Question, conn: BaseDBAsyncClient) -> QuestionState:
    enterprise = await Enterprise.get(id=question.enterprise_id, using_db=conn)
    executives = await active_executives(conn, enterprise.id)
    return state_of(enterprise, tuple(m.person_id for m in executives), question)
