"""Customs accounts signing in with a password: argon2 verification, lock-out after repeated failures.

Five wrong passwords in a row lock the account for 15 minutes (``failed_logins`` / ``locked_until`` on the
account row, changed with compare-and-set so parallel guesses are all counted). An unknown user name costs
the same hashing time as a known one and gets the same message, so names cannot be probed. Every success,
failure and lock is in the audit log (without the password).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.expressions import F

from core.errors import RateLimited, ValidationFailed
from models.customs_accounts import CustomsAccount
from services.audit import AuditActor, record
from services.context import ServiceContext

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MSG_WRONG = "用户名或密码错误"
MSG_WRONG_LEFT = "用户名或密码错误，再错 {left} 次账号将锁定 15 分钟"
MSG_LOCKED = "密码错误次数过多，账号已锁定，请 15 分钟后再试"
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("qingling-dummy-password-0")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def sign_in_customs(ctx: ServiceContext, username: str, password: str, *, ip: str | None) -> CustomsAccount:
    """The active account when the password is right; ValidationFailed / RateLimited (locked) otherwise."""
    username = username.strip()
    if not username or not password:
        raise ValidationFailed("请输入用户名和密码", field="username" if not username else "password")
    account = await CustomsAccount.filter(username=username, active=True).select_related("office").first()
    now = ctx.now()
    if account is not None and account.locked_until is not None and account.locked_until > now:
        raise RateLimited(MSG_LOCKED, field="password")
    ok = await asyncio.to_thread(_verify, account.password_hash if account else _DUMMY, password)
    if account is None:
        await _audit(ctx, "customs.sign_in_failed", username, ip)
        raise ValidationFailed(MSG_WRONG, field="password")
    if ok:
        await CustomsAccount.filter(id=account.id).update(failed_logins=0, locked_until=None)
        await _audit(ctx, "customs.sign_in", username, ip, account)
        return account
    await CustomsAccount.filter(id=account.id).update(failed_logins=F("failed_logins") + 1)
    failures = (await CustomsAccount.get(id=account.id)).failed_logins
    if failures >= MAX_FAILURES:
        await CustomsAccount.filter(id=account.id).update(failed_logins=0, locked_until=now + LOCK_FOR)
        await _audit(ctx, "customs.locked", username, ip, account)
        raise RateLimited(MSG_LOCKED, field="password")
    await _audit(ctx, "customs.sign_in_failed", username, ip, account)
    raise ValidationFailed(MSG_WRONG_LEFT.format(left=MAX_FAILURES - failures), field="password")


async def _audit(ctx: ServiceContext, action: str, username: str, ip: str | None,
                 account: CustomsAccount | None = None) -> None:
    who = AuditActor.customs(account) if account else AuditActor("customs", None, username)
    await record(ctx, who, action, "customs_account", username, ip=ip)
