"""Binding a customs account's WeChat (for the new-question template message), and unbinding it.

The signed-in account shows a temporary QR code (services/accounts/qr_binding.py, customs scene kind); the openid that
scans it is bound to that account (``CustomsAccount.wechat_openid``, unique among customs accounts). An account
has at most one openid, and binding never replaces one silently. Each change is audited with the account.
"""

from __future__ import annotations

import logging

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.customs_accounts import CustomsAccount
from models.errors import Conflict, NotFound
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext

log = logging.getLogger("qingling.customs_wechat")

MSG_NO_ACCOUNT = "海关账号不存在或已停用"
MSG_ACCOUNT_HAS_OTHER = "该海关账号已绑定其他微信，请先在工作台解除绑定"
MSG_OPENID_HAS_OTHER = "该微信已绑定其他海关账号，请先在原账号中解除绑定"


async def bind_customs_scanned(ctx: ServiceContext, account_id: int, openid: str) -> CustomsAccount:
    """Bind the openid that scanned the account's QR code; the same pair again is a no-op."""
    async with in_transaction() as conn:
        account = await CustomsAccount.filter(id=account_id, active=True).using_db(conn).first()
        if account is None:
            raise NotFound(MSG_NO_ACCOUNT)
        if account.wechat_openid == openid:
            return account
        if account.wechat_openid is not None:
            raise Conflict(MSG_ACCOUNT_HAS_OTHER)
        if await CustomsAccount.filter(wechat_openid=openid).using_db(conn).exists():
            raise Conflict(MSG_OPENID_HAS_OTHER)
        try:
            changed = await (CustomsAccount.filter(id=account_id, wechat_openid__isnull=True).using_db(conn)
                             .update(wechat_openid=openid))
        except IntegrityError:  # bound to another account meanwhile
            raise Conflict(MSG_OPENID_HAS_OTHER) from None
        if changed != 1:
            raise Conflict(MSG_ACCOUNT_HAS_OTHER)
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
            raise NotFound(MSG_NO_ACCOUNT)
        old = account.wechat_openid
        if old is None:
            return False
        changed = await (CustomsAccount.filter(id=account_id, wechat_openid=old).using_db(conn)
                         .update(wechat_openid=None))
        if changed != 1:
            raise Conflict("绑定状态已变化，请刷新后重试")
        await record(ctx, AuditActor.customs(account), "customs_account.wechat_unbind", "customs_account",
                     account.username, detail={"openid": old}, ip=ip, conn=conn)
    log.info("openid unbound from customs account %s", account_id)
    return True
