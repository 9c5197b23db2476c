"""The simulated platform pushing a follower's messages and events to the app's callback, as WeChat does.

A push is the real XML (text with MsgId, subscribe / unsubscribe, CLICK with EventKey, VIEW, a QR-code
subscribe or SCAN, TEMPLATESENDJOBFINISH), signed with
the account's token (``signature``, ``timestamp``, ``nonce``, ``openid``) and, in safe mode, sealed with
wechatpy's ``WeChatCrypto`` (``encrypt_type=aes``, ``msg_signature``, a body of ToUserName + Encrypt).
When the app does not answer within ``timeout`` (5 s on WeChat) the same message (same MsgId and
CreateTime, freshly signed) is sent again, up to ``retries`` (3) more times. The passive reply is checked,
decrypted and written into the follower's chat on the platform; a push nobody answered properly shows the
line WeChat shows the user.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import xmltodict
from wechatpy.crypto import WeChatCrypto

from simulators.wechat.platform import WechatPlatform

UNAVAILABLE = "该公众号暂时无法提供服务，请稍后再试"  # what WeChat shows when the server fails to answer
DEFAULT_ACCOUNT = "gh_5e1f0c0a9b21"  # the account's original id, ToUserName of every push


@dataclass(frozen=True)
class CallbackTarget:
    """Where and how to push: the app's callback URL and the account's configured secrets."""

    url: str
    token: str
    app_id: str
    encoding_aes_key: str | None = None  # set: safe mode (AES); empty: plain mode
    account: str = DEFAULT_ACCOUNT


@dataclass
class Delivery:
    """One push and what became of it: each attempt's outcome, and the reply the follower saw."""

    xml: str
    msg_id: str | None
    attempts: list[str] = field(default_factory=list)  # "timeout", "error", or the HTTP status as text
    reply: dict[str, Any] | None = None  # the passive reply's fields; None for "success" / "" / a failure
    failed: bool = False


def cdata(value: str) -> str:
    """A CDATA section holding any text (a "]]>" inside is split over two sections)."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def push_xml(account: str, openid: str, create_time: int, msg_type: str, **fields: str) -> str:
    """WeChat's push XML: ToUserName, FromUserName, CreateTime, MsgType, then the given fields in order."""
    parts = [f"<ToUserName>{cdata(account)}</ToUserName>", f"<FromUserName>{cdata(openid)}</FromUserName>",
             f"<CreateTime>{create_time}</CreateTime>", f"<MsgType>{cdata(msg_type)}</MsgType>"]
    for name, value in fields.items():
        plain = name in ("MsgId", "MsgID")  # numbers: no CDATA, as WeChat sends them
        parts.append(f"<{name}>{value}</{name}>" if plain else f"<{name}>{cdata(value)}</{name}>")
    return "<xml>" + "".join(parts) + "</xml>"


def new_msg_id() -> str:
    """A 64-bit message id as WeChat sends it (kept as text)."""
    return str(secrets.randbelow(2**63 - 10**18) + 10**18)


class CallbackDriver:
    """Pushes for ``platform``'s followers to ``target``; replies land in ``platform.chat``."""

    def __init__(self, platform: WechatPlatform, target: CallbackTarget, client: httpx.AsyncClient,
                 timeout: float = 5.0, retries: int = 3) -> None:
        self.platform = platform
        self.target = target
        self.client = client
        self.timeout = timeout
        self.retries = retries
        self._crypto = (WeChatCrypto(target.token, target.encoding_aes_key, target.app_id)
                        if target.encoding_aes_key else None)

    # ---- what a follower does on the phone ---------------------------------------------------------

    async def send_text(self, openid: str, content: str) -> Delivery:
        self.platform.say(openid, "user", "text", content)
        msg_id = new_msg_id()
        return await self.push(openid, "text", Content=content, MsgId=msg_id)

    async def subscribe(self, openid: str) -> Delivery:
        self.platform.follower(openid, must_follow=False).subscribed = True
        self.platform.say(openid, "user", "event", "关注了公众号")
        return await self.push(openid, "event", Event="subscribe")

    async def unsubscribe(self, openid: str) -> Delivery:
        self.platform.follower(openid, must_follow=False).subscribed = False
        self.platform.say(openid, "user", "event", "取消关注了公众号")
        return await self.push(openid, "event", Event="unsubscribe")

    async def click(self, openid: str, key: str, label: str = "") -> Delivery:
        self.platform.say(openid, "user", "event", f"点击菜单「{label or key}」")
        return await self.push(openid, "event", Event="CLICK", EventKey=key)

    async def view(self, openid: str, url: str, label: str = "") -> Delivery:
        self.platform.say(openid, "user", "event", f"打开菜单链接「{label or url}」")
        return await self.push(openid, "event", Event="VIEW", EventKey=url)

    async def scan(self, openid: str, ticket: str) -> Delivery:
        """Scan a parametric QR code: subscribe with ``qrscene_`` + scene when not following, else SCAN."""
        code = self.platform.qrcodes[ticket]
        scene = str(code.scene.get("scene_str") or code.scene.get("scene_id"))
        follower = self.platform.follower(openid, must_follow=False)
        self.platform.say(openid, "user", "event", "扫描了二维码")
        if follower.subscribed:
            return await self.push(openid, "event", Event="SCAN", EventKey=scene, Ticket=ticket)
        follower.subscribed = True
        return await self.push(openid, "event", Event="subscribe", EventKey=f"qrscene_{scene}", Ticket=ticket)

    async def template_finished(self, openid: str, msgid: int, status: str = "success") -> Delivery:
        """TEMPLATESENDJOBFINISH for a sent template (note WeChat's ``MsgID`` spelling here).

        The platform's own report, not something the follower did: nothing of it shows in the chat, even
        when the app does not answer it.
        """
        return await self.push(openid, "event", quiet=True, Event="TEMPLATESENDJOBFINISH", MsgID=str(msgid),
                               Status=status)

    # ---- the wire ---------------------------------------------------------------------------------

    async def push(self, openid: str, msg_type: str, quiet: bool = False, **fields: str) -> Delivery:
        """Push one message (retried on timeouts with the same XML), then record the reply.

        ``quiet``: a platform event (TEMPLATESENDJOBFINISH) whose outcome the follower never sees.
        """
        xml = push_xml(self.target.account, openid, int(time.time()), msg_type, **fields)
        delivery = Delivery(xml, fields.get("MsgId"))
        for _ in range(1 + self.retries):
            try:
                response = await self._post(openid, xml)
            except httpx.TimeoutException:
                delivery.attempts.append("timeout")
                continue
            except httpx.HTTPError:
                delivery.attempts.append("error")
                break
            delivery.attempts.append(str(response.status_code))
            if quiet:
                delivery.failed = response.status_code != 200
            else:
                self._take_reply(delivery, openid, response)
            return delivery
        delivery.failed = True
        if not quiet:
            self.platform.say(openid, "system", "notice", UNAVAILABLE)
        return delivery

    async def _post(self, openid: str, xml: str) -> httpx.Response:
        timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
        signature = _sign(self.target.token, timestamp, nonce)
        params = {"signature": signature, "timestamp": timestamp, "nonce": nonce, "openid": openid}
        body = xml
        if self._crypto is not None:
            sealed = xmltodict.parse(self._crypto.encrypt_message(xml, nonce, timestamp))["xml"]
            params.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
            body = (f"<xml><ToUserName>{cdata(self.target.account)}</ToUserName>"
                    f"<Encrypt>{cdata(sealed['Encrypt'])}</Encrypt></xml>")
        return await self.client.post(self.target.url, params=params, content=body.encode("utf-8"),
                                      headers={"Content-Type": "text/xml"}, timeout=self.timeout)

    def _take_reply(self, delivery: Delivery, openid: str, response: httpx.Response) -> None:
        text = response.text
        if response.status_code == 200 and text.strip() in ("", "success"):
            return  # "nothing to say": WeChat shows nothing and does not retry
        reply = self._read_reply(text) if response.status_code == 200 else None
        if reply is None or reply.get("ToUserName") != openid:
            delivery.failed = True
            self.platform.say(openid, "system", "notice", UNAVAILABLE)
            return
        delivery.reply = reply
        self.platform.say(openid, "account", reply.get("MsgType") or "text", _reply_content(reply))

    def _read_reply(self, text: str) -> dict[str, Any] | None:
        """The reply's fields (decrypted, its MsgSignature checked, in safe mode); None if unreadable."""
        try:
            fields = xmltodict.parse(text, disable_entities=True)["xml"]
            if self._crypto is not None:
                plain = self._crypto.decrypt_message(text, fields["MsgSignature"], fields["TimeStamp"],
                                                     fields["Nonce"])
                fields = xmltodict.parse(plain, disable_entities=True)["xml"]
        except Exception:  # noqa: BLE001 - whatever is wrong, WeChat shows the same line
            return None
        return fields if isinstance(fields, dict) else None


def callback_target(app: Any, bp_ctx: Any, platform: WechatPlatform) -> CallbackTarget | None:
    """Where the simulator mounted in ``app`` pushes: ``bp_ctx.callback_url`` when set, else
    ``{server.public_url}/wechat/callback``, signed with the app's ``wechat`` secrets; None without a token."""
    settings = getattr(app.ctx, "settings", None)
    if settings is None or not settings.wechat.token:
        return None
    wechat = settings.wechat
    url = getattr(bp_ctx, "callback_url", None) or settings.server.public_url.rstrip("/") + "/wechat/callback"
    key = str(wechat.encoding_aes_key) if wechat.encoding_aes_key else None
    return CallbackTarget(url, str(wechat.token), wechat.app_id or platform.app_id, key)


def _sign(token: str, timestamp: str, nonce: str) -> str:
    """The 公众号 access guide's URL check: sha1 over the sorted token, timestamp and nonce."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def _reply_content(reply: dict[str, Any]) -> str:
    """What the phone shows for a passive reply: the text, or a short summary of other kinds."""
    kind = reply.get("MsgType")
    if kind == "text":
        return str(reply.get("Content") or "")
    if kind == "news":
        items = (reply.get("Articles") or {}).get("item") or []
        items = items if isinstance(items, list) else [items]
        return "\n".join(f"{i.get('Title', '')} {i.get('Url', '')}".strip() for i in items)
    return f"[{kind}]"
