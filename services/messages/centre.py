"""The message centre's one writer (``post_message``, in the caller's transaction) and a person's mailbox:
the list (keyset on id, newest first), the exact badge counts, read, star, mark all read. Every change tells the
person's open pages (``services.messages.badges``).

Every read and change is scoped to one person in one enterprise (``Mailbox``): another person's message, or
the same person's message of another enterprise, is not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Count

from models.enterprises import Membership
from models.errors import NotFound, ValidationFailed
from models.messages import Category, Message, Severity
from services.kit.context import start_of
from services.kit.paging import check_limit, decode_cursor, encode_cursor, row_id
from services.messages.badges import tell_badge

MSG_NOT_FOUND = "消息不存在"
MSG_BAD_FILTER = "筛选条件无效"
MSG_BAD_DAY = "请填写正确的日期"
MSG_BAD_PERIOD = "结束日期不能早于开始日期"
PAGE_SIZE = 20
MAX_PAGE = 100


@dataclass(frozen=True)
class Mailbox:
    """Whose messages: a person as a member of one enterprise."""

    person_id: int
    enterprise_id: int


@dataclass(frozen=True)
class Counts:
    """The badge: unread per category, and starred (exact, no cap)."""

    unread_notice: int
    unread_warning: int
    starred: int

    @property
    def unread(self) -> int:
        return self.unread_notice + self.unread_warning


@dataclass(frozen=True)
class Page:
    items: list[Message]
    next_cursor: str | None


async def post_message(conn: BaseDBAsyncClient, *, enterprise_id: int, person_id: int, category: Category,
                       title: str, body: str = "", link: str = "", now: datetime,
                       severity: Severity = Severity.INFO, sent_on: bool = False) -> Message:
    """Write one message in ``conn`` (the transaction of the event that causes it): it exists exactly when the
    event committed. The person's open pages are told (``services.messages.badges``). ``sent_on``: the event
    sends its own WeChat / SMS, so the escalation of an unread 预警 does not send it again."""
    message = await Message.create(enterprise_id=enterprise_id, person_id=person_id, category=category,
                                   severity=severity, title=title[:100], body=body, link=link[:300],
                                   created_at=now, escalated_at=now if sent_on else None, using_db=conn)
    await tell_badge(person_id)
    return message


async def reachable(conn: BaseDBAsyncClient, person_ids: list[int]) -> set[tuple[int, int]]:
    """The (person, enterprise) mailboxes of these people that someone still reads: active people who are active
    members of the enterprise. The sweeps tell no one else."""
    rows = await (Membership.filter(person_id__in=person_ids, active=True, person__active=True).using_db(conn)
                  .values_list("person_id", "enterprise_id"))
    return {(int(person), int(enterprise)) for person, enterprise in rows}


def _mine(box: Mailbox) -> dict[str, int]:
    return {"person_id": box.person_id, "enterprise_id": box.enterprise_id}


async def counts(box: Mailbox) -> Counts:
    """Two indexed counts (the partial indexes of unread and starred rows)."""
    unread = dict(await Message.filter(**_mine(box), read_at__isnull=True).group_by("category")
                  .annotate(n=Count("id")).values_list("category", "n"))
    starred = await Message.filter(**_mine(box), starred=True).count()
    return Counts(int(unread.get(Category.NOTICE, 0)), int(unread.get(Category.WARNING, 0)), starred)


def parse_category(value: str) -> Category:
    try:
        return Category(value or Category.NOTICE.value)
    except ValueError:
        raise ValidationFailed(MSG_BAD_FILTER, field="category") from None


@dataclass(frozen=True)
class Period:
    """Messages written from the start of ``first`` to the end of ``last`` (local days; either open)."""

    first: date | None = None
    last: date | None = None


def parse_period(first: str, last: str) -> Period:
    """The period of the list's 从 / 至 fields (YYYY-MM-DD, empty: open)."""
    days: list[date | None] = []
    for name, text in (("from", first), ("to", last)):
        try:
            days.append(date.fromisoformat(text) if text else None)
        except ValueError:
            raise ValidationFailed(MSG_BAD_DAY, field=name) from None
    if days[0] and days[1] and days[1] < days[0]:
        raise ValidationFailed(MSG_BAD_PERIOD, field="to")
    return Period(days[0], days[1])


async def list_messages(box: Mailbox, category: Category, *, state: str = "", starred: bool = False,
                        cursor: str = "", limit: int = PAGE_SIZE, period: Period = Period(),
                        tz: ZoneInfo | None = None) -> Page:
    """One page of a tab, newest first; ``state`` "" (all), "unread" or "read"; ``starred`` only the starred;
    ``period`` the days written (in ``tz``; the bounds in UTC, as the column stores them on SQLite)."""
    query = Message.filter(**_mine(box), category=category)
    zone = tz or ZoneInfo("Asia/Shanghai")
    if period.first:
        query = query.filter(created_at__gte=start_of(period.first, zone))
    if period.last:
        query = query.filter(
            created_at__lt=start_of(period.last + timedelta(days=1), zone))
    if state == "unread":
        query = query.filter(read_at__isnull=True)
    elif state == "read":
        query = query.filter(read_at__isnull=False)
    elif state:
        raise ValidationFailed(MSG_BAD_FILTER, field="state")
    if starred:
        query = query.filter(starred=True)
    if cursor:
        query = query.filter(id__lt=row_id(decode_cursor(cursor, 1)[0]))
    size = check_limit(limit, MAX_PAGE)
    rows = await query.order_by("-id").limit(size + 1)
    more = len(rows) > size
    return Page(rows[:size], encode_cursor(rows[size - 1].id) if more else None)


async def _one(box: Mailbox, message_id: int) -> Message:
    message = await Message.filter(id=message_id, **_mine(box)).first()
    if message is None:
        raise NotFound(MSG_NOT_FOUND)
    return message


async def read_message(box: Mailbox, message_id: int, now: datetime) -> Message:
    """The message, marked read on its first reading (the read time is kept from then on)."""
    message = await _one(box, message_id)
    if message.read_at is None:
        if await Message.filter(id=message.id, read_at__isnull=True).update(read_at=now):
            await tell_badge(box.person_id)
        await message.refresh_from_db(fields=["read_at"])
    return message


async def set_starred(box: Mailbox, message_id: int, starred: bool) -> None:
    if not await Message.filter(id=message_id, **_mine(box)).update(starred=starred):
        raise NotFound(MSG_NOT_FOUND)
    await tell_badge(box.person_id)


async def mark_all_read(box: Mailbox, category: Category, now: datetime) -> int:
    """One UPDATE over the tab's unread messages; returns how many it marked."""
    marked = await Message.filter(**_mine(box), category=category, read_at__isnull=True).update(read_at=now)
    if marked:
        await tell_badge(box.person_id)
    return marked
