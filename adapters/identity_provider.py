"""Client of the central single-window identity provider: OAuth 2.0 authorization code + PKCE, OpenID Connect.

Everything the provider says is checked: its discovery document must name the configured issuer (a
trailing ``/`` on either side is tolerated there); the id_token must be RS256-signed by a key of its JWKS
(fetched again once when an unknown ``kid`` shows up, i.e. after a key rotation) and carry our ``aud``, as
``iss`` exactly the issuer the discovery document names, a future ``exp`` and the ``nonce`` we sent; a token
for several audiences must name us as its ``azp`` (OpenID Connect Core §3.1.3.7, steps 3–5); userinfo must
be about the same ``sub``. JWT and JWK handling is PyJWT's. Every call has a timeout, and any
failure — network, HTTP, an OAuth error answer, a bad token — is an ``IdentityProviderError``.
"""

from __future__ import annotations

import base64
import hashlib
import json as jsonlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

import aiohttp
import jwt

from core.config import IdentityProviderSettings

log = logging.getLogger("qingling.identity_provider")
LEEWAY_SECONDS = 30  # clock difference tolerated between the provider and us
ALGORITHMS = ["RS256"]


class IdentityProviderError(Exception):
    """``error`` is the provider's OAuth error code (``invalid_grant``, ``invalid_client`` …) or one of ours:
    ``network``, ``http_<status>``, ``bad_response``, ``invalid_id_token``, ``invalid_userinfo``."""

    def __init__(self, step: str, error: str, description: str = "") -> None:
        super().__init__(f"{step}: {error} {description}".strip())
        self.step, self.error, self.description = step, error, description

    @property
    def user_must_retry(self) -> bool:
        """True when starting the sign-in again can help (a used or expired code, a stale token)."""
        return self.error in ("invalid_grant", "invalid_id_token", "access_denied", "invalid_token")


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str  # where to send the browser
    nonce: str  # to compare with the id_token's
    code_verifier: str  # PKCE: to send with the code


@dataclass(frozen=True)
class CentralSignIn:
    """A verified sign-in: the subject and the provider's claims about it (id_token + userinfo)."""

    issuer: str
    subject: str
    claims: dict[str, Any]


def pkce_pair() -> tuple[str, str]:
    """A fresh code_verifier and its S256 code_challenge (RFC 7636 §4.1–4.2)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class IdentityProviderClient:
    """One configured provider; share one per process (the HTTP session and the JWKS are kept)."""

    def __init__(self, settings: IdentityProviderSettings) -> None:
        self.settings = settings
        self.issuer = settings.issuer.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=settings.timeout_seconds, connect=min(settings.timeout_seconds, 3))
        self._http: aiohttp.ClientSession | None = None
        self._metadata: dict[str, Any] | None = None
        self._jwks: jwt.PyJWKSet | None = None

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def metadata(self) -> dict[str, Any]:
        """The discovery document (fetched once), refused unless it names our issuer."""
        if self._metadata is None:
            found = await self._get_json("discovery", f"{self.issuer}/.well-known/openid-configuration")
            named = found.get("issuer")
            if not isinstance(named, str) or named.rstrip("/") != self.issuer:
                raise IdentityProviderError("discovery", "bad_response", "issuer does not match the configuration")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(found.get(key), str):
                    raise IdentityProviderError("discovery", "bad_response", f"{key} missing")
            self._metadata = found
        return self._metadata

    async def authorization_request(self, redirect_uri: str, state: str) -> AuthorizationRequest:
        """The authorize URL with ``state``, a fresh ``nonce`` and a PKCE S256 challenge."""
        endpoint = (await self.metadata())["authorization_endpoint"]
        nonce = secrets.token_urlsafe(24)
        verifier, challenge = pkce_pair()
        query = {"response_type": "code", "client_id": self.settings.client_id, "redirect_uri": redirect_uri,
                 "scope": " ".join(self.settings.scopes), "state": state, "nonce": nonce,
                 "code_challenge": challenge, "code_challenge_method": "S256"}
        separator = "&" if "?" in endpoint else "?"
        return AuthorizationRequest(f"{endpoint}{separator}{urlencode(query)}", nonce, verifier)

    async def exchange_code(self, code: str, redirect_uri: str, code_verifier: str, *,
                            auth_method: str = "client_secret_basic") -> dict[str, Any]:
        """The token response for ``code`` (access_token, id_token …); the client authenticates as configured."""
        endpoint = (await self.metadata())["token_endpoint"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": code_verifier}
        headers = {"accept": "application/json"}
        client_id, secret = self.settings.client_id, str(self.settings.client_secret or "")
        if auth_method == "client_secret_basic":  # RFC 6749 §2.3.1: form-encode both, then Basic
            pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
            headers["authorization"] = "Basic " + base64.b64encode(pair).decode()
        else:
            form |= {"client_id": client_id, "client_secret": secret}
        tokens = await self._request_json("token", "POST", endpoint, data=form, headers=headers)
        if not isinstance(tokens.get("id_token"), str) or not isinstance(tokens.get("access_token"), str):
            raise IdentityProviderError("token", "bad_response", "id_token or access_token missing")
        return tokens

    async def validate_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The id_token's claims after checking signature, iss, aud, azp, exp, iat and nonce."""
        issuer = (await self.metadata())["issuer"]  # exactly as discovery says, trailing slash included
        try:
            header = jwt.get_unverified_header(id_token)
            key = await self._signing_key(str(header.get("kid", "")))
            claims = jwt.decode(id_token, key=key, algorithms=ALGORITHMS, audience=self.settings.client_id,
                                issuer=issuer, leeway=LEEWAY_SECONDS,
                                options={"require": ["iss", "sub", "aud", "exp", "iat"]})
        except jwt.PyJWTError as error:
            raise IdentityProviderError("id_token", "invalid_id_token", str(error)) from None
        self._check_authorized_party(claims)
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise IdentityProviderError("id_token", "invalid_id_token", "nonce does not match")
        return claims

    def _check_authorized_party(self, claims: dict[str, Any]) -> None:
        """A token for several audiences must carry ``azp``; an ``azp`` must be our client_id."""
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        azp = claims.get("azp")
        if azp is None and len(audiences) > 1:
            raise IdentityProviderError("id_token", "invalid_id_token", "several audiences and no azp")
        if azp is not None and azp != self.settings.client_id:
            raise IdentityProviderError("id_token", "invalid_id_token", "azp is not our client_id")

    async def userinfo(self, access_token: str) -> dict[str, Any]:
        endpoint = (await self.metadata()).get("userinfo_endpoint")
        if not endpoint:
            return {}
        return await self._request_json("userinfo", "GET", endpoint,
                                        headers={"authorization": f"Bearer {access_token}"})

    async def sign_in(self, code: str, redirect_uri: str, request: AuthorizationRequest) -> CentralSignIn:
        """Code → tokens → verified id_token → userinfo of the same subject."""
        tokens = await self.exchange_code(code, redirect_uri, request.code_verifier)
        claims = await self.validate_id_token(tokens["id_token"], request.nonce)
        info = await self.userinfo(tokens["access_token"])
        if info and info.get("sub") != claims["sub"]:
            raise IdentityProviderError("userinfo", "invalid_userinfo", "sub differs from the id_token's")
        return CentralSignIn(self.issuer, str(claims["sub"]), {**info, **claims})

    async def _signing_key(self, kid: str) -> Any:
        for fresh in (False, True):
            if self._jwks is None or fresh:
                uri = (await self.metadata())["jwks_uri"]
                try:
                    self._jwks = jwt.PyJWKSet.from_dict(await self._get_json("jwks", uri))
                except jwt.PyJWTError as error:
                    raise IdentityProviderError("jwks", "bad_response", str(error)) from None
            for key in self._jwks.keys:
                if key.key_id == kid or (not kid and len(self._jwks.keys) == 1):
                    return key.key
        raise IdentityProviderError("id_token", "invalid_id_token", "signing key not in the provider's JWKS")

    async def _get_json(self, step: str, url: str) -> dict[str, Any]:
        return await self._request_json(step, "GET", url)

    async def _request_json(self, step: str, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._http.request(method, url, **kwargs) as response:
                text, status = await response.text(), response.status
        except (aiohttp.ClientError, TimeoutError, UnicodeDecodeError) as error:
            log.warning("identity provider %s failed: %s", step, type(error).__name__)
            raise IdentityProviderError(step, "network", type(error).__name__) from None
        try:
            body = jsonlib.loads(text)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise IdentityProviderError(step, f"http_{status}", "not a JSON object")
        if status >= 400 or "error" in body:
            code = str(body.get("error") or f"http_{status}")
            log.info("identity provider %s answered %s", step, code)
            raise IdentityProviderError(step, code, str(body.get("error_description", "")))
        return body
