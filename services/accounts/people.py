"""The enterprise admin's people: add, edit and remove executives and customs-affairs staff; switch enterprise.

The Nanjing customs' 问题清零工作管理系统操作指引, 三(二): the admin enters an executive's or a staff member's name
and phone, and they can sign in at once (phone + SMS code, or WeChat). A person is one phone number across the
district and may belong to several enterprises; each enterprise's admin manages only the membership in their own
enterprise. Removing a person ends the membership, so their open sessions lose access on their next request
(``handlers.kit.auth.signed_in`` reloads the membership every time). A new executive who has bound WeChat gets a
template message.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.db import connection
from models.enterprises import MemberRole, Membership, Person
from models.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.outbox import OutboxMessage
from services.accounts.labels import MSG_PERSON_NOT_FOUND
from services.accounts.registration import Applicant, check_applicant
from services.desk.audit import AuditActor, record
from services.kit.access import access_membership
from services.kit.actors import PersonActor
from services.kit.context import ServiceContext
from services.notifications.events import Event

MSG_ADMIN_ONLY = "仅企业管理员可以管理企业人员"
MSG_ROLE = "请选择人员类型（企业高管或关务人员）"
MSG_ALREADY_MEMBER = "该手机号已是本企业人员"
MSG_NOT_SELF = "不能修改或移除您自己的管理员账号"
MSG_PHONE_TAKEN = "该手机号已被其他人员使用"
MSG_PHONE_SHARED = "该人员同时属于其他企业，手机号须由本人联系其他企业管理员修改"
MANAGED_ROLES = (MemberRole.EXECUTIVE, MemberRole.STAFF)


def check_role(value: str) -> MemberRole:
    try:
        role = MemberRole(value)
    except ValueError:
        raise ValidationFailed(MSG_ROLE, field="role") from None
    if role not in MANAGED_ROLES:
        raise ValidationFailed(MSG_ROLE, field="role")
    return role


async def access_admin(person_id: int, enterprise_id: int, conn: BaseDBAsyncClient) -> Membership:
    membership = await access_membership(person_id, enterprise_id, conn)
    if membership.role is not MemberRole.ADMIN:
        raise Forbidden(MSG_ADMIN_ONLY)
    return membership


async def list_people(actor: PersonActor, enterprise_id: int) -> list[Membership]:
    """Everyone active in the enterprise (admins first, then executives, then staff); admins only."""
    conn = connection()
    await access_admin(actor.person_id, enterprise_id, conn)
    found = await (Membership.filter(enterprise_id=enterprise_id, active=True, person__active=True)
                   .using_db(conn).select_related("person").order_by("id"))
    order = {MemberRole.ADMIN: 0, MemberRole.EXECUTIVE: 1, MemberRole.STAFF: 2}
    return sorted(found, key=lambda m: (order[m.role], m.id))


async def add_person(ctx: ServiceContext, actor: PersonActor, enterprise_id: int, name: str, phone: str,
                     role: str) -> Membership:
    """Add an executive or a staff member; a phone already known (another enterprise) joins as that person."""
    person_in = check_applicant(Applicant(name, phone))
    chosen = check_role(role)
    try:
        async with in_transaction() as conn:
            admin = await access_admin(actor.person_id, enterprise_id, conn)
            person = await Person.filter(phone=person_in.phone).using_db(conn).first()
            if person is None:
                person = await Person.create(name=person_in.name, phone=person_in.phone, using_db=conn)
            membership = await _join(conn, person, enterprise_id, chosen)
            if chosen is MemberRole.EXECUTIVE and person.wechat_openid:
                await _welcome(ctx, conn, person, membership, admin.enterprise.name)
            await record(ctx, AuditActor.person(admin.person), "people.add", "membership", membership.id,
                         detail={"enterprise_id": enterprise_id, "person_id": person.id, "role": chosen.value},
                         conn=conn)
    except IntegrityError:  # the same phone added twice at once
        raise Conflict(MSG_ALREADY_MEMBER, field="phone") from None
    membership.person = person
    return membership


async def _join(conn: BaseDBAsyncClient, person: Person, enterprise_id: int, role: MemberRole) -> Membership:
    membership = await Membership.filter(person_id=person.id, enterprise_id=enterprise_id).using_db(conn).first()
    if membership is None:
        return await Membership.create(person=person, enterprise_id=enterprise_id, role=role, using_db=conn)
    if membership.active:
        raise Conflict(MSG_ALREADY_MEMBER, field="phone")
    membership.active, membership.role = True, role  # removed before: back again
    await membership.save(using_db=conn, update_fields=["active", "role"])
    if not person.active:
        await Person.filter(id=person.id).using_db(conn).update(active=True)
    return membership


async def _welcome(ctx: ServiceContext, conn: BaseDBAsyncClient, person: Person, membership: Membership,
                   enterprise_name: str) -> None:
    """The template message to a new executive bound in WeChat (the Nanjing customs'
    问题清零工作管理系统操作指引 三(二))."""
    now = ctx.now()
    await OutboxMessage.create(
        event=Event.EXECUTIVE_ADDED.value, person_id=person.id, payload={"enterprise_name": enterprise_name},
        dedupe_key=f"{Event.EXECUTIVE_ADDED.value}:m{membership.id}:{int(now.timestamp())}", next_attempt_at=now,
        created_at=now, using_db=conn)


async def _managed(conn: BaseDBAsyncClient, admin: Membership, enterprise_id: int,
                   membership_id: int) -> Membership:
    membership = await (Membership.filter(id=membership_id, enterprise_id=enterprise_id, active=True)
                        .using_db(conn).select_for_update().first())
    if membership is None:
        raise NotFound(MSG_PERSON_NOT_FOUND)
    if membership.id == admin.id or membership.role not in MANAGED_ROLES:
        raise Forbidden(MSG_NOT_SELF)
    return membership


async def edit_person(ctx: ServiceContext, actor: PersonActor, enterprise_id: int, membership_id: int,
                      name: str, phone: str, role: str) -> Membership:
    """Change an executive's or a staff member's name, phone and role in this enterprise."""
    person_in = check_applicant(Applicant(name, phone))
    chosen = check_role(role)
    try:
        async with in_transaction() as conn:
            admin = await access_admin(actor.person_id, enterprise_id, conn)
            membership = await _managed(conn, admin, enterprise_id, membership_id)
            person = await Person.get(id=membership.person_id, using_db=conn)
            if person_in.phone != person.phone:
                await _check_phone_change(conn, person, person_in.phone, enterprise_id)
            await Person.filter(id=person.id).using_db(conn).update(name=person_in.name, phone=person_in.phone)
            await Membership.filter(id=membership.id).using_db(conn).update(role=chosen)
            await record(ctx, AuditActor.person(admin.person), "people.edit", "membership", membership.id,
                         detail={"enterprise_id": enterprise_id, "person_id": person.id, "role": chosen.value},
                         conn=conn)
    except IntegrityError:
        raise Conflict(MSG_PHONE_TAKEN, field="phone") from None
    return await Membership.get(id=membership_id).select_related("person")


async def _check_phone_change(conn: BaseDBAsyncClient, person: Person, phone: str, enterprise_id: int) -> None:
    if await Person.filter(phone=phone).using_db(conn).exists():
        raise Conflict(MSG_PHONE_TAKEN, field="phone")
    elsewhere = await (Membership.filter(person_id=person.id, active=True).exclude(enterprise_id=enterprise_id)
                       .using_db(conn).exists())
    if elsewhere:
        raise Forbidden(MSG_PHONE_SHARED)


async def remove_person(ctx: ServiceContext, actor: PersonActor, enterprise_id: int, membership_id: int) -> None:
    """End the membership; the person's open sessions in this enterprise stop working at once."""
    async with in_transaction() as conn:
        admin = await access_admin(actor.person_id, enterprise_id, conn)
        membership = await _managed(conn, admin, enterprise_id, membership_id)
        await Membership.filter(id=membership.id, active=True).using_db(conn).update(active=False)
        await record(ctx, AuditActor.person(admin.person), "people.remove", "membership", membership.id,
                     detail={"enterprise_id": enterprise_id, "person_id": membership.person_id}, conn=conn)


async def switch_enterprise(actor: PersonActor, enterprise_id: int) -> Membership:
    """The person's membership in the enterprise to switch to; NotFound when they are not (or no longer) in it."""
    return await access_membership(actor.person_id, enterprise_id, connection())
