"""Binding a customs account's WeChat (for the new-question template message), and unbinding it.

The signed-in account shows a temporary QR code (services/accounts/qr_binding.py, customs scene kind); the openid that
scans it is bound to that account (``CustomsAccount.wechat_openid``, unique among customs accounts). An account
has at most one openid, and binding never replaces one silently. Each change is audited with the account.
"""

from __future__ import annotations

import logging

from tortoise.transactions import in_transaction

from models.customs_accounts import CustomsAccount
from models.errors import NotFound
from services.accounts.openids import clear_openid, set_openid
from services.desk.audit import AuditActor, record
from services.kit.access import MSG_NO_CUSTOMS_ACCOUNT
from services.kit.context import ServiceContext

log = logging.getLogger("qingling.customs_wechat")

MSG_ACCOUNT_HAS_OTHER = "该海关账号已绑定其他微信，请先在工作台解除绑定"
MSG_OPENID_HAS_OTHER = "该微信已绑定其他海关账号，请先在原账号中解除绑定"


async def bind_customs_scanned(ctx: ServiceContext, account_id: int, openid: str) -> CustomsAccount:
    """Bind the openid that scanned the account's QR code; the same pair again is a no-op."""
    async with in_transaction() as conn:
        account = await CustomsAccount.filter(id=account_id, active=True).using_db(conn).first()
        if account is None:
            raise NotFound(MSG_NO_CUSTOMS_ACCOUNT)
        if not await set_openid(conn, account, openid, holder_taken=MSG_ACCOUNT_HAS_OTHER,
                                openid_taken=MSG_OPENID_HAS_OTHER):
            return account
        await record(ctx, AuditActor.customs(account), "customs_account.wechat_bind", "customs_account",
                     account.username, detail={"openid": openid}, conn=conn)
    account.wechat_openid = openid
    log.info("openid bound to customs account %s", account_id)
    return account


async def unbind_customs_openid(ctx: ServiceContext, account_id: int, ip: str | None = None) -> bool:
    """Remove the account's openid; False when there was none."""
    async with in_transaction() as conn:
        account = await CustomsAccount.filter(id=account_id).using_db(conn).first()
        if account is None:
            raise NotFound(MSG_NO_CUSTOMS_ACCOUNT)
        old = await clear_openid(conn, account)
        if old is None:
            return False
        await record(ctx, AuditActor.customs(account), "customs_account.wechat_unbind", "customs_account",
                     account.username, detail={"openid": old}, ip=ip, conn=conn)
    log.info("openid unbound from customs account %s", account_id)
    return True
