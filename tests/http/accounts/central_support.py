"""The app with the identity-provider simulator mounted (as `make demo` runs it), and a browser that walks the
central sign-in: /h5/central/start → the provider's login page → its redirect back to the callback."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

import httpx
from sanic import Sanic

from core.config import DatabaseSettings, Secret
from simulators.idp.platform import IdpPlatform
from simulators.idp.users import CentralUser
from tests.bot.support import free_socket, make_app, serving
from tests.http.support import csrf_of, web_settings

CLIENT_ID, CLIENT_SECRET = "qingling-test", "idp-client-secret-0123456789"
CENTRAL_PASSWORD = "central-pw-2026"
LOCAL_PASSWORD = "Local2026pass"


@dataclass
class CentralSite:
    app: Sanic
    base_url: str
    _browsers: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def idp(self) -> IdpPlatform:
        return self.app.blueprints["idp_simulator"].ctx.platform

    def add_user(self, username: str, subject: str, name: str, phone: str, credit_code: str,
                 enterprise_name: str = "") -> CentralUser:
        user = CentralUser(username, CENTRAL_PASSWORD, subject, name, phone, credit_code, enterprise_name)
        self.idp.users[username] = user
        return user

    def browser(self) -> Browser:
        client = httpx.AsyncClient(base_url=self.base_url, timeout=10)
        self._browsers.append(client)
        return Browser(self, client)


@dataclass
class Browser:
    site: CentralSite
    client: httpx.AsyncClient

    async def to_provider(self, next_path: str = "/h5/questions") -> str:
        """Click 单一窗口账号快捷登录: the provider's authorize URL the app redirects to."""
        start = await self.client.get("/h5/central/start", params={"next": next_path})
        assert start.status_code == 302, start.text
        location = start.headers["location"]
        assert location.startswith(f"{self.site.base_url}/sim/idp/authorize?")
        return location

    async def log_in_at_provider(self, authorize_url: str, username: str, password: str = CENTRAL_PASSWORD,
                                 action: str = "login") -> str:
        """Fill the provider's login page in; the callback URL it sends the browser back to."""
        form = await self.client.get(authorize_url)
        assert form.status_code == 200 and "单一窗口账号登录" in form.text
        params = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
        answer = await self.client.post(f"{self.site.base_url}/sim/idp/authorize",
                                        data={**params, "username": username, "password": password, "action": action})
        assert answer.status_code == 302, answer.text
        callback = answer.headers["location"]
        assert callback.startswith(f"{self.site.base_url}/h5/central/callback?")
        return callback

    async def central_sign_in(self, username: str, next_path: str = "/h5/questions") -> httpx.Response:
        """The whole round trip; the callback's answer."""
        callback = await self.log_in_at_provider(await self.to_provider(next_path), username)
        return await self.client.get(callback)

    async def post_page_form(self, page_url: str, action: str, data: dict[str, str]) -> httpx.Response:
        """Open ``page_url`` and submit its form to ``action`` with the page's CSRF token."""
        shown = await self.client.get(page_url)
        assert shown.status_code == 200, shown.text
        return await self.client.post(action, data={"csrf_token": csrf_of(shown.text), **data})


@contextlib.asynccontextmanager
async def central_site(db: DatabaseSettings) -> AsyncIterator[CentralSite]:
    sock = free_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = web_settings(db).override(
        server={"embedded_worker": False, "public_url": base}, simulators={"enabled": True},
        identity_provider={"enabled": True, "issuer": f"{base}/sim/idp", "client_id": CLIENT_ID,
                           "client_secret": Secret(CLIENT_SECRET)},
    )
    app = make_app(settings)
    async with serving(app, sock):
        site = CentralSite(app, base)
        try:
            yield site
        finally:
            for client in site._browsers:
                await client.aclose()
