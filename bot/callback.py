"""The WeChat callback ``/wechat/callback``: URL verification (GET) and pushed messages (POST).

POST in plain mode, and in compatible / safe mode (``encrypt_type=aes``, the body's Encrypt field decrypted
and the reply encrypted with wechatpy). Forged, stale, oversized or malformed requests get 403/413/400 and a
log line, never a 500. A pushed message is handled once: its claim is the first write of the handler's
transaction (services/wechat/push_claims.py), the cache only a fast path for retries (bot/dedupe.py). The
answer always leaves within ``wechat.reply_deadline_seconds`` of the request's start, dedupe included: a
slower handler gets "success" at once and its reply is sent later as a customer-service message through
``app.ctx.customer_service``; a message the database could not claim by then gets a 503, so that WeChat
pushes it again (never "success" for a message nobody handled).

``app.ctx.bot_router`` and ``app.ctx.customer_service`` may be set before start-up to replace the defaults
(the handlers of bot/handlers.py, and the WeChat API adapter the app sets at start-up).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import parse_qsl

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, raw, text
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import ArticlesReply, BaseReply, create_reply

from adapters.wechat_crypto import InvalidAppIdException, InvalidSignatureException, crypto_for
from bot import handlers, texts
from bot.customer_service import CustomerService
from bot.dedupe import dedupe_key, mark_in_cache, seen_in_cache, unmark_in_cache
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
from services.wechat.push_claims import ClaimUnavailable, claimed

log = logging.getLogger("qingling.bot")
SUCCESS = "success"  # WeChat's "received, nothing to say" (no retry)
RETRY_LATER = "retry later"  # any answer but "success" / a reply: WeChat pushes the message again


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
        reply = await _reply_once(request.app, message, wechat.reply_deadline_seconds, started)
    except ClaimUnavailable as exc:
        log.warning("wechat push not claimed, WeChat will retry it: %s", exc)
        return text(RETRY_LATER, status=503)
    except Exception:  # noqa: BLE001 - WeChat must never see a 500
        log.exception("wechat push failed before a reply")
        return text(RETRY_LATER, status=503)
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
    return crypto_for(wechat.token, wechat.encoding_aes_key, wechat.app_id)


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


class _Push:
    """What the request knows of its handling task: whether the message is claimed (or found claimed) yet."""

    __slots__ = ("decided",)

    def __init__(self) -> None:
        self.decided = False


async def _reply_once(app: Sanic, message: Any, deadline: float, started: float) -> Any:
    """The handler's reply; None for a retry of a claimed message, or when the reply is not ready by the
    deadline (the handler goes on, and answers later). ``ClaimUnavailable`` when the database could not
    claim the message by the deadline: nothing was handled, WeChat must retry.
    """
    ctx = app.ctx
    key = dedupe_key(message)
    if await seen_in_cache(ctx.cache, key):
        log.info("wechat push already handled or in progress: dropped a retry")
        return None
    loop = asyncio.get_running_loop()
    push = _Push()
    task = loop.create_task(_handle_once(app, message, key, push))
    await _until(task, started + deadline)
    if not task.done():
        if not push.decided:  # the database is slow or down: give up the claim, let WeChat retry
            task.cancel()
            _keep(app, task)
            raise ClaimUnavailable(f"{key} not claimed within {deadline} s")
        _keep(app, loop.create_task(_deliver_late(task, message.source, ctx.customer_service)))
        log.info("wechat handler slower than %s s: answered success, reply follows as a customer-service message",
                 deadline)
        return None
    if not task.cancelled() and isinstance(task.exception(), ClaimUnavailable):
        raise task.exception()  # type: ignore[misc]
    if task.cancelled() or task.exception() is not None:  # a failing handler still gets the user an answer
        log.error("wechat handler failed", exc_info=None if task.cancelled() else task.exception())
        return texts.BUSY
    return task.result()


async def _handle_once(app: Sanic, message: Any, key: str, push: _Push) -> Any:
    """Claim the message and run its handler in one transaction (services/wechat/push_claims.py)."""
    ctx = app.ctx
    try:
        async with claimed(key) as fresh:
            push.decided = True
            if not fresh:
                log.info("wechat push already handled: dropped a retry")
                return None
            _keep(app, asyncio.create_task(mark_in_cache(ctx.cache, key)))  # off the transaction's path
            return await ctx.bot_router.dispatch(message, settings=ctx.settings, services=ctx.services,
                                                 cache=ctx.cache)
    except ClaimUnavailable:
        if push.decided:
            _keep(app, asyncio.create_task(unmark_in_cache(ctx.cache, key)))
        raise


async def _until(task: asyncio.Task[Any], when: float) -> None:
    """Wait for ``task`` or the loop time ``when``, whichever comes first, without cancelling ``task``.

    One waiter woken by whichever comes first: what ``wait_for(shield(task))`` does, without its two
    extra futures per request.
    """
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()

    def wake(_: Any = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    timer = loop.call_at(when, wake)
    task.add_done_callback(wake)
    try:
        await waiter
    finally:
        timer.cancel()
        task.remove_done_callback(wake)


def _keep(app: Sanic, task: asyncio.Task[Any]) -> None:
    """Hold a strong reference to a task nobody awaits until it ends."""
    app.ctx.bot_tasks.add(task)
    task.add_done_callback(app.ctx.bot_tasks.discard)


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
