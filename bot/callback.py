"""The WeChat callback ``/wechat/callback``: URL verification (GET) and pushed messages (POST).

POST in plain mode, and in compatible / safe mode (``encrypt_type=aes``, the body's Encrypt field decrypted
and the reply encrypted with wechatpy). Forged, stale, oversized or malformed requests get 403/413/400 and a
log line, never a 500. A retried push is handled once (bot/dedupe.py). The answer always leaves within
``wechat.reply_deadline_seconds``: a slower handler gets "success" at once and its reply is sent later as a
customer-service message through ``app.ctx.customer_service``.

``app.ctx.bot_router`` and ``app.ctx.customer_service`` may be set before start-up to replace the defaults
(the handlers of bot/handlers.py, and the WeChat API adapter the app sets at start-up).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, raw, text
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import ArticlesReply, BaseReply, create_reply

from bot import handlers, texts
from bot.customer_service import CustomerService
from bot.dedupe import claim
from bot.verification import (
    MAX_BODY_BYTES,
    Refused,
    check_plain_xml,
    check_request_signature,
    check_xml,
    parse_envelope,
    parse_wechat_message,
)
from core.config import WechatSettings

log = logging.getLogger("qingling.bot")
SUCCESS = "success"  # WeChat's "received, nothing to say" (no retry)


def wechat_blueprint() -> Blueprint:
    bp = Blueprint("wechat_callback", url_prefix="/wechat")
    bp.add_route(verify_url, "/callback", methods=["GET"])
    bp.add_route(receive_push, "/callback", methods=["POST"], stream=True)
    bp.before_server_start(_defaults)
    return bp


async def _defaults(app: Sanic) -> None:
    if not hasattr(app.ctx, "bot_router"):
        app.ctx.bot_router = handlers.router
    if not hasattr(app.ctx, "bot_tasks"):
        app.ctx.bot_tasks = set()  # late replies in flight (a strong reference keeps them alive)


async def verify_url(request: Request) -> HTTPResponse:
    wechat: WechatSettings = request.app.ctx.settings.wechat
    try:
        if not wechat.token:
            raise Refused(503, "wechat.token is not configured")
        check_request_signature(wechat.token, _query(request), wechat.timestamp_window_seconds)
    except Refused as refused:
        return _refuse(request, refused)
    return text(request.args.get("echostr", ""))


async def receive_push(request: Request) -> HTTPResponse:
    started = asyncio.get_running_loop().time()
    wechat: WechatSettings = request.app.ctx.settings.wechat
    try:
        if not wechat.token:
            raise Refused(503, "wechat.token is not configured")
        args = _query(request)
        check_request_signature(wechat.token, args, wechat.timestamp_window_seconds)
        body = await _read_body(request)
        crypto = _crypto(wechat, args)
        message = parse_wechat_message(_decrypt(crypto, args, body) if crypto else check_xml(body))
    except Refused as refused:
        return _refuse(request, refused)
    except Exception:  # noqa: BLE001 - e.g. an EncodingAESKey that is not base64: still no 500 for WeChat
        log.exception("wechat push could not be read")
        return text("refused", status=400)
    try:
        if not await claim(request.app.ctx.cache, message):
            log.info("wechat push already handled or in progress: dropped a retry")
            return text(SUCCESS)
        reply = await _reply_in_time(request.app, message, wechat.reply_deadline_seconds, started)
    except Exception:  # noqa: BLE001 - WeChat must never see a 500
        log.exception("wechat push failed before a reply")
        return text(SUCCESS)
    return _render(reply, message, crypto, args)


def _query(request: Request) -> dict[str, str]:
    """The query's parameters, the first value of each (read straight from the query string).

    WeChat's parameters are hex digits, numbers and openids: nothing to unquote, so the common case is a
    plain split; a query with any escape goes through ``parse_qsl``.
    """
    query = request.query_string
    args: dict[str, str] = {}
    if "%" in query or "+" in query:
        pairs = parse_qsl(query)
    else:
        pairs = [pair.partition("=")[::2] for pair in query.split("&")]
    for name, value in pairs:
        if name and value:  # parse_qs drops blank values too
            args.setdefault(name, value)
    return args


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Refused(413, f"body of {declared} bytes")
    chunks, size = [], 0
    while (chunk := await request.stream.read()) is not None:
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Refused(413, "body larger than the limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _crypto(wechat: WechatSettings, args: dict[str, Any]) -> WeChatCrypto | None:
    encrypt_type = args.get("encrypt_type", "raw") or "raw"
    if encrypt_type == "raw":
        return None
    if encrypt_type != "aes":
        raise Refused(400, f"unknown encrypt_type {encrypt_type[:10]!r}")
    if not wechat.encoding_aes_key:
        raise Refused(403, "encrypted push but wechat.encoding_aes_key is not configured")
    return _crypto_for(wechat.token, wechat.encoding_aes_key, wechat.app_id)


class AccountCrypto(WeChatCrypto):
    """wechatpy's ``WeChatCrypto`` for one account, its ``PrpCrypto`` (the AES cipher) built once.

    wechatpy builds a new ``PrpCrypto`` (and cipher) for every message, and its 16 random leading bytes
    one character at a time; here the same wechatpy code runs (``_encrypt_message`` / ``_decrypt_message``,
    ``PrpCrypto._encrypt`` / ``_decrypt``, the same signature) with one ``PrpCrypto`` per account whose
    random prefix comes from ``secrets`` (any 16 bytes will do: the receiver drops them).
    """

    def __init__(self, token: str, encoding_aes_key: str, app_id: str,
                 random_prefix: Callable[[], str] | None = None) -> None:
        super().__init__(token, encoding_aes_key, app_id)
        prp = PrpCrypto(self.key)
        prp.get_random_string = random_prefix or _random_prefix  # type: ignore[method-assign]
        self._prp = prp

    def _prp_for(self, key: bytes) -> PrpCrypto:
        return self._prp

    def encrypt_message(self, msg: Any, nonce: str, timestamp: str | None = None) -> str:
        return self._encrypt_message(msg, nonce, timestamp, self._prp_for)

    def decrypt_message(self, msg: Any, signature: str, timestamp: str, nonce: str) -> str:
        return self._decrypt_message(msg, signature, timestamp, nonce, self._prp_for)


def _random_prefix() -> str:
    return secrets.token_hex(8)  # 16 characters


@functools.lru_cache(maxsize=4)
def _crypto_for(token: str, encoding_aes_key: str, app_id: str) -> WeChatCrypto:
    """One crypto per account (it decodes the AES key and builds the cipher once), not one per request."""
    return AccountCrypto(token, encoding_aes_key, app_id)


def _decrypt(crypto: WeChatCrypto, args: dict[str, Any], body: bytes) -> str:
    envelope = parse_envelope(check_xml(body))
    encrypted, msg_signature = envelope.get("Encrypt"), args.get("msg_signature")
    if not encrypted or not msg_signature:
        raise Refused(400 if msg_signature else 403, "Encrypt or msg_signature missing")
    try:
        plain = crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, args["timestamp"], args["nonce"])
    except (InvalidSignatureException, InvalidAppIdException) as exc:
        raise Refused(403, f"safe mode: {type(exc).__name__}") from None
    except Exception:  # noqa: BLE001 - bad base64, padding or length: the ciphertext is garbage
        raise Refused(400, "safe mode: Encrypt cannot be decrypted") from None
    return check_plain_xml(plain)


async def _reply_in_time(app: Sanic, message: Any, deadline: float, started: float) -> Any:
    """The handler's reply, or None when it is not ready by the deadline (it goes on, and answers later).

    One waiter woken by whichever comes first, the handler's end or the deadline: what
    ``wait_for(shield(task))`` does, without its two extra futures per request.
    """
    loop = asyncio.get_running_loop()
    ctx = app.ctx
    task = loop.create_task(ctx.bot_router.dispatch(message, settings=ctx.settings, services=ctx.services,
                                                    cache=ctx.cache))
    waiter = loop.create_future()

    def wake(_: Any = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    timer = loop.call_at(started + deadline, wake)
    task.add_done_callback(wake)
    try:
        await waiter
    finally:
        timer.cancel()
        task.remove_done_callback(wake)
    if not task.done():
        late = loop.create_task(_deliver_late(task, message.source, ctx.customer_service))
        ctx.bot_tasks.add(late)
        late.add_done_callback(ctx.bot_tasks.discard)
        log.info("wechat handler slower than %s s: answered success, reply follows as a customer-service message",
                 deadline)
        return None
    if task.cancelled() or task.exception() is not None:  # a failing handler still gets the user an answer
        log.error("wechat handler failed", exc_info=None if task.cancelled() else task.exception())
        return texts.BUSY
    return task.result()


async def _deliver_late(task: asyncio.Task[Any], openid: str, customer_service: CustomerService) -> None:
    try:
        content = _reply_text(await task)
        if content:
            await customer_service.send_text(openid, content)
    except Exception:  # noqa: BLE001 - nobody is waiting for this task: log it
        log.exception("late wechat reply failed")


def _reply_text(reply: Any) -> str | None:
    """A late answer goes as text: a link card becomes its description and link on their own lines."""
    if reply is None or isinstance(reply, str):
        return reply
    if isinstance(reply, ArticlesReply):
        return "\n".join(f"{a['title']}：{a['description']}\n{a['url']}" for a in reply.articles)
    return getattr(reply, "content", None)


def _render(reply: Any, message: Any, crypto: WeChatCrypto | None, args: dict[str, Any]) -> HTTPResponse:
    if reply is None or reply == "":
        return text(SUCCESS)
    xml = (reply if isinstance(reply, BaseReply) else create_reply(reply, message)).render()
    if crypto is not None:
        xml = crypto.encrypt_message(xml, args["nonce"])
    return raw(xml.encode("utf-8"), content_type="application/xml; charset=utf-8")


def _refuse(request: Request, refused: Refused) -> HTTPResponse:
    log.warning("wechat callback refused %s %s from %s: %s", request.method, request.path,
                request.remote_addr or request.ip, refused.reason)
    return text(refused.reason if refused.status == 503 else "refused", status=refused.status)
