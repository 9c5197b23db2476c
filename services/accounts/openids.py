"""One openid per holder, set and cleared by compare-and-set: the rule for enterprise persons and customs accounts.

A holder has at most one openid and an openid at most one holder of its kind (a unique column); binding never
moves an openid nor replaces one silently. Both run inside the caller's transaction, which writes the audit.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from models.customs_accounts import CustomsAccount
from models.enterprises import Person
from models.errors import Conflict

MSG_BINDING_CHANGED = "绑定状态已变化，请刷新后重试"

Holder = Person | CustomsAccount


async def set_openid(conn: BaseDBAsyncClient, holder: Holder, openid: str, *, holder_taken: str, openid_taken: str,
                     field: str | None = None) -> bool:
    """Bind ``openid`` to ``holder``; False when it already is. Conflict when either side is bound elsewhere:
    ``holder_taken`` (with ``field``) when the holder has another openid, ``openid_taken`` when the openid
    belongs to another holder."""
    if holder.wechat_openid == openid:
        return False
    if holder.wechat_openid is not None:
        raise Conflict(holder_taken, field=field)
    kind = type(holder)
    if await kind.filter(wechat_openid=openid).using_db(conn).exists():
        raise Conflict(openid_taken)
    try:
        changed = await kind.filter(id=holder.id, wechat_openid__isnull=True).using_db(conn).update(
            wechat_openid=openid)
    except IntegrityError:  # the openid was bound to another holder meanwhile
        raise Conflict(openid_taken) from None
    if changed != 1:
        raise Conflict(holder_taken, field=field)
    return True


async def clear_openid(conn: BaseDBAsyncClient, holder: Holder) -> str | None:
    """Remove the holder's openid; the old one, or None when there was none."""
    old = holder.wechat_openid
    if old is None:
        return None
    if await type(holder).filter(id=holder.id, wechat_openid=old).using_db(conn).update(wechat_openid=None) != 1:
        raise Conflict(MSG_BINDING_CHANGED)
    return old
