"""Customs review of registrations without a card: list, look at the business licence, approve or reject.

Who reviews: registrations belong to the whole district, not to one office, so a supervisor or an admin
whose office sub-tree contains one of the district's accepting offices (``district.accepting_office_codes``,
e.g. the direct customs office 0900) reviews them; officers, and accounts of other districts, are refused
(Forbidden). A decision is a compare-and-set on the pending registration, writes the enterprise's new status,
the audit entry and the applicant's notices (an SMS always, a template message too when bound) in one
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters.file_storage import FileStorage
from core.db import connection
from models.customs_accounts import CustomsAccount, CustomsRole
from models.enterprises import Enterprise, EnterpriseStatus, Person
from models.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.offices import CustomsOffice
from models.outbox import OutboxMessage
from models.registrations import Registration, RegistrationChannel, RegistrationStatus
from services.desk.audit import AuditActor, record
from services.kit.access import access_customs_account, under_office
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from services.messages.events import registration_message
from services.notifications.events import Event

MSG_NOT_REVIEWER = "仅本关区的科长/主管或系统管理员可以审核企业注册"
MSG_NOT_FOUND = "注册申请不存在"
MSG_DECIDED = "该注册申请已处理，请刷新后查看"
MSG_REASON = "请填写不通过的原因"
MSG_REASON_TOO_LONG = "原因不能超过 200 个字"
REASON_LIMIT = 200
RECENT_DECISIONS = 50


@dataclass(frozen=True)
class ReviewLists:
    pending: list[Registration]  # oldest first: first come, first served
    decided: list[Registration]  # the latest decisions, newest first


async def access_reviewer(account_id: int, district_codes: Iterable[str],
                          conn: BaseDBAsyncClient | None = None) -> CustomsAccount:
    """The account, if it may review registrations; Forbidden otherwise (see the module docstring)."""
    conn = conn or connection()
    account = await access_customs_account(account_id, conn)
    if account.role not in (CustomsRole.SUPERVISOR, CustomsRole.ADMIN):
        raise Forbidden(MSG_NOT_REVIEWER)
    covered = await (CustomsOffice.filter(under_office(account.office), code__in=list(district_codes))
                     .using_db(conn).exists())
    if not covered:
        raise Forbidden(MSG_NOT_REVIEWER)
    return account


async def review_lists(account_id: int, district_codes: Iterable[str]) -> ReviewLists:
    """The pending registrations and the recent decisions (card registrations need no review: left out)."""
    await access_reviewer(account_id, district_codes)
    reviewed = Registration.exclude(channel=RegistrationChannel.CARD).select_related("reviewer")
    pending = await reviewed.filter(status=RegistrationStatus.PENDING).order_by("created_at", "id")
    decided = await (reviewed.exclude(status=RegistrationStatus.PENDING)
                     .order_by("-decided_at", "-id").limit(RECENT_DECISIONS))
    return ReviewLists(pending, decided)


async def registration_for_review(account_id: int, district_codes: Iterable[str],
                                  registration_id: int) -> Registration:
    await access_reviewer(account_id, district_codes)
    found = await (Registration.filter(id=registration_id).exclude(channel=RegistrationChannel.CARD)
                   .select_related("reviewer", "enterprise").first())
    if found is None:
        raise NotFound(MSG_NOT_FOUND)
    return found


async def licence_for_review(account_id: int, district_codes: Iterable[str], registration_id: int,
                             storage: FileStorage) -> tuple[Registration, Path]:
    """The business licence image of a registration, for reviewers only; NotFound when there is none."""
    registration = await registration_for_review(account_id, district_codes, registration_id)
    if not registration.licence_key:
        raise NotFound("营业执照图片不存在")
    return registration, storage.path(registration.licence_key)


def check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(MSG_REASON, field="reason")
    if len(reason) > REASON_LIMIT:
        raise ValidationFailed(MSG_REASON_TOO_LONG, field="reason")
    return reason


async def approve_registration(ctx: ServiceContext, actor: CustomsActor, district_codes: Iterable[str],
                               registration_id: int) -> Registration:
    """Approve: the enterprise becomes ACTIVE (its admin may ask) and the applicant is told."""
    return await _decide(ctx, actor, district_codes, registration_id, RegistrationStatus.APPROVED, "")


async def reject_registration(ctx: ServiceContext, actor: CustomsActor, district_codes: Iterable[str],
                              registration_id: int, reason: str) -> Registration:
    """Reject with a required reason: the enterprise becomes REJECTED (it may register again)."""
    return await _decide(ctx, actor, district_codes, registration_id, RegistrationStatus.REJECTED,
                         check_reason(reason))


async def _decide(ctx: ServiceContext, actor: CustomsActor, district_codes: Iterable[str], registration_id: int,
                  status: RegistrationStatus, reason: str) -> Registration:
    codes = list(district_codes)
    async with in_transaction() as conn:
        account = await access_reviewer(actor.account_id, codes, conn)
        registration = await (Registration.filter(id=registration_id).exclude(channel=RegistrationChannel.CARD)
                              .using_db(conn).first())
        if registration is None:
            raise NotFound(MSG_NOT_FOUND)
        changed = await (Registration.filter(id=registration.id, status=RegistrationStatus.PENDING).using_db(conn)
                         .update(status=status, reviewer_id=account.id, reason=reason, decided_at=ctx.now()))
        if changed != 1:
            raise Conflict(MSG_DECIDED)
        approved = status is RegistrationStatus.APPROVED
        await (Enterprise.filter(id=registration.enterprise_id, status=EnterpriseStatus.PENDING_REVIEW)
               .using_db(conn).update(status=EnterpriseStatus.ACTIVE if approved else EnterpriseStatus.REJECTED))
        await _notify(ctx, conn, registration, approved, reason)
        await record(ctx, AuditActor.customs(account), f"registration.{status.value}", "registration",
                     registration.id, detail={"enterprise_id": registration.enterprise_id,
                                              "credit_code": registration.credit_code, "reason": reason},
                     ip=actor.ip, conn=conn)
        await registration.refresh_from_db(using_db=conn)
    return registration


async def _notify(ctx: ServiceContext, conn: BaseDBAsyncClient, registration: Registration, approved: bool,
                  reason: str) -> None:
    """An SMS always (seed: "the enterprise admin gets an SMS"), and a template message when bound."""
    event = Event.REGISTRATION_APPROVED if approved else Event.REGISTRATION_REJECTED
    payload = {"enterprise_name": registration.enterprise_name, "reason": reason}
    person = await Person.filter(id=registration.applicant_id).using_db(conn).first()
    channels: list[str | None] = ["sms"]
    if person is not None and person.wechat_openid:
        channels.append(None)  # the dispatcher's default: WeChat for a bound person
    now = ctx.now()
    await OutboxMessage.bulk_create(
        [OutboxMessage(event=event.value, person_id=registration.applicant_id, payload=payload, channel=channel,
                       dedupe_key=f"{event.value}:r{registration.id}:{channel or 'wechat'}", next_attempt_at=now,
                       created_at=now) for channel in channels],
        using_db=conn)
    await registration_message(conn, enterprise_id=registration.enterprise_id, person_id=registration.applicant_id,
                               approved=approved, enterprise_name=registration.enterprise_name, reason=reason,
                               now=now)
