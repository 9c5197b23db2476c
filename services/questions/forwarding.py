"""Forwarding a question to another office or department of its accepting office (issue 5 §3, 转交).

The status stays; the question's ``office`` (its handling unit) changes, ``accepting_office`` does not.
Whoever can see the question may forward it (an officer of its office, a supervisor above it) to any other
active office in the accepting office's sub-tree, with a reason. The timeline shows "转交 X → Y" with the
reason to customs and the enterprise alike; the new office's officers get the new-question notice
(services/notifications/officer_notices.py, written by ``transition``) and the question
drops out of the old office's queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core.db import connection
from models.errors import NotFound, ValidationFailed
from models.lifecycle import MSG_CHOOSE_FORWARD_OFFICE, Action, Command
from models.offices import CustomsOffice
from models.questions import Question
from services.desk.audit import AuditActor, record
from services.kit.access import access_question_for_customs, under_office
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from services.questions.form import clean_text
from services.questions.handling import customs_ref
from services.questions.transitions import transition

REASON_MAX = 500
MSG_BAD_OFFICE = "所选部门不属于本问题的受理单位，或已停用"
MSG_SAME_OFFICE = "问题已在该部门，请选择其他部门"
MSG_LONG_REASON = f"转交原因不能超过 {REASON_MAX} 个字"


@dataclass(frozen=True)
class ForwardTarget:
    id: int
    name: str
    depth: int  # levels below the accepting office, for indenting the select


async def forward_targets(question: Question, conn: BaseDBAsyncClient | None = None) -> tuple[ForwardTarget, ...]:
    """The offices this question may be forwarded to: active, under its accepting office, not its own."""
    conn = conn or connection()
    root = await CustomsOffice.get(id=question.accepting_office_id, using_db=conn)
    rows = await (CustomsOffice.filter(under_office(root), active=True).exclude(id=question.office_id)
                  .using_db(conn).order_by("path").values_list("id", "name", "path"))
    depth = root.path.count("/")
    return tuple(ForwardTarget(i, name, path.count("/") - depth) for i, name, path in rows)


async def forward_question(ctx: ServiceContext, actor: CustomsActor, question_id: int, office_id: int | None,
                           reason: str) -> Question:
    """Forward the question (in the account's scope, else NotFound) to ``office_id`` with ``reason``."""
    reason = clean_text(reason)
    if len(reason) > REASON_MAX:
        raise ValidationFailed(MSG_LONG_REASON, field="reason")
    async with in_transaction() as conn:
        question, account = await access_question_for_customs(actor.account_id, question_id, conn, for_update=True)
        source = await CustomsOffice.get(id=question.office_id, using_db=conn)
        target = await _target(question, office_id, conn)
        detail = {"from_office_id": source.id, "from_office": source.name, "to_office_id": target.id,
                  "to_office": target.name}
        await transition(ctx, conn, question, customs_ref(account),
                         Command(Action.FORWARD, text=reason, office_id=target.id),
                         fields={"office_id": target.id}, text=reason, detail=detail)
        await record(ctx, AuditActor.customs(account), "question.forward", "question", question.number,
                     detail={**detail, "reason": reason[:200]}, ip=actor.ip, conn=conn)
        return question


async def _target(question: Question, office_id: int | None, conn: BaseDBAsyncClient) -> CustomsOffice:
    if office_id is None:
        raise ValidationFailed(MSG_CHOOSE_FORWARD_OFFICE, field="office_id")
    if office_id == question.office_id:
        raise ValidationFailed(MSG_SAME_OFFICE, field="office_id")
    if office_id not in {t.id for t in await forward_targets(question, conn)}:
        raise ValidationFailed(MSG_BAD_OFFICE, field="office_id")
    return await CustomsOffice.get(id=office_id, using_db=conn)


async def can_see_question(account_id: int, question_id: int) -> bool:
    """Whether the question is (still) in the account's scope, e.g. after the account forwarded it away."""
    try:
        await access_question_for_customs(account_id, question_id, connection())
    except NotFound:
        return False
    return True
