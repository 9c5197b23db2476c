"""Which notifications a change causes (pure), and writing them to the outbox (in the change's transaction).

The events (``Event``): executive must review; executive returned; customs accepted / replied / returned / asked
to modify; auto-close coming and done; registration approved / rejected; library monthly summary; a workspace role about
to end; an unread 预警 sent on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.lifecycle import Action, Outcome, ReplyKind, Status
from models.outbox import OutboxMessage


class Event(StrEnum):
    EXEC_REVIEW_REQUESTED = "exec_review_requested"
    EXEC_RETURNED = "exec_returned"
    CUSTOMS_ACCEPTED = "customs_accepted"
    CUSTOMS_REPLIED = "customs_replied"
    CUSTOMS_RETURNED = "customs_returned"
    MODIFICATION_REQUESTED = "modification_requested"
    AUTO_CLOSE_REMINDER = "auto_close_reminder"
    AUTO_CLOSED = "auto_closed"
    REGISTRATION_APPROVED = "registration_approved"
    REGISTRATION_REJECTED = "registration_rejected"
    LIBRARY_MONTHLY = "library_monthly"
    EXECUTIVE_ADDED = "executive_added"  # Nanjing guide 三(二): a new executive bound in WeChat
    CUSTOMS_NEW_QUESTION = "customs_new_question"  # to the bound officers of the question's office (issue 5 §7)
    ROLE_EXPIRING = "role_expiring"  # a workspace role grant ends within the reminder's working days
    WARNING_ESCALATED = "warning_escalated"  # a 预警 of the message centre left unread for too long


REPLY_EVENTS = {
    ReplyKind.ANSWER: Event.CUSTOMS_REPLIED,
    ReplyKind.RETURN: Event.CUSTOMS_RETURNED,
    ReplyKind.NEEDS_MODIFICATION: Event.MODIFICATION_REQUESTED,
}


@dataclass(frozen=True)
class Notice:
    event: Event
    person_id: int


def notices_for(action: Action, outcome: Outcome, *, creator_id: int, executive_id: int | None,
                reply_kind: ReplyKind | None) -> list[Notice]:
    """The notices one transition causes. Reply results reach the asker and the reviewing executive
    (the Nanjing customs' 问题清零工作管理系统操作指引: both get an SMS when customs has answered)."""
    if outcome.status is Status.PENDING_EXEC_REVIEW and action is Action.SUBMIT and outcome.assigned_executive_id:
        return [Notice(Event.EXEC_REVIEW_REQUESTED, outcome.assigned_executive_id)]
    if action is Action.EXEC_RETURN:
        return [Notice(Event.EXEC_RETURNED, creator_id)]
    if action is Action.ACCEPT:
        return [Notice(Event.CUSTOMS_ACCEPTED, creator_id)]
    if action is Action.REPLY and reply_kind is not None:
        people = dict.fromkeys(p for p in (creator_id, executive_id) if p is not None)
        return [Notice(REPLY_EVENTS[reply_kind], p) for p in people]
    return []


async def queue_notices(conn: BaseDBAsyncClient, notices: list[Notice], *, question_id: int | None, occasion: str,
                        payload: dict[str, Any], now: datetime) -> None:
    """Write one outbox row per notice; ``occasion`` (e.g. the timeline entry id) makes the row unique."""
    if not notices:
        return
    await OutboxMessage.bulk_create(
        [OutboxMessage(event=n.event.value, question_id=question_id, person_id=n.person_id, payload=payload,
                       dedupe_key=f"{n.event.value}:{occasion}:p{n.person_id}", next_attempt_at=now,
                       created_at=now) for n in notices],
        using_db=conn,
    )
