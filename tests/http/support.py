"""What the page and API tests share: the app served on a free port, signed-in browsers, recorded SMS."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from sanic import Sanic

from core.config import DatabaseSettings, Secret, Settings
from handlers.kit.sessions import COOKIE, WebSession
from models.customs_accounts import CustomsAccount
from models.enterprises import Membership
from scheduler.worker import make_dispatcher
from services.accounts.passwords import hash_password
from services.kit.actors import PersonActor
from services.notifications.events import Event
from simulators.sms.platform import SIMULATED_TEMPLATE_CODES, SmsPlatform
from simulators.wechat.platform import SIMULATED_MINIPROGRAM_APP_ID, WechatPlatform
from tests.bot.support import AES_KEY, TOKEN, free_socket, make_app, serving
from tests.services.sms_fake import SECRET, RecordingSender

PUBLIC_URL = "https://qingling.example.cn"
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.50")


def web_settings(db: DatabaseSettings, **sections: dict[str, Any]) -> Settings:
    base = Settings().override(
        database={"url": db.url}, cache={"url": "", "prefix": "qingling-test:"},
        server={"embedded_worker": False, "public_url": PUBLIC_URL},
        security={"secret_key": Secret(SECRET)},
    )
    return base.override(**sections) if sections else base


@dataclass
class Site:
    """A running app: ``client`` is an anonymous browser; ``browser(person)`` one signed in as that person."""

    app: Sanic
    client: httpx.AsyncClient
    sms: RecordingSender
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    async def session_for(self, person: PersonActor, *, via: str = "sms") -> WebSession:
        membership = await Membership.filter(person_id=person.person_id, active=True).order_by("id").first()
        assert membership is not None
        return await self.app.ctx.sessions.start(person_id=person.person_id, enterprise_id=membership.enterprise_id,
                                                 openid=None, via=via)

    async def browser(self, person: PersonActor, **headers: str) -> SignedIn:
        session = await self.session_for(person)
        client = httpx.AsyncClient(base_url=self.client.base_url, cookies={COOKIE: session.token},
                                   headers=headers, timeout=10)
        self._clients.append(client)
        return SignedIn(client, session)

    async def api(self, person: PersonActor) -> httpx.AsyncClient:
        """A client authenticated with a Bearer token (the mini-program's way)."""
        session = await self.session_for(person, via="miniprogram")
        client = httpx.AsyncClient(base_url=self.client.base_url, timeout=10,
                                   headers={"authorization": f"Bearer {session.token}"})
        self._clients.append(client)
        return client

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()


@dataclass
class SignedIn:
    """A browser with a session cookie; ``post_form`` adds the CSRF token as the page's forms do."""

    client: httpx.AsyncClient
    session: WebSession

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, **kwargs)

    async def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        return await self.client.post(url, data={"csrf_token": self.session.csrf, **(data or {})}, **kwargs)

    async def post_json(self, url: str, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
        headers = {"x-csrf-token": self.session.csrf, **kwargs.pop("headers", {})}
        return await self.client.post(url, json=body, headers=headers, **kwargs)


@contextlib.asynccontextmanager
async def running_site(settings: Settings, sock: socket.socket | None = None, **ctx: Any) -> AsyncIterator[Site]:
    """The app on a free port; its SMS go to a recording fake unless ``sms`` is given."""
    sms = ctx.pop("sms", None) or RecordingSender()
    app = make_app(settings, sms=sms, **ctx)
    async with serving(app, sock) as client:
        site = Site(app, client, sms)
        try:
            yield site
        finally:
            await site.close()


SMS_TEMPLATE_CODES = SIMULATED_TEMPLATE_CODES
SIM_SMS = {"access_key_id": "LTAI5tTestKeyId", "access_key_secret": Secret("test-ak-secret"),
           "sign_name": "清零平台", "templates": SMS_TEMPLATE_CODES}


@contextlib.asynccontextmanager
async def simulated_site(db: DatabaseSettings, **sections: dict[str, Any]) -> AsyncIterator[SimulatedSite]:
    """The app as ``make demo`` runs it: the WeChat and SMS simulators mounted in it, its public URL its own
    address, real adapters (WeChat API client, Alibaba Cloud SDK) talking to them."""
    sock = free_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = web_settings(db, **sections).override(
        server={"embedded_worker": False, "public_url": base}, simulators={"enabled": True},
        wechat={"app_id": "wx_simulated_app", "app_secret": Secret("simulated-app-secret"), "token": Secret(TOKEN),
                "miniprogram_app_id": SIMULATED_MINIPROGRAM_APP_ID,
                "encoding_aes_key": Secret(AES_KEY), "api_base": f"{base}/sim/wechat",
                "templates": {event.value: f"TPL_{event.value}" for event in Event}},
        sms={**SIM_SMS, "endpoint": base},
        single_window={"endpoint": f"{base}/sim/single-window/api/v1", "backoff_ms": 50},
    )
    app = make_app(settings)
    async with serving(app, sock) as client:
        yield SimulatedSite(app, client, base)


@dataclass
class SimulatedSite:
    app: Sanic
    client: httpx.AsyncClient
    base_url: str

    @property
    def wechat(self) -> WechatPlatform:
        return self.app.blueprints["wechat_simulator"].ctx.platform

    @property
    def sms(self) -> SmsPlatform:
        return self.app.blueprints["sms_simulator"].ctx.platform

    async def sms_inbox(self, phone: str) -> list[dict[str, Any]]:
        return (await self.client.get("/sim/sms/messages", params={"phone": phone})).json()["messages"]

    async def last_code(self, phone: str) -> str:
        for message in await self.sms_inbox(phone):
            match = re.search(r"\d{6}", message["content"])
            if match:
                return match.group()
        raise AssertionError(f"no code sent to {phone}")

    async def dispatch_outbox(self) -> None:
        """One run of the worker's outbox job: template messages and SMS go out to the simulators."""
        ctx = self.app.ctx
        await make_dispatcher(ctx.settings, ctx.wechat, ctx.services.tz).dispatch_due()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]*)"', html)
    assert match, "page without a CSRF meta tag"
    return match.group(1)


CUSTOMS_PASSWORD = "customs2026pw"


class Desk:
    """A signed-in customs browser: ``post`` adds the CSRF token of the last page seen."""

    def __init__(self, site: Site) -> None:
        self.client = site.client
        self.csrf = ""

    async def get(self, url: str) -> httpx.Response:
        response = await self.client.get(url)
        if "csrf-token" in response.text:
            self.csrf = csrf_of(response.text)
        return response

    async def post(self, url: str, **data: str) -> httpx.Response:
        return await self.client.post(url, data={"csrf_token": self.csrf, **data})


async def desk_for(site: Site, username: str) -> Desk:
    """Sign the customs account ``username`` in through the login form (its password set first)."""
    account = await CustomsAccount.get(username=username)
    account.password_hash = hash_password(CUSTOMS_PASSWORD)
    await account.save()
    login = await site.client.post("/admin/login", data={"username": username, "password": CUSTOMS_PASSWORD})
    assert login.status_code == 303
    desk = Desk(site)
    await desk.get("/admin/")
    return desk


