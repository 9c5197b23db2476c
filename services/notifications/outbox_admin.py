"""Notifications that could not be delivered, for customs supervisors and admins: list them, send again.

A row is seen by a supervisor or admin when its question lies in the account's office subtree; rows without
a question (registrations, the library's monthly messages) only by admins. Officers have no access.
Retrying sets a failed row back to pending (attempts from zero, due now): the dispatcher takes it on its
next run, still under its ``client_msg_id``, so WeChat never shows it twice. Every retry is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from core.db import connection
from models.customs_accounts import CustomsAccount, CustomsRole
from models.errors import Conflict, Forbidden, NotFound
from models.outbox import OutboxMessage, OutboxStatus
from services.desk.audit import AuditActor, record
from services.kit.access import access_customs_account, customs_scope
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from services.kit.paging import check_limit, decode_cursor, encode_cursor, row_id
from services.notifications.labels import CHANNEL_LABELS, EVENT_LABELS

MSG_OFFICERS = "只有科长或系统管理员可以查看发送失败的通知"
MSG_NOT_FOUND = "通知不存在或无权查看"


@dataclass(frozen=True)
class FailedNotice:
    id: int
    event_label: str
    question_number: str | None
    recipient: str
    channel: str | None
    channel_label: str
    attempts: int
    last_error: str
    created_at: datetime


@dataclass(frozen=True)
class FailedPage:
    items: tuple[FailedNotice, ...]
    next_cursor: str | None


async def _account(account_id: int) -> CustomsAccount:
    account = await access_customs_account(account_id, connection())
    if account.role is CustomsRole.OFFICER:
        raise Forbidden(MSG_OFFICERS)
    return account


def _scope(account: CustomsAccount) -> Q:
    in_tree = customs_scope(account, "question__office")
    return in_tree | Q(question_id=None) if account.role is CustomsRole.ADMIN else in_tree


async def failed_notices(account_id: int, *, cursor: str | None = None, limit: int = 50) -> FailedPage:
    """Failed rows in the account's scope, newest first."""
    check_limit(limit, 200)
    account = await _account(account_id)
    query = OutboxMessage.filter(_scope(account), status=OutboxStatus.FAILED)
    if cursor:
        query = query.filter(id__lt=row_id(decode_cursor(cursor, 1)[0]))
    rows = await (query.order_by("-id").limit(limit + 1)
                  .select_related("question", "person", "customs_account"))
    items = tuple(_notice(row) for row in rows[:limit])
    return FailedPage(items, encode_cursor(items[-1].id) if len(rows) > limit else None)


def _notice(row: OutboxMessage) -> FailedNotice:
    who = row.person or row.customs_account
    label = EVENT_LABELS.get(row.event, row.event)  # type: ignore[call-overload]  # Event is a StrEnum
    return FailedNotice(row.id, label, row.question.number if row.question else None,
                        who.name if who else "—", row.channel,
                        CHANNEL_LABELS.get(row.channel or "", "—"), row.attempts, row.last_error, row.created_at)


async def retry_notice(ctx: ServiceContext, actor: CustomsActor, notice_id: int) -> None:
    """Send a failed row again; Conflict when it is no longer failed (someone retried it already)."""
    account = await _account(actor.account_id)
    if not await OutboxMessage.filter(_scope(account), id=notice_id).exists():
        raise NotFound(MSG_NOT_FOUND)
    changed = await OutboxMessage.filter(id=notice_id, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=ctx.now())
    if changed != 1:
        raise Conflict("该通知已在重新发送，请刷新页面")
    await record(ctx, AuditActor.customs(account), "outbox.retry", "outbox_message", notice_id, ip=actor.ip)
