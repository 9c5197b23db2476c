"""The SMS port on Alibaba Cloud SMS (Dysmsapi 2017-05-25) with the official async SDK.

The SDK signs with ACS3-HMAC-SHA256 and opens one HTTP session per request (nothing to keep open).
``SendSms`` answers HTTP 200 with ``Code`` "OK" or a business error code; gateway errors (bad AccessKey,
bad signature) come back as 4xx and are raised by the SDK. Flow control, throttling, 5xx and network
trouble are retryable; a number that cannot get SMS is the recipient's problem; everything else (AccessKey,
signature, template, balance, and any code we do not know) needs the operator: ``misconfigured`` says
whether the account or the message's template. Phone numbers are masked in logs, secrets never shown.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlparse

from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import SendSmsRequest
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions
from Tea.exceptions import UnretryableException

from core.config import SmsSettings
from models.identifiers import mask_phone
from services.notifications.sms import Misconfigured, SmsFailed, SmsMessage

log = logging.getLogger("qingling.sms")

RETRYABLE = {
    "isv.BUSINESS_LIMIT_CONTROL": "短信发送过于频繁，已触发流控",
    "isv.DAY_LIMIT_CONTROL": "已达短信当日发送限额",
    "Throttling": "短信服务限流",
    "Throttling.User": "短信服务限流",
    "Throttling.Api": "短信服务限流",
    "isp.SYSTEM_ERROR": "短信服务暂时不可用",
    "ServiceUnavailable": "短信服务暂时不可用",
    "InternalError": "短信服务暂时不可用",
}
RECIPIENT = {
    "isv.MOBILE_NUMBER_ILLEGAL": "手机号码格式不正确",
    "isv.MOBILE_COUNT_OVER_LIMIT": "手机号码数量超过限制",
    "isv.BLACK_KEY_CONTROL_LIMIT": "该号码已被列入短信黑名单",
}
TEMPLATE_FAULTS = {
    "isv.SMS_TEMPLATE_ILLEGAL": "短信模板不可用",
    "isv.TEMPLATE_MISSING_PARAMETERS": "短信模板变量缺少参数",
    "isv.INVALID_JSON_PARAM": "短信模板参数不合法",
    "isv.INVALID_PARAMETERS": "短信参数不合法",
    "isv.PARAM_LENGTH_LIMIT": "短信模板变量超出长度限制",
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL": "短信签名和模板类型不一致",
    "TemplateNotConfigured": "未配置短信模板",
}
ACCOUNT_FAULTS = {
    "isv.SMS_SIGNATURE_ILLEGAL": "短信签名不可用",
    "isv.AMOUNT_NOT_ENOUGH": "短信账户余额不足",
    "isv.MONTH_LIMIT_CONTROL": "已达短信当月发送限额",
    "isv.OUT_OF_SERVICE": "短信业务已停机",
    "isp.RAM_PERMISSION_DENY": "短信服务 RAM 权限不足",
    "SignatureDoesNotMatch": "短信服务 AccessKey 密钥不正确",
    "InvalidAccessKeyId.NotFound": "短信服务 AccessKey 不存在",
    "InvalidAccessKeyId.Inactive": "短信服务 AccessKey 已停用",
    "InvalidTimeStamp.Expired": "服务器时间与短信服务相差过大",
}


def failure(code: str, status: int | None = None) -> SmsFailed:
    """The ``SmsFailed`` for a provider error code (and HTTP status, for gateway errors)."""
    if code in RETRYABLE or code.startswith("Throttling") or (status is not None and status >= 500):
        return SmsFailed(f"{RETRYABLE.get(code, '短信服务暂时不可用')}（{code}）", retryable=True, code=code)
    if code in RECIPIENT:
        return SmsFailed(f"{RECIPIENT[code]}（{code}）", retryable=False, code=code)
    if code in TEMPLATE_FAULTS:
        return SmsFailed(f"{TEMPLATE_FAULTS[code]}（{code}）", retryable=False, misconfigured=Misconfigured.TEMPLATE,
                         code=code)
    return SmsFailed(f"{ACCOUNT_FAULTS.get(code, '短信发送失败')}（{code}）", retryable=False,
                     misconfigured=Misconfigured.ACCOUNT, code=code)


class AliyunSms:
    """``SmsSender`` for Alibaba Cloud; ``client`` may be given (tests), else built from ``settings``."""

    def __init__(self, settings: SmsSettings, client: Client | None = None) -> None:
        self._settings = settings
        timeout_ms = settings.timeout_seconds * 1000
        self._runtime = RuntimeOptions(read_timeout=timeout_ms, connect_timeout=timeout_ms, autoretry=False)
        self._client = client or Client(Config(
            access_key_id=settings.access_key_id, access_key_secret=str(settings.access_key_secret or ""),
            endpoint=_host(settings.endpoint), protocol=_scheme(settings.endpoint),
            read_timeout=timeout_ms, connect_timeout=timeout_ms))

    async def send(self, phone: str, message: SmsMessage, *, out_id: str) -> None:
        template_code = self._settings.templates.get(message.template)
        if not template_code:
            raise SmsFailed(f"未配置短信模板 {message.template}（sms.templates）", retryable=False,
                            misconfigured=Misconfigured.TEMPLATE, code="TemplateNotConfigured")
        request = SendSmsRequest(
            phone_numbers=phone, sign_name=self._settings.sign_name, template_code=template_code,
            template_param=json.dumps(message.params, ensure_ascii=False) if message.params else None,
            out_id=out_id or None)
        try:
            response = await self._client.send_sms_with_options_async(request, self._runtime)
        except AlibabaCloudException as exc:
            code = str(exc.code or "Unknown")
            log.warning("sms %s to %s refused: %s (HTTP %s, request %s)", message.template, mask_phone(phone),
                        code, exc.status_code, exc.request_id)
            raise failure(code, exc.status_code) from None
        except (UnretryableException, OSError) as exc:  # the SDK wraps network errors and timeouts
            log.warning("sms %s to %s not sent: %s", message.template, mask_phone(phone), _network_reason(exc))
            raise SmsFailed("短信服务连接失败，请稍后重试", retryable=True) from None
        body = response.body
        code = (body.code if body else None) or "Unknown"
        if code != "OK":
            log.warning("sms %s to %s not accepted: %s (request %s)", message.template, mask_phone(phone), code,
                        body.request_id if body else None)
            raise failure(code, response.status_code)
        log.info("sms %s sent to %s (BizId %s, OutId %s)", message.template, mask_phone(phone), body.biz_id, out_id)


def sms_sender_for(settings: SmsSettings) -> AliyunSms | None:
    """The configured sender, or None without an AccessKey (messages needing SMS then fail visibly)."""
    if not settings.access_key_id or not settings.access_key_secret:
        return None
    return AliyunSms(settings)


def _scheme(endpoint: str) -> str:
    return urlparse(endpoint).scheme or "https"


def _host(endpoint: str) -> str:
    parsed = urlparse(endpoint)
    return parsed.netloc or parsed.path.strip("/")


def _network_reason(exc: Exception) -> str:
    """The error's type only: the SDK's messages can carry the request URL, which holds the phone number."""
    return type(getattr(exc, "inner_exception", None) or exc).__name__
