"""An in-process SMS provider for service tests (the SmsSender port of services/notifications/sms.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.notifications.sms import SmsFailed, SmsMessage

SECRET = "test-secret-key-0123456789"


@dataclass
class RecordingSender:
    """An in-process SMS provider that keeps what it was given; ``failing`` makes it refuse every send,
    ``fail`` the next few (one error each)."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)
    failing: bool = False
    fail: list[SmsFailed] = field(default_factory=list)

    async def send(self, phone: str, message: SmsMessage, *, out_id: str) -> None:
        if self.failing:
            raise SmsFailed("isv.BUSINESS_LIMIT_CONTROL", retryable=True)
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append((phone, message.text, out_id))

    def last_code(self, phone: str) -> str:
        text = [t for p, t, _ in self.sent if p == phone][-1]
        match = re.search(r"\d{6}", text)
        assert match, text
        return match.group()
