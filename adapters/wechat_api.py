"""The app's client of the WeChat HTTP API: a small async client (aiohttp) for the endpoints the app uses.

access_token has one holder (WeChat's rule: each fetch invalidates the previous token): the shared cache
with Redis, the database without it (adapters/wechat_tokens.py), so every process uses the same one. Only
one process fetches a new token at a time: the fetch happens under the store's lock, and the store is read
again after the lock is taken (a token fetched meanwhile by someone else is used as is). When WeChat
rejects a token (40001 / 42001) the stored token is replaced only if it is still the one that failed; the
call is then retried once. ``stable_token`` in the settings switches token fetching to ``/cgi-bin/stable_token``.

The HTTP client is aiohttp's: httpx's dominated the outbox dispatcher's time (bench/outbox.py, 50,000
template messages: 852 msgs/s with httpx, 4,157 with aiohttp). Its session belongs to an event loop, so it
is opened on the first call, in the loop that makes it, and kept (one pool of at most ``max_connections``
kept-alive connections) until ``aclose``.
"""

from __future__ import annotations

import json as jsonlib
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlparse
from urllib.request import getproxies, proxy_bypass

import aiohttp

from adapters.wechat_tokens import CacheTokenStore, DatabaseTokenStore, TokenBusy, TokenStore
from core.cache import Cache
from core.config import Settings, WechatSettings

log = logging.getLogger("qingling.wechat_api")

REAL_API_BASE = "https://api.weixin.qq.com"
REAL_OAUTH_BASE = "https://open.weixin.qq.com"
REAL_QRCODE_BASE = "https://mp.weixin.qq.com"
TOKEN_REJECTED = frozenset({40001, 42001})
PERMANENT = frozenset({43004, 40003})  # not following / openid not of this account: retrying cannot help
RETRYABLE = frozenset({-1, 45009, 45011})  # system busy, quotas: back off and retry later
TOKEN_EARLY_SECONDS = 300  # refresh before WeChat's own expiry
LOCK_TTL_SECONDS = 30


class WechatApiError(Exception):
    """A failed WeChat call: WeChat's errcode/errmsg, or errcode None for a network or HTTP failure."""

    def __init__(self, endpoint: str, errcode: int | None, errmsg: str) -> None:
        super().__init__(f"{endpoint}: {errcode} {errmsg}")
        self.endpoint = endpoint
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def permanent(self) -> bool:
        """True when the same call can never succeed (43004, 40003): fall back, do not retry."""
        return self.errcode in PERMANENT

    @property
    def retryable(self) -> bool:
        """True for transient failures worth retrying after a pause (network, -1, quotas)."""
        return self.errcode is None or self.errcode in RETRYABLE


@dataclass(frozen=True)
class OAuthGrant:
    openid: str
    access_token: str
    scope: str


class WechatApi:
    """One official account (and its mini-program) as seen by the app; share one per process."""

    def __init__(self, settings: WechatSettings, cache: Cache, *, timeout: float = 5.0,
                 max_connections: int = 100, tokens: TokenStore | None = None) -> None:
        self._settings = settings
        self.tokens = tokens or CacheTokenStore(cache, settings.app_id)
        self._base = settings.api_base.rstrip("/")
        self._timeout = timeout
        self._max_connections = max_connections
        self._http: aiohttp.ClientSession | None = None
        self._proxy: str | None = None
        self.token_key = f"wechat:access_token:{settings.app_id}"  # in the cache, with a CacheTokenStore

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout, connect=min(self._timeout, 3.0)),
                connector=aiohttp.TCPConnector(limit=self._max_connections),
                json_serialize=_dumps_text,
            )  # not trust_env: aiohttp would then read ~/.netrc and the proxy variables on every request
            self._proxy = _env_proxy(self._base)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    # ---- access_token ---------------------------------------------------------------------------

    async def access_token(self) -> str:
        """The shared token, fetched (by one process only) when the store has none."""
        return await self.tokens.get() or await self.token_rejected(None)

    async def token_rejected(self, failed: str | None) -> str:
        """A usable token after ``failed`` was refused: the stored one if it differs, else a fresh one."""
        try:
            async with self.tokens.refreshing(ttl=LOCK_TTL_SECONDS, wait=self._timeout * 2):
                stored = await self.tokens.get()
                if stored and stored != failed:
                    return stored
                token, expires_in = await self._fetch_token(force=False)
                if failed is not None and token == failed:  # stable_token hands back a valid token
                    token, expires_in = await self._fetch_token(force=True)
                await self.tokens.put(token, ttl=max(expires_in - TOKEN_EARLY_SECONDS, 60))
                return token
        except TokenBusy:
            raise WechatApiError("access_token", None, "token refresh lock busy") from None

    async def _fetch_token(self, force: bool) -> tuple[str, int]:
        s = self._settings
        secret = str(s.app_secret or "")
        if s.stable_token:
            body = {"grant_type": "client_credential", "appid": s.app_id, "secret": secret, "force_refresh": force}
            answer = await self._send("POST", "/cgi-bin/stable_token", json=body)
        else:
            params = {"grant_type": "client_credential", "appid": s.app_id, "secret": secret}
            answer = await self._send("GET", "/cgi-bin/token", params=params)
        log.info("wechat access_token fetched (stable=%s, force=%s)", s.stable_token, force)
        return answer["access_token"], int(answer.get("expires_in", 7200))

    # ---- calls with the token -------------------------------------------------------------------

    async def _call(self, method: str, path: str, json: dict[str, Any] | None = None) -> dict[str, Any]:
        token = await self.access_token()
        try:
            return await self._send(method, path, params={"access_token": token}, json=json)
        except WechatApiError as error:
            if error.errcode not in TOKEN_REJECTED:
                raise
            log.info("wechat rejected the access_token (%s); refreshing once", error.errcode)
        token = await self.token_rejected(token)
        return await self._send(method, path, params={"access_token": token}, json=json)

    async def _send(self, method: str, path: str, params: dict[str, Any] | None = None,
                    json: dict[str, Any] | None = None) -> dict[str, Any]:
        endpoint = path.strip("/")
        content = None if json is None else _dumps(json)
        headers = None if json is None else JSON_HEADERS
        try:
            async with self._session().request(method, self._base + path, params=params, data=content,
                                               headers=headers, proxy=self._proxy) as response:
                response.raise_for_status()
                payload = await response.read()
            answer = jsonlib.loads(payload)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise WechatApiError(endpoint, None, f"{type(exc).__name__}: {exc}") from exc
        except ValueError as exc:
            raise WechatApiError(endpoint, None, "answer is not JSON") from exc
        if not isinstance(answer, dict):
            raise WechatApiError(endpoint, None, "answer is not a JSON object")
        errcode = int(answer.get("errcode") or 0)
        if errcode:
            raise WechatApiError(endpoint, errcode, str(answer.get("errmsg", "")))
        return answer

    async def send_template(self, openid: str, template_id: str, data: dict[str, dict[str, str]], *,
                            url: str | None = None, client_msg_id: str | None = None) -> int:
        """Send a template message; returns WeChat's msgid. ``client_msg_id`` makes a resend a no-op."""
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if url:
            body["url"] = url
        if client_msg_id:
            body["client_msg_id"] = client_msg_id
        answer = await self._call("POST", "/cgi-bin/message/template/send", body)
        return int(answer["msgid"])

    async def send_text(self, openid: str, content: str) -> None:
        """A customer-service text message (within WeChat's window after the user's last action)."""
        await self._call("POST", "/cgi-bin/message/custom/send",
                         {"touser": openid, "msgtype": "text", "text": {"content": content}})

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self._call("POST", "/cgi-bin/menu/create", menu)

    async def get_menu(self) -> dict[str, Any]:
        return (await self._call("GET", "/cgi-bin/menu/get"))["menu"]

    async def create_qrcode(self, scene_str: str, expire_seconds: int) -> dict[str, Any]:
        """A temporary string-scene QR code: ``{"ticket", "expire_seconds", "url"}``."""
        body = {"expire_seconds": expire_seconds, "action_name": "QR_STR_SCENE",
                "action_info": {"scene": {"scene_str": scene_str}}}
        return await self._call("POST", "/cgi-bin/qrcode/create", body)

    def qrcode_image_url(self, ticket: str) -> str:
        return f"{self._web_base(REAL_QRCODE_BASE)}/cgi-bin/showqrcode?ticket={quote(ticket, safe='')}"

    # ---- OAuth (web pages) and mini-program sign-in ---------------------------------------------

    def oauth_url(self, redirect_uri: str, state: str, scope: str = "snsapi_base") -> str:
        """The authorize link, parameters in the order WeChat requires."""
        query = urlencode({"appid": self._settings.app_id, "redirect_uri": redirect_uri,
                           "response_type": "code", "scope": scope, "state": state})
        return f"{self._web_base(REAL_OAUTH_BASE)}/connect/oauth2/authorize?{query}#wechat_redirect"

    async def oauth_grant(self, code: str) -> OAuthGrant:
        """Exchange an OAuth ``code`` for the user's openid (40029 invalid, 40163 already used)."""
        params = {"appid": self._settings.app_id, "secret": str(self._settings.app_secret or ""),
                  "code": code, "grant_type": "authorization_code"}
        answer = await self._send("GET", "/sns/oauth2/access_token", params=params)
        return OAuthGrant(answer["openid"], answer["access_token"], answer.get("scope", ""))

    async def oauth_userinfo(self, grant: OAuthGrant) -> dict[str, Any]:
        params = {"access_token": grant.access_token, "openid": grant.openid, "lang": "zh_CN"}
        return await self._send("GET", "/sns/userinfo", params=params)

    async def jscode2session(self, js_code: str) -> dict[str, Any]:
        """Exchange a mini-program ``wx.login`` code: ``{"openid", "session_key", ["unionid"]}``."""
        s = self._settings
        params = {"appid": s.miniprogram_app_id, "secret": str(s.miniprogram_app_secret or ""),
                  "js_code": js_code, "grant_type": "authorization_code"}
        return await self._send("GET", "/sns/jscode2session", params=params)

    def _web_base(self, real: str) -> str:
        """OAuth pages and QR images are on other WeChat hosts; a simulator serves them on its own."""
        return real if self._base == REAL_API_BASE else self._base


JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def wechat_api_for(settings: Settings, cache: Cache) -> WechatApi:
    """The account's client for this deployment: its token in Redis when there is one, else in the database."""
    tokens: TokenStore = (CacheTokenStore(cache, settings.wechat.app_id) if settings.cache.url
                          else DatabaseTokenStore(settings.wechat.app_id))
    return WechatApi(settings.wechat, cache, tokens=tokens)


def token_holder_warnings(settings: Settings) -> list[str]:
    """Settings that break WeChat's one-token-holder rule (each fetch invalidates the previous token)."""
    warnings = []
    if not settings.cache.url and settings.database.url.startswith("sqlite://:memory:"):
        warnings.append("database.url is an in-memory SQLite and cache.url is empty: every process keeps its own "
                        "access_token and each fetch invalidates the others'")
    return warnings


def _env_proxy(base: str) -> str | None:
    """The HTTP(S)_PROXY that applies to ``base`` (honouring NO_PROXY), looked up once, as httpx did."""
    parsed = urlparse(base)
    if not parsed.hostname or proxy_bypass(parsed.hostname):
        return None
    return getproxies().get(parsed.scheme) or None


def _dumps_text(body: Any) -> str:
    return jsonlib.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _dumps(body: dict[str, Any]) -> bytes:
    """UTF-8 JSON with Chinese kept as is: WeChat counts field lengths on the raw text."""
    return _dumps_text(body).encode("utf-8")
