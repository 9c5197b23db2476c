"""Passwords of customs accounts and enterprise local accounts: rules, argon2 hashing, lock-out.

Five wrong passwords in a row lock an account for 15 minutes (``failed_logins`` / ``locked_until`` on the
account row; the counter is incremented in SQL so parallel guesses all count). An unknown user name costs the
same hashing time as a known one and gets the same message, so names cannot be probed. Hashing and
verification run off the event loop.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.expressions import F

from models.customs_accounts import CustomsAccount
from models.errors import RateLimited, ValidationFailed
from models.identities import LocalAccount

PASSWORD_MIN = 10
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MSG_WRONG = "用户名或密码错误"
MSG_WRONG_LEFT = "用户名或密码错误，再错 {left} 次账号将锁定 15 分钟"
MSG_LOCKED = "密码错误次数过多，账号已锁定，请 15 分钟后再试"

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("qingling-dummy-password-0")


def check_password(password: str) -> str:
    """A new password: at least 10 characters, letters and digits."""
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed(f"密码至少 {PASSWORD_MIN} 位", field="password")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise ValidationFailed("密码须同时包含字母和数字", field="password")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class PasswordAttempt:
    """What one sign-in attempt came to; ``event`` names it for the audit log."""

    event: str  # sign_in / sign_in_failed / locked
    failures_left: int | None  # None: the user name is unknown

    def refuse_unless_right(self) -> None:
        """Raise the Chinese refusal the person sees, unless the password was right."""
        if self.event == "locked":
            raise RateLimited(MSG_LOCKED, field="password")
        if self.event == "sign_in_failed":
            message = MSG_WRONG if self.failures_left is None else MSG_WRONG_LEFT.format(left=self.failures_left)
            raise ValidationFailed(message, field="password")


async def attempt_password(account: CustomsAccount | LocalAccount | None, password: str,
                           now: datetime) -> PasswordAttempt:
    """Check ``password`` against ``account`` (None: an unknown name) and count a failure; RateLimited while locked."""
    if account is not None and account.locked_until is not None and account.locked_until > now:
        raise RateLimited(MSG_LOCKED, field="password")
    right = await asyncio.to_thread(_verify, account.password_hash if account else _DUMMY, password)
    if account is None:
        return PasswordAttempt("sign_in_failed", None)
    rows = type(account).filter(id=account.id)
    if right:
        await rows.update(failed_logins=0, locked_until=None)
        return PasswordAttempt("sign_in", MAX_FAILURES)
    await rows.update(failed_logins=F("failed_logins") + 1)
    failures = (await type(account).get(id=account.id)).failed_logins
    if failures >= MAX_FAILURES:
        await rows.update(failed_logins=0, locked_until=now + LOCK_FOR)
        return PasswordAttempt("locked", 0)
    return PasswordAttempt("sign_in_failed", MAX_FAILURES - failures)
