"""The identity-provider client (adapters/identity_provider.py) against the OpenID Connect simulator, over HTTP.

The simulator runs as a real server on a free port; the client discovers it, sends the browser's
authorize request (here: httpx playing the browser on the simulator's login page), exchanges the code with
client_secret_basic or client_secret_post and PKCE, validates the RS256 id_token against the JWKS (PyJWT)
and reads userinfo. Refusals are the provider's RFC 6749 errors, surfaced as IdentityProviderError.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sanic import Sanic

from adapters.identity_provider import AuthorizationRequest, IdentityProviderClient, IdentityProviderError
from core.config import IdentityProviderSettings, Secret
from simulators.idp.api import blueprint
from simulators.idp.platform import Client, IdpPlatform
from simulators.idp.users import DEMO_PASSWORD, DEMO_USERS
from tests.bot.support import free_socket, serving

Sanic.test_mode = True
CLIENT_ID, CLIENT_SECRET = "qingling-test", "client-secret-0123456789"
REDIRECT = "https://qingling.example.cn/h5/central/callback"
ZHAO = DEMO_USERS[0]


@dataclass
class Idp:
    platform: IdpPlatform
    issuer: str  # without a trailing slash (the platform's own may have one)
    browser: httpx.AsyncClient  # plays the user's browser on the provider's pages

    def client(self, **changes: object) -> IdentityProviderClient:
        values = {"enabled": True, "issuer": self.issuer, "client_id": CLIENT_ID,
                  "client_secret": Secret(CLIENT_SECRET), "timeout_seconds": 3} | changes
        return IdentityProviderClient(IdentityProviderSettings(**values))  # type: ignore[arg-type]

    async def log_in(self, request: AuthorizationRequest, username: str = ZHAO.username,
                     password: str = DEMO_PASSWORD) -> dict[str, str]:
        """Open the authorize URL, fill the login page in, return the redirect's query (code, state)."""
        form_page = await self.browser.get(request.url)
        assert form_page.status_code == 200 and "单一窗口账号登录" in form_page.text
        params = {k: v[0] for k, v in parse_qs(urlparse(request.url).query).items()}
        answer = await self.browser.post(f"{self.issuer}/authorize",
                                         data={**params, "username": username, "password": password,
                                               "action": "login"})
        assert answer.status_code == 302, answer.text
        location = answer.headers["location"]
        assert location.startswith(REDIRECT + "?")
        return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


@contextlib.asynccontextmanager
async def running_idp(issuer_ending: str = "", extra_audiences: tuple[str, ...] = ()) -> AsyncIterator[Idp]:
    """The simulator on a free port; its issuer is ``…/sim/idp`` + ``issuer_ending`` (e.g. "/")."""
    sock = free_socket()
    issuer = f"http://127.0.0.1:{sock.getsockname()[1]}/sim/idp{issuer_ending}"
    client = Client(CLIENT_ID, CLIENT_SECRET, (REDIRECT,), extra_audiences)
    platform = IdpPlatform.with_users(issuer, [client], DEMO_USERS)
    app = Sanic(f"idp_sim_{secrets.token_hex(4)}", configure_logging=False)
    app.blueprint(blueprint(platform))
    async with serving(app, sock) as browser:
        yield Idp(platform, issuer.rstrip("/"), browser)


@pytest.fixture
async def idp() -> AsyncIterator[Idp]:
    async with running_idp() as running:
        yield running


@pytest.fixture
async def client(idp: Idp) -> AsyncIterator[IdentityProviderClient]:
    found = idp.client()
    yield found
    await found.aclose()


async def test_discovery_names_the_issuer_and_its_endpoints(idp: Idp, client: IdentityProviderClient) -> None:
    meta = await client.metadata()
    assert meta["issuer"] == idp.issuer
    assert meta["token_endpoint"] == f"{idp.issuer}/token"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert "client_secret_basic" in meta["token_endpoint_auth_methods_supported"]
    keys = (await idp.browser.get(meta["jwks_uri"])).json()["keys"]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"] == idp.platform.kid


async def test_a_provider_naming_another_issuer_is_refused(idp: Idp) -> None:
    other = idp.client(issuer=idp.issuer + "/")  # same document, trailing slash tolerated
    assert (await other.metadata())["issuer"] == idp.issuer
    await other.aclose()
    idp.platform.issuer = "https://evil.example.cn/sim/idp"
    wrong = idp.client()
    with pytest.raises(IdentityProviderError) as caught:
        await wrong.metadata()
    assert caught.value.error == "bad_response"
    await wrong.aclose()


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
async def test_code_flow_gives_verified_claims(idp: Idp, client: IdentityProviderClient, auth_method: str) -> None:
    request = await client.authorization_request(REDIRECT, "state-1")
    query = parse_qs(urlparse(request.url).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] == [request.nonce]
    back = await idp.log_in(request)
    assert back["state"] == "state-1"
    tokens = await client.exchange_code(back["code"], REDIRECT, request.code_verifier, auth_method=auth_method)
    assert tokens["token_type"] == "Bearer"
    claims = await client.validate_id_token(tokens["id_token"], request.nonce)
    assert claims["sub"] == ZHAO.subject and claims["aud"] == CLIENT_ID and claims["iss"] == idp.issuer
    info = await client.userinfo(tokens["access_token"])
    assert info == {"sub": ZHAO.subject, "name": "赵一", "preferred_username": "dl_zhaoyi",
                    "phone_number": "13800000011", "phone_number_verified": True,
                    "enterprise_credit_code": "9121024267997824X5", "enterprise_name": "大连示例进出口有限公司"}


async def test_sign_in_combines_id_token_and_userinfo(idp: Idp, client: IdentityProviderClient) -> None:
    request = await client.authorization_request(REDIRECT, "s")
    back = await idp.log_in(request)
    found = await client.sign_in(back["code"], REDIRECT, request)
    assert (found.issuer, found.subject) == (idp.issuer, ZHAO.subject)
    assert found.claims["enterprise_credit_code"] == "9121024267997824X5"


async def _code(idp: Idp, client: IdentityProviderClient) -> tuple[AuthorizationRequest, str]:
    request = await client.authorization_request(REDIRECT, "s")
    return request, (await idp.log_in(request))["code"]


async def test_a_used_code_is_invalid_grant_and_revokes_its_token(idp: Idp, client: IdentityProviderClient) -> None:
    request, code = await _code(idp, client)
    tokens = await client.exchange_code(code, REDIRECT, request.code_verifier)
    with pytest.raises(IdentityProviderError) as caught:
        await client.exchange_code(code, REDIRECT, request.code_verifier)
    assert (caught.value.error, caught.value.step) == ("invalid_grant", "token")
    assert caught.value.user_must_retry
    with pytest.raises(IdentityProviderError) as revoked:
        await client.userinfo(tokens["access_token"])
    assert revoked.value.error == "invalid_token"


async def test_an_expired_code_is_invalid_grant(idp: Idp, client: IdentityProviderClient) -> None:
    request, code = await _code(idp, client)
    idp.platform.advance(61)
    with pytest.raises(IdentityProviderError) as caught:
        await client.exchange_code(code, REDIRECT, request.code_verifier)
    assert caught.value.error == "invalid_grant"


async def test_a_wrong_pkce_verifier_is_invalid_grant(idp: Idp, client: IdentityProviderClient) -> None:
    _, code = await _code(idp, client)
    with pytest.raises(IdentityProviderError) as caught:
        await client.exchange_code(code, REDIRECT, "a" * 64)
    assert caught.value.error == "invalid_grant"


async def test_a_wrong_client_secret_is_invalid_client(idp: Idp) -> None:
    wrong = idp.client(client_secret=Secret("not-the-secret"))
    request, code = await _code(idp, wrong)
    for method in ("client_secret_basic", "client_secret_post"):
        with pytest.raises(IdentityProviderError) as caught:
            await wrong.exchange_code(code, REDIRECT, request.code_verifier, auth_method=method)
        assert caught.value.error == "invalid_client"
    raw = await idp.browser.post(f"{idp.issuer}/token", data={"grant_type": "authorization_code", "code": code},
                                 auth=(CLIENT_ID, "wrong"))
    assert raw.status_code == 401 and raw.headers["www-authenticate"].startswith("Basic")
    assert raw.headers["cache-control"] == "no-store"
    await wrong.aclose()


@pytest.mark.parametrize("spoiled", [{"nonce": "someone-elses-nonce"}, {"aud": "another-client"},
                                     {"iss": "https://evil.example.cn"}, {"exp": 1_000_000_000}])
async def test_a_spoiled_id_token_is_refused(idp: Idp, client: IdentityProviderClient,
                                             spoiled: dict[str, object]) -> None:
    request, code = await _code(idp, client)
    idp.platform.id_token_overrides = dict(spoiled)
    tokens = await client.exchange_code(code, REDIRECT, request.code_verifier)
    with pytest.raises(IdentityProviderError) as caught:
        await client.validate_id_token(tokens["id_token"], request.nonce)
    assert caught.value.error == "invalid_id_token"


PORTAL = "single-window-portal"  # another audience of the provider's tokens


async def test_a_token_for_several_audiences_is_accepted_when_we_are_its_azp() -> None:
    async with running_idp(extra_audiences=(PORTAL,)) as idp:
        client = idp.client()
        request, code = await _code(idp, client)
        tokens = await client.exchange_code(code, REDIRECT, request.code_verifier)
        claims = await client.validate_id_token(tokens["id_token"], request.nonce)
        assert (claims["aud"], claims["azp"]) == ([CLIENT_ID, PORTAL], CLIENT_ID)
        await client.aclose()


@pytest.mark.parametrize(("extra", "spoiled", "reason"), [
    ((PORTAL,), {"azp": PORTAL}, "azp is not our client_id"),
    ((PORTAL,), {"azp": None}, "several audiences and no azp"),
    ((), {"azp": PORTAL}, "azp is not our client_id"),  # one audience, but another party's token
    ((), {"aud": [PORTAL, "another-client"], "azp": CLIENT_ID}, "Audience doesn't match"),
])
async def test_a_token_whose_authorized_party_is_not_us_is_refused(
        extra: tuple[str, ...], spoiled: dict[str, object], reason: str) -> None:
    async with running_idp(extra_audiences=extra) as idp:
        client = idp.client()
        request, code = await _code(idp, client)
        idp.platform.id_token_overrides = {k: v for k, v in spoiled.items() if v is not None}
        tokens = await client.exchange_code(code, REDIRECT, request.code_verifier)
        if spoiled.get("azp", "") is None:  # drop the claim the simulator put in
            claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
            del claims["azp"]
            tokens["id_token"] = jwt.encode(claims, idp.platform.key, algorithm="RS256",
                                            headers={"kid": idp.platform.kid})
        with pytest.raises(IdentityProviderError) as caught:
            await client.validate_id_token(tokens["id_token"], request.nonce)
        assert caught.value.error == "invalid_id_token" and reason in caught.value.description
        await client.aclose()


@pytest.mark.parametrize("configured_ending", ["/", ""])
async def test_an_issuer_ending_with_a_slash_signs_in(configured_ending: str) -> None:
    async with running_idp(issuer_ending="/") as idp:
        client = idp.client(issuer=idp.issuer + configured_ending)
        meta = await client.metadata()
        assert meta["issuer"] == idp.issuer + "/" and meta["token_endpoint"] == f"{idp.issuer}/token"
        request, code = await _code(idp, client)
        found = await client.sign_in(code, REDIRECT, request)
        assert (found.issuer, found.subject) == (idp.issuer, ZHAO.subject)
        assert found.claims["iss"] == idp.issuer + "/"
        await client.aclose()


async def test_the_id_tokens_issuer_must_be_exactly_the_discovered_one() -> None:
    async with running_idp(issuer_ending="/") as idp:
        client = idp.client()
        request, code = await _code(idp, client)
        idp.platform.id_token_overrides = {"iss": idp.issuer}  # the slash dropped: another string
        tokens = await client.exchange_code(code, REDIRECT, request.code_verifier)
        with pytest.raises(IdentityProviderError) as caught:
            await client.validate_id_token(tokens["id_token"], request.nonce)
        assert caught.value.error == "invalid_id_token" and "issuer" in caught.value.description.lower()
        await client.aclose()


async def test_an_id_token_signed_by_another_key_is_refused(idp: Idp, client: IdentityProviderClient) -> None:
    request, code = await _code(idp, client)
    tokens = await client.exchange_code(code, REDIRECT, request.code_verifier)
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
                        headers={"kid": idp.platform.kid})
    with pytest.raises(IdentityProviderError) as caught:
        await client.validate_id_token(forged, request.nonce)
    assert caught.value.error == "invalid_id_token"
    unsigned = jwt.encode(claims, "", algorithm="none")
    with pytest.raises(IdentityProviderError):
        await client.validate_id_token(unsigned, request.nonce)


async def test_a_rotated_key_is_fetched_again(idp: Idp, client: IdentityProviderClient) -> None:
    request, code = await _code(idp, client)
    await client.validate_id_token((await client.exchange_code(code, REDIRECT, request.code_verifier))["id_token"],
                                   request.nonce)  # the JWKS is now cached
    idp.platform.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    idp.platform.kid = "rotated-key"
    request, code = await _code(idp, client)
    tokens = await client.exchange_code(code, REDIRECT, request.code_verifier)
    assert (await client.validate_id_token(tokens["id_token"], request.nonce))["sub"] == ZHAO.subject


async def test_login_page_refusals(idp: Idp, client: IdentityProviderClient) -> None:
    request = await client.authorization_request(REDIRECT, "state-9")
    params = {k: v[0] for k, v in parse_qs(urlparse(request.url).query).items()}
    wrong = await idp.browser.post(f"{idp.issuer}/authorize", data={**params, "username": ZHAO.username,
                                                                     "password": "nope", "action": "login"})
    assert wrong.status_code == 200 and "账号或密码错误" in wrong.text
    cancel = await idp.browser.post(f"{idp.issuer}/authorize", data={**params, "action": "cancel"})
    assert cancel.status_code == 302
    assert parse_qs(urlparse(cancel.headers["location"]).query) == {"error": ["access_denied"],
                                                                    "error_description": ["the user cancelled"],
                                                                    "state": ["state-9"]}
    bad_scope = await idp.browser.get(f"{idp.issuer}/authorize", params={**params, "scope": "profile"})
    assert parse_qs(urlparse(bad_scope.headers["location"]).query)["error"] == ["invalid_scope"]
    foreign = await idp.browser.get(f"{idp.issuer}/authorize",
                                    params={**params, "redirect_uri": "https://evil.example.cn/cb"})
    assert foreign.status_code == 400 and "location" not in foreign.headers  # never redirected elsewhere
    unknown = await idp.browser.get(f"{idp.issuer}/authorize", params={**params, "client_id": "nobody"})
    assert unknown.status_code == 400


async def test_an_unreachable_provider_is_a_network_error() -> None:
    sock = free_socket()  # bound, never listening
    port = sock.getsockname()[1]
    sock.close()
    settings = IdentityProviderSettings(enabled=True, issuer=f"http://127.0.0.1:{port}/sim/idp", client_id="x",
                                        timeout_seconds=2)
    client = IdentityProviderClient(settings)
    with pytest.raises(IdentityProviderError) as caught:
        await client.authorization_request(REDIRECT, "s")
    assert (caught.value.step, caught.value.error) == ("discovery", "network")
    await client.aclose()
