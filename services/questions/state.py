"""What the lifecycle knows about a question (``QuestionState``), built here and nowhere else.

A list's row (``services.questions.listed.ListedQuestion``) is read like the question itself. The active
executives (``services.kit.access.active_executives``) come ordered by person id: the order a single choice and
the choice lists follow.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models.enterprises import Enterprise, EnterpriseStatus
from models.lifecycle import QuestionState, Status
from models.questions import Question
from services.kit.access import active_executives
from services.questions.listed import ListedQuestion


def state_of(enterprise: Enterprise, executive_ids: tuple[int, ...],
             question: Question | ListedQuestion | None = None, *,
             status: Status | None = None, creator_id: int | None = None) -> QuestionState:
    """The state of ``question`` of ``enterprise``; without a question, of one in ``status`` by ``creator_id``."""
    review, active = enterprise.exec_review_required, enterprise.status is EnterpriseStatus.ACTIVE
    if question is None:
        return QuestionState(status=status, creator_id=creator_id, executive_ids=executive_ids,
                             review_required=review, enterprise_active=active)
    return QuestionState(  # one constructor call: every item of a list page builds one
        status=question.status, creator_id=question.creator_id, executive_ids=executive_ids, review_required=review,
        enterprise_active=active, round=question.round, reply_kind=question.reply_kind,
        assigned_executive_id=question.assigned_executive_id, allow_publication=question.allow_publication,
        published=question.published, replied_at=question.replied_at, evaluated_at=question.evaluated_at,
    )


async def question_state(question: Question, conn: BaseDBAsyncClient) -> QuestionState:
    enterprise = await Enterprise.get(id=question.enterprise_id, using_db=conn)
    executives = await active_executives(conn, enterprise.id)
    return state_of(enterprise, tuple(m.person_id for m in executives), question)
