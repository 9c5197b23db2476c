"""The outbox dispatcher: sends due notices as WeChat template messages, falling back to SMS.

Rows are claimed with one statement that marks them ``sending``, adds one to ``attempts`` and leases them
until ``now + lease``: on PostgreSQL the candidates are picked ``FOR UPDATE SKIP LOCKED`` (two dispatchers
never wait for nor take each other's rows); on SQLite (one writer) the same UPDATE is a compare-and-set on
status and due time. A ``sending`` row whose lease ran out (its dispatcher died) is due again.
Every result is written back as a compare-and-set on ``(id, attempts, status = 'sending')``, so a
dispatcher that lost its lease cannot overwrite the newer claim's result.

WeChat never shows one row twice: every send carries ``client_msg_id = "outbox-<id>"``, which WeChat
de-duplicates per openid for 10 minutes — a retry after a timeout whose send did go through is a no-op.
The SMS fallback passes the same id as the SMS provider's ``OutId``.

A result write that fails (the database restarting) is retried with backoff; results still unwritten after
``save_budget`` are kept and written before the next claim — a row whose send succeeded is recorded ``sent``
and never sent again. Rows claimed but not read back are released at once, not after their lease.

Results: success → ``sent`` (WeChat's msgid kept in ``wechat_msgid``); -1, 45009, 45011 and
network errors → back to ``pending`` with exponential backoff, ``failed`` after ``max_attempts``; 43004,
40003 or no bound openid → SMS; no SMS sender, no phone, any other WeChat error or no template id → ``failed``
with the reason in ``last_error`` (the admin web lists failed rows).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from adapters.wechat_api import WechatApiError
from core.db import connection, dialect, portable_sql
from models.customs_accounts import CustomsAccount
from models.enterprises import Person
from models.outbox import OutboxStatus
from services.notifications.outbox_results import Outcome, record_outcomes, utc
from services.notifications.sms import SmsFailed, SmsSender
from templates_msg import RenderedNotice, TemplateNotConfigured, UnknownEvent, render_notice

log = logging.getLogger("qingling.outbox")

WECHAT, SMS = "wechat", "sms"
ERR_NO_SMS = "未配置短信通道，无法改发短信"
ERR_NO_PHONE = "收件人没有手机号，无法改发短信"
ERR_NO_RECIPIENT = "收件人不存在"
RELEASED = "数据库连接中断，未发送，稍后重试"


class TemplateSender(Protocol):
    """The part of ``adapters.wechat_api.WechatApi`` the dispatcher uses."""

    async def send_template(self, openid: str, template_id: str, data: dict[str, dict[str, str]], *,
                            url: str | None = None, client_msg_id: str | None = None) -> int: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DispatchPolicy:
    batch_size: int = 500  # rows claimed per statement
    concurrency: int = 16  # sends in flight at once (below the WeChat adapter's 100 pooled connections)
    max_attempts: int = 6
    first_retry: timedelta = timedelta(seconds=30)  # doubled after every failed attempt
    max_retry: timedelta = timedelta(minutes=30)
    lease: timedelta = timedelta(minutes=5)  # < WeChat's 10-minute client_msg_id window
    save_budget: timedelta = timedelta(minutes=1)  # retry a failed result write this long (< lease) in one cycle
    first_save_retry: float = 0.1  # seconds, doubled up to max_save_retry
    max_save_retry: float = 5.0

    def retry_delay(self, attempts: int) -> timedelta:
        delay: timedelta = self.first_retry * 2 ** max(attempts - 1, 0)
        return min(delay, self.max_retry)


@dataclass(frozen=True)
class ClaimedRow:
    id: int
    event: str
    question_id: int | None
    payload: dict[str, Any]
    attempts: int  # including this claim
    channel: str | None
    created_at: datetime
    openid: str | None
    phone: str | None
    exists: bool = True


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, outcomes: Iterable[Outcome]) -> None:
        for o in outcomes:
            if o.status is OutboxStatus.SENT:
                self.sent += 1
            elif o.status is OutboxStatus.PENDING:
                self.retried += 1
            else:
                self.failed += 1


def client_msg_id(row_id: int) -> str:
    return f"outbox-{row_id}"


@dataclass
class Dispatcher:
    """Sends due outbox rows; one per worker process (safe to run in several at once)."""

    wechat: TemplateSender
    templates: dict[str, str]
    public_url: str
    tz: ZoneInfo
    sms: SmsSender | None = None
    policy: DispatchPolicy = field(default_factory=DispatchPolicy)
    clock: Callable[[], datetime] = utc_now
    # Results whose write failed even after retries (the database is down): written before anything new is
    # claimed, so a row whose send succeeded is recorded "sent", never sent again after its lease.
    unsaved: list[Outcome] = field(default_factory=list)

    async def dispatch_due(self, max_rows: int | None = None) -> DispatchResult:
        """Claim and send due rows batch after batch until none is due (or ``max_rows`` were handled)."""
        result = DispatchResult()
        if self.unsaved and not await self._save(self.unsaved):
            return result
        semaphore = asyncio.Semaphore(self.policy.concurrency)
        while max_rows is None or result.sent + result.retried + result.failed < max_rows:
            rows = await self.claim(self.policy.batch_size)
            if not rows:
                break
            outcomes = await asyncio.gather(*(self._guarded(row, semaphore) for row in rows))
            result.add(outcomes)
            if not await self._save(outcomes):
                break
        return result

    async def _save(self, outcomes: list[Outcome]) -> bool:
        """Write ``outcomes``, retrying with backoff while the database is unreachable (a restart).

        The writes are compare-and-set, so a retry after a partial write changes only the rows still
        unwritten. False when the budget ran out: the outcomes stay in ``unsaved`` for the next cycle.
        """
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.policy.save_budget.total_seconds()
        delay = self.policy.first_save_retry
        while True:
            try:
                await record_outcomes(outcomes, self.clock())
            except Exception as exc:  # noqa: BLE001 - connection lost, server restarting, pool closed …
                if loop.time() + delay > give_up_at:
                    log.error("outbox: %d results not written, kept for the next cycle: %s", len(outcomes), exc)
                    self.unsaved = list(outcomes)
                    return False
                log.warning("outbox: writing %d results failed (%s); retrying in %.1f s",
                            len(outcomes), type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.policy.max_save_retry)
            else:
                self.unsaved = []
                return True

    async def claim(self, limit: int) -> list[ClaimedRow]:
        """Mark up to ``limit`` due rows ``sending`` for this dispatcher and return them with their recipients."""
        now = utc(self.clock())
        conn = connection()
        lock = " FOR UPDATE SKIP LOCKED" if dialect(conn) == "postgres" else ""
        due = "status IN ('pending', 'sending') AND next_attempt_at <= ?"
        sql = (f"UPDATE outbox_message SET status = 'sending', attempts = attempts + 1, next_attempt_at = ? "
               f"WHERE id IN (SELECT id FROM outbox_message WHERE {due} ORDER BY next_attempt_at, id LIMIT ?{lock}) "
               f"AND {due} RETURNING id, event, question_id, person_id, customs_account_id, payload, attempts, "
               "channel, created_at")
        rows = await conn.execute_query_dict(portable_sql(sql, conn), [now + self.policy.lease, now, limit, now])
        try:
            return await _with_recipients(rows)
        except Exception:
            # Claimed but not readable (the connection broke): the rows come back at once, not after the lease.
            await self._save([Outcome(int(r["id"]), int(r["attempts"]), OutboxStatus.PENDING, r["channel"],
                                      RELEASED, retry_at=now) for r in rows])
            raise

    async def _guarded(self, row: ClaimedRow, semaphore: asyncio.Semaphore) -> Outcome:
        async with semaphore:
            try:
                return await self.deliver(row)
            except Exception as exc:  # a bug or an unexpected adapter error must not strand the row
                log.exception("outbox row %s: unexpected error", row.id)
                return self._retry(row, row.channel, f"{type(exc).__name__}: {exc}")

    async def deliver(self, row: ClaimedRow) -> Outcome:
        """Send one claimed row: WeChat when the recipient has an openid, else (or when WeChat refuses) SMS."""
        if not row.exists:
            return _failed(row, None, ERR_NO_RECIPIENT)
        try:
            notice = render_notice(row.event, row.payload, question_id=row.question_id, at=row.created_at,
                                   public_url=self.public_url, tz=self.tz)
        except UnknownEvent as exc:
            return _failed(row, None, str(exc))
        reason = "未绑定微信"
        if row.channel != SMS and row.openid:
            try:
                template_id = notice.template_id(self.templates)
            except TemplateNotConfigured as exc:
                return _failed(row, WECHAT, str(exc))
            try:
                msgid = await self.wechat.send_template(row.openid, template_id, notice.data, url=notice.url,
                                                        client_msg_id=client_msg_id(row.id))
            except WechatApiError as error:
                if error.retryable:
                    return self._retry(row, WECHAT, f"微信暂时无法发送：{error}")
                if not error.permanent:
                    return _failed(row, WECHAT, f"微信拒绝发送：{error}")
                reason = f"微信无法送达（{error}）"
            else:
                return Outcome(row.id, row.attempts, OutboxStatus.SENT, WECHAT, msgid=str(msgid))
        elif row.channel == SMS:
            reason = "改发短信"  # WeChat refused it on an earlier attempt
        return await self._send_sms(row, notice, reason)

    async def _send_sms(self, row: ClaimedRow, notice: RenderedNotice, reason: str) -> Outcome:
        if self.sms is None:
            return _failed(row, SMS, f"{reason}；{ERR_NO_SMS}")
        if not row.phone:
            return _failed(row, SMS, f"{reason}；{ERR_NO_PHONE}")
        try:
            await self.sms.send(row.phone, notice.sms, out_id=client_msg_id(row.id))
        except SmsFailed as exc:
            if exc.retryable:
                return self._retry(row, SMS, f"{reason}；短信暂时无法发送：{exc}")
            return _failed(row, SMS, f"{reason}；短信发送失败：{exc}")
        return Outcome(row.id, row.attempts, OutboxStatus.SENT, SMS, error=reason)

    def _retry(self, row: ClaimedRow, channel: str | None, error: str) -> Outcome:
        if row.attempts >= self.policy.max_attempts:
            return _failed(row, channel, f"已尝试 {row.attempts} 次，放弃：{error}")
        retry_at = utc(self.clock()) + self.policy.retry_delay(row.attempts)
        return Outcome(row.id, row.attempts, OutboxStatus.PENDING, channel, error, retry_at=retry_at)


def _failed(row: ClaimedRow, channel: str | None, error: str) -> Outcome:
    log.warning("outbox row %s failed: %s", row.id, error)
    return Outcome(row.id, row.attempts, OutboxStatus.FAILED, channel, error)


def _datetime(value: Any) -> datetime:
    return utc(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))


async def _with_recipients(rows: list[dict[str, Any]]) -> list[ClaimedRow]:
    """The claimed rows with their recipient's openid and phone (a person or a customs account)."""
    person_ids = {r["person_id"] for r in rows if r["person_id"] is not None}
    account_ids = {r["customs_account_id"] for r in rows if r["customs_account_id"] is not None}
    people = {p[0]: p[1:] for p in await Person.filter(id__in=person_ids).values_list(
        "id", "wechat_openid", "phone")} if person_ids else {}
    accounts = {a[0]: a[1:] for a in await CustomsAccount.filter(id__in=account_ids).values_list(
        "id", "wechat_openid", "phone")} if account_ids else {}
    claimed = []
    for r in rows:
        found = (people.get(r["person_id"]) if r["person_id"] is not None
                 else accounts.get(r["customs_account_id"]))
        payload = r["payload"]
        claimed.append(ClaimedRow(
            id=int(r["id"]), event=r["event"], question_id=r["question_id"],
            payload=json.loads(payload) if isinstance(payload, (str, bytes)) else dict(payload or {}),
            attempts=int(r["attempts"]), channel=r["channel"], created_at=_datetime(r["created_at"]),
            openid=found[0] if found else None, phone=found[1] if found else None, exists=found is not None,
        ))
    return claimed
