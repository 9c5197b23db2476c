"""The simulated provider over HTTP, under ``/sim/idp``: discovery, authorize (login page), token, JWKS, userinfo.

Token and userinfo answers are RFC 6749 / RFC 6750 shaped: JSON errors with ``error`` and
``error_description``, 401 + ``WWW-Authenticate`` for a failed client or bearer authentication, and
``Cache-Control: no-store`` on tokens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from sanic import Blueprint, HTTPResponse, Request, json, redirect
from sanic.response import html

from core.config import IdentityProviderSettings
from core.demo_config import DEMO_IDP_CLIENT
from simulators.idp.login_page import error_page, login_page
from simulators.idp.platform import Client, IdpPlatform, OAuthError
from simulators.idp.users import DEMO_USERS

PREFIX = "/sim/idp"
AUTHORIZE_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge",
                    "code_challenge_method")
NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}


def blueprint_for(settings: IdentityProviderSettings, public_url: str,
                  clock: Callable[[], float] = time.time) -> Blueprint:
    """The app's own simulator: issuer ``<public_url>/sim/idp``, the configured client, the demo accounts."""
    client = Client(settings.client_id or DEMO_IDP_CLIENT, str(settings.client_secret or ""),
                    (public_url.rstrip("/") + settings.redirect_path,))
    issuer = public_url.rstrip("/") + PREFIX
    return blueprint(IdpPlatform.with_users(issuer, [client], DEMO_USERS, clock=clock))


def blueprint(platform: IdpPlatform) -> Blueprint:
    """Routes serving ``platform`` (kept on ``bp.ctx.platform`` for tests)."""
    bp = Blueprint("idp_simulator", url_prefix=PREFIX)
    bp.ctx.platform = platform

    @bp.get("/.well-known/openid-configuration", name="idp_discovery")
    async def discovery(request: Request) -> HTTPResponse:
        return json(platform.discovery())

    @bp.get("/jwks", name="idp_jwks")
    async def jwks(request: Request) -> HTTPResponse:
        return json(platform.jwks())

    @bp.get("/authorize", name="idp_authorize_form")
    async def authorize_form(request: Request) -> HTTPResponse:
        params = _params(request.args)
        return _authorize(platform, params) or html(login_page(params))

    @bp.post("/authorize", name="idp_authorize")
    async def authorize(request: Request) -> HTTPResponse:
        form = request.form or {}
        params = _params(form)
        problem = _authorize(platform, params)
        if problem is not None:
            return problem
        if form.get("action") == "cancel":
            return _back(params, error="access_denied", error_description="the user cancelled")
        user = platform.sign_in(form.get("username", ""), form.get("password", ""))
        if user is None:
            return html(login_page(params, error="账号或密码错误", username=form.get("username", "")), status=200)
        return _back(params, code=platform.issue_code(params, user))

    @bp.post("/token", name="idp_token")
    async def token(request: Request) -> HTTPResponse:
        form = {k: v[0] for k, v in (request.form or {}).items()}
        try:
            return json(platform.exchange(form, request.headers.get("authorization")), headers=NO_STORE)
        except OAuthError as error:
            headers = dict(NO_STORE)
            if error.status == 401:
                headers["www-authenticate"] = 'Basic realm="sim-idp"'
            return json(error.body(), status=error.status, headers=headers)

    @bp.route("/userinfo", methods=["GET", "POST"], name="idp_userinfo")
    async def userinfo(request: Request) -> HTTPResponse:
        try:
            return json(platform.userinfo(request.headers.get("authorization")))
        except OAuthError as error:
            return json(error.body(), status=401,
                        headers={"www-authenticate": f'Bearer error="{error.error}"'})

    return bp


def _params(source: Any) -> dict[str, str]:
    return {name: source.get(name) for name in AUTHORIZE_PARAMS if source.get(name) is not None}


def _authorize(platform: IdpPlatform, params: dict[str, str]) -> HTTPResponse | None:
    """None when the request may go on; else the error page or the redirect with the error."""
    try:
        platform.check_client(params)
    except OAuthError as error:
        return html(error_page(error.description), status=400)
    try:
        platform.check_request(params)
    except OAuthError as error:
        return _back(params, **error.body())
    return None


def _back(params: dict[str, str], **answer: str) -> HTTPResponse:
    if "state" in params:
        answer["state"] = params["state"]
    separator = "&" if "?" in params["redirect_uri"] else "?"
    return redirect(params["redirect_uri"] + separator + urlencode(answer), status=302)
