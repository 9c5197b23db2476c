"""What the bot tests share: WeChat-signed requests, real-shaped XML, a running app, a recording fake.

Signatures are computed here with hashlib (the test's own oracle); encryption uses wechatpy, as WeChat's
servers would. The app runs as a real server on a free port so its start-up listeners run once per test.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import xmltodict
from sanic import Sanic
from wechatpy.crypto import WeChatCrypto

from core.app import create_app
from core.cache import Cache
from core.config import DatabaseSettings, Secret, Settings

TOKEN = "pamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wxb11529c136998cb6"
PUBLIC_URL = "https://qingling.example.cn"
ACCOUNT = "gh_7f083739789a"
OPENID = "oia2TjuEGTNoeX76QEjQNrcURxG8"

Sanic.test_mode = True


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def bot_settings(db: DatabaseSettings, **wechat: Any) -> Settings:
    values = {"token": Secret(TOKEN), "encoding_aes_key": Secret(AES_KEY), "app_id": APP_ID, **wechat}
    return Settings().override(database={"url": db.url}, cache={"url": "", "prefix": "qingling-test:"},
                               server={"embedded_worker": False, "public_url": PUBLIC_URL}, wechat=values)


def signed_query(timestamp: int | None = None, nonce: str = "1302514634", token: str = TOKEN) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"signature": sha1_signature(token, stamp, nonce), "timestamp": stamp, "nonce": nonce,
            "openid": OPENID}


def text_xml(content: str, msg_id: str = "6054768590064713728", openid: str = OPENID) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def event_xml(event: str, key: str | None = None, openid: str = OPENID, create_time: int | None = None) -> str:
    key_xml = "" if key is None else f"<EventKey><![CDATA[{key}]]></EventKey>"
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event>{key_xml}</xml>")


def encrypted_post(plain_xml: str, query: dict[str, str], app_id: str = APP_ID,
                   compat: bool = False) -> tuple[dict[str, str], bytes]:
    """Query and body of a safe-mode push (compat: the plaintext fields travel beside Encrypt)."""
    sealed = WeChatCrypto(TOKEN, AES_KEY, app_id).encrypt_message(plain_xml, query["nonce"], query["timestamp"])
    encrypted = xmltodict.parse(sealed)["xml"]["Encrypt"]
    msg_signature = sha1_signature(TOKEN, query["timestamp"], query["nonce"], encrypted)
    inner = plain_xml.removeprefix("<xml>").removesuffix("</xml>") if compat else \
        f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
    body = f"<xml>{inner}<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return {**query, "encrypt_type": "aes", "msg_signature": msg_signature}, body.encode()


def reply_fields(response: httpx.Response) -> dict[str, str]:
    """The passive reply's fields, decrypting (and checking MsgSignature) when it is encrypted."""
    fields = xmltodict.parse(response.text)["xml"]
    if "Encrypt" not in fields:
        return fields
    assert fields["MsgSignature"] == sha1_signature(TOKEN, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
    plain = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(response.text, fields["MsgSignature"],
                                                                 fields["TimeStamp"], fields["Nonce"])
    return xmltodict.parse(plain)["xml"]


class RecordingCustomerService:
    """In-process fake of the CustomerService port: remembers what would have been sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.arrived = asyncio.Event()

    async def send_text(self, openid: str, content: str) -> None:
        self.sent.append((openid, content))
        self.arrived.set()


def make_app(settings: Settings, cache: Cache | None = None, **ctx: Any) -> Sanic:
    """create_app, optionally sharing a given cache twin and with app.ctx dependencies (router, customer service)."""
    app = create_app(settings)
    for name, value in ctx.items():
        setattr(app.ctx, name, value)
    if cache is not None:
        async def share_cache(app: Sanic) -> None:
            app.ctx.cache = cache

        app.before_server_start(share_cache)
    return app


def free_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a free port chosen by the kernel (port=0 would mean Sanic's default 8000)
    return sock


@contextlib.asynccontextmanager
async def serving(app: Sanic, sock: socket.socket | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """Serve ``app`` on ``sock`` (a fresh free port by default) for the length of the block."""
    sock = sock or free_socket()
    port = sock.getsockname()[1]
    server = await app.create_server(sock=sock, return_asyncio_server=True, backlog=1024)  # bursts of 400
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
