"""账号安全: the phone number (changed only with an SMS code sent to the new number), the WeChat binding, the
bound IC cards, and the password of the person's local account (地方账号).

The SMS codes are the sign-in's (``services.accounts.sms_codes``): a code proves the number is the person's, and
a number another person uses is refused before a code is sent and again, under the row's unique index, when it
is changed. A password is changed with the current one (wrong tries count towards the account's lock-out, as at
sign-in); a person without a local account creates one here with a user name. Every change is audited.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.db import connection
from models.cards import CardBinding
from models.enterprises import Person
from models.errors import Conflict, RateLimited, ValidationFailed
from models.identifiers import is_mobile, mask_phone
from models.identities import LocalAccount
from services.accounts.local_accounts import create_local_account
from services.accounts.passwords import attempt_password, check_password, hash_password
from services.accounts.people import MSG_PHONE_TAKEN
from services.accounts.sms_codes import MSG_BAD_PHONE, SmsCodes
from services.desk.audit import record
from services.kit.context import ServiceContext
from services.personal.labels import (
    MSG_CURRENT_PASSWORD,
    MSG_NEW_PHONE_SAME,
    MSG_NO_LOCAL_ACCOUNT,
    MSG_PASSWORD_SAME,
)
from services.workspace.roles import Member


@dataclass(frozen=True)
class Security:
    phone: str
    wechat_bound: bool
    cards: list[CardBinding]
    username: str | None  # the local account's, None without one


async def security_of(member: Member) -> Security:
    person_id = member.membership.person_id
    person = await Person.filter(id=person_id).using_db(connection()).get()
    cards = await CardBinding.filter(person_id=person_id, enterprise_id=member.enterprise_id).using_db(
        connection()).order_by("id")
    account = await LocalAccount.filter(person_id=person_id).using_db(connection()).first()
    return Security(person.phone, bool(person.wechat_openid), cards, account.username if account else None)


async def _check_new_phone(person_id: int, phone: str) -> str:
    phone = phone.strip()
    if not is_mobile(phone):
        raise ValidationFailed(MSG_BAD_PHONE, field="phone")
    found = await Person.filter(phone=phone).using_db(connection()).first()
    if found is not None:
        raise (ValidationFailed(MSG_NEW_PHONE_SAME, field="phone") if found.id == person_id
               else Conflict(MSG_PHONE_TAKEN, field="phone"))
    return phone


async def send_phone_code(codes: SmsCodes, member: Member, phone: str, *, ip: str | None) -> None:
    """Send a code to the new number, unless it is the person's already or another person's."""
    await codes.issue_code(await _check_new_phone(member.membership.person_id, phone), ip=ip)


async def change_phone(ctx: ServiceContext, codes: SmsCodes, member: Member, phone: str, code: str) -> None:
    """Move the person to the new number once its code is right (the code is used up only then)."""
    person_id = member.membership.person_id
    phone = await _check_new_phone(person_id, phone)
    await codes.verify_code(phone, code)
    try:
        async with in_transaction() as conn:
            person = await Person.filter(id=person_id).using_db(conn).select_for_update().get()
            await Person.filter(id=person_id).using_db(conn).update(phone=phone)
            await record(ctx, member.audit_actor(), "personal.phone", "person", person_id,
                         detail={"before": mask_phone(person.phone), "after": mask_phone(phone)}, conn=conn)
    except IntegrityError:  # taken between the check and the change
        raise Conflict(MSG_PHONE_TAKEN, field="phone") from None


async def set_password(ctx: ServiceContext, member: Member, *, current: str, username: str, password: str) -> str:
    """The password form: change the local account's password, or open a local account when there is none.
    Answers what was done ("password" / "local_account")."""
    if await LocalAccount.filter(person_id=member.membership.person_id).using_db(connection()).exists():
        await _change_password(ctx, member, current, password)
        return "password"
    await _create_password(ctx, member, username, password)
    return "local_account"


async def _change_password(ctx: ServiceContext, member: Member, current: str, new: str) -> None:
    """A new password for the local account, proven by the current one."""
    account = await LocalAccount.filter(person_id=member.membership.person_id).using_db(connection()).first()
    if account is None:
        raise ValidationFailed(MSG_NO_LOCAL_ACCOUNT, field="current_password")
    errors: dict[str, str] = {}
    if not current:
        errors["current_password"] = MSG_CURRENT_PASSWORD
    try:
        check_password(new)
        if new == current:
            errors["password"] = MSG_PASSWORD_SAME
    except ValidationFailed as error:
        errors["password"] = error.message
    if errors:
        raise ValidationFailed.of(errors)
    try:  # the current password's refusals (wrong, locked) belong beside it
        (await attempt_password(account, current, ctx.now())).refuse_unless_right()
    except (ValidationFailed, RateLimited) as error:
        raise type(error)(error.message, field="current_password") from None
    password_hash = await asyncio.to_thread(hash_password, new)
    async with in_transaction() as conn:
        await LocalAccount.filter(id=account.id).using_db(conn).update(password_hash=password_hash)
        await record(ctx, member.audit_actor(), "personal.password", "local_account", account.username, conn=conn)


async def _create_password(ctx: ServiceContext, member: Member, username: str, password: str) -> None:
    """A local account (user name + password) for a person who signs in by SMS, WeChat or card only."""
    async with in_transaction() as conn:
        person = await Person.filter(id=member.membership.person_id).using_db(conn).get()
        account = await create_local_account(ctx, conn, person, username, password)
        await record(ctx, member.audit_actor(), "personal.local_account", "local_account", account.username,
                     conn=conn)
