"""Customs accounts (海关账号) as a customs admin keeps them, within their office's subtree.

List, create (with the password rules of ``services/accounts/customs_accounts.py``), change name / role / office,
set a new password, unlock after too many wrong passwords, deactivate and reactivate. A deactivated account
cannot sign in, and its open sessions end at once: the admin web reloads the account, active ones only, on
every request. An admin can neither deactivate nor demote themselves (the district must keep an admin).
Every change is audited, never with the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core.db import connection
from models.customs_accounts import CustomsAccount, CustomsRole
from models.errors import ValidationFailed
from models.offices import CustomsOffice
from services.accounts.customs_accounts import check_name, check_username
from services.accounts.passwords import check_password, hash_password
from services.desk.settings_scope import access_account_in_scope, access_admin, access_office_in_scope, audit
from services.kit.access import under_office
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext

MSG_CHOOSE_OFFICE = "请选择所属海关或部门"
MSG_SELF_DEMOTE = "不能降低自己的角色，请由其他系统管理员操作"
MSG_SELF_DEACTIVATE = "不能停用自己的账号，请由其他系统管理员操作"


@dataclass(frozen=True)
class AccountForm:
    name: str
    role: str
    office_id: int | None


@dataclass(frozen=True)
class AccountRow:
    account: CustomsAccount
    locked_until: datetime | None  # set while a lock-out is running


def _role(value: str) -> CustomsRole:
    try:
        return CustomsRole(value)
    except ValueError:
        raise ValidationFailed("请选择角色", field="role") from None


async def _office(admin: CustomsAccount, office_id: int | None, conn: BaseDBAsyncClient) -> CustomsOffice:
    if office_id is None:
        raise ValidationFailed(MSG_CHOOSE_OFFICE, field="office_id")
    office = await access_office_in_scope(admin, office_id, conn)
    if not office.active:
        raise ValidationFailed("该单位已停用，请选择其他单位", field="office_id")
    return office


async def accounts_in_scope(ctx: ServiceContext, actor: CustomsActor) -> list[AccountRow]:
    """Every account of the admin's subtree (active first, then by office and user name)."""
    conn = connection()
    admin = await access_admin(actor.account_id, conn)
    found = await (CustomsAccount.filter(under_office(admin.office, "office")).using_db(conn)
                   .select_related("office").order_by("-active", "office__path", "username"))
    now = ctx.now()
    return [AccountRow(a, a.locked_until if a.locked_until and a.locked_until > now else None) for a in found]


async def account_in_scope(ctx: ServiceContext, actor: CustomsActor, account_id: int) -> AccountRow:
    conn = connection()
    admin = await access_admin(actor.account_id, conn)
    account = await access_account_in_scope(admin, account_id, conn)
    locked = account.locked_until if account.locked_until and account.locked_until > ctx.now() else None
    return AccountRow(account, locked)


async def create_account(ctx: ServiceContext, actor: CustomsActor, username: str, form: AccountForm,
                         password: str) -> CustomsAccount:
    """A new active account at an active office of the admin's scope; the user name must be new."""
    username, name, role = check_username(username), check_name(form.name), _role(form.role)
    check_password(password)
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        office = await _office(admin, form.office_id, conn)
        if await CustomsAccount.filter(username=username).using_db(conn).exists():
            raise ValidationFailed(f"用户名 {username} 已存在，请换一个", field="username")
        account = await CustomsAccount.create(username=username, name=name, office=office, role=role,
                                              password_hash=hash_password(password), using_db=conn)
        await audit(ctx, actor, admin, "customs_account.create", "customs_account", username, conn,
                    role=role.value, office=office.code)
        return account


async def edit_account(ctx: ServiceContext, actor: CustomsActor, account_id: int, form: AccountForm) -> None:
    """New name, role and office; an admin keeps their own admin role."""
    name, role = check_name(form.name), _role(form.role)
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        account = await access_account_in_scope(admin, account_id, conn, for_update=True)
        if account.id == admin.id and role is not CustomsRole.ADMIN:
            raise ValidationFailed(MSG_SELF_DEMOTE, field="role")
        office = await _office(admin, form.office_id, conn)
        before = {"name": account.name, "role": account.role.value, "office": account.office.code}
        after = {"name": name, "role": role.value, "office": office.code}
        changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
        if not changes:
            return
        account.name, account.role, account.office = name, role, office
        await account.save(using_db=conn, update_fields=["name", "role", "office_id"])
        await audit(ctx, actor, admin, "customs_account.update", "customs_account", account.username, conn,
                    **changes)


async def reset_password(ctx: ServiceContext, actor: CustomsActor, account_id: int, password: str) -> None:
    """A new password chosen by the admin (told to the user in person); it also lifts a lock-out."""
    check_password(password)
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        account = await access_account_in_scope(admin, account_id, conn, for_update=True)
        await CustomsAccount.filter(id=account.id).using_db(conn).update(
            password_hash=hash_password(password), failed_logins=0, locked_until=None,
            sessions_valid_after=ctx.now())  # whoever knew the old password is signed out
        await audit(ctx, actor, admin, "customs_account.reset_password", "customs_account", account.username, conn)


async def unlock_account(ctx: ServiceContext, actor: CustomsActor, account_id: int) -> None:
    """Lift a lock-out after too many wrong passwords."""
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        account = await access_account_in_scope(admin, account_id, conn, for_update=True)
        await CustomsAccount.filter(id=account.id).using_db(conn).update(failed_logins=0, locked_until=None)
        await audit(ctx, actor, admin, "customs_account.unlock", "customs_account", account.username, conn)


async def set_account_active(ctx: ServiceContext, actor: CustomsActor, account_id: int, active: bool) -> None:
    """Deactivate (cannot sign in; signed-in pages end at the next request) or reactivate an account."""
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        account = await access_account_in_scope(admin, account_id, conn, for_update=True)
        if account.id == admin.id and not active:
            raise ValidationFailed(MSG_SELF_DEACTIVATE, field="active")
        if account.active == active:
            return
        if active and not account.office.active:
            raise ValidationFailed("该账号所属单位已停用，请先把账号调到在用的单位", field="active")
        await CustomsAccount.filter(id=account.id).using_db(conn).update(
            active=active, sessions_valid_after=account.sessions_valid_after if active else ctx.now())
        action = "activate" if active else "deactivate"
        await audit(ctx, actor, admin, f"customs_account.{action}", "customs_account", account.username, conn)
