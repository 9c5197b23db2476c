"""The port for customer-service messages (客服消息): how a slow handler's answer reaches the user later.

The WeChat API adapter (``adapters.wechat_api.WechatApi``) satisfies it; the app sets it on
``app.ctx.customer_service`` at start-up (tests may set a recording fake first).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class CustomerService(Protocol):
    async def send_text(self, openid: str, content: str) -> None:
        """Send ``content`` to ``openid`` (POST /cgi-bin/message/custom/send, msgtype text)."""
        ...

