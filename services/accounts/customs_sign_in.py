"""Customs accounts signing in with a password (rules and lock-out in ``services.accounts.passwords``).

Every success, failure and lock is in the audit log (without the password).
"""

from __future__ import annotations

from models.customs_accounts import CustomsAccount
from models.errors import ValidationFailed
from services.accounts.local_accounts import MSG_NEED_BOTH
from services.accounts.passwords import attempt_password
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext


async def sign_in_customs(ctx: ServiceContext, username: str, password: str, *, ip: str | None) -> CustomsAccount:
    """The active account when the password is right; ValidationFailed / RateLimited (locked) otherwise."""
    username = username.strip()
    if not username or not password:
        raise ValidationFailed(MSG_NEED_BOTH, field="username" if not username else "password")
    account = await CustomsAccount.filter(username=username, active=True).select_related("office").first()
    attempt = await attempt_password(account, password, ctx.now())
    await _audit(ctx, f"customs.{attempt.event}", username, ip, account)
    attempt.refuse_unless_right()
    assert account is not None  # a right password has an account
    return account


async def _audit(ctx: ServiceContext, action: str, username: str, ip: str | None,
                 account: CustomsAccount | None = None) -> None:
    who = AuditActor.customs(account) if account else AuditActor("customs", None, username)
    await record(ctx, who, action, "customs_account", username, ip=ip)
