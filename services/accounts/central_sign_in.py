"""The central sign-in round trip: to the identity provider and back, checked at every step.

``start`` makes a signed, single-use ``state`` (``services.accounts.oauth_state``: it also carries where to go
afterwards), and keeps the request's ``nonce`` and PKCE ``code_verifier`` in the cache under the state's
nonce, together with the hash of a random value set as a cookie in the starting browser — so a callback
works once, only before its expiry, and only in the browser that started it. ``finish`` checks all of that,
exchanges the code and validates the id_token (``adapters.identity_provider``). Every failure is a
DomainError with a Chinese message; the pages show it with a way to start again.

A verified central account that is not linked yet waits in the cache (``remember_pending``), keyed by the
browser's session, until the person registers or binds a local account.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from adapters.identity_provider import AuthorizationRequest, IdentityProviderClient, IdentityProviderError
from core.cache import Cache
from models.errors import Forbidden, ServiceUnavailable
from services.accounts.central_accounts import CentralProfile
from services.accounts.oauth_state import OAuthStates

MSG_BAD_STATE = "登录请求已失效或已使用，请回到登录页重新点击“单一窗口账号快捷登录”"
MSG_CANCELLED = "您已取消单一窗口账号登录"
MSG_PROVIDER_REFUSED = "单一窗口未完成登录（{error}），请重新登录"
MSG_CODE_REJECTED = "单一窗口授权已失效（授权码已使用或已过期），请重新登录"
MSG_TOKEN_INVALID = "单一窗口返回的身份凭证未通过校验，请重新登录"
MSG_PROVIDER_DOWN = "单一窗口身份认证服务暂时不可用，请稍后再试，或使用其他方式登录"
MSG_NOT_ENABLED = "本平台未开通单一窗口账号登录，请使用其他方式登录"
MSG_PENDING_GONE = "单一窗口登录已过期，请重新点击“单一窗口账号快捷登录”"
PENDING_TTL = 1800  # seconds to finish the registration or binding form


@dataclass(frozen=True)
class CentralStart:
    url: str  # the provider's authorize URL
    browser: str  # the value of the flow cookie to set in this browser


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _flow_key(state: str) -> str:
    return f"central:flow:{state[:16]}"  # the state's random nonce (services.accounts.oauth_state)


async def start(client: IdentityProviderClient, states: OAuthStates, cache: Cache, redirect_uri: str,
                next_path: str | None) -> CentralStart:
    state = await states.make_state(next_path)
    try:
        request = await client.authorization_request(redirect_uri, state)
    except IdentityProviderError:
        raise ServiceUnavailable(MSG_PROVIDER_DOWN) from None
    browser = secrets.token_urlsafe(24)
    flow = {"nonce": request.nonce, "verifier": request.code_verifier, "browser": _digest(browser)}
    await cache.set(_flow_key(state), json.dumps(flow), ttl=states.ttl)
    return CentralStart(request.url, browser)


async def finish(client: IdentityProviderClient, states: OAuthStates, cache: Cache, redirect_uri: str,
                 args: dict[str, str], browser: str | None) -> tuple[CentralProfile, str]:
    """The verified profile and the path to go to; Forbidden / ServiceUnavailable with the reason otherwise."""
    state = args.get("state", "")
    try:
        next_path = await states.open_state(state)
    except Forbidden:
        raise Forbidden(MSG_BAD_STATE, field="state") from None
    raw = await cache.get(_flow_key(state))
    await cache.delete(_flow_key(state))
    if raw is None:
        raise Forbidden(MSG_BAD_STATE, field="state")
    flow = json.loads(raw)
    if not browser or not hmac.compare_digest(flow["browser"], _digest(browser)):
        raise Forbidden(MSG_BAD_STATE, field="state")
    if args.get("error"):
        raise Forbidden(MSG_CANCELLED if args["error"] == "access_denied"
                        else MSG_PROVIDER_REFUSED.format(error=args["error"][:40]))
    if not args.get("code"):
        raise Forbidden(MSG_BAD_STATE, field="code")
    request = AuthorizationRequest("", flow["nonce"], flow["verifier"])
    try:
        found = await client.sign_in(args["code"], redirect_uri, request)
    except IdentityProviderError as error:
        if error.error == "invalid_id_token":
            raise Forbidden(MSG_TOKEN_INVALID) from None
        if error.user_must_retry:
            raise Forbidden(MSG_CODE_REJECTED) from None
        raise ServiceUnavailable(MSG_PROVIDER_DOWN) from None
    return CentralProfile.from_sign_in(found), next_path


def _pending_key(session_token: str) -> str:
    return f"central:pending:{_digest(session_token)}"


async def remember_pending(cache: Cache, session_token: str, profile: CentralProfile, next_path: str) -> None:
    await cache.set(_pending_key(session_token), json.dumps({"profile": profile.as_dict(), "next": next_path}),
                    ttl=PENDING_TTL)


async def pending(cache: Cache, session_token: str | None) -> tuple[CentralProfile, str]:
    """The central account waiting in this session; Forbidden when there is none (expired or never)."""
    raw = await cache.get(_pending_key(session_token)) if session_token else None
    if raw is None:
        raise Forbidden(MSG_PENDING_GONE)
    data = json.loads(raw)
    return CentralProfile(**data["profile"]), data["next"]


async def forget_pending(cache: Cache, session_token: str) -> None:
    await cache.delete(_pending_key(session_token))
