"""The officers' WeChat template message for new questions (issue 5 §7 "New work").

When a question reaches customs — submitted first, resubmitted after a request to modify or a withdrawal,
an appended round — or is forwarded to another office, every active customs account of the question's office
(officers and supervisors of exactly that office) with a bound WeChat gets one outbox row, written by
``services.questions.transitions.transition`` in the change's own
transaction. The message opens the admin question page.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from models.customs_accounts import CustomsAccount, CustomsRole
from models.enterprises import Enterprise
from models.lifecycle import Action, Status
from models.outbox import OutboxMessage
from models.questions import Question
from services.notifications.events import Event

ROLES = (CustomsRole.OFFICER, CustomsRole.SUPERVISOR)


def brings_new_work(action: Action, before: Status | None, after: Status) -> bool:
    """Whether a transition puts a question in front of its office's officers as new work."""
    return action is Action.FORWARD or (after is Status.SUBMITTED and before is not Status.SUBMITTED)


async def queue_officer_notices(conn: BaseDBAsyncClient, question: Question, *, occasion: str, forwarded: bool,
                                now: datetime) -> int:
    """One outbox row per bound, active account of the question's office; returns how many."""
    accounts = await (CustomsAccount.filter(office_id=question.office_id, active=True, role__in=ROLES,
                                            wechat_openid__not_isnull=True)
                      .using_db(conn).values_list("id", flat=True))
    if not accounts:
        return 0
    enterprise = await Enterprise.get(id=question.enterprise_id, using_db=conn)
    payload = {"number": question.number, "title": question.title, "enterprise_name": enterprise.name,
               "forwarded": forwarded, "round": question.round}
    event = Event.CUSTOMS_NEW_QUESTION.value
    await OutboxMessage.bulk_create(
        [OutboxMessage(event=event, question_id=question.id, customs_account_id=account_id, payload=payload,
                       dedupe_key=f"{event}:{occasion}:c{account_id}", next_attempt_at=now, created_at=now)
         for account_id in accounts],
        using_db=conn,
    )
    return len(accounts)
