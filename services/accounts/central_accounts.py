"""Central single-window accounts (中央标准版) and local people: look-up, quick registration, binding, unlinking.

The Liaoning 单一窗口 问题清零系统 user manual, §2.2: a central account signing in for the first time
either registers a local account (快速注册) or binds an existing one (绑定已有账户); afterwards the central
sign-in goes straight in. One central subject belongs to one person and a person has at most one central
subject (unique constraints).

Quick registration makes the person from the provider's claims — or takes the person already registered
with the same phone number when the provider says the number is verified — and, following 四(二) 9
(加入更多公司) of the 智慧云报关服务平台 系统服务 业务流程指南, joins the enterprise named by the
credit-code claim as customs-affairs staff when that enterprise is registered here and active. An
enterprise that is not registered, still under review, or disabled is never created or joined here: the
person is told what to do instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from adapters.identity_provider import CentralSignIn
from models.enterprises import Enterprise, EnterpriseStatus, MemberRole, Membership, Person
from models.errors import Conflict, NotFound, ValidationFailed
from models.identifiers import is_mobile, mask_phone
from models.identities import CentralLink, LocalAccount
from services.accounts.local_accounts import MSG_NO_ENTERPRISE, create_local_account, verify_local_account
from services.accounts.sign_in import first_membership
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext

MSG_ALREADY_LINKED = "该单一窗口账号已绑定本平台账号，请直接使用单一窗口账号登录"
MSG_ACCOUNT_LINKED_ELSEWHERE = "该地方账号已绑定其他单一窗口账号，请先登录后在“我的账号”中解除绑定"
MSG_NO_PHONE = "单一窗口未提供已验证的手机号，无法快速注册；请使用手机号 + 短信验证码登录，或绑定已有账号"
MSG_PHONE_HAS_ACCOUNT = "手机号 {phone} 已有地方账号，请选择“绑定已有账号”，用该账号的用户名和密码绑定"
MSG_PERSON_OFF = "手机号 {phone} 对应的账号已停用，请联系企业管理员"
MSG_NOT_REGISTERED = ("您的企业（{name}，统一社会信用代码 {code}）尚未在本平台注册。请企业管理员先完成企业注册，"
                      "或请已注册企业的管理员在“企业人员”中添加您（手机号 {phone}）后，再次快速注册。")
MSG_UNDER_REVIEW = "您的企业（{name}）的注册申请正在海关审核中，审核通过后即可快速注册。"
MSG_ENTERPRISE_OFF = "您的企业（{name}）未通过海关审核或已停用，请联系海关。"
MSG_REMOVED = "您已不属于企业（{name}），请联系企业管理员重新添加您。"
MSG_NOT_LINKED = "您的账号未绑定单一窗口账号"


@dataclass(frozen=True)
class CentralProfile:
    """What the provider says about the person (kept between the sign-in and the registration form)."""

    issuer: str
    subject: str
    username: str
    name: str
    phone: str  # "" unless the provider says it is verified
    credit_code: str
    enterprise_name: str

    @classmethod
    def from_sign_in(cls, found: CentralSignIn) -> CentralProfile:
        c = found.claims
        phone = str(c.get("phone_number") or "") if c.get("phone_number_verified") is True else ""
        return cls(found.issuer, found.subject, str(c.get("preferred_username") or "")[:100],
                   str(c.get("name") or "")[:50], phone if is_mobile(phone) else "",
                   str(c.get("enterprise_credit_code") or "").strip().upper(), str(c.get("enterprise_name") or ""))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def linked_membership(profile: CentralProfile) -> Membership | None:
    """The membership a linked central account starts in; None when not linked yet."""
    link = await CentralLink.filter(issuer=profile.issuer, subject=profile.subject, person__active=True).first()
    if link is None:
        return None
    membership = await first_membership(link.person_id)
    if membership is None:
        raise NotFound(MSG_NO_ENTERPRISE)
    return membership


async def register_from_central(ctx: ServiceContext, profile: CentralProfile, username: str, password: str, *,
                                ip: str | None) -> Membership:
    """快速注册: a local account for the central account's person, linked to it; joins the claimed enterprise."""
    try:
        async with in_transaction() as conn:
            await _check_subject_free(conn, profile)
            person = await _person_for(conn, profile)
            account = await create_local_account(ctx, conn, person, username, password)
            await _link(ctx, conn, person, profile, ip)
            await _join_claimed_enterprise(ctx, conn, person, profile, ip, required=True)
            await record(ctx, AuditActor.person(person), "local_account.create", "local_account", account.username,
                         detail={"via": "central"}, ip=ip, conn=conn)
    except IntegrityError:  # a parallel registration took the user name or the subject first
        raise Conflict(MSG_ALREADY_LINKED) from None
    return await _membership_of(person.id)


async def bind_central(ctx: ServiceContext, profile: CentralProfile, username: str, password: str, *,
                       ip: str | None) -> Membership:
    """绑定已有账户: link the central account to the local account whose password is given."""
    account = await verify_local_account(ctx, username, password, ip=ip)
    try:
        async with in_transaction() as conn:
            await _check_subject_free(conn, profile)
            if await CentralLink.filter(person_id=account.person_id).using_db(conn).exists():
                raise Conflict(MSG_ACCOUNT_LINKED_ELSEWHERE, field="username")
            await _link(ctx, conn, account.person, profile, ip)
            await _join_claimed_enterprise(ctx, conn, account.person, profile, ip, required=False)
    except IntegrityError:
        raise Conflict(MSG_ALREADY_LINKED) from None
    return await _membership_of(account.person_id)


async def unlink_central(ctx: ServiceContext, person_id: int, *, ip: str | None) -> None:
    """解除绑定: the central account no longer signs this person in (the local account and SMS still do)."""
    async with in_transaction() as conn:
        link = await CentralLink.filter(person_id=person_id).using_db(conn).select_related("person").first()
        if link is None:
            raise NotFound(MSG_NOT_LINKED)
        await CentralLink.filter(id=link.id).using_db(conn).delete()
        await record(ctx, AuditActor.person(link.person), "central_link.unlink", "person", person_id,
                     detail={"issuer": link.issuer, "subject": link.subject}, ip=ip, conn=conn)


async def central_link_of(person_id: int) -> CentralLink | None:
    return await CentralLink.filter(person_id=person_id).first()


async def _check_subject_free(conn: BaseDBAsyncClient, profile: CentralProfile) -> None:
    if await CentralLink.filter(issuer=profile.issuer, subject=profile.subject).using_db(conn).exists():
        raise Conflict(MSG_ALREADY_LINKED)


async def _person_for(conn: BaseDBAsyncClient, profile: CentralProfile) -> Person:
    """The person with the verified phone number, or a new one from the claims."""
    if not profile.phone:
        raise ValidationFailed(MSG_NO_PHONE)
    person = await Person.filter(phone=profile.phone).using_db(conn).first()
    if person is None:
        return await Person.create(name=profile.name or profile.username or "未命名", phone=profile.phone,
                                   using_db=conn)
    if not person.active:
        raise ValidationFailed(MSG_PERSON_OFF.format(phone=mask_phone(person.phone)))
    if await LocalAccount.filter(person_id=person.id).using_db(conn).exists():
        raise ValidationFailed(MSG_PHONE_HAS_ACCOUNT.format(phone=mask_phone(person.phone)), field="username")
    if await CentralLink.filter(person_id=person.id).using_db(conn).exists():
        raise Conflict(MSG_ACCOUNT_LINKED_ELSEWHERE)
    return person


async def _link(ctx: ServiceContext, conn: BaseDBAsyncClient, person: Person, profile: CentralProfile,
                ip: str | None) -> None:
    await CentralLink.create(person=person, issuer=profile.issuer, subject=profile.subject,
                             username=profile.username, created_at=ctx.now(), using_db=conn)
    await record(ctx, AuditActor.person(person), "central_link.link", "person", person.id,
                 detail={"issuer": profile.issuer, "subject": profile.subject, "username": profile.username},
                 ip=ip, conn=conn)


async def _join_claimed_enterprise(ctx: ServiceContext, conn: BaseDBAsyncClient, person: Person,
                                   profile: CentralProfile, ip: str | None, *, required: bool) -> None:
    """Join the credit-code claim's enterprise as staff when it is active; with ``required``, the person must
    end up with an active membership somewhere, else the reason is raised (and the transaction undone)."""
    enterprise = await Enterprise.filter(credit_code=profile.credit_code).using_db(conn).first()
    if enterprise is not None and enterprise.status is EnterpriseStatus.ACTIVE:
        existing = await Membership.filter(person_id=person.id, enterprise_id=enterprise.id).using_db(conn).first()
        if existing is None:
            await Membership.create(person=person, enterprise=enterprise, role=MemberRole.STAFF, using_db=conn)
            await record(ctx, AuditActor.person(person), "membership.join", "enterprise", enterprise.id,
                         detail={"role": MemberRole.STAFF.value, "via": "central"}, ip=ip, conn=conn)
    if not required or await _has_active_membership(conn, person.id):
        return
    name = profile.enterprise_name or (enterprise.name if enterprise else "") or "未知企业"
    if enterprise is None:
        raise ValidationFailed(MSG_NOT_REGISTERED.format(name=name, code=profile.credit_code or "未提供",
                                                         phone=mask_phone(profile.phone)),
                               field="enterprise")
    if enterprise.status is EnterpriseStatus.PENDING_REVIEW:
        raise ValidationFailed(MSG_UNDER_REVIEW.format(name=enterprise.name), field="enterprise")
    if enterprise.status is EnterpriseStatus.ACTIVE:
        raise ValidationFailed(MSG_REMOVED.format(name=enterprise.name), field="enterprise")
    raise ValidationFailed(MSG_ENTERPRISE_OFF.format(name=enterprise.name), field="enterprise")


async def _has_active_membership(conn: BaseDBAsyncClient, person_id: int) -> bool:
    return await (Membership.filter(person_id=person_id, active=True)
                  .exclude(enterprise__status=EnterpriseStatus.DISABLED).using_db(conn).exists())


async def _membership_of(person_id: int) -> Membership:
    membership = await first_membership(person_id)
    if membership is None:
        raise NotFound(MSG_NO_ENTERPRISE)
    return membership
