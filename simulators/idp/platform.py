"""The simulated provider's state and rules: clients, accounts, the signing key, codes and access tokens.

Errors are RFC 6749 §5.2 / §4.1.2.1 ones (``OAuthError``): the api module turns them into JSON bodies or
redirects. Codes expire after ``code_ttl`` seconds and work once; a second use of a code also revokes the
access token issued with it (RFC 6749 §4.1.2). Tests reach in through ``advance`` (the clock) and
``id_token_overrides`` (claims to spoil in the next id_token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from simulators.idp.users import CentralUser

SCOPES = ("openid", "profile", "phone", "enterprise")


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    # Other audiences of this client's id_tokens (a token for several audiences names the client as azp).
    extra_audiences: tuple[str, ...] = ()


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    user: CentralUser
    scopes: set[str]
    nonce: str | None
    challenge: str | None
    expires: float
    used: bool = False
    access_token: str | None = None


@dataclass
class IdpPlatform:
    issuer: str  # e.g. http://127.0.0.1:8000/sim/idp (or …/sim/idp/): the id_tokens' iss, exactly
    clients: dict[str, Client]
    users: dict[str, CentralUser]
    clock: Callable[[], float] = time.time
    code_ttl: int = 60
    token_ttl: int = 600
    id_token_overrides: dict[str, Any] = field(default_factory=dict)  # tests: spoil the next id_token
    _offset: float = 0.0
    _grants: dict[str, Grant] = field(default_factory=dict)
    _tokens: dict[str, tuple[CentralUser, set[str], float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)

    @classmethod
    def with_users(cls, issuer: str, clients: Iterable[Client], users: Iterable[CentralUser],
                   **kwargs: Any) -> IdpPlatform:
        return cls(issuer, {c.client_id: c for c in clients}, {u.username: u for u in users}, **kwargs)

    def now(self) -> float:
        return self.clock() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    # ---- documents ---------------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        base = self.issuer.rstrip("/")  # an issuer may end with "/"; the endpoints below it do not double it
        return {
            "issuer": self.issuer, "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token", "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks", "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": list(SCOPES),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "name", "preferred_username", "phone_number", "phone_number_verified",
                                 "enterprise_credit_code", "enterprise_name"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [jwk | {"kid": self.kid, "use": "sig", "alg": "RS256"}]}

    # ---- authorize ---------------------------------------------------------------------------------

    def check_client(self, params: dict[str, str]) -> Client:
        """Errors here are shown to the user, never redirected (RFC 6749 §4.1.2.1)."""
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            raise OAuthError("invalid_client", "未登记的应用（client_id）")
        if params.get("redirect_uri") not in client.redirect_uris:
            raise OAuthError("invalid_request", "回调地址（redirect_uri）与登记的不一致")
        return client

    def check_request(self, params: dict[str, str]) -> None:
        """Errors here go back to the client's redirect_uri."""
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "only response_type=code is supported")
        scopes = set(params.get("scope", "").split())
        if "openid" not in scopes or not scopes <= set(SCOPES):
            raise OAuthError("invalid_scope", "scope must contain openid and only known scopes")
        challenge, method = params.get("code_challenge"), params.get("code_challenge_method", "plain")
        if challenge is not None and (method != "S256" or not 43 <= len(challenge) <= 128):
            raise OAuthError("invalid_request", "code_challenge_method must be S256")

    def sign_in(self, username: str, password: str) -> CentralUser | None:
        user = self.users.get(username.strip())
        if user is None or not hmac.compare_digest(user.password.encode(), password.encode()):
            return None
        return user

    def issue_code(self, params: dict[str, str], user: CentralUser) -> str:
        code = secrets.token_urlsafe(24)
        self._grants[code] = Grant(params["client_id"], params["redirect_uri"], user,
                                   set(params["scope"].split()), params.get("nonce"),
                                   params.get("code_challenge"), self.now() + self.code_ttl)
        return code

    # ---- token -------------------------------------------------------------------------------------

    def exchange(self, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        client = self._authenticate(form, authorization)
        if form.get("grant_type") != "authorization_code":
            raise OAuthError("unsupported_grant_type", "only authorization_code is supported")
        grant = self._grants.get(form.get("code", ""))
        if grant is None or grant.client_id != client.client_id:
            raise OAuthError("invalid_grant", "authorization code is invalid")
        if grant.used:
            if grant.access_token:
                self._tokens.pop(grant.access_token, None)  # a replayed code revokes what it gave
            raise OAuthError("invalid_grant", "authorization code has already been used")
        grant.used = True
        if grant.expires <= self.now():
            raise OAuthError("invalid_grant", "authorization code has expired")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
        self._check_verifier(grant, form.get("code_verifier"))
        return self._tokens_for(grant)

    def _authenticate(self, form: dict[str, str], authorization: str | None) -> Client:
        basic = authorization is not None and authorization.lower().startswith("basic ")
        client_id, secret = form.get("client_id", ""), form.get("client_secret")
        if basic:
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
                raw_id, _, raw_secret = decoded.partition(":")
                client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
            except (ValueError, UnicodeDecodeError):
                raise OAuthError("invalid_client", "malformed Basic credentials", 401) from None
        client = self.clients.get(client_id)
        if client is None or secret is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
            raise OAuthError("invalid_client", "client authentication failed", 401)
        return client

    @staticmethod
    def _check_verifier(grant: Grant, verifier: str | None) -> None:
        if grant.challenge is None:
            return
        if not verifier:
            raise OAuthError("invalid_grant", "code_verifier is required")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not hmac.compare_digest(digest, grant.challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match code_challenge")

    def _tokens_for(self, grant: Grant) -> dict[str, Any]:
        access_token = secrets.token_urlsafe(32)
        grant.access_token = access_token
        now = self.now()
        self._tokens[access_token] = (grant.user, grant.scopes, now + self.token_ttl)
        claims: dict[str, Any] = {"iss": self.issuer, "sub": grant.user.subject, "aud": grant.client_id,
                                  "iat": int(now), "exp": int(now) + 300, "auth_time": int(now)}
        extra = self.clients[grant.client_id].extra_audiences
        if extra:
            claims |= {"aud": [grant.client_id, *extra], "azp": grant.client_id}
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        claims |= self.id_token_overrides
        self.id_token_overrides = {}
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        return {"access_token": access_token, "token_type": "Bearer", "expires_in": self.token_ttl,
                "id_token": id_token, "scope": " ".join(sorted(grant.scopes))}

    # ---- userinfo ----------------------------------------------------------------------------------

    def userinfo(self, authorization: str | None) -> dict[str, Any]:
        scheme, _, token = (authorization or "").partition(" ")
        found = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if found is None or found[2] <= self.now():
            raise OAuthError("invalid_token", "access token is invalid or expired", 401)
        user, scopes, _ = found
        return user.claims(scopes)
