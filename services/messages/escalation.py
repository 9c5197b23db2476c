"""Escalation: an unread 预警 is sent on, once, as a WeChat template message (SMS when WeChat is not bound).

A 预警 is due once it has stayed unread for ``messages.escalate_after_office_hours`` office hours
(``services.kit.office_hours``: 09:00–18:00 of working days on the Chinese calendar by default), i.e. it was
created at or before ``back(now, hours)``. The sweep claims due messages by stamping ``escalated_at``
(``services.kit.claims``) in the transaction that writes their outbox rows, so a retried sweep or two workers at
once send each at most once; the outbox row's unique key (``warning_escalated:m<id>``) says so a second time and
its ``client_msg_id`` keeps WeChat from showing a retried send twice. A message whose person is no longer an
active member of its enterprise is stamped without sending.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from models.messages import Category, Message
from models.outbox import OutboxMessage
from services.kit.claims import claim_rows
from services.kit.context import ServiceContext
from services.kit.office_hours import OfficeHours
from services.messages.centre import reachable
from services.messages.events import local_time
from services.notifications.events import Event

DUE = f"category = '{Category.WARNING.value}' AND read_at IS NULL AND created_at <= ?"


async def escalate_warnings(ctx: ServiceContext, office: OfficeHours, after_hours: int) -> int:
    """Queue the sending on of every due 预警; the number queued."""
    now = ctx.now()
    cutoff = office.back(now, after_hours)
    queued = 0
    while True:
        async with in_transaction() as conn:
            ids = await claim_rows(conn, "message", "escalated_at", DUE, [cutoff], now, order="created_at, id")
            due = await Message.filter(id__in=ids).using_db(conn).order_by("id")
            members = await reachable(conn, [m.person_id for m in due])
            rows = [OutboxMessage(event=Event.WARNING_ESCALATED.value, person_id=m.person_id,
                                  payload={"title": m.title, "created": local_time(m.created_at, ctx.tz)},
                                  dedupe_key=f"{Event.WARNING_ESCALATED.value}:m{m.id}", next_attempt_at=now,
                                  created_at=now)
                    for m in due if (m.person_id, m.enterprise_id) in members]
            if rows:
                await OutboxMessage.bulk_create(rows, using_db=conn)
            queued += len(rows)
        if not ids:
            return queued
