"""One-time SMS codes for sign-in and WeChat binding: issue with send limits, verify with a try limit.

Only an HMAC-SHA256 of the code (keyed with ``security.secret_key``) is kept, in the shared cache, for
``code_ttl`` seconds. Sending is limited per phone (1/min, 5/hour, 10/day by default) and per client IP;
counters are fixed windows in the cache, taken with ``incr`` and given back when a later limit refuses, so
a refused request does not use up the caller's allowance. A code dies after ``max_tries`` wrong tries (each
try is counted before the comparison, so parallel guesses get no more) and is single use: a success claims
it with ``cache.add`` (two concurrent checks cannot both pass).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import NoReturn

from core.cache import Cache
from core.config import SmsSettings
from models.errors import RateLimited, ServiceUnavailable, ValidationFailed
from models.identifiers import is_mobile, mask_phone
from services.notifications.sms import VERIFY_CODE, SmsFailed, SmsSender
from templates_msg.sms_templates import sms_message

log = logging.getLogger("qingling.sms_codes")

MSG_BAD_PHONE = "请输入正确的 11 位手机号"
MSG_CODE_SENT = "验证码已发送，5 分钟内有效"  # the default code_ttl
MSG_BAD_CODE = "请输入 6 位数字验证码"
MSG_EXPIRED = "验证码已过期，请重新获取"
MSG_TOO_MANY_TRIES = "验证码错误次数过多，请重新获取"
MSG_WRONG = "验证码错误，还可以再试 {left} 次"
MSG_SEND_FAILED = "短信发送失败，请稍后再试"
MSG_SMS_MISCONFIGURED = "短信服务暂时无法使用，已通知系统管理员处理，请稍后再试"
MSG_NETWORK_LIMIT = "当前网络获取验证码过于频繁，请稍后再试"
MSG_NUMBER_REFUSED = "该手机号无法接收短信，请核对后重试"


@dataclass(frozen=True)
class Limit:
    scope: str  # "phone" or "ip"
    window: float  # seconds
    count: int
    message: str


@dataclass(frozen=True)
class SmsCodePolicy:
    code_ttl: float = 300
    max_tries: int = 5
    limits: tuple[Limit, ...] = (
        Limit("phone", 60, 1, "验证码发送过于频繁，请 60 秒后再试"),
        Limit("phone", 3600, 5, "验证码发送次数过多，请 1 小时后再试"),
        Limit("phone", 86400, 10, "该手机号今日获取验证码次数已达上限，请明天再试"),
        Limit("ip", 3600, 20, MSG_NETWORK_LIMIT),
    )


def policy_from(settings: SmsSettings) -> SmsCodePolicy:
    """The configured expiry, try limit and per-IP limit; the per-phone limits are Alibaba Cloud's defaults."""
    per_ip = Limit("ip", 3600, settings.codes_per_ip_per_hour, MSG_NETWORK_LIMIT)
    phone_limits = tuple(limit for limit in SmsCodePolicy().limits if limit.scope == "phone")
    return SmsCodePolicy(code_ttl=settings.code_ttl_seconds, max_tries=settings.code_max_tries,
                         limits=(*phone_limits, per_ip))


@dataclass(frozen=True)
class SmsCodes:
    """Codes of one purpose (e.g. "login") kept in ``cache``; ``secret_key`` keys the stored hashes."""

    cache: Cache
    sender: SmsSender
    secret_key: str
    policy: SmsCodePolicy = SmsCodePolicy()
    purpose: str = "login"

    def __post_init__(self) -> None:
        if len(self.secret_key) < 16:
            raise ValueError("security.secret_key is needed (at least 16 characters) for SMS codes")

    async def issue_code(self, phone: str, *, ip: str | None) -> None:
        """Send a fresh 6-digit code to ``phone`` (a mobile number); the previous code stops working.

        Raises ValidationFailed for a bad number (or one the provider will not send to), RateLimited over a
        limit, ServiceUnavailable when sending fails (saying whether trying again later can help).
        """
        if not is_mobile(phone):
            raise ValidationFailed(MSG_BAD_PHONE, field="phone")
        taken = await self._take_allowance(phone, ip)
        code = f"{secrets.randbelow(10**6):06d}"
        await self.cache.set(self._key("code", phone), self._digest(phone, code), ttl=self.policy.code_ttl)
        await self.cache.delete(self._key("tries", phone))
        try:
            await self.sender.send(phone, sms_message(VERIFY_CODE, {"code": code}),
                                   out_id=f"code-{secrets.token_hex(8)}")
        except SmsFailed as exc:
            log.warning("sms code to %s not sent: %s", mask_phone(phone), exc)
            await self.cache.delete(self._key("code", phone))
            await self._give_back(taken)
            raise _refusal(exc) from None
        log.info("sms code (%s) sent to %s", self.purpose, mask_phone(phone))

    async def verify_code(self, phone: str, code: str) -> None:
        """Accept ``code`` for ``phone`` once; raises ValidationFailed (field "code") with the reason otherwise."""
        if not is_mobile(phone):
            raise ValidationFailed(MSG_BAD_PHONE, field="phone")
        code = code.strip()
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise ValidationFailed(MSG_BAD_CODE, field="code")
        stored = await self.cache.get(self._key("code", phone))
        tries_key = self._key("tries", phone)
        if stored is None:
            dead = int(await self.cache.get(tries_key) or 0) >= self.policy.max_tries
            raise ValidationFailed(MSG_TOO_MANY_TRIES if dead else MSG_EXPIRED, field="code")
        # The try is counted before the comparison, so a burst of parallel guesses gets max_tries at most.
        tries = await self.cache.incr(tries_key, ttl=self.policy.code_ttl)
        if tries > self.policy.max_tries:
            raise ValidationFailed(MSG_TOO_MANY_TRIES, field="code")
        if not hmac.compare_digest(stored, self._digest(phone, code)):
            await self._wrong_try(phone, tries)
        # Single use: of two concurrent right answers only the one that claims the digest passes.
        if not await self.cache.add(self._key("used", stored), "1", ttl=self.policy.code_ttl):
            raise ValidationFailed(MSG_EXPIRED, field="code")
        await self.cache.delete(self._key("code", phone))
        log.info("sms code (%s) accepted for %s", self.purpose, mask_phone(phone))

    async def _wrong_try(self, phone: str, tries: int) -> NoReturn:
        left = self.policy.max_tries - tries
        log.info("wrong sms code for %s (%d tries)", mask_phone(phone), tries)
        if left <= 0:
            await self.cache.delete(self._key("code", phone))
            raise ValidationFailed(MSG_TOO_MANY_TRIES, field="code")
        raise ValidationFailed(MSG_WRONG.format(left=left), field="code")

    async def _take_allowance(self, phone: str, ip: str | None) -> list[tuple[str, float]]:
        """Count this send in every window; on a refusal give back what was taken and raise."""
        taken: list[tuple[str, float]] = []
        for limit in self.policy.limits:
            subject = phone if limit.scope == "phone" else ip
            if subject is None:
                continue
            key = self._key(f"sent:{limit.scope}:{int(limit.window)}", subject)
            count = await self.cache.incr(key, ttl=limit.window)
            taken.append((key, limit.window))
            if count > limit.count:
                await self._give_back(taken)
                log.info("sms code refused for %s (ip %s): %s", mask_phone(phone), ip, limit.message)
                raise RateLimited(limit.message, field="phone")
        return taken

    async def _give_back(self, taken: list[tuple[str, float]]) -> None:
        for key, window in taken:  # the ttl only matters if the window ran out meanwhile
            await self.cache.incr(key, -1, ttl=window)

    def _key(self, kind: str, subject: str) -> str:
        return f"sms:{self.purpose}:{kind}:{subject}"

    def _digest(self, phone: str, code: str) -> str:
        message = f"{self.purpose}:{phone}:{code}".encode()
        return hmac.new(self.secret_key.encode(), message, hashlib.sha256).hexdigest()


def _refusal(exc: SmsFailed) -> ValidationFailed | ServiceUnavailable:
    """What the user is told: check the number, wait, or wait for the operator to fix the SMS set-up."""
    if exc.misconfigured is not None:
        return ServiceUnavailable(MSG_SMS_MISCONFIGURED)
    if not exc.retryable:
        return ValidationFailed(MSG_NUMBER_REFUSED, field="phone")
    return ServiceUnavailable(MSG_SEND_FAILED)
