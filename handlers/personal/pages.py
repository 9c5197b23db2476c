"""个人中心 pages, drawn twice from one set of handlers: in the desktop shell (/workbench/personal) and as H5
pages for WeChat (/h5/personal). Tabs: 个人资料, 账号安全, 我的企业 (its own pages, another feature's), 表单设置.
A refused form comes back on its tab with every message beside its field and what was typed kept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from handlers.kit.auth import client_ip
from handlers.kit.bodies import B, same_password
from handlers.kit.forms import REFUSALS, Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import page, see_other
from handlers.kit.uploads import chosen_image
from handlers.personal.bodies import (
    NewPhoneBody,
    NewPhoneCodeBody,
    PasswordChangeBody,
    PersonalImageBody,
    PreferencesBody,
    ProfileBody,
)
from handlers.workspace.shell import workbench_page
from models.errors import NotFound, RateLimited, ServiceUnavailable
from services.accounts.sms_codes import MSG_CODE_SENT
from services.accounts.wechat_binding import unbind_openid
from services.kit.images import MSG_IMAGE_GONE
from services.personal import preferences as P
from services.personal import profile as R
from services.personal import security as S
from services.personal.labels import CARD_TYPE_LABELS, GENDER_LABELS, IMAGE_LABELS
from services.personal.preference_rules import SETTINGS, SOURCE_LABELS, Kind
from services.workspace.roles import Member

VIEW = "personal:view"  # every member's
SMS_REFUSALS = (*REFUSALS, RateLimited, ServiceUnavailable)
TABS = (("", "个人资料"), ("/security", "账号安全"), ("/companies", "我的企业"), ("/preferences", "表单设置"))
TAB_PATHS = {"profile": "", "security": "/security", "preferences": "/preferences"}
DONE = {"profile": "个人资料已保存", "avatar": "头像已更新", "stamp": "报关员章已更新", "avatar_removed": "头像已删除",
        "stamp_removed": "报关员章已删除", "phone": "手机号已更换", "password": "密码已修改",
        "local_account": "地方账号已开通，可使用用户名和密码登录", "wechat": "已解除微信绑定",
        "preferences": "表单设置已保存", "reset": "已恢复企业默认设置", "company": "企业默认表单设置已保存"}


async def _h5_page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTTPResponse:
    return page(request, template, status=status, **context)


@dataclass(frozen=True)
class Site:
    """Where the tabs live and how they are drawn: the desktop shell or the H5 layout."""

    prefix: str
    templates: str
    render: Callable[..., Awaitable[HTTPResponse]]


DESK = Site("/workbench/personal", "workbench/personal", workbench_page)
H5 = Site("/h5/personal", "personal_h5", _h5_page)


async def _tab(site: Site, request: Request, tab: str, refused: Refused | None, **context: Any) -> HTTPResponse:
    return await site.render(
        request, f"{site.templates}_{tab}.html", status=refused.status if refused else 200, base=site.prefix,
        tabs=TABS, current=site.prefix + TAB_PATHS[tab], errors=refused.beside() if refused else {},
        typed=dict(refused.values) if refused else {}, done=DONE.get(request.args.get("done", ""), ""), **context)


async def show_profile(site: Site, request: Request, refused: Refused | None = None) -> HTTPResponse:
    member = await current_member(request)
    return await _tab(site, request, "profile", refused, profile=await R.profile_of(member.membership.person_id),
                      genders=GENDER_LABELS, image_labels=IMAGE_LABELS)


async def show_security(site: Site, request: Request, refused: Refused | None = None,
                        notice: str = "") -> HTTPResponse:
    member = await current_member(request)
    return await _tab(site, request, "security", refused, security=await S.security_of(member), notice=notice,
                      card_types=CARD_TYPE_LABELS)


async def show_preferences(site: Site, request: Request, refused: Refused | None = None,
                           company_form: bool = False) -> HTTPResponse:
    member = await current_member(request)
    return await _tab(site, request, "preferences", refused, prefs=await P.preferences_of(member), settings=SETTINGS,
                      switch=Kind.SWITCH, sources=SOURCE_LABELS, company_form=company_form)


async def act(site: Site, request: Request, body: type[B], change: Callable[[Member, B], Awaitable[str]],
              again: Callable[[Site, Request, Refused], Awaitable[HTTPResponse]],
              catch: tuple[type[Exception], ...] = REFUSALS) -> HTTPResponse:
    """One form of a tab: the change (it names its tab and its done message), then back there (303)."""
    async def changed(member: Member, parsed: B) -> HTTPResponse:
        return see_other(f"{site.prefix}{await change(member, parsed)}")

    async def refused(member: Member, refusal: Refused) -> HTTPResponse:
        return await again(site, request, refusal)

    return await form_action(request, current_member, body, changed, refused, catch=catch)  # type: ignore[arg-type]


async def save_profile(site: Site, request: Request) -> HTTPResponse:
    async def change(member: Member, body: ProfileBody) -> str:
        await R.save_profile(request.app.ctx.services, member, body.name, body.gender)
        return "?done=profile"

    return await act(site, request, ProfileBody, change, show_profile)


async def set_image(site: Site, request: Request, kind: str) -> HTTPResponse:
    if kind not in R.IMAGE_KINDS:
        raise NotFound(MSG_IMAGE_GONE)

    async def change(member: Member, body: PersonalImageBody) -> str:
        await R.set_image(request.app.ctx.services, request.app.ctx.storage, member, kind,
                          await chosen_image(request, kind))
        return f"?done={kind}"

    return await act(site, request, PersonalImageBody, change, show_profile)


async def remove_image(site: Site, request: Request, kind: str) -> HTTPResponse:
    member = await current_member(request)
    await R.remove_image(request.app.ctx.services, request.app.ctx.storage, member, kind)
    return see_other(f"{site.prefix}?done={kind}_removed")


async def image(request: Request, kind: str) -> HTTPResponse:
    member = await current_member(request)
    content_type, path = await R.image_file(request.app.ctx.storage, member.membership.person_id, kind)
    return await file(path, mime_type=content_type, headers={"cache-control": "private, max-age=3600"})


async def send_code(site: Site, request: Request) -> HTTPResponse:
    async def change(member: Member, body: NewPhoneCodeBody) -> HTTPResponse:
        await S.send_phone_code(request.app.ctx.sms_codes, member, body.phone, ip=client_ip(request))
        return await show_security(site, request, Refused({}, {"phone": body.phone}, 200), notice=MSG_CODE_SENT)

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await show_security(site, request, refused)

    return await form_action(request, current_member, NewPhoneCodeBody, change, again, catch=SMS_REFUSALS)


async def change_phone(site: Site, request: Request) -> HTTPResponse:
    async def change(member: Member, body: NewPhoneBody) -> str:
        await S.change_phone(request.app.ctx.services, request.app.ctx.sms_codes, member, body.phone, body.code)
        return "/security?done=phone"

    return await act(site, request, NewPhoneBody, change, show_security, SMS_REFUSALS)


async def change_password(site: Site, request: Request) -> HTTPResponse:
    async def change(member: Member, body: PasswordChangeBody) -> str:
        done = await S.set_password(request.app.ctx.services, member, current=body.current_password,
                                    username=body.username, password=same_password(body.password, body.password2))
        return f"/security?done={done}"

    return await act(site, request, PasswordChangeBody, change, show_security, (*REFUSALS, RateLimited))


async def unbind_wechat(site: Site, request: Request) -> HTTPResponse:
    member = await current_member(request)
    await unbind_openid(request.app.ctx.services, member.membership.person_id)
    return see_other(f"{site.prefix}/security?done=wechat")


async def save_preferences(site: Site, request: Request) -> HTTPResponse:
    async def change(member: Member, body: Any) -> str:
        await P.save_mine(request.app.ctx.services, member, body.model_dump())
        return "/preferences?done=preferences"

    return await act(site, request, PreferencesBody, change, show_preferences)


async def reset_preferences(site: Site, request: Request) -> HTTPResponse:
    await P.reset_mine(request.app.ctx.services, await current_member(request))
    return see_other(f"{site.prefix}/preferences?done=reset")


async def save_company_defaults(site: Site, request: Request) -> HTTPResponse:
    async def change(member: Member, body: Any) -> str:
        await P.save_company_defaults(request.app.ctx.services, member, body.model_dump())
        return "/preferences?done=company"

    async def again(site: Site, request: Request, refused: Refused) -> HTTPResponse:
        return await show_preferences(site, request, refused, company_form=True)

    return await act(site, request, PreferencesBody, change, again)


# (handler taking the site, path under the prefix, method) of every page and form of the tabs.
ROUTES: tuple[tuple[Callable[..., Awaitable[HTTPResponse]], str, str], ...] = (
    (show_profile, "", "GET"), (save_profile, "/profile", "POST"),
    (set_image, "/images/<kind:str>", "POST"), (remove_image, "/images/<kind:str>/delete", "POST"),
    (show_security, "/security", "GET"), (send_code, "/security/phone/code", "POST"),
    (change_phone, "/security/phone", "POST"), (change_password, "/security/password", "POST"),
    (show_preferences, "/preferences", "GET"), (save_preferences, "/preferences", "POST"),
    (reset_preferences, "/preferences/reset", "POST"),
    (save_company_defaults, "/preferences/company", "POST"))


def _gated(site: Site, handler: Callable[..., Awaitable[HTTPResponse]]) -> Callable[..., Awaitable[HTTPResponse]]:
    @requires(VIEW)
    async def route(request: Request, **params: Any) -> HTTPResponse:
        return await handler(site, request, **params)

    return route


IMPLEMENTED = frozenset({DESK.prefix})


def personal_blueprint() -> Blueprint:
    bp = Blueprint("personal")
    for site, label in ((DESK, "desk"), (H5, "h5")):
        for handler, path, method in ROUTES:
            name = f"{label}_{handler.__name__}_{method.lower()}"
            bp.add_route(_gated(site, handler), f"{site.prefix}{path}", methods=[method], name=name)
        bp.add_route(requires(VIEW)(image), f"{site.prefix}/images/<kind:str>", methods=["GET"],
                     name=f"{label}_image")
    # In WeChat the account page's own unbinding is used: it also ends the WeChat session.
    bp.add_route(_gated(DESK, unbind_wechat), f"{DESK.prefix}/security/wechat/unbind", methods=["POST"],
                 name="desk_unbind_wechat_post")
    return bp
