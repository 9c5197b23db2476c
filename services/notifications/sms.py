"""The SMS port: what the services need from an SMS provider (adapters/sms_aliyun.py is the real one).

A provider sends approved templates, not free text: a message names its template (a key of
``sms.templates`` in config: ``verify_code`` or ``notice``), the template's variables, and the text the
phone shows (for logs, the simulator's inbox and fakes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

VERIFY_CODE = "verify_code"  # variables: code
NOTICE = "notice"  # variables: content


@dataclass(frozen=True)
class SmsMessage:
    template: str
    text: str
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def code(cls, code: str, text: str) -> SmsMessage:
        return cls(VERIFY_CODE, text, {"code": code})

    @classmethod
    def notice(cls, text: str) -> SmsMessage:
        return cls(NOTICE, text, {"content": text})


class SmsSender(Protocol):
    """Sends one message; ``out_id`` (the provider's OutId) identifies it for receipts. Raises ``SmsFailed``."""

    async def send(self, phone: str, message: SmsMessage, *, out_id: str) -> None: ...


class SmsFailed(Exception):
    """An SMS the provider did not accept; ``retryable`` for flow control and network trouble."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class NoSmsChannel:
    """The sender when no SMS provider is configured: every send fails visibly (never silently dropped)."""

    async def send(self, phone: str, message: SmsMessage, *, out_id: str) -> None:
        raise SmsFailed("未配置短信通道（sms.access_key_id / QINGLING_SMS_ACCESS_KEY_SECRET）", retryable=False)
