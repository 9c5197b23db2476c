"""SMS configuration errors for the operator: recorded when the provider refuses for a reason only the
operator can fix, shown to admins on every admin page until fixed.

``AlertingSms`` wraps the configured sender (the app's, for verification codes, and the worker's, for
notices): a refusal with ``misconfigured`` set opens (or counts on) the alert of its error code and template
— the account's, when the AccessKey, signature or balance is at fault; an SMS that goes through closes the
alerts it proves fixed (its template's, and the account's). An admin may also mark one handled (audited).
Temporary failures and recipients that cannot get SMS are not alerts: retrying or the outbox page deal
with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import F, Q

from core.db import connection
from models.customs_accounts import CustomsAccount, CustomsRole
from models.errors import Forbidden, NotFound
from models.outbox import SmsAlert
from services.desk.audit import AuditActor, record
from services.kit.access import access_customs_account
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from services.notifications.sms import Misconfigured, SmsFailed, SmsMessage, SmsSender

MSG_ADMINS_ONLY = "只有系统管理员可以处理短信配置错误"
MSG_NOT_FOUND = "该短信配置错误不存在或已处理"
OPEN_SHOWN = 20  # open alerts listed at most (there are few error codes × templates)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class OpenAlert:
    id: int
    code: str
    template: str  # "" for the account
    message: str
    count: int
    first_at: datetime
    last_at: datetime


async def raise_alert(failure: SmsFailed, template: str, now: datetime) -> None:
    """Open the alert of ``failure`` (or count it again); nothing for a failure the operator cannot fix."""
    if failure.misconfigured is None:
        return
    scope = template if failure.misconfigured is Misconfigured.TEMPLATE else ""
    key, message = f"{failure.code}:{scope}"[:160], str(failure)[:255]
    counted = await SmsAlert.filter(key=key, resolved_at=None).update(count=F("count") + 1, last_at=now,
                                                                      message=message)
    if counted:
        return
    reopened = await SmsAlert.filter(key=key).update(count=1, first_at=now, last_at=now, message=message,
                                                     resolved_at=None)
    if not reopened:
        await SmsAlert.get_or_create(key=key, defaults={"code": failure.code[:64], "template": scope[:48],
                                                        "message": message, "first_at": now, "last_at": now})


async def clear_alerts(template: str, now: datetime) -> int:
    """An SMS of ``template`` went through: its template's alerts and the account's are fixed."""
    return await SmsAlert.filter(Q(template=template) | Q(template=""), resolved_at=None).update(resolved_at=now)


async def open_alerts() -> tuple[OpenAlert, ...]:
    rows = await SmsAlert.filter(resolved_at=None).order_by("-last_at").limit(OPEN_SHOWN)
    return tuple(OpenAlert(r.id, r.code, r.template, r.message, r.count, r.first_at, r.last_at) for r in rows)


async def open_alerts_for(account: CustomsAccount) -> tuple[OpenAlert, ...]:
    """What the admin banner shows ``account``: the open alerts for admins, nothing for anyone else."""
    return await open_alerts() if account.role is CustomsRole.ADMIN else ()


async def resolve_alert(ctx: ServiceContext, actor: CustomsActor, alert_id: int) -> None:
    """An admin says the alert is handled (e.g. the template code was corrected); audited."""
    account = await access_customs_account(actor.account_id, connection())
    if account.role is not CustomsRole.ADMIN:
        raise Forbidden(MSG_ADMINS_ONLY)
    if not await SmsAlert.filter(id=alert_id, resolved_at=None).update(resolved_at=ctx.now()):
        raise NotFound(MSG_NOT_FOUND)
    await record(ctx, AuditActor.customs(account), "sms_alert.resolve", "sms_alert", alert_id, ip=actor.ip)


@dataclass(frozen=True)
class AlertingSms:
    """An ``SmsSender`` that keeps the operator's alerts up to date around ``inner``."""

    inner: SmsSender
    clock: Callable[[], datetime] = utc_now

    async def send(self, phone: str, message: SmsMessage, *, out_id: str) -> None:
        try:
            await self.inner.send(phone, message, out_id=out_id)
        except SmsFailed as failure:
            await raise_alert(failure, message.template, self.clock())
            raise
        await clear_alerts(message.template, self.clock())
