"""Card sign-in, binding a card to a person, and registering an enterprise with its card.

Who a card signs in as: the person the card is bound to (``CardBinding``, by the certificate's SHA-256),
in the enterprise named by the certificate's credit code, which must be ACTIVE. A card is bound when the
enterprise registers with it (its applicant, the new admin) or when a signed-in person of that enterprise
binds it ("绑定卡介质"). An unbound card signs nobody in.
"""

from __future__ import annotations

import logging

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.cards import CardBinding
from models.enterprises import Enterprise, EnterpriseStatus, Membership
from models.errors import Conflict, Forbidden
from models.identifiers import mask_phone
from services.accounts.registration import (
    Applicant,
    CardEnterprise,
    check_applicant,
    check_credit_code,
    check_not_registered,
    register_with_card,
)
from services.accounts.sms_codes import SmsCodes
from services.cards.certificates import VerifiedCard
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext

log = logging.getLogger("qingling.cards")
MSG_NOT_REGISTERED = "该卡所属企业尚未在本系统注册（或未通过审核），请先使用该卡注册"
MSG_NOT_BOUND = "该卡尚未绑定本系统账号：请先用手机验证码登录，在“卡介质”页面绑定该卡"
MSG_ACCOUNT_OFF = "该卡绑定的账号已停用或已不属于该企业，请联系企业管理员"
MSG_OTHER_ENTERPRISE = "该卡不属于您当前登录的企业"
MSG_BOUND_TO_OTHER = "该卡已绑定本企业的其他人员，请由该人员使用"


async def login_with_card(card: VerifiedCard) -> Membership:
    """The membership the verified card signs in as; Forbidden with the reason otherwise."""
    enterprise = await Enterprise.filter(credit_code=card.credit_code).first()
    if enterprise is None or enterprise.status is not EnterpriseStatus.ACTIVE:
        raise Forbidden(MSG_NOT_REGISTERED)
    binding = await CardBinding.filter(fingerprint=card.fingerprint, enterprise_id=enterprise.id).first()
    if binding is None:
        raise Forbidden(MSG_NOT_BOUND)
    membership = await Membership.filter(person_id=binding.person_id, enterprise_id=enterprise.id, active=True,
                                         person__active=True).select_related("person", "enterprise").first()
    if membership is None:
        raise Forbidden(MSG_ACCOUNT_OFF)
    log.info("card %s signed in person %s", card.card_no, membership.person_id)
    return membership


async def bind_card(ctx: ServiceContext, membership: Membership, card: VerifiedCard, *,
                    ip: str | None = None) -> CardBinding:
    """Bind ``card`` to the signed-in person; the card must be of the person's enterprise and not bound to
    someone else. Binding it again is a no-op."""
    if card.credit_code != membership.enterprise.credit_code:
        raise Forbidden(MSG_OTHER_ENTERPRISE)
    async with in_transaction() as conn:
        found = await CardBinding.filter(fingerprint=card.fingerprint).using_db(conn).first()
        if found is not None:
            if found.person_id != membership.person_id or found.enterprise_id != membership.enterprise_id:
                raise Conflict(MSG_BOUND_TO_OTHER)
            return found
        try:
            binding = await CardBinding.create(
                enterprise_id=membership.enterprise_id, person_id=membership.person_id, fingerprint=card.fingerprint,
                card_no=card.card_no, holder_name=card.holder_name, card_type=card.card_type,
                created_at=ctx.now(), using_db=conn)
        except IntegrityError:
            raise Conflict(MSG_BOUND_TO_OTHER) from None
        await record(ctx, AuditActor.person(membership.person), "card.bind", "card_binding", binding.id,
                     detail={"card_no": card.card_no, "card_type": card.card_type.value,
                             "holder_name": card.holder_name}, ip=ip, conn=conn)
    return binding


async def card_registrable(credit_code: str) -> str:
    """Why the enterprise of a card just read cannot register ("" when it can). The page asks before it lets the
    applicant spend an SMS code; ``register_by_card`` applies the same check again."""
    try:
        await check_not_registered(check_credit_code(credit_code))
    except Conflict as refusal:
        return refusal.message
    return ""


async def register_by_card(ctx: ServiceContext, card: VerifiedCard, applicant: Applicant, *, codes: SmsCodes,
                           code: str, ip: str | None = None) -> Membership:
    """Register the card's enterprise (active at once: the Nanjing customs'
    问题清零工作管理系统操作指引 三(一)1) with ``applicant`` as admin, after
    checking the applicant's SMS code; the card is bound to the new admin for card sign-in."""
    applicant = check_applicant(applicant)
    await check_not_registered(check_credit_code(card.credit_code))
    await codes.verify_code(applicant.phone, code)
    enterprise = await register_with_card(ctx, CardEnterprise(
        credit_code=card.credit_code, customs_code=card.customs_code, enterprise_name=card.enterprise_name,
        holder_name=card.holder_name, legal_person_card=card.legal_person), applicant)
    membership = await Membership.filter(enterprise_id=enterprise.id, person__phone=applicant.phone).select_related(
        "person", "enterprise").get()
    await bind_card(ctx, membership, card, ip=ip)
    log.info("enterprise %s registered by card %s for %s", enterprise.id, card.card_no, mask_phone(applicant.phone))
    return membership
