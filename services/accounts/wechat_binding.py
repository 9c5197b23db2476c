"""Binding a WeChat openid to an enterprise person (phone + SMS code), unbinding, and mini-program sign-in.

One openid, one person: a person has at most one openid (``Person.wechat_openid``, unique) and binding
never moves an openid or replaces one silently — the old binding must be removed first. Every change is
one transaction with its audit entry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from adapters.wechat_api import WechatApiError
from models.enterprises import Person
from models.errors import NotFound, ServiceUnavailable, ValidationFailed
from models.identifiers import mask_phone
from services.accounts.openids import clear_openid, set_openid
from services.accounts.sign_in import MSG_NOT_REGISTERED
from services.accounts.sms_codes import SmsCodes
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext

log = logging.getLogger("qingling.wechat_binding")

MSG_PERSON_HAS_OTHER = "该手机号已绑定其他微信，请先在原微信中解除绑定"
MSG_OPENID_HAS_OTHER = "该微信已绑定其他手机号，请先解除绑定"
MSG_NO_PERSON = "用户不存在"
MSG_BIND_FIRST = "请先绑定手机号"
MSG_LOGIN_CODE_INVALID = "登录凭证无效或已过期，请重新进入小程序"
MSG_LOGIN_CODE_USED = "登录凭证已使用，请重新进入小程序"
MSG_WECHAT_DOWN = "微信服务暂时不可用，请稍后再试"
MSG_MINIPROGRAM_OFF = "本系统未开通小程序登录"


class SessionExchanger(Protocol):
    """The part of ``adapters.wechat_api.WechatApi`` mini-program sign-in uses."""

    async def jscode2session(self, js_code: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class MiniProgramSignIn:
    """Who a mini-program user is: ``person`` when the openid is bound, else ``message`` asks to bind."""

    openid: str
    person: Person | None

    @property
    def needs_binding(self) -> bool:
        return self.person is None

    @property
    def message(self) -> str | None:
        return MSG_BIND_FIRST if self.person is None else None


async def bind_openid(ctx: ServiceContext, codes: SmsCodes, phone: str, code: str, openid: str) -> Person:
    """Bind ``openid`` to the active person with ``phone`` (and an active membership) after the SMS code.

    The code is checked (and used up) first. Binding the same pair again is a no-op. Raises NotFound for an
    unknown phone, Conflict when either side is already bound elsewhere.
    """
    if not openid:
        raise ValidationFailed("缺少微信身份，请从公众号重新进入", field="openid")
    await codes.verify_code(phone, code)
    person = await (Person.filter(phone=phone, active=True, memberships__active=True).distinct().first())
    if person is None:
        raise NotFound(MSG_NOT_REGISTERED, field="phone")
    return await _bind(ctx, person.id, openid, via="sms")


async def bind_scanned(ctx: ServiceContext, person_id: int, openid: str) -> Person:
    """Bind the openid that scanned a binding QR code to the signed-in person who showed it."""
    return await _bind(ctx, person_id, openid, via="qrcode")


async def _bind(ctx: ServiceContext, person_id: int, openid: str, *, via: str) -> Person:
    async with in_transaction() as conn:
        person = await Person.filter(id=person_id, active=True).using_db(conn).first()
        if person is None:
            raise NotFound(MSG_NO_PERSON)
        if not await set_openid(conn, person, openid, holder_taken=MSG_PERSON_HAS_OTHER,
                                openid_taken=MSG_OPENID_HAS_OTHER, field="phone"):
            return person
        await _audit(ctx, conn, person, "wechat.bind", openid, via=via)
    person.wechat_openid = openid
    log.info("openid bound to person %s (%s) via %s", person.id, mask_phone(person.phone), via)
    return person


async def unbind_openid(ctx: ServiceContext, person_id: int) -> bool:
    """Remove the person's openid; False when there was none. NotFound for an unknown person."""
    async with in_transaction() as conn:
        person = await Person.filter(id=person_id).using_db(conn).first()
        if person is None:
            raise NotFound(MSG_NO_PERSON)
        old = await clear_openid(conn, person)
        if old is None:
            return False
        await _audit(ctx, conn, person, "wechat.unbind", old)
    log.info("openid unbound from person %s", person_id)
    return True


async def person_for_openid(openid: str) -> Person | None:
    """The active person bound to ``openid``, if any."""
    if not openid:
        return None
    return await Person.filter(wechat_openid=openid, active=True).first()


async def miniprogram_sign_in(api: SessionExchanger, code: str, *, enabled: bool = True) -> MiniProgramSignIn:
    """Exchange a ``wx.login`` code for the openid and the person bound to it (if any).

    ``enabled`` is false where no mini-program is configured: the sign-in is then not there at all (404)."""
    if not enabled:
        raise NotFound(MSG_MINIPROGRAM_OFF)
    if not code:
        raise ValidationFailed(MSG_LOGIN_CODE_INVALID, field="code")
    try:
        session = await api.jscode2session(code)
    except WechatApiError as error:
        if error.errcode == 40029:
            raise ValidationFailed(MSG_LOGIN_CODE_INVALID, field="code") from None
        if error.errcode == 40163:
            raise ValidationFailed(MSG_LOGIN_CODE_USED, field="code") from None
        log.warning("jscode2session failed: %s", error)
        raise ServiceUnavailable(MSG_WECHAT_DOWN) from None
    openid = str(session["openid"])
    return MiniProgramSignIn(openid, await person_for_openid(openid))


async def _audit(ctx: ServiceContext, conn: Any, person: Person, action: str, openid: str, via: str = "") -> None:
    detail = {"openid": openid, **({"via": via} if via else {})}
    await record(ctx, AuditActor.person(person), action, "person", person.id, detail=detail, conn=conn)
