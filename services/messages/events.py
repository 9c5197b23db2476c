"""The messages the events of other features leave in the message centre, beside their outbox rows and in the
same transaction: the question-clearing notices, the registration decided, a join request decided, the
enterprise's settings changed, a workspace role granted / renewed / about to end / ended, a declaration
reviewed or moved by a receipt. One writer per event; the titles and bodies are the Chinese the person
reads, each linking to the page of the object it is about."""

from __future__ import annotations

from datetime import datetime, tzinfo

from tortoise.backends.base.client import BaseDBAsyncClient

from models.enterprises import MemberRole, Membership
from models.messages import Category, Severity
from services.messages.centre import post_message
from services.notifications.events import Event, Notice
from services.notifications.labels import EVENT_LABELS

QUESTION_LINK = "/h5/questions/{id}"
HOME_LINK = "/workbench/"
COMPANY_LINK = "/workbench/admin/company"
PEOPLE_LINK = "/workbench/admin/people"
TIME_SHOWN = "%Y-%m-%d %H:%M"
OPEN_ENDED = "长期有效"
EXPIRING_ADVICE = "到期后将不能使用该角色的功能，如需续期请联系企业管理员。"
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


def local_time(moment: datetime | None, tz: tzinfo) -> str:
    """A time as messages show it, in the district's zone (an open end reads 长期有效)."""
    return OPEN_ENDED if moment is None else moment.astimezone(tz).strftime(TIME_SHOWN)


async def company_changed_messages(conn: BaseDBAsyncClient, *, enterprise_id: int, what: str, by_name: str,
                                   now: datetime) -> None:
    """A 通知 to each admin of the enterprise (the one who changed it too: a record on every admin's desk)."""
    admins = await (Membership.filter(enterprise_id=enterprise_id, role=MemberRole.ADMIN, active=True,
                                      person__active=True).using_db(conn).order_by("id"))
    for admin in admins:
        await post_message(conn, enterprise_id=enterprise_id, person_id=admin.person_id, category=Category.NOTICE,
                           title=f"企业设置已修改：{what}", body=f"修改人：{by_name}", link=COMPANY_LINK, now=now)


async def role_granted_message(conn: BaseDBAsyncClient, *, enterprise_id: int, person_id: int, role: str,
                               valid_from: datetime, valid_to: datetime | None, renewed: bool, now: datetime,
                               tz: tzinfo) -> None:
    """A 通知 to the grantee: the role and its period (granted, or renewed to a new end)."""
    title = f"角色已续期：{role}" if renewed else f"您获得了新角色：{role}"
    body = f"有效期：{local_time(valid_from, tz)} 至 {local_time(valid_to, tz)}"
    await post_message(conn, enterprise_id=enterprise_id, person_id=person_id, category=Category.NOTICE,
                       title=title, body=body, link=HOME_LINK, now=now)


async def role_expiring_message(conn: BaseDBAsyncClient, *, enterprise_id: int, person_id: int, role: str,
                                valid_to: datetime, now: datetime, tz: tzinfo) -> None:
    """A 预警 to the grantee that the role ends soon (sent by WeChat / SMS with it: not escalated again)."""
    await post_message(conn, enterprise_id=enterprise_id, person_id=person_id, category=Category.WARNING,
                       severity=Severity.IMPORTANT, sent_on=True, title=f"角色即将到期：{role}",
                       body=f"到期时间：{local_time(valid_to, tz)}。{EXPIRING_ADVICE}",
                       link=HOME_LINK, now=now)


async def role_expired_message(conn: BaseDBAsyncClient, *, enterprise_id: int, person_id: int, role: str,
                               valid_to: datetime, now: datetime, tz: tzinfo) -> None:
    """A 通知 to the grantee that the role ended."""
    await post_message(conn, enterprise_id=enterprise_id, person_id=person_id, category=Category.NOTICE,
                       severity=Severity.IMPORTANT, title=f"角色已到期：{role}",
                       body=f"到期时间：{local_time(valid_to, tz)}。如需继续使用，请联系企业管理员续期。",
                       link=HOME_LINK, now=now)


DECLARATION_LINK = "/workbench/declarations/entry/{id}"


async def declaration_message(conn: BaseDBAsyncClient, *, enterprise_id: int, person_id: int, number: str,
                              event: str, important: bool, reason: str, declaration_id: int, now: datetime) -> None:
    """A 通知 to the preparer: a reviewer decided their declaration, or a receipt moved it."""
    await post_message(conn, enterprise_id=enterprise_id, person_id=person_id, category=Category.NOTICE,
                       severity=Severity.IMPORTANT if important else Severity.INFO,
                       title=f"报关单{event}：{number}", body=f"原因：{reason}" if reason else "",
                       link=DECLARATION_LINK.format(id=declaration_id), now=now)


async def library_messages(conn: BaseDBAsyncClient, *, enterprise_id: int, people: list[int], title: str, body: str,
                           link: str, now: datetime, important: bool = False) -> None:
    """A 通知 of the declaration-standard library (monthly summary, catalogue change) to each of ``people``."""
    for person_id in people:
        await post_message(conn, enterprise_id=enterprise_id, person_id=person_id, category=Category.NOTICE,
                           severity=Severity.IMPORTANT if important else Severity.INFO, title=title, body=body,
                           link=link, now=now)
