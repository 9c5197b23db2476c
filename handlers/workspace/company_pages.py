"""管理员中心 → 企业设置 (/workbench/admin/company): company and invoice information, LOGO and seal, business
switches, 企业风采 (carousel and links). One page, one form per part; a refused form comes back on the same page
with its messages beside its fields and what was typed kept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from handlers.kit.bodies import B
from handlers.kit.forms import Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import see_other
from handlers.kit.uploads import uploaded_image
from handlers.workspace.bodies import (
    CarouselBody,
    CarouselMoveBody,
    CompanyImageBody,
    CompanyInfoBody,
    CompanyReviewBody,
    CompanySwitchesBody,
    LinkBody,
)
from handlers.workspace.shell import workbench_page
from models.errors import NotFound, ValidationFailed
from services.kit.images import CheckedImage
from services.workspace import company as C
from services.workspace.company_rules import KIND_LABELS, MAX_CAROUSEL, CompanyInfo
from services.workspace.roles import Member

COMPANY = "/workbench/admin/company"
IMPLEMENTED = frozenset({COMPANY})
DONE = {"info": "企业信息已保存", "logo": "LOGO 已更新", "seal": "印章已更新", "switches": "业务设置已保存",
        "review": "审单设置已保存",
        "carousel": "企业风采轮播图已更新", "links": "企业风采链接已更新"}
MSG_CHOOSE = "请选择图片"


def company_blueprint() -> Blueprint:
    bp = Blueprint("workbench_company")
    bp.add_route(company, COMPANY, methods=["GET"])
    bp.add_route(image, f"{COMPANY}/images/<item:str>", methods=["GET"])
    bp.add_route(info, f"{COMPANY}/info", methods=["POST"])
    bp.add_route(set_image, f"{COMPANY}/images/<kind:str>", methods=["POST"])
    bp.add_route(switches, f"{COMPANY}/switches", methods=["POST"])
    bp.add_route(review, f"{COMPANY}/review", methods=["POST"])
    bp.add_route(add_carousel, f"{COMPANY}/carousel", methods=["POST"])
    bp.add_route(move_carousel, f"{COMPANY}/carousel/<item:str>/move", methods=["POST"])
    bp.add_route(remove_carousel, f"{COMPANY}/carousel/<item:str>/delete", methods=["POST"])
    bp.add_route(add_link, f"{COMPANY}/links", methods=["POST"])
    bp.add_route(remove_link, f"{COMPANY}/links/<item:str>/delete", methods=["POST"])
    return bp


async def _page(request: Request, member: Member, refused: Refused | None = None) -> HTTPResponse:
    enterprise, found = await C.company_settings(member)
    values: dict[str, Any] = {**C.info_snapshot(found), "kinds": found.declaration_kinds,
                              "aircraft_auto": found.aircraft_auto, "aircraft_time": found.aircraft_time or "",
                              "second_review": found.second_review}
    return await workbench_page(
        request, "workbench/company.html", status=refused.status if refused else 200, enterprise=enterprise,
        s=found, v=values | dict(refused.values if refused else {}), errors=refused.beside() if refused else {},
        kinds=KIND_LABELS, max_carousel=MAX_CAROUSEL, can_edit=member.decision.allows(C.COMPANY_EDIT),
        done=DONE.get(request.args.get("done", ""), ""))


async def _act(request: Request, body: type[B], done: str,
               change: Callable[[Member, B], Awaitable[None]]) -> HTTPResponse:
    """One form of the page: the change, then back to the page (303), or the page again with the refusal."""
    async def changed(member: Member, parsed: B) -> HTTPResponse:
        await change(member, parsed)
        return see_other(f"{COMPANY}?done={done}")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _page(request, member, refused)

    return await form_action(request, current_member, body, changed, again)


@requires(C.COMPANY_VIEW)
async def company(request: Request) -> HTTPResponse:
    return await _page(request, await current_member(request))


@requires(C.COMPANY_VIEW)
async def image(request: Request, item: str) -> HTTPResponse:
    content_type, path = await C.image_file(await current_member(request), request.app.ctx.storage, item)
    return await file(path, mime_type=content_type, headers={"cache-control": "private, max-age=3600"})


@requires(C.COMPANY_EDIT)
async def info(request: Request) -> HTTPResponse:
    async def change(member: Member, body: CompanyInfoBody) -> None:
        await C.save_info(request.app.ctx.services, member, CompanyInfo(**body.model_dump()))

    return await _act(request, CompanyInfoBody, "info", change)


async def _checked(request: Request, name: str) -> CheckedImage:
    checked = await uploaded_image(request, name=name)
    if checked is None:
        raise ValidationFailed(MSG_CHOOSE, field=name)
    return checked


@requires(C.COMPANY_EDIT)
async def set_image(request: Request, kind: str) -> HTTPResponse:
    if kind not in C.IMAGE_KINDS:
        raise NotFound(C.MSG_IMAGE_GONE)

    async def change(member: Member, body: CompanyImageBody) -> None:
        await C.set_image(request.app.ctx.services, request.app.ctx.storage, member, kind,
                          await _checked(request, kind))

    return await _act(request, CompanyImageBody, kind, change)


@requires(C.COMPANY_EDIT)
async def switches(request: Request) -> HTTPResponse:
    async def change(member: Member, body: CompanySwitchesBody) -> None:
        await C.save_switches(request.app.ctx.services, member, body.kinds, body.aircraft_auto, body.aircraft_time)

    return await _act(request, CompanySwitchesBody, "switches", change)


@requires(C.COMPANY_EDIT)
async def review(request: Request) -> HTTPResponse:
    async def change(member: Member, body: CompanyReviewBody) -> None:
        await C.save_second_review(request.app.ctx.services, member, body.second_review)

    return await _act(request, CompanyReviewBody, "review", change)


@requires(C.COMPANY_EDIT)
async def add_carousel(request: Request) -> HTTPResponse:
    async def change(member: Member, body: CarouselBody) -> None:
        await C.add_carousel(request.app.ctx.services, request.app.ctx.storage, member,
                             await _checked(request, "carousel_image"), body.carousel_link)

    return await _act(request, CarouselBody, "carousel", change)


@requires(C.COMPANY_EDIT)
async def move_carousel(request: Request, item: str) -> HTTPResponse:
    async def change(member: Member, body: CarouselMoveBody) -> None:
        await C.move_carousel(request.app.ctx.services, member, item, 1 if body.direction == "down" else -1)

    return await _act(request, CarouselMoveBody, "carousel", change)


@requires(C.COMPANY_EDIT)
async def remove_carousel(request: Request, item: str) -> HTTPResponse:
    await C.remove_carousel(request.app.ctx.services, request.app.ctx.storage, await current_member(request), item)
    return see_other(f"{COMPANY}?done=carousel")


@requires(C.COMPANY_EDIT)
async def add_link(request: Request) -> HTTPResponse:
    async def change(member: Member, body: LinkBody) -> None:
        await C.add_link(request.app.ctx.services, member, body.link_title, body.link_url)

    return await _act(request, LinkBody, "links", change)


@requires(C.COMPANY_EDIT)
async def remove_link(request: Request, item: str) -> HTTPResponse:
    await C.remove_link(request.app.ctx.services, await current_member(request), item)
    return see_other(f"{COMPANY}?done=links")
