"""The phone simulator page under ``/sim/wechat/phone``: choose or add a follower, follow the account, tap the
menu, type text, scan a QR code the app created, read the chat (passive replies, customer-service and template
messages), open links.

Plain forms posting to these routes, which push through ``CallbackDriver`` and redirect back (POST, then GET).
The pushes go to ``bp.ctx.callback_url`` when set, else to ``{server.public_url}/wechat/callback`` of the app
the simulator is mounted in, signed with that app's ``wechat`` token, EncodingAESKey (safe mode) and AppID.
The menu is the one pushed with menu/create, else the app's ``bot.menu.menu_definition()``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

import httpx
from sanic import Blueprint, HTTPResponse, Request, html, redirect, text

from simulators.wechat.callback_driver import CallbackDriver, CallbackTarget, callback_target
from simulators.wechat.phone_view import URL, PhoneView, render_page
from simulators.wechat.platform import WechatPlatform

NO_CALLBACK = "应用未配置 wechat.token，消息无法推送到公众号后台"
NOT_FOLLOWING = "请先关注公众号"
UNSUPPORTED_MENU = "模拟器暂不支持该类菜单"
AUTHORIZE_PATH = "/connect/oauth2/authorize"


def register_phone_page(bp: Blueprint, platform: WechatPlatform, prefix: str) -> None:
    """Add the page's routes to the simulator blueprint ``bp`` (mounted at ``prefix``)."""
    paths = {"phone": "/phone", "phone_add_follower": "/phone/followers", "phone_send": "/phone/send",
             "phone_menu": "/phone/menu", "phone_subscription": "/phone/subscription", "phone_open": "/phone/open",
             "phone_scan": "/phone/scan"}

    def action(name: str) -> str:
        return prefix + paths[name]

    def open_url(openid: str, link: str) -> str:
        return action("phone_open") + "?" + urlencode({"openid": openid, "url": link})

    def back(openid: str) -> HTTPResponse:
        return redirect(action("phone") + "?" + urlencode({"openid": openid}) + "#latest", status=303)

    def target(request: Request) -> CallbackTarget | None:
        return callback_target(request.app, bp.ctx, platform)

    async def push(request: Request, openid: str, act: Any) -> None:
        """Run ``act(driver)`` for a following follower; otherwise say why nothing was sent."""
        found = target(request)
        if found is None:
            platform.say(openid, "system", "notice", NO_CALLBACK)
            return
        async with httpx.AsyncClient(trust_env=False) as client:
            await act(CallbackDriver(platform, found, client))

    def chosen(request: Request, source: Any) -> str | None:
        openid = source.get("openid")
        return openid if openid in platform.followers else None

    @bp.get(paths["phone"], name="phone")
    async def phone(request: Request) -> HTTPResponse:
        current = platform.followers.get(chosen(request, request.args) or platform.active_openid or "")
        openid = current.openid if current else None
        view = PhoneView(
            followers=list(platform.followers.values()), current=current,
            lines=[line for line in platform.chat if line.openid == openid],
            messages=[m for m in platform.messages if m.touser == openid],
            menu=platform.menu or _default_menu(), action=action, open_url=open_url,
            templates=platform.templates,
            notice="" if target(request) else NO_CALLBACK,
            qrcodes=[c for c in platform.qrcodes.values() if c.expires_at is None or c.expires_at > platform.clock()])
        return html(render_page(view))

    @bp.post(paths["phone_add_follower"], name="phone_add_follower")
    async def add_follower(request: Request) -> HTTPResponse:
        nickname = (request.form.get("nickname") or "").strip()[:20] or "微信用户"
        follower = platform.add_follower(nickname, subscribed=False)
        platform.active_openid = follower.openid
        return back(follower.openid)

    @bp.post(paths["phone_subscription"], name="phone_subscription")
    async def subscription(request: Request) -> HTTPResponse:
        openid = chosen(request, request.form)
        if openid is None:
            return text("请选择微信用户", status=400)
        follow = request.form.get("follow") == "1"
        await push(request, openid, lambda d: d.subscribe(openid) if follow else d.unsubscribe(openid))
        return back(openid)

    @bp.post(paths["phone_send"], name="phone_send")
    async def send(request: Request) -> HTTPResponse:
        openid = chosen(request, request.form)
        content = (request.form.get("content") or "").strip()
        if openid is None:
            return text("请选择微信用户", status=400)
        if content and _following(platform, openid):
            await push(request, openid, lambda d: d.send_text(openid, content[:600]))
        return back(openid)

    @bp.post(paths["phone_menu"], name="phone_menu")
    async def tap_menu(request: Request) -> HTTPResponse:
        openid = chosen(request, request.form)
        if openid is None:
            return text("请选择微信用户", status=400)
        kind, goal, name = (request.form.get(k) or "" for k in ("type", "target", "name"))
        if not _following(platform, openid):
            return back(openid)
        if kind == "click":
            await push(request, openid, lambda d: d.click(openid, goal, name))
        elif kind == "view" and URL.fullmatch(goal):
            await push(request, openid, lambda d: d.view(openid, goal, name))
            return redirect(open_url(openid, goal), status=303)
        else:
            platform.say(openid, "system", "notice", UNSUPPORTED_MENU)
        return back(openid)

    @bp.post(paths["phone_scan"], name="phone_scan")
    async def scan(request: Request) -> HTTPResponse:
        openid, ticket = chosen(request, request.form), request.form.get("ticket") or ""
        if openid is None or ticket not in platform.qrcodes:
            return text("二维码无效（模拟器）", status=400)
        await push(request, openid, lambda d: d.scan(openid, ticket))
        return back(openid)

    @bp.get(paths["phone_open"], name="phone_open")
    async def open_link(request: Request) -> HTTPResponse:
        openid, link = chosen(request, request.args), request.args.get("url") or ""
        if openid is None or not URL.fullmatch(link):
            return text("链接无效（模拟器）", status=400)
        platform.active_openid = openid
        return redirect(prefix + AUTHORIZE_PATH + "?" + urlencode(_authorize_query(platform, openid, link)))


def _following(platform: WechatPlatform, openid: str) -> bool:
    if platform.followers[openid].subscribed:
        return True
    platform.say(openid, "system", "notice", NOT_FOLLOWING)
    return False


def _authorize_query(platform: WechatPlatform, openid: str, link: str) -> dict[str, str]:
    """An authorize link keeps its own parameters; any other page is wrapped in a snsapi_base authorization."""
    parsed = urlparse(link)
    if parsed.path.endswith(AUTHORIZE_PATH):
        return {**dict(parse_qsl(parsed.query, keep_blank_values=True)), "sim_openid": openid}
    return {"appid": platform.app_id, "redirect_uri": link, "response_type": "code", "scope": "snsapi_base",
            "state": "", "sim_openid": openid}


def _default_menu() -> dict[str, Any]:
    from bot.menu import menu_definition  # the app's menu, shown until one is pushed with menu/create

    return menu_definition()
