"""Role grants running out: the reminder before a grant ends and the record of its end, both swept by the
scheduler (``scheduler/jobs.py``), set-based and exactly once per grant.

* Reminder: when less than ``messages.grant_reminder_working_days`` working days of office hours are left
  (``services.kit.office_hours``; with 3 days of 09:00–18:00: less than 27 office hours), the grantee gets a
  预警 in the message centre and a WeChat template message (SMS when WeChat is not bound) through the outbox
  (the 预警 is therefore not escalated again).
* Expiry: from ``valid_to`` on, ``expired_at`` is recorded and the grantee gets a 通知. (The permission decision
  does not wait for this: a grant grants nothing from its ``valid_to`` on.)

Each grant is claimed by stamping ``reminded_at`` / ``expired_at`` (``services.kit.claims``) in the transaction
that writes its message and outbox row, so two workers sweeping at once tell it once. A renewal
(``services.workspace.grants.renew_grant``) clears both stamps. A grant whose person is no longer an active
member of the role's enterprise is stamped without telling anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.outbox import OutboxMessage
from models.workspace import RoleGrant
from services.kit.claims import claim_rows
from services.kit.context import ServiceContext
from services.kit.office_hours import OfficeHours
from services.messages.centre import reachable
from services.messages.events import local_time, role_expired_message, role_expiring_message
from services.notifications.events import Event


@dataclass(frozen=True)
class ExpiryResult:
    reminded: int
    expired: int


async def _claimed(ids: list[int], conn: BaseDBAsyncClient) -> list[tuple[RoleGrant, bool]]:
    """The claimed grants with their role and enterprise, and whether the person is still a member to tell."""
    grants = await (RoleGrant.filter(id__in=ids).using_db(conn)
                    .select_related("role__enterprise").order_by("id"))
    members = await reachable(conn, [g.person_id for g in grants])
    return [(g, (g.person_id, g.role.enterprise_id) in members) for g in grants]


async def remind_expiring(ctx: ServiceContext, office: OfficeHours, working_days: int) -> int:
    """Remind the grantees of the grants ending within the working days; the number reminded."""
    now = ctx.now()
    horizon = office.forward(now, working_days * office.per_day().total_seconds() / 3600)
    told = 0
    while True:
        async with in_transaction() as conn:
            ids = await claim_rows(conn, "role_grant", "reminded_at",
                                   "expired_at IS NULL AND valid_from <= ? AND valid_to > ? AND valid_to < ?",
                                   [now, now, horizon], now)
            for grant, member in await _claimed(ids, conn):
                if not member or grant.valid_to is None:
                    continue
                enterprise = grant.role.enterprise
                await role_expiring_message(conn, enterprise_id=enterprise.id, person_id=grant.person_id,
                                            role=grant.role.name, valid_to=grant.valid_to, now=now, tz=ctx.tz)
                await OutboxMessage.create(
                    event=Event.ROLE_EXPIRING.value, person_id=grant.person_id, next_attempt_at=now, created_at=now,
                    payload={"enterprise_name": enterprise.name, "role": grant.role.name,
                             "valid_to": local_time(grant.valid_to, ctx.tz)},
                    dedupe_key=f"{Event.ROLE_EXPIRING.value}:g{grant.id}:t{int(grant.valid_to.timestamp())}",
                    using_db=conn)
                told += 1
        if not ids:
            return told


async def record_expiries(ctx: ServiceContext) -> int:
    """Record the grants whose end has come and tell their grantees; the number recorded."""
    now = ctx.now()
    recorded = 0
    while True:
        async with in_transaction() as conn:
            ids = await claim_rows(conn, "role_grant", "expired_at", "valid_to <= ?", [now], now)
            for grant, member in await _claimed(ids, conn):
                if member and grant.valid_to is not None:
                    await role_expired_message(conn, enterprise_id=grant.role.enterprise_id,
                                               person_id=grant.person_id, role=grant.role.name,
                                               valid_to=grant.valid_to, now=now, tz=ctx.tz)
            recorded += len(ids)
        if not ids:
            return recorded


async def sweep_grants(ctx: ServiceContext, office: OfficeHours, working_days: int) -> ExpiryResult:
    """The scheduler's sweep: expiries first (a grant that has ended is not reminded any more), then reminders."""
    expired = await record_expiries(ctx)
    return ExpiryResult(reminded=await remind_expiring(ctx, office, working_days), expired=expired)
