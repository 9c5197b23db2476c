"""The simulated platform over HTTP: WeChat's endpoints under ``/sim/wechat`` with its wire protocol.

Errors are HTTP 200 with ``{"errcode": N, "errmsg": "... rid: ..."}``, as WeChat answers. Point the app's
``wechat.api_base`` at ``<site>/sim/wechat``; the OAuth page and ``showqrcode`` live under the same prefix
(on WeChat they are on open.weixin.qq.com and mp.weixin.qq.com).
"""

from __future__ import annotations

import asyncio
import functools
import json as jsonlib
import logging
import secrets
import time
from base64 import urlsafe_b64encode
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import httpx
from sanic import Blueprint, HTTPResponse, Request, Sanic, json, raw, redirect, text

from core.config import WechatSettings
from simulators.wechat.callback_driver import CallbackDriver, callback_target
from simulators.wechat.payloads import check_custom, check_menu, check_template, qr_png, qr_request
from simulators.wechat.phone_page import register_phone_page
from simulators.wechat.platform import (
    SIMULATED_APP_ID,
    SIMULATED_MINIPROGRAM_APP_ID,
    TOKEN_TTL,
    QrCode,
    WechatError,
    WechatPlatform,
)

PREFIX = "/sim/wechat"
OK = {"errcode": 0, "errmsg": "ok"}
REPORT_DELAY = 1.0  # seconds between a template send and its TEMPLATESENDJOBFINISH in the demo
Handler = Callable[[Request, WechatPlatform], Awaitable[dict[str, Any]]]
log = logging.getLogger("qingling.sim.wechat")


def blueprint_for(settings: WechatSettings, clock: Callable[[], float] = time.time,
                  report_template_results: bool | None = None) -> Blueprint:
    """A simulator for the configured official account and mini-program (the demo and app tests).

    Its templates are the app's own (``wechat.templates`` and the titles and labels of
    ``simulators.wechat.templates``). ``report_template_results`` (default: when the app's ``api_base`` is
    this simulator, as in the demo) pushes TEMPLATESENDJOBFINISH to the app after each template message.
    """
    from simulators.wechat.templates import register_app_templates

    platform = WechatPlatform(
        app_id=settings.app_id or SIMULATED_APP_ID,
        app_secret=str(settings.app_secret or ""),
        miniprogram_app_id=settings.miniprogram_app_id or SIMULATED_MINIPROGRAM_APP_ID,
        miniprogram_app_secret=str(settings.miniprogram_app_secret or ""),
        clock=clock,
    )
    register_app_templates(platform, settings.templates)
    if report_template_results is None:
        report_template_results = settings.api_base.rstrip("/").endswith(PREFIX)
    if report_template_results:
        platform.report_template_results_after = REPORT_DELAY
    return blueprint(platform)


def blueprint(platform: WechatPlatform) -> Blueprint:
    """The routes serving ``platform``; it is also kept on ``bp.ctx.platform`` for tests and pages."""
    bp = Blueprint("wechat_simulator", url_prefix=PREFIX)
    bp.ctx.platform = platform
    bp.ctx.reports = set()  # TEMPLATESENDJOBFINISH pushes waiting or in flight

    def report(request: Request, openid: str, msgid: int) -> None:
        delay = platform.report_template_results_after
        if delay is None:
            return
        task = asyncio.get_running_loop().create_task(_report(request.app, bp, platform, openid, msgid, delay))
        bp.ctx.reports.add(task)
        task.add_done_callback(bp.ctx.reports.discard)

    @bp.before_server_stop
    async def stop_reports(app: Sanic) -> None:
        for task in list(bp.ctx.reports):
            task.cancel()

    def api(path: str, method: str) -> Callable[[Handler], Any]:
        endpoint = path.strip("/")

        def register(handler: Handler) -> Any:
            async def route(request: Request) -> HTTPResponse:
                try:
                    platform.begin(endpoint)
                    return json(await handler(request, platform))
                except WechatError as error:
                    return json(error.body())

            return bp.route(path, methods=[method], name=endpoint.replace("/", "_").replace("-", "_"))(route)

        return register

    api("/cgi-bin/token", "GET")(token)
    api("/cgi-bin/stable_token", "POST")(stable_token)
    api("/cgi-bin/message/template/send", "POST")(functools.partial(send_template, report=report))
    api("/cgi-bin/message/custom/send", "POST")(send_custom)
    api("/cgi-bin/menu/create", "POST")(create_menu)
    api("/cgi-bin/menu/get", "GET")(get_menu)
    api("/cgi-bin/qrcode/create", "POST")(create_qrcode)
    api("/sns/oauth2/access_token", "GET")(oauth_access_token)
    api("/sns/userinfo", "GET")(userinfo)
    api("/sns/jscode2session", "GET")(jscode2session)

    @bp.get("/cgi-bin/showqrcode", name="showqrcode")
    async def showqrcode(request: Request) -> HTTPResponse:
        code = platform.qrcodes.get(request.args.get("ticket", ""))
        if code is None or (code.expires_at is not None and code.expires_at <= platform.clock()):
            return text("二维码不存在或已过期", status=404)
        return raw(qr_png(code.ticket), content_type="image/png")

    @bp.get("/connect/oauth2/authorize", name="oauth2_authorize")
    async def authorize(request: Request) -> HTTPResponse:
        return _authorize(request, platform)

    @bp.post("/miniprogram/wx-login", name="miniprogram_wx_login")
    async def wx_login(request: Request) -> HTTPResponse:
        """The simulated mini-program's ``wx.login``: a one-time code for ``openid`` (a new user if none)."""
        openid = request.args.get("openid") or None
        return json({"code": platform.wx_login(openid)})

    register_phone_page(bp, platform, PREFIX)
    return bp


def _body(request: Request) -> dict[str, Any]:
    if not request.body:
        raise WechatError(44002)
    try:
        body = jsonlib.loads(request.body)
    except ValueError:
        raise WechatError(47001) from None
    if not isinstance(body, dict):
        raise WechatError(47001)
    return body


def _grant(value: str | None, expected: str) -> None:
    if value != expected:
        raise WechatError(40002)


async def token(request: Request, platform: WechatPlatform) -> dict[str, Any]:
    _grant(request.args.get("grant_type"), "client_credential")
    platform.check_app(request.args.get("appid"), request.args.get("secret"))
    issued = platform.issue_token("cgi")
    return {"access_token": issued.value, "expires_in": TOKEN_TTL}


async def stable_token(request: Request, platform: WechatPlatform) -> dict[str, Any]:
    body = _body(request)
    _grant(body.get("grant_type"), "client_credential")
    platform.check_app(body.get("appid"), body.get("secret"))
    issued = platform.stable_token(force=body.get("force_refresh") is True)
    return {"access_token": issued.value, "expires_in": int(issued.expires_at - platform.clock())}


async def send_template(request: Request, platform: WechatPlatform,
                        report: Callable[[Request, str, int], None] | None = None) -> dict[str, Any]:
    platform.token_app(request.args.get("access_token"))
    body = _body(request)
    follower = platform.follower(body.get("touser"))
    check_template(body)
    msgid = platform.dedupe_template(follower.openid, body.get("client_msg_id"))
    if msgid is None:
        msgid = platform.record("template", follower.openid, body).msgid
        if report is not None:
            report(request, follower.openid, msgid)
    return {**OK, "msgid": msgid}


async def _report(app: Sanic, bp: Blueprint, platform: WechatPlatform, openid: str, msgid: int,
                  delay: float) -> None:
    """TEMPLATESENDJOBFINISH for ``msgid``, ``delay`` seconds after it was accepted, as WeChat reports it."""
    await asyncio.sleep(delay)
    target = callback_target(app, bp.ctx, platform)
    if target is None:
        return
    try:
        async with httpx.AsyncClient(trust_env=False) as client:
            await CallbackDriver(platform, target, client).template_finished(
                openid, msgid, platform.template_status(openid))
    except Exception:  # noqa: BLE001 - a background report: log it, never crash the simulator
        log.exception("TEMPLATESENDJOBFINISH for msgid %s could not be pushed", msgid)


async def send_custom(request: Request, platform: WechatPlatform) -> dict[str, Any]:
    platform.token_app(request.args.get("access_token"))
    body = _body(request)
    follower = platform.follower(body.get("touser"))
    check_custom(body)
    platform.record("custom", follower.openid, body)
    return OK


async def create_menu(request: Request, platform: WechatPlatform) -> dict[str, Any]:
    platform.token_app(request.args.get("access_token"))
    body = _body(request)
    check_menu(body)
    platform.menu = {"button": body["button"]}
    return OK


async def get_menu(request: Request, platform: WechatPlatform) -> dict[str, Any]:
    platform.token_app(request.args.get("access_token"))
    if platform.menu is None:
        raise WechatError(46003)
    return {"menu": platform.menu}


async def create_qrcode(request: Request, platform: WechatPlatform) -> dict[str, Any]:
    platform.token_app(request.args.get("access_token"))
    action, scene, expiry = qr_request(_body(request))
    ticket = urlsafe_b64encode(secrets.token_bytes(60)).decode()
    url = f"http://weixin.qq.com/q/{secrets.token_urlsafe(18)}"
    expires_at = None if expiry is None else platform.clock() + expiry
    platform.qrcodes[ticket] = QrCode(ticket, action, scene, expires_at, url)
    answer: dict[str, Any] = {"ticket": ticket, "url": url}
    if expiry is not None:
        answer["expire_seconds"] = expiry
    return answer


async def oauth_access_token(request: Request, platform: WechatPlatform) -> dict[str, Any]:
    _grant(request.args.get("grant_type"), "authorization_code")
    platform.check_app(request.args.get("appid"), request.args.get("secret"))
    code = platform.redeem(request.args.get("code"))
    issued = platform.sns_token(code.openid, code.scope)
    return {"access_token": issued.value, "expires_in": TOKEN_TTL, "refresh_token": secrets.token_urlsafe(80),
            "openid": code.openid, "scope": code.scope}


async def userinfo(request: Request, platform: WechatPlatform) -> dict[str, Any]:
    issued = platform.tokens.get(request.args.get("access_token", ""))
    if issued is None or issued.kind != "sns":
        raise WechatError(40001)
    if issued.expires_at <= platform.clock():
        raise WechatError(42001)
    if request.args.get("openid") != issued.openid:
        raise WechatError(40003)
    if issued.scope != "snsapi_userinfo":
        raise WechatError(48001)
    follower = platform.follower(issued.openid, must_follow=False)
    # Since 2021-10-20 sex and region are no longer returned with real data.
    return {"openid": follower.openid, "nickname": follower.nickname, "sex": 0, "province": "", "city": "",
            "country": "", "headimgurl": "", "privilege": []}


async def jscode2session(request: Request, platform: WechatPlatform) -> dict[str, Any]:
    _grant(request.args.get("grant_type"), "authorization_code")
    platform.check_app(request.args.get("appid"), request.args.get("secret"), miniprogram=True)
    code = platform.redeem(request.args.get("js_code"), miniprogram=True)
    return {"openid": code.openid, "session_key": urlsafe_b64encode(secrets.token_bytes(16)).decode()}


def _authorize(request: Request, platform: WechatPlatform) -> HTTPResponse:
    """The consent step: redirect back with a one-time code for the chosen follower (``sim_openid``)."""
    args = request.args
    if args.get("appid") != platform.app_id:
        return text("appid 参数错误（模拟器）", status=400)
    redirect_uri = args.get("redirect_uri")
    if not redirect_uri:
        return text("redirect_uri 参数错误（模拟器）", status=400)
    scope = args.get("scope")
    if args.get("response_type") != "code" or scope not in ("snsapi_base", "snsapi_userinfo"):
        return text("scope 参数错误（模拟器）", status=400)
    openid = args.get("sim_openid") or platform.active_openid
    if openid not in platform.followers:
        return text("请先在模拟器中选择一位微信用户", status=400)
    query = urlencode({"code": platform.oauth_code(openid, scope), "state": args.get("state", "")})
    return redirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}")
