"""The simulated platform's state: accounts, followers, tokens, one-time codes, quotas and injected faults.

Everything lives in memory on one ``WechatPlatform`` object, so tests (and the phone page) read what the
app sent. Time comes from ``clock`` (seconds since the epoch): tests pass a ``ManualClock`` to expire tokens.
Errors are raised as ``WechatError`` and rendered by ``api.py`` as WeChat's HTTP 200 JSON error body.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TOKEN_TTL = 7200
TOKEN_GRACE = 300  # a refreshed token's predecessor stays valid for 5 minutes
STABLE_REFRESH_BEFORE = 300  # stable_token hands out a new token 5 minutes before expiry
STABLE_FORCE_SPACING = 30  # force_refresh calls closer than this return the current token
CODE_TTL = 300  # OAuth and wx.login codes: single use, 5 minutes
# The simulated official account and mini-program when the app configures none of its own (the demo).
SIMULATED_APP_ID = "wx_simulated_app"
SIMULATED_MINIPROGRAM_APP_ID = "wx_simulated_miniprogram"
CLIENT_MSG_ID_TTL = 600  # template send de-duplication window per openid + client_msg_id
MINUTE_QUOTAS = {"cgi-bin/stable_token": 10_000}
DAILY_QUOTAS = {"cgi-bin/token": 2000, "cgi-bin/menu/create": 1000, "cgi-bin/qrcode/create": 100_000,
                "cgi-bin/message/template/send": 100_000, "cgi-bin/message/custom/send": 500_000}

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40008: "invalid message type",
    40013: "invalid appid",
    40029: "invalid code",
    40036: "invalid template_id size",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40163: "code been used",
    41001: "access_token missing",
    42001: "access_token expired",
    43004: "require subscribe",
    44002: "empty post data",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    46003: "menu no exist",
    47001: "data format error",
    48001: "api unauthorized",
}


class WechatError(Exception):
    """A WeChat error answer: ``{"errcode": N, "errmsg": "... rid: ..."}`` with HTTP 200."""

    def __init__(self, errcode: int, errmsg: str | None = None) -> None:
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = errmsg or ERRMSG.get(errcode, "unknown error")

    def body(self) -> dict[str, Any]:
        rid = "-".join(secrets.token_hex(4) for _ in range(3))
        return {"errcode": self.errcode, "errmsg": f"{self.errmsg} rid: {rid}"}


class ManualClock:
    """A clock for tests: starts at a fixed instant and moves only when told."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Follower:
    openid: str
    nickname: str
    subscribed: bool = True
    unionid: str | None = None


@dataclass
class Token:
    value: str
    appid: str
    expires_at: float
    kind: str  # "cgi" (/cgi-bin/token), "stable" (/cgi-bin/stable_token) or "sns" (OAuth)
    superseded: bool = False
    openid: str | None = None
    scope: str | None = None


@dataclass
class SentMessage:
    kind: str  # "template" or "custom"
    msgid: int
    touser: str
    body: dict[str, Any]
    sent_at: float


@dataclass(frozen=True)
class TemplateInfo:
    """A template as the account chose it in WeChat's console: its title and each keyword's label."""

    title: str
    keywords: dict[str, str]  # keyword name ("character_string1") -> label shown ("问题编号")


@dataclass
class ChatLine:  # a chat line that is not an API message: what the follower did, a passive reply, a notice
    openid: str
    sender: str  # "user" (typed or tapped on the phone), "account" (a passive reply) or "system"
    kind: str  # "text", "event", "notice", or the reply's MsgType
    content: str
    at: float


@dataclass
class OneTimeCode:
    openid: str
    expires_at: float
    scope: str = ""
    used: bool = False


@dataclass
class QrCode:
    ticket: str
    action_name: str
    scene: dict[str, Any]
    expires_at: float | None
    url: str


def new_openid() -> str:
    """28 characters like a real openid (``o`` + 27 URL-safe characters)."""
    return "o" + secrets.token_urlsafe(21)[:27]


@dataclass
class WechatPlatform:
    app_id: str
    app_secret: str  # empty: any secret is accepted (the demo without configured secrets)
    miniprogram_app_id: str = ""
    miniprogram_app_secret: str = ""
    clock: Callable[[], float] = time.time
    minute_quota: dict[str, int] = field(default_factory=lambda: dict(MINUTE_QUOTAS))  # per endpoint (45011)
    daily_quota: dict[str, int] = field(default_factory=lambda: dict(DAILY_QUOTAS))  # (45009)
    followers: dict[str, Follower] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    messages: list[SentMessage] = field(default_factory=list)
    menu: dict[str, Any] | None = None
    qrcodes: dict[str, QrCode] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)  # endpoint -> requests received
    active_openid: str | None = None  # the follower who "taps" OAuth links when none is named
    chat: list[ChatLine] = field(default_factory=list)  # pushes to the app and its passive replies
    templates: dict[str, TemplateInfo] = field(default_factory=dict)  # template id -> title and labels
    # After a template message is accepted, push TEMPLATESENDJOBFINISH to the app's callback this many
    # seconds later (None: never; the in-app simulator of the demo turns it on, see api.blueprint_for).
    report_template_results_after: float | None = None
    _faults: dict[str, deque[int]] = field(default_factory=dict)
    _windows: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    _oauth_codes: dict[str, OneTimeCode] = field(default_factory=dict)
    _login_codes: dict[str, OneTimeCode] = field(default_factory=dict)
    _client_msg_ids: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)
    _last_force: float = float("-inf")
    _next_msgid: int = 200_228_332

    # ---- set-up, for tests and the phone page ----------------------------------------------------

    def add_follower(self, nickname: str = "微信用户", openid: str | None = None, subscribed: bool = True) -> Follower:
        follower = Follower(openid or new_openid(), nickname, subscribed)
        self.followers[follower.openid] = follower
        self.active_openid = self.active_openid or follower.openid
        return follower

    def wx_login(self, openid: str | None = None) -> str:
        """What ``wx.login`` gives a mini-program: a one-time code for ``openid`` (a new user if None)."""
        code = secrets.token_hex(16)
        self._login_codes[code] = OneTimeCode(openid or new_openid(), self.clock() + CODE_TTL)
        return code

    def add_template(self, template_id: str, title: str, keywords: dict[str, str]) -> TemplateInfo:
        """Register a template (as adding it in the console does): the phone shows its title and labels."""
        info = TemplateInfo(title, dict(keywords))
        self.templates[template_id] = info
        return info

    def template_status(self, openid: str) -> str:
        """TEMPLATESENDJOBFINISH's Status for a message to ``openid``: refused once the user unfollowed."""
        follower = self.followers.get(openid)
        return "success" if follower is not None and follower.subscribed else "failed:user block"

    def fail_next(self, endpoint: str, errcode: int, times: int = 1) -> None:
        """The next ``times`` calls of ``endpoint`` (e.g. "cgi-bin/message/template/send") answer ``errcode``."""
        self._faults.setdefault(endpoint.strip("/"), deque()).extend([errcode] * times)

    def expire_access_tokens(self) -> None:
        """Invalidate every API token now, as when WeChat revokes them (the next use gets 42001)."""
        for token in self.tokens.values():
            token.expires_at = min(token.expires_at, self.clock())

    def say(self, openid: str, sender: str, kind: str, content: str) -> ChatLine:
        line = ChatLine(openid, sender, kind, content, self.clock())
        self.chat.append(line)
        return line

    def sent(self, kind: str, openid: str | None = None) -> list[SentMessage]:
        return [m for m in self.messages if m.kind == kind and openid in (None, m.touser)]

    # ---- request plumbing, used by api.py --------------------------------------------------------

    def begin(self, endpoint: str, counter_key: str = "") -> None:
        """Count a call, then apply injected faults and the per-minute and daily quotas."""
        self.calls[endpoint] += 1
        faults = self._faults.get(endpoint)
        if faults:
            raise WechatError(faults.popleft())
        now = self.clock()
        for window, limits, errcode in ((60, self.minute_quota, 45011), (86400, self.daily_quota, 45009)):
            limit = limits.get(endpoint)
            if limit is None:
                continue
            key = (endpoint, counter_key, int(now // window) * window)
            if self._windows[key] >= limit:
                raise WechatError(errcode)
            self._windows[key] += 1

    def check_app(self, appid: str | None, secret: str | None, miniprogram: bool = False) -> None:
        expected = (self.miniprogram_app_id, self.miniprogram_app_secret) if miniprogram else (
            self.app_id, self.app_secret)
        if not appid or appid != expected[0]:
            raise WechatError(40013)
        if expected[1] and secret != expected[1]:
            raise WechatError(40125)

    def token_app(self, value: str | None) -> str:
        """The appid a ``cgi-bin`` access_token belongs to, or the error WeChat gives for it."""
        if not value:
            raise WechatError(41001)
        token = self.tokens.get(value)
        if token is None or token.kind == "sns":
            raise WechatError(40001)
        if token.expires_at <= self.clock():
            raise WechatError(40001 if token.superseded else 42001)
        return token.appid

    def issue_token(self, kind: str) -> Token:
        """A new token; the previous one of the same kind stays valid for the grace period."""
        now = self.clock()
        for old in self.tokens.values():
            if old.kind == kind and not old.superseded:
                old.superseded = True
                old.expires_at = min(old.expires_at, now + TOKEN_GRACE)
        token = Token(secrets.token_urlsafe(120), self.app_id, now + TOKEN_TTL, kind)
        self.tokens[token.value] = token
        return token

    def stable_token(self, force: bool) -> Token:
        now = self.clock()
        current = next((t for t in self.tokens.values() if t.kind == "stable" and not t.superseded), None)
        if force and now - self._last_force >= STABLE_FORCE_SPACING:
            self._last_force = now
            return self.issue_token("stable")
        if current is None or current.expires_at - now <= STABLE_REFRESH_BEFORE:
            return self.issue_token("stable")
        return current

    def next_msgid(self) -> int:
        self._next_msgid += 1
        return self._next_msgid

    def follower(self, openid: Any, must_follow: bool = True) -> Follower:
        follower = self.followers.get(openid) if isinstance(openid, str) else None
        if follower is None:
            raise WechatError(40003)
        if must_follow and not follower.subscribed:
            raise WechatError(43004)
        return follower

    def dedupe_template(self, openid: str, client_msg_id: str | None) -> int | None:
        """The msgid already sent for this openid + client_msg_id within 10 minutes, if any."""
        if not client_msg_id:
            return None
        seen = self._client_msg_ids.get((openid, client_msg_id))
        return seen[0] if seen and seen[1] > self.clock() else None

    def record(self, kind: str, touser: str, body: dict[str, Any]) -> SentMessage:
        message = SentMessage(kind, self.next_msgid(), touser, body, self.clock())
        self.messages.append(message)
        if kind == "template" and body.get("client_msg_id"):
            key = (touser, str(body["client_msg_id"]))
            self._client_msg_ids[key] = (message.msgid, self.clock() + CLIENT_MSG_ID_TTL)
        return message

    # ---- OAuth and mini-program codes ------------------------------------------------------------

    def oauth_code(self, openid: str, scope: str) -> str:
        code = secrets.token_hex(16)
        self._oauth_codes[code] = OneTimeCode(openid, self.clock() + CODE_TTL, scope)
        return code

    def redeem(self, code: str | None, miniprogram: bool = False) -> OneTimeCode:
        """Use a one-time code: 40029 when unknown or expired, 40163 when already used."""
        entry = (self._login_codes if miniprogram else self._oauth_codes).get(code or "")
        if entry is None or entry.expires_at <= self.clock():
            raise WechatError(40029)
        if entry.used:
            raise WechatError(40163)
        entry.used = True
        return entry

    def sns_token(self, openid: str, scope: str) -> Token:
        token = Token(secrets.token_urlsafe(80), self.app_id, self.clock() + TOKEN_TTL, "sns",
                      openid=openid, scope=scope)
        self.tokens[token.value] = token
        return token
