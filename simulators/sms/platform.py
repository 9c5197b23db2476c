"""The simulated SMS platform's state: AccessKeys, signature, templates, flow control and the inbox.

Everything lives in memory on one ``SmsPlatform``. Requests are authenticated (``check_request_time`` /
``check_nonce`` after the signature check in ``api.py``) and then handled by ``send_sms`` and
``query_send_details``, which apply Alibaba Cloud's rules and codes: the codes of its SendSms error list
(https://help.aliyun.com/document_detail/101346.html) with the messages the service really returns, and the
default flow control of verification codes (1/min, 5/h, 10/day per number). Templates are registered with
their text and variable types, under Alibaba's template and variable rules (templates_msg/sms_rules.py): the
app's configured templates get the texts of templates_msg/sms_templates.py.
An error is raised as ``SmsApiError`` and rendered by ``api.py``. Time comes from ``clock`` (seconds since the epoch).
"""

from __future__ import annotations

import json
import re
import secrets
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.config import SmsSettings
from templates_msg.sms_rules import SmsTemplateText, check_registrable, is_code, value_too_long
from templates_msg.sms_templates import TEMPLATES

CHINA = ZoneInfo("Asia/Shanghai")
# The approved template codes the simulator hands out in the demo and the tests: one per template of
# templates_msg/sms_templates.py, in its order (verify_code is SMS_900000001).
SIMULATED_TEMPLATE_CODES = {kind: f"SMS_9{n:08d}" for n, kind in enumerate(TEMPLATES, 1)}
REQUEST_WINDOW = 15 * 60  # a request's timestamp may be this far off; a nonce is remembered this long
# Default flow control for verification codes, same signature → same number (§9.3): window, permits, name.
VERIFY_LIMITS = ((60, 1, "分钟"), (3600, 5, "小时"), (86400, 10, "天"))
NOTICE_LIMITS = ((86400, 50, "天"),)  # notices: same signature + template → same number
_PREFIX = re.compile(r"^(\+86|0086|86|\+)")
_MOBILE = re.compile(r"1[3-9]\d{9}")


class SmsApiError(Exception):
    """An answer with ``Code`` != OK: business errors are HTTP 200, gateway errors 4xx."""

    def __init__(self, code: str, message: str, status: int = 200) -> None:
        super().__init__(code)
        self.code, self.message, self.status = code, message, status

    def body(self) -> dict[str, Any]:
        return {"Code": self.code, "Message": self.message, "RequestId": request_id()}


def request_id() -> str:
    return str(uuid.uuid4()).upper()


def gateway_error(code: str) -> SmsApiError:
    messages = {
        "InvalidAccessKeyId.NotFound": ("Specified access key is not found.", 404),
        "SignatureDoesNotMatch": ("Specified signature is not matched with our calculation.", 400),
        "InvalidTimeStamp.Expired": ("Specified time stamp or date value is expired.", 400),
        "SignatureNonceUsed": ("Specified signature nonce was used already.", 400),
        "IncompleteSignature": ("The request signature does not conform to Aliyun standards.", 400),
        "InvalidAction.NotFound": ("Specified api is not found, please check your url and method.", 404),
    }
    message, status = messages[code]
    return SmsApiError(code, message, status)


@dataclass(frozen=True)
class SmsTemplate:
    code: str  # e.g. SMS_123456789
    text: SmsTemplateText  # content with ${var} placeholders, variable types, verification or not

    @property
    def verification(self) -> bool:
        return self.text.verification


@dataclass
class SentSms:
    biz_id: str
    phone: str  # 11 digits
    sign_name: str
    template_code: str
    params: dict[str, str]
    content: str  # what the phone shows: 【sign】 + rendered template
    out_id: str
    sent_at: float
    status: str = "DELIVERED"

    def as_json(self) -> dict[str, Any]:
        return {"biz_id": self.biz_id, "phone": self.phone, "sign_name": self.sign_name,
                "template_code": self.template_code, "params": self.params, "content": self.content,
                "out_id": self.out_id, "sent_at": self.sent_at, "time": local_time(self.sent_at),
                "status": self.status}


def local_time(moment: float) -> str:
    return datetime.fromtimestamp(moment, CHINA).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class SmsPlatform:
    access_keys: dict[str, str]  # AccessKeyId → secret
    sign_names: set[str]
    templates: dict[str, SmsTemplate]  # by template code
    clock: Callable[[], float] = time.time
    inbox: list[SentSms] = field(default_factory=list)  # oldest first
    nonces: dict[str, float] = field(default_factory=dict)
    sends: dict[tuple[str, ...], deque[float]] = field(default_factory=dict)  # flow-control history

    @classmethod
    def from_settings(cls, settings: SmsSettings, clock: Callable[[], float] = time.time) -> SmsPlatform:
        """The account the app is configured with: its AccessKey, signature and templates."""
        keys = {settings.access_key_id: str(settings.access_key_secret)} \
            if settings.access_key_id and settings.access_key_secret else {}
        platform = cls(keys, {settings.sign_name} if settings.sign_name else set(), {}, clock)
        for kind, code in settings.templates.items():
            if kind in TEMPLATES:  # another key (an old "notice") stays unknown: isv.SMS_TEMPLATE_ILLEGAL
                platform.register(code, TEMPLATES[kind])
        return platform

    def register(self, code: str, text: SmsTemplateText) -> SmsTemplate:
        """Approve a template, as the console does; ``TemplateRefused`` when Alibaba's rules forbid it."""
        check_registrable(text)
        self.templates[code] = SmsTemplate(code, text)
        return self.templates[code]

    # --- authentication (the signature itself is checked in api.py) ---

    def secret_for(self, access_key_id: str) -> str:
        secret = self.access_keys.get(access_key_id)
        if secret is None:
            raise gateway_error("InvalidAccessKeyId.NotFound")
        return secret

    def check_request_time(self, stamp: str) -> None:
        """``yyyy-MM-ddTHH:mm:ssZ`` (UTC) within 15 minutes of now."""
        try:
            moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=ZoneInfo("UTC")).timestamp()
        except ValueError:
            raise gateway_error("InvalidTimeStamp.Expired") from None
        if abs(self.clock() - moment) > REQUEST_WINDOW:
            raise gateway_error("InvalidTimeStamp.Expired")

    def check_nonce(self, nonce: str) -> None:
        now = self.clock()
        self.nonces = {n: at for n, at in self.nonces.items() if now - at <= REQUEST_WINDOW}
        if not nonce or nonce in self.nonces:
            raise gateway_error("SignatureNonceUsed")
        self.nonces[nonce] = now

    # --- actions ---

    def send_sms(self, params: dict[str, str]) -> dict[str, Any]:
        numbers = _required(params, "PhoneNumbers").split(",")
        sign_name, template_code = _required(params, "SignName"), _required(params, "TemplateCode")
        if len(numbers) > 1000:
            raise SmsApiError("isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
        phones = []
        for raw in numbers:
            phone = _PREFIX.sub("", raw.strip())
            if not _MOBILE.fullmatch(phone):
                raise SmsApiError("isv.MOBILE_NUMBER_ILLEGAL", f"{raw}invalid mobile number")
            phones.append(phone)
        if sign_name not in self.sign_names:
            raise SmsApiError("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)")
        template = self.templates.get(template_code)
        if template is None:
            raise SmsApiError("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
        values = _template_values(params.get("TemplateParam"))
        self._check_values(template.text, values)
        now = self.clock()
        histories = [self._history(template, sign_name, phone, now) for phone in phones]
        for history in histories:
            self._check_flow(template, history, now)
        biz_id = f"{secrets.randbelow(9 * 10**17) + 10**17}^0"
        content = f"【{sign_name}】" + template.text.render(values)
        for phone, history in zip(phones, histories, strict=True):
            history.append(now)
            self.inbox.append(SentSms(biz_id, phone, sign_name, template.code, dict(values), content,
                                      params.get("OutId", ""), now))
        return {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id()}

    def query_send_details(self, params: dict[str, str]) -> dict[str, Any]:
        phone = _PREFIX.sub("", _required(params, "PhoneNumber"))
        send_date = _required(params, "SendDate")
        try:
            page_size, page = int(_required(params, "PageSize")), int(_required(params, "CurrentPage"))
        except ValueError:
            raise SmsApiError("isv.INVALID_PARAMETERS", "参数格式错误") from None
        if not _MOBILE.fullmatch(phone):
            raise SmsApiError("isv.MOBILE_NUMBER_ILLEGAL", f"{params['PhoneNumber']}invalid mobile number")
        if not 1 <= page_size <= 50 or page < 1:
            raise SmsApiError("isv.INVALID_PARAMETERS", "参数格式错误")
        day = datetime.fromtimestamp(self.clock(), CHINA).date()
        if send_date not in {(day - timedelta(days=n)).strftime("%Y%m%d") for n in range(30)}:
            raise SmsApiError("isv.INVALID_PARAMETERS", "SendDate 只能查询最近 30 天")
        found = [m for m in self.inbox if m.phone == phone
                 and datetime.fromtimestamp(m.sent_at, CHINA).strftime("%Y%m%d") == send_date
                 and params.get("BizId") in (None, "", m.biz_id)]
        rows = [{"PhoneNum": m.phone, "SendStatus": 3, "ErrCode": "DELIVERED", "TemplateCode": m.template_code,
                 "Content": m.content, "SendDate": local_time(m.sent_at), "ReceiveDate": local_time(m.sent_at),
                 "OutId": m.out_id} for m in found[(page - 1) * page_size:page * page_size]]
        return {"Code": "OK", "Message": "OK", "RequestId": request_id(), "TotalCount": len(found),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": rows}}

    def messages(self, phone: str | None = None) -> list[SentSms]:
        """The inbox, newest first, optionally for one number."""
        return [m for m in reversed(self.inbox) if not phone or m.phone == phone]

    def _history(self, template: SmsTemplate, sign_name: str, phone: str, now: float) -> deque[float]:
        key = (sign_name, phone) if template.verification else (sign_name, template.code, phone)
        history = self.sends.setdefault(key, deque())
        while history and now - history[0] >= 86400:
            history.popleft()
        return history

    @staticmethod
    def _check_values(text: SmsTemplateText, values: dict[str, str]) -> None:
        names = text.names()
        if any(not values.get(name) for name in names):
            raise SmsApiError("isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        if text.verification and not all(is_code(values[name]) for name in names):
            raise SmsApiError("isv.INVALID_PARAMETERS", "params must be [a-zA-Z0-9] for verification sms")
        if any(value_too_long(text.variables[name], values[name]) for name in names):
            raise SmsApiError("isv.PARAM_LENGTH_LIMIT", "参数超出长度限制")

    @staticmethod
    def _check_flow(template: SmsTemplate, history: deque[float], now: float) -> None:
        for window, permits, unit in VERIFY_LIMITS if template.verification else NOTICE_LIMITS:
            if sum(1 for at in history if now - at < window) >= permits:
                raise SmsApiError("isv.BUSINESS_LIMIT_CONTROL", f"触发{unit}级流控Permits:{permits}")


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise SmsApiError(f"Missing{name}", f"{name} is mandatory for this action.", 400)
    return value


def _template_values(raw: str | None) -> dict[str, str]:
    if not raw:
        return {}
    try:
        values = json.loads(raw)
    except ValueError:
        raise SmsApiError("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值") from None
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise SmsApiError("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
    return values
