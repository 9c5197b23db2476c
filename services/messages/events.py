"""The messages the events of other features leave in the message centre, beside their outbox rows and in the
same transaction: the question-clearing notices, the registration decided, a join request decided."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from models.messages import Category, Severity
from services.messages.centre import post_message
from services.notifications.events import Event, Notice
from services.notifications.labels import EVENT_LABELS

QUESTION_LINK = "/h5/questions/{id}"
HOME_LINK = "/workbench/"
IMPORTANT = {Event.MODIFICATION_REQUESTED, Event.CUSTOMS_RETURNED, Event.EXEC_RETURNED}


async def question_messages(conn: BaseDBAsyncClient, notices: list[Notice], *, enterprise_id: int,
                            question_id: int, number: str, title: str, text: str, now: datetime) -> None:
    """A 通知 to each person an outbox notice of a question goes to."""
    for notice in notices:
        label = EVENT_LABELS.get(notice.event, notice.event.value)
        await post_message(conn, enterprise_id=enterprise_id, person_id=notice.person_id, category=Category.NOTICE,
                           severity=Severity.IMPORTANT if notice.event in IMPORTANT else Severity.INFO,
                           title=f"{label}：{title}", body=f"问题编号 {number}" + (f"\n{text}" if text else ""),
                           link=QUESTION_LINK.format(id=question_id), now=now)


async def registration_message(conn: BaseDBAsyncClient, *, enterprise_id: int, person_id: int, approved: bool,
                               enterprise_name: str, reason: str, now: datetime) -> None:
    """A 通知 to the applicant that the registration of the enterprise was decided."""
    event = Event.REGISTRATION_APPROVED if approved else Event.REGISTRATION_REJECTED
    body = f"{enterprise_name}" + ("" if approved else f"\n原因：{reason}")
    await post_message(conn, enterprise_id=enterprise_id, person_id=person_id, category=Category.NOTICE,
                       severity=Severity.INFO if approved else Severity.IMPORTANT,
                       title=f"企业{EVENT_LABELS[event]}", body=body, link=HOME_LINK, now=now)


JOIN_TITLES = {True: "加入企业申请已通过", False: "加入企业申请未通过"}
COMPANIES_LINK = "/workbench/personal/companies"


async def join_decided_message(conn: BaseDBAsyncClient, *, enterprise_id: int, person_id: int, approved: bool,
                               enterprise_name: str, reason: str, now: datetime) -> None:
    """A 通知 to the person who asked to join: approved, in the joined enterprise's mailbox; refused, in the
    mailbox of the enterprise they asked from."""
    body = enterprise_name + ("" if approved else f"\n原因：{reason}")
    await post_message(conn, enterprise_id=enterprise_id, person_id=person_id, category=Category.NOTICE,
                       severity=Severity.INFO if approved else Severity.IMPORTANT, title=JOIN_TITLES[approved],
                       body=body, link=HOME_LINK if approved else COMPANIES_LINK, now=now)


async def library_messages(conn: BaseDBAsyncClient, *, enterprise_id: int, people: list[int], title: str, body: str,
                           link: str, now: datetime, important: bool = False) -> None:
    """A 通知 of the declaration-standard library (monthly summary, catalogue change) to each of ``people``."""
    for person_id in people:
        await post_message(conn, enterprise_id=enterprise_id, person_id=person_id, category=Category.NOTICE,
                           severity=Severity.IMPORTANT if important else Severity.INFO, title=title, body=body,
                           link=link, now=now)
