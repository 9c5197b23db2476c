"""加入申请: the admin's list (/workbench/admin/joins: approve with an optional first role, refuse with a reason)
and the person's 我的企业 (/workbench/personal/companies and /h5/personal/companies at 360 px): their companies
with their role, 解除绑定, 立即认证 for an enterprise still waiting for customs, and asking to join another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.bodies import read_query
from handlers.kit.forms import NOTHING_REFUSED, Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import page, see_other
from handlers.workspace.bodies import JoinApproveBody, JoinAskBody, JoinRefuseBody, JoinsQuery, LeaveBody
from handlers.workspace.shell import workbench_page
from services.accounts.labels import MEMBER_ROLE_LABELS
from services.workspace.companies import leave_company, my_companies
from services.workspace.grants import grantable_roles
from services.workspace.joins import Asker, approve_request, ask_to_join, list_requests, my_requests, refuse_request
from services.workspace.labels import JOIN_STATUS_LABELS
from services.workspace.roles import JOIN_DECIDE, JOIN_VIEW, Member

JOINS = "/workbench/admin/joins"
PERSONAL = "personal:view"
DONE = {"approved": "已同意加入", "refused": "已拒绝申请", "asked": "申请已提交，请等待企业管理员审批",
        "left": "已解除绑定"}
IMPLEMENTED = frozenset({JOINS})


@dataclass(frozen=True)
class Site:
    """我的企业 on the desktop shell or in the H5 layout."""

    prefix: str
    template: str
    h5: bool


DESK = Site("/workbench/personal/companies", "workbench/companies.html", False)
H5 = Site("/h5/personal/companies", "personal_companies.html", True)


async def _joins_page(request: Request, member: Member, *, refused: Refused = NOTHING_REFUSED,
                      form: str = "") -> HTTPResponse:
    status = read_query(request, JoinsQuery).status
    return await workbench_page(request, "workbench/joins.html", status=refused.status,
                                rows=await list_requests(member, status), tab=status, tabs=JOIN_STATUS_LABELS,
                                roles=await grantable_roles(member), form=form, errors=refused.beside(),
                                v=dict(refused.values), done=DONE.get(request.args.get("done", ""), ""))


@requires(JOIN_VIEW)
async def joins(request: Request) -> HTTPResponse:
    return await _joins_page(request, await current_member(request))


@requires(JOIN_DECIDE)
async def approve(request: Request, request_id: int) -> HTTPResponse:
    async def change(member: Member, body: JoinApproveBody) -> HTTPResponse:
        await approve_request(request.app.ctx.services, request.app.ctx.cache, member, request_id, body.role_id)
        return see_other(f"{JOINS}?done=approved")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _joins_page(request, member, refused=refused, form=f"approve:{request_id}")

    return await form_action(request, current_member, JoinApproveBody, change, again)


@requires(JOIN_DECIDE)
async def refuse(request: Request, request_id: int) -> HTTPResponse:
    async def change(member: Member, body: JoinRefuseBody) -> HTTPResponse:
        await refuse_request(request.app.ctx.services, member, request_id, body.reason)
        return see_other(f"{JOINS}?done=refused")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _joins_page(request, member, refused=refused, form=f"refuse:{request_id}")

    return await form_action(request, current_member, JoinRefuseBody, change, again)


def asker(member: Member) -> Asker:
    m = member.membership
    return Asker(m.person_id, m.person.name, m.enterprise_id)


async def _companies_page(site: Site, request: Request, *, refused: Refused = NOTHING_REFUSED,
                          form: str = "") -> HTTPResponse:
    member = await current_member(request)
    context: dict[str, Any] = dict(
        status=refused.status, companies=await my_companies(member.membership.person_id),
        requests=await my_requests(member.membership.person_id), statuses=JOIN_STATUS_LABELS, base=site.prefix,
        form=form, errors=refused.beside(), v=dict(refused.values), current=member.enterprise_id,
        done=DONE.get(request.args.get("done", ""), ""))
    if site.h5:
        return page(request, site.template, role_labels=MEMBER_ROLE_LABELS, **context)
    return await workbench_page(request, site.template, **context)


async def _ask(site: Site, request: Request) -> HTTPResponse:
    async def change(member: Member, body: JoinAskBody) -> HTTPResponse:
        await ask_to_join(request.app.ctx.services, asker(member), body.query)
        return see_other(f"{site.prefix}?done=asked")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _companies_page(site, request, refused=refused, form="ask")

    return await form_action(request, current_member, JoinAskBody, change, again)


async def _leave(site: Site, request: Request) -> HTTPResponse:
    async def change(member: Member, body: LeaveBody) -> HTTPResponse:
        await leave_company(request.app.ctx.services, request.app.ctx.cache, asker(member), body.enterprise_id)
        return see_other(f"{site.prefix}?done=left")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _companies_page(site, request, refused=refused, form="leave")

    return await form_action(request, current_member, LeaveBody, change, again)


def _site_routes(bp: Blueprint, site: Site) -> None:
    @requires(PERSONAL)
    async def companies(request: Request) -> HTTPResponse:
        return await _companies_page(site, request)

    @requires(PERSONAL)
    async def ask(request: Request) -> HTTPResponse:
        return await _ask(site, request)

    @requires(PERSONAL)
    async def leave(request: Request) -> HTTPResponse:
        return await _leave(site, request)

    name = "h5" if site.h5 else "desk"
    bp.add_route(companies, site.prefix, methods=["GET"], name=f"{name}_companies")
    bp.add_route(ask, f"{site.prefix}/join", methods=["POST"], name=f"{name}_ask")
    bp.add_route(leave, f"{site.prefix}/leave", methods=["POST"], name=f"{name}_leave")


def joins_blueprint() -> Blueprint:
    bp = Blueprint("workbench_joins")
    bp.add_route(joins, JOINS, methods=["GET"])
    bp.add_route(approve, f"{JOINS}/<request_id:int>/approve", methods=["POST"])
    bp.add_route(refuse, f"{JOINS}/<request_id:int>/refuse", methods=["POST"])
    for site in (DESK, H5):
        _site_routes(bp, site)
    return bp
