"""Local accounts (地方账号) of enterprise people: user name + password, argon2-hashed, with lock-out.

Rules, hashing and lock-out as for customs accounts (``services.accounts.passwords``). Sign-ins, failures and locks
are audited (never the password). User names are kept in lower case and compared so.
"""

from __future__ import annotations

import asyncio
import re

from tortoise.backends.base.client import BaseDBAsyncClient

from models.enterprises import Membership, Person
from models.errors import NotFound, ValidationFailed
from models.identities import LocalAccount
from services.accounts.passwords import attempt_password, check_password, hash_password
from services.accounts.sign_in import first_membership
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext

USERNAME_MAX = 50  # the column of local and customs account names
MSG_USERNAME = f"用户名为 4–{USERNAME_MAX} 位字母、数字或 _ . - @，不区分大小写"
MSG_USERNAME_TAKEN = "用户名 {username} 已被使用，请换一个"
MSG_NEED_BOTH = "请输入用户名和密码"
MSG_NO_ENTERPRISE = "您的账号已停用或已不属于任何企业，请联系企业管理员"
_USERNAME = re.compile(rf"[a-z0-9_.@-]{{4,{USERNAME_MAX}}}")


def check_username(username: str) -> str:
    username = username.strip().lower()
    if not _USERNAME.fullmatch(username):
        raise ValidationFailed(MSG_USERNAME, field="username")
    return username


async def create_local_account(ctx: ServiceContext, conn: BaseDBAsyncClient, person: Person, username: str,
                               password: str) -> LocalAccount:
    """A local account for ``person`` inside the caller's transaction (name and password checked here)."""
    username = check_username(username)
    check_password(password)
    if await LocalAccount.filter(username=username).using_db(conn).exists():
        raise ValidationFailed(MSG_USERNAME_TAKEN.format(username=username), field="username")
    password_hash = await asyncio.to_thread(hash_password, password)
    return await LocalAccount.create(person=person, username=username, password_hash=password_hash,
                                     created_at=ctx.now(), using_db=conn)


async def verify_local_account(ctx: ServiceContext, username: str, password: str, *, ip: str | None) -> LocalAccount:
    """The account (its person loaded) when the password is right; ValidationFailed / RateLimited otherwise."""
    username = username.strip().lower()
    if not username or not password:
        raise ValidationFailed(MSG_NEED_BOTH, field="username" if not username else "password")
    account = await LocalAccount.filter(username=username, person__active=True).select_related("person").first()
    attempt = await attempt_password(account, password, ctx.now())
    if attempt.event != "sign_in":  # a success is audited by the caller that signs in
        who = AuditActor.person(account.person) if account else AuditActor("person", None, username)
        await record(ctx, who, f"local_account.{attempt.event}", "local_account", username, ip=ip)
    attempt.refuse_unless_right()
    assert account is not None  # a right password has an account
    return account


async def sign_in_with_password(ctx: ServiceContext, username: str, password: str, *, ip: str | None) -> Membership:
    """The membership to start in after a right password; NotFound when the person belongs nowhere now."""
    account = await verify_local_account(ctx, username, password, ip=ip)
    membership = await first_membership(account.person_id)
    if membership is None:
        raise NotFound(MSG_NO_ENTERPRISE, field="username")
    await record(ctx, AuditActor.person(account.person), "local_account.sign_in", "local_account",
                 account.username, ip=ip)
    return membership


async def local_account_of(person_id: int) -> LocalAccount | None:
    return await LocalAccount.filter(person_id=person_id).first()
