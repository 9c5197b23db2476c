"""The SMS port: what the services need from an SMS provider (adapters/sms_aliyun.py is the real one).

A provider sends approved templates, not free text: a message names its template (a key of
``sms.templates`` in config: ``verify_code`` or a notification event, see templates_msg/sms_templates.py),
the template's variables, and the text the phone shows (for logs, the simulator's inbox and fakes).

A refusal says whether trying again later can help (``retryable``) and, when it cannot, whether the
operator must fix the configuration (``misconfigured``: the account — AccessKey, signature, balance — or
the message's template) or the recipient is the problem (a number that cannot get SMS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

VERIFY_CODE = "verify_code"  # variables: code


class Misconfigured(StrEnum):
    ACCOUNT = "account"  # AccessKey, signature, balance, permissions: every template is affected
    TEMPLATE = "template"  # the message's template (missing, refused, or its values)


@dataclass(frozen=True)
class SmsMessage:
    template: str
    text: str
    params: dict[str, str] = field(default_factory=dict)


class SmsSender(Protocol):
    """Sends one message; ``out_id`` (the provider's OutId) identifies it for receipts. Raises ``SmsFailed``."""

    async def send(self, phone: str, message: SmsMessage, *, out_id: str) -> None: ...


class SmsFailed(Exception):
    """An SMS the provider did not accept; ``retryable`` for flow control and network trouble;
    ``misconfigured`` when the operator must fix something (``code``: the provider's error code)."""

    def __init__(self, message: str, *, retryable: bool, misconfigured: Misconfigured | None = None,
                 code: str = "") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.misconfigured = None if retryable else misconfigured
        self.code = code


class NoSmsChannel:
    """The sender when no SMS provider is configured: every send fails visibly (never silently dropped)."""

    async def send(self, phone: str, message: SmsMessage, *, out_id: str) -> None:
        raise SmsFailed("未配置短信通道（sms.access_key_id / QINGLING_SMS_ACCESS_KEY_SECRET）", retryable=False,
                        misconfigured=Misconfigured.ACCOUNT, code="NoSmsChannel")
