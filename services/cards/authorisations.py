"""Legal-person authorisation (§5.1 of the Liaoning 单一窗口 manual of 海关进出口商品规范申报企业专属库): a
legal-person card authorises people of its enterprise for card-gated modules; the enterprise admin lists and
revokes. Every grant and revocation is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from models.cards import ModuleAuthorisation
from models.enterprises import MemberRole, Membership
from models.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.cards.certificates import VerifiedCard
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext

MODULES = {"declaration_library": "海关进出口商品规范申报企业专属库"}
MSG_ADMIN_ONLY = "只有企业管理员可以办理法人卡授权"
MSG_OPERATOR_CARD = "操作员卡不能进行授权，请使用法人卡"
MSG_OTHER_ENTERPRISE = "该法人卡不属于当前企业，无法为本企业人员授权"
MSG_MODULE = "请选择要授权的功能模块"
MSG_PEOPLE = "请选择本企业的人员"
MSG_NOT_FOUND = "授权记录不存在"
MSG_ALREADY_REVOKED = "该授权已撤销"


@dataclass(frozen=True)
class AuthorisationRow:
    id: int
    person_id: int
    person_name: str
    module: str
    module_name: str
    legal_person_name: str
    granted_at: datetime


def check_admin(membership: Membership) -> None:
    if membership.role is not MemberRole.ADMIN:
        raise Forbidden(MSG_ADMIN_ONLY)


async def authorise(ctx: ServiceContext, admin: Membership, card: VerifiedCard, module: str,
                    person_ids: list[int], *, ip: str | None = None) -> list[ModuleAuthorisation]:
    """Authorise ``person_ids`` (people of the admin's enterprise) for ``module`` with a verified legal-person
    card of that enterprise; people already authorised are left as they are."""
    check_admin(admin)
    if not card.legal_person:
        raise Forbidden(MSG_OPERATOR_CARD)
    if card.credit_code != admin.enterprise.credit_code:
        raise Forbidden(MSG_OTHER_ENTERPRISE)
    if module not in MODULES:
        raise ValidationFailed(MSG_MODULE, field="module")
    wanted = set(person_ids)
    members = await Membership.filter(enterprise_id=admin.enterprise_id, person_id__in=wanted, active=True)
    if not wanted or len(members) != len(wanted):
        raise ValidationFailed(MSG_PEOPLE, field="person_ids")
    created = []
    async with in_transaction() as conn:
        already = set(await ModuleAuthorisation.filter(
            enterprise_id=admin.enterprise_id, module=module, person_id__in=wanted, revoked_at=None,
        ).using_db(conn).values_list("person_id", flat=True))
        for person_id in sorted(wanted - already):
            row = await ModuleAuthorisation.create(
                enterprise_id=admin.enterprise_id, person_id=person_id, module=module,
                legal_person_name=card.holder_name, card_no=card.card_no, card_fingerprint=card.fingerprint,
                granted_by_id=admin.person_id, granted_at=ctx.now(), using_db=conn)
            await record(ctx, AuditActor.person(admin.person), "card.authorise", "module_authorisation", row.id,
                         detail={"module": module, "person_id": person_id, "enterprise_id": admin.enterprise_id,
                                 "legal_person": card.holder_name, "card_no": card.card_no}, ip=ip, conn=conn)
            created.append(row)
    return created


async def revoke(ctx: ServiceContext, admin: Membership, authorisation_id: int, *, ip: str | None = None) -> None:
    """Revoke one authorisation of the admin's enterprise (compare-and-set: a second revocation conflicts)."""
    check_admin(admin)
    async with in_transaction() as conn:
        row = await ModuleAuthorisation.filter(id=authorisation_id, enterprise_id=admin.enterprise_id).using_db(
            conn).first()
        if row is None:
            raise NotFound(MSG_NOT_FOUND)
        changed = await ModuleAuthorisation.filter(id=row.id, revoked_at=None).using_db(conn).update(
            revoked_at=ctx.now(), revoked_by_id=admin.person_id)
        if changed != 1:
            raise Conflict(MSG_ALREADY_REVOKED)
        await record(ctx, AuditActor.person(admin.person), "card.revoke", "module_authorisation", row.id,
                     detail={"module": row.module, "person_id": row.person_id,
                             "enterprise_id": admin.enterprise_id}, ip=ip, conn=conn)


async def list_authorisations(admin: Membership) -> list[AuthorisationRow]:
    """The enterprise's authorisations in force (admin only)."""
    check_admin(admin)
    rows = await ModuleAuthorisation.filter(enterprise_id=admin.enterprise_id, revoked_at=None).select_related(
        "person").order_by("module", "person_id")
    return [AuthorisationRow(r.id, r.person_id, r.person.name, r.module, MODULES.get(r.module, r.module),
                             r.legal_person_name, r.granted_at) for r in rows]


async def is_authorised(membership: Membership, module: str) -> bool:
    return await ModuleAuthorisation.filter(enterprise_id=membership.enterprise_id, person_id=membership.person_id,
                                            module=module, revoked_at=None).exists()


async def enterprise_people(admin: Membership) -> list[Membership]:
    """The people the admin may authorise: the enterprise's active members."""
    check_admin(admin)
    return await Membership.filter(enterprise_id=admin.enterprise_id, active=True, person__active=True).select_related(
        "person").order_by("role", "person_id")
