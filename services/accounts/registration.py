"""Registering an enterprise and its first admin: with a card (active at once) or with a form (customs review).

The Nanjing customs' 问题清零工作管理系统操作指引, 三(一): a card registration takes the enterprise's data from the
IC card / IKEY and needs no customs review; a registration without a card (desktop browser, or the same form inside
WeChat) sends the form and a business licence image and waits for customs. Either way the applicant becomes the
enterprise's admin; until customs approves, the admin can sign in, see the review status and add people, but cannot
ask (the lifecycle's ``enterprise_active`` guard). An enterprise is registered once: an active, pending or disabled
enterprise with the same unified social credit code refuses a second registration; a rejected one may register
again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from adapters.file_storage import FileStorage
from models.enterprises import Enterprise, EnterpriseStatus, MemberRole, Membership, Person
from models.errors import Conflict, ValidationFailed
from models.identifiers import credit_code_problem, is_mobile, mask_phone, normalise_credit_code
from models.registrations import Registration, RegistrationChannel, RegistrationStatus
from services.accounts.sms_codes import MSG_BAD_PHONE, SmsCodes
from services.accounts.wechat_binding import MSG_OPENID_HAS_OTHER, MSG_PERSON_HAS_OTHER
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext
from services.kit.images import CheckedImage
from services.library.store import link_enterprise

log = logging.getLogger("qingling.registration")

MSG_ALREADY_ACTIVE = "该企业已注册，请联系本企业管理员为您添加账号"
MSG_ALREADY_PENDING = "该企业的注册申请正在海关审核中，请勿重复注册"
MSG_DISABLED = "该企业已被停用，请联系海关"
MSG_CUSTOMS_CODE_TAKEN = "该海关注册编码已被其他企业使用，请联系海关"
MSG_NAME = "请输入姓名"
MSG_ENTERPRISE_NAME = "请输入企业名称"
MSG_LICENCE = "请上传营业执照图片"
MSG_TOO_LONG = "{label}不能超过 {limit} 个字"


@dataclass(frozen=True)
class CardEnterprise:
    """What the card desktop helper read from the IC card / IKEY (verified by the caller)."""

    credit_code: str
    customs_code: str
    enterprise_name: str
    holder_name: str
    legal_person_card: bool


@dataclass(frozen=True)
class Applicant:
    """The person registering, who becomes the enterprise's admin."""

    name: str
    phone: str


@dataclass(frozen=True)
class RegistrationForm:
    """The form of a registration without a card (fields marked * are required)."""

    enterprise_name: str  # *
    credit_code: str  # *
    name: str  # * the applicant
    phone: str  # * the applicant's mobile
    legal_person: str = ""
    address: str = ""

    @property
    def applicant(self) -> Applicant:
        return Applicant(self.name, self.phone)


def _text(value: str, field: str, label: str, limit: int, *, required: str | None = None) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationFailed(required, field=field)
    if len(value) > limit:
        raise ValidationFailed(MSG_TOO_LONG.format(label=label, limit=limit), field=field)
    return value


def check_applicant(applicant: Applicant) -> Applicant:
    """The applicant with a name and a mobile number, trimmed; ValidationFailed naming the field otherwise."""
    name = _text(applicant.name, "name", "姓名", 50, required=MSG_NAME)
    phone = applicant.phone.strip()
    if not is_mobile(phone):
        raise ValidationFailed(MSG_BAD_PHONE, field="phone")
    return Applicant(name, phone)


def check_credit_code(code: str) -> str:
    code = normalise_credit_code(code)
    problem = credit_code_problem(code)
    if problem:
        raise ValidationFailed(problem, field="credit_code")
    return code


def check_form(form: RegistrationForm) -> RegistrationForm:
    """The form trimmed and checked field by field (credit code with its check digit, mobile number)."""
    enterprise_name = _text(form.enterprise_name, "enterprise_name", "企业名称", 200, required=MSG_ENTERPRISE_NAME)
    credit_code = check_credit_code(form.credit_code)
    applicant = check_applicant(form.applicant)
    return RegistrationForm(
        enterprise_name=enterprise_name, credit_code=credit_code, name=applicant.name, phone=applicant.phone,
        legal_person=_text(form.legal_person, "legal_person", "法定代表人", 50),
        address=_text(form.address, "address", "企业地址", 200),
    )


async def check_not_registered(credit_code: str, conn: BaseDBAsyncClient | None = None) -> Enterprise | None:
    """Refuse an enterprise that is active, pending or disabled; return a rejected one (it may register again)."""
    found = await Enterprise.filter(credit_code=credit_code).using_db(conn).first()
    if found is None or found.status is EnterpriseStatus.REJECTED:
        return found
    if found.status is EnterpriseStatus.PENDING_REVIEW:
        raise Conflict(MSG_ALREADY_PENDING, field="credit_code")
    if found.status is EnterpriseStatus.DISABLED:
        raise Conflict(MSG_DISABLED, field="credit_code")
    raise Conflict(MSG_ALREADY_ACTIVE, field="credit_code")


async def register_with_card(ctx: ServiceContext, card: CardEnterprise, applicant: Applicant) -> Enterprise:
    """Register the card's enterprise, ACTIVE at once, with ``applicant`` as its admin.

    Precondition: the caller has verified the card data (signed by the desktop helper) and the applicant's
    phone (SMS code). Raises Conflict for an enterprise already registered (or pending review) or a customs
    code used by another enterprise, ValidationFailed for a bad credit code, name or phone.
    """
    applicant = check_applicant(applicant)
    credit_code = check_credit_code(card.credit_code)
    name = _text(card.enterprise_name, "enterprise_name", "企业名称", 200, required=MSG_ENTERPRISE_NAME)
    customs_code = card.customs_code.strip() or None
    try:
        async with in_transaction() as conn:
            enterprise = await _enterprise_for(conn, credit_code, name, EnterpriseStatus.ACTIVE, customs_code)
            person = await _admin_of(conn, enterprise, applicant, openid=None)
            registration = await Registration.create(
                enterprise=enterprise, applicant=person, channel=RegistrationChannel.CARD,
                status=RegistrationStatus.APPROVED, enterprise_name=name, credit_code=credit_code,
                legal_person=card.holder_name.strip()[:50] if card.legal_person_card else "",
                applicant_name=applicant.name, applicant_phone=applicant.phone, created_at=ctx.now(),
                decided_at=ctx.now(), using_db=conn)
            await record(ctx, AuditActor.person(person), "registration.card", "registration", registration.id,
                         detail={"enterprise_id": enterprise.id, "credit_code": credit_code,
                                 "legal_person_card": card.legal_person_card}, conn=conn)
    except IntegrityError:  # the same enterprise (or customs code) registered meanwhile
        raise Conflict(MSG_ALREADY_ACTIVE, field="credit_code") from None
    return enterprise


async def register_without_card(ctx: ServiceContext, form: RegistrationForm, licence: CheckedImage | None, *,
                                codes: SmsCodes, code: str, storage: FileStorage,
                                channel: RegistrationChannel = RegistrationChannel.FORM,
                                openid: str | None = None) -> Registration:
    """Register an enterprise PENDING_REVIEW with its business licence; the applicant becomes its admin.

    Checks the form, refuses an enterprise already registered, then checks (and uses up) the SMS code sent to
    the applicant's phone. In WeChat (``channel`` WECHAT) ``openid`` is bound to the new admin. The licence
    file is stored before the transaction and removed again when the registration is refused.
    """
    form = check_form(form)
    await check_not_registered(form.credit_code)
    if licence is None:
        raise ValidationFailed(MSG_LICENCE, field="image")
    await codes.verify_code(form.phone, code)
    key = await storage.put(licence.data, suffix=licence.suffix)
    try:
        registration = await _register_form(ctx, form, licence, key, channel, openid)
    except BaseException:
        await storage.delete(key)
        raise
    log.info("enterprise %s registered (%s) by %s, waiting for review", registration.enterprise_id,
             channel.value, mask_phone(form.phone))
    return registration


async def _register_form(ctx: ServiceContext, form: RegistrationForm, licence: CheckedImage, key: str,
                         channel: RegistrationChannel, openid: str | None) -> Registration:
    try:
        async with in_transaction() as conn:
            enterprise = await _enterprise_for(conn, form.credit_code, form.enterprise_name,
                                               EnterpriseStatus.PENDING_REVIEW, None)
            person = await _admin_of(conn, enterprise, form.applicant, openid=openid)
            registration = await Registration.create(
                enterprise=enterprise, applicant=person, channel=channel, enterprise_name=form.enterprise_name,
                credit_code=form.credit_code, legal_person=form.legal_person, address=form.address,
                applicant_name=form.name, applicant_phone=form.phone, licence_key=key,
                licence_content_type=licence.content_type, licence_filename=licence.filename,
                licence_size=licence.size, created_at=ctx.now(), using_db=conn)
            await record(ctx, AuditActor.person(person), f"registration.{channel.value}", "registration",
                         registration.id, detail={"enterprise_id": enterprise.id, "credit_code": form.credit_code},
                         conn=conn)
    except IntegrityError:
        raise Conflict(MSG_ALREADY_PENDING, field="credit_code") from None
    return registration


async def _enterprise_for(conn: BaseDBAsyncClient, credit_code: str, name: str, status: EnterpriseStatus,
                          customs_code: str | None) -> Enterprise:
    """A new enterprise (given the library rows that name it), or the rejected one with this credit code taken up
    again (locked, re-checked)."""
    await check_not_registered(credit_code, conn)
    if customs_code and await Enterprise.filter(customs_code=customs_code).exclude(
            credit_code=credit_code).using_db(conn).exists():
        raise Conflict(MSG_CUSTOMS_CODE_TAKEN, field="customs_code")
    rejected = await (Enterprise.filter(credit_code=credit_code, status=EnterpriseStatus.REJECTED)
                      .using_db(conn).select_for_update().first())
    if rejected is None:
        enterprise = await Enterprise.create(name=name, credit_code=credit_code, customs_code=customs_code,
                                             status=status, using_db=conn)
        await link_enterprise(conn, enterprise.id, credit_code)  # the library rows customs uploaded before
        return enterprise
    changed = await (Enterprise.filter(id=rejected.id, status=EnterpriseStatus.REJECTED).using_db(conn)
                     .update(name=name, status=status, customs_code=customs_code or rejected.customs_code))
    if changed != 1:
        raise Conflict(MSG_ALREADY_PENDING, field="credit_code")
    await rejected.refresh_from_db(using_db=conn)
    return rejected


async def _admin_of(conn: BaseDBAsyncClient, enterprise: Enterprise, applicant: Applicant, *,
                    openid: str | None) -> Person:
    """The applicant's person (found by phone: a person may belong to several enterprises) as admin."""
    person = await Person.filter(phone=applicant.phone).using_db(conn).select_for_update().first()
    if person is None:
        person = await Person.create(name=applicant.name, phone=applicant.phone, using_db=conn)
    elif not person.active:
        person.active = True
        await person.save(using_db=conn, update_fields=["active"])
    if openid:
        await _bind_openid(conn, person, openid)
    membership = await Membership.filter(person=person, enterprise=enterprise).using_db(conn).first()
    if membership is None:
        await Membership.create(person=person, enterprise=enterprise, role=MemberRole.ADMIN, using_db=conn)
    else:
        await Membership.filter(id=membership.id).using_db(conn).update(role=MemberRole.ADMIN, active=True)
    return person


async def _bind_openid(conn: BaseDBAsyncClient, person: Person, openid: str) -> None:
    if person.wechat_openid == openid:
        return
    if person.wechat_openid is not None:
        raise Conflict(MSG_PERSON_HAS_OTHER, field="phone")
    if await Person.filter(wechat_openid=openid).using_db(conn).exists():
        raise Conflict(MSG_OPENID_HAS_OTHER, field="phone")
    await Person.filter(id=person.id).using_db(conn).update(wechat_openid=openid)
    person.wechat_openid = openid


async def registration_status(enterprise_id: int, conn: BaseDBAsyncClient | None = None) -> Registration | None:
    """The enterprise's latest registration (its review status and any rejection reason); the caller has
    checked that the reader belongs to the enterprise."""
    return await (Registration.filter(enterprise_id=enterprise_id).using_db(conn)
                  .order_by("-created_at", "-id").first())


async def applicant_membership(registration: Registration, conn: BaseDBAsyncClient | None = None) -> Membership:
    """The applicant's membership in the registered enterprise: what a session starts from after registering."""
    return await Membership.get(person_id=registration.applicant_id, enterprise_id=registration.enterprise_id,
                                using_db=conn)
