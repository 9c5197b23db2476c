"""The enterprise admin's people page (``/h5/people``) and the enterprise switcher of ``/h5/account``.

Add, edit and remove executives and customs-affairs staff (the Nanjing customs'
问题清零工作管理系统操作指引 三(二)); every form carries the CSRF
token. Switching enterprise changes the session's ``enterprise_id`` after checking the membership.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.accounts.account_pages import ROLE_LABELS
from handlers.accounts.bodies import EnterpriseBody, PeopleQuery, PersonBody
from handlers.kit.auth import WebUser, signed_in
from handlers.kit.bodies import read_body, read_query
from handlers.kit.forms import Refused, form_action
from handlers.kit.render import page, see_other
from models.errors import DomainError
from services.accounts.people import add_person, edit_person, list_people, remove_person, switch_enterprise
from services.kit.records import MemberRole

DONE = {"added": "已添加，对方可用手机号和验证码登录", "saved": "已保存", "removed": "已移除，对方已无法访问本企业"}


def people_pages_blueprint() -> Blueprint:
    bp = Blueprint("h5_people")
    bp.add_route(people, "/h5/people", methods=["GET"])
    bp.add_route(add, "/h5/people", methods=["POST"])
    bp.add_route(edit, "/h5/people/<membership_id:int>", methods=["POST"])
    bp.add_route(remove, "/h5/people/<membership_id:int>/remove", methods=["POST"])
    bp.add_route(switch, "/h5/account/enterprise", methods=["POST"])
    return bp


async def _people_page(request: Request, user: WebUser, *, status: int = 200, errors: dict[str, str] | None = None,
                       values: dict[str, str] | None = None, editing: int | None = None,
                       edit_values: dict[str, str] | None = None) -> HTTPResponse:
    members = await list_people(user.actor, user.enterprise.id)
    edited = next((m for m in members if m.id == editing and m.role is not MemberRole.ADMIN), None)
    if edited is not None and edit_values is None:
        edit_values = {"name": edited.person.name, "phone": edited.person.phone, "role": edited.role.value}
    return page(request, "people.html", status=status, members=members, labels=ROLE_LABELS, errors=errors or {},
                v=values or {"name": "", "phone": "", "role": "staff"}, edited=edited, ev=edit_values or {},
                done=DONE.get(request.args.get("done", ""), ""))


async def people(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    return await _people_page(request, user, editing=read_query(request, PeopleQuery).edit)


async def add(request: Request) -> HTTPResponse:
    async def change(user: WebUser, body: PersonBody) -> HTTPResponse:
        await add_person(request.app.ctx.services, user.actor, user.enterprise.id, body.name, body.phone, body.role)
        return see_other("/h5/people?done=added")

    async def again(user: WebUser, refused: Refused) -> HTTPResponse:
        return await _people_page(request, user, status=refused.status, values=dict(refused.values),
                                  errors=refused.beside())

    return await form_action(request, signed_in, PersonBody, change, again, catch=(DomainError,))


async def edit(request: Request, membership_id: int) -> HTTPResponse:
    async def change(user: WebUser, body: PersonBody) -> HTTPResponse:
        await edit_person(request.app.ctx.services, user.actor, user.enterprise.id, membership_id, body.name,
                          body.phone, body.role)
        return see_other("/h5/people?done=saved")

    async def again(user: WebUser, refused: Refused) -> HTTPResponse:
        return await _people_page(request, user, status=refused.status, editing=membership_id,
                                  edit_values=dict(refused.values), errors=refused.beside(whole="edit_form",
                                                                                          prefix="edit_"))

    return await form_action(request, signed_in, PersonBody, change, again, catch=(DomainError,))


async def remove(request: Request, membership_id: int) -> HTTPResponse:
    user = await signed_in(request)
    await remove_person(request.app.ctx.services, user.actor, user.enterprise.id, membership_id)
    return see_other("/h5/people?done=removed")


async def switch(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    membership = await switch_enterprise(user.actor, read_body(request, EnterpriseBody).enterprise_id)
    await request.app.ctx.sessions.change(user.session, enterprise_id=membership.enterprise_id)
    return see_other("/h5/account?done=switched")
