"""A question's status and last timeline step, for the person bound to a WeChat openid.

Only an active member of the question's enterprise sees it; for anyone else it does not exist (None),
so the reply leaks nothing about which numbers are real.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core.db import connection
from models.enterprises import Person
from models.errors import NotFound
from models.lifecycle import Action, Status
from models.questions import Question, QuestionEvent
from services.kit.access import access_membership

# 18-character unified social credit code + 2-digit year + 4-digit sequence; typed in either case on a phone.
QUESTION_NUMBER = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\d{6}", re.IGNORECASE)


@dataclass(frozen=True)
class QuestionStatus:
    number: str
    title: str
    status: Status
    last_action: str  # Chinese label of the last timeline step
    last_actor: str
    last_at: datetime | None


async def question_status_for_openid(openid: str, number: str) -> QuestionStatus | None:
    """None unless ``openid`` is bound to an active person who is an active member of the question's enterprise.

    Numbers are stored in upper case (credit codes are); one sent in lower case is the same number."""
    number = number.strip().upper()
    conn = connection()
    person = await Person.filter(wechat_openid=openid, active=True).using_db(conn).first()
    question = await Question.filter(number=number).exclude(status=Status.DELETED).using_db(conn).first()
    if person is None or question is None:
        return None
    try:
        await access_membership(person.id, question.enterprise_id, conn)
    except NotFound:
        return None
    event = await QuestionEvent.filter(question_id=question.id).using_db(conn).order_by("-id").first()
    if event is None:
        return QuestionStatus(question.number, question.title, question.status, "", "", None)
    action = Action(event.action).label if event.action in Action._value2member_map_ else event.action
    return QuestionStatus(question.number, question.title, question.status, action, event.actor_name,
                          event.created_at)
