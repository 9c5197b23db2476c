"""管理员中心 → 人员管理 (/workbench/admin/people): the people filtered by name, role, status and registration
time; a person's page (grant a role for a period, revoke a grant, departments with one primary); removal from
the enterprise behind a confirm page that lists the person's open items and hands them to a colleague."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.bodies import read_query
from handlers.kit.forms import NOTHING_REFUSED, Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import see_other
from handlers.workspace.bodies import GrantBody, PeopleQuery, PlacesBody, RemoveBody, RenewBody
from handlers.workspace.shell import workbench_page
from models.errors import ValidationFailed
from services.workspace.departments import department_choices
from services.workspace.grants import grant_role, grantable_roles, renew_grant, renewal_state, revoke_grant
from services.workspace.labels import PERSON_STATUS_LABELS
from services.workspace.people import (
    PERSON_REMOVE,
    PeopleFilter,
    assign_departments,
    filter_roles,
    list_people,
    person_row,
    removal,
    remove_person,
)
from services.workspace.roles import PERSON_EDIT, PERSON_VIEW, Member

PEOPLE = "/workbench/admin/people"
DONE = {"granted": "角色已分配", "revoked": "授权已撤销", "renewed": "授权已续期", "placed": "部门已保存",
        "removed": "人员已移除"}
IMPLEMENTED = frozenset({PEOPLE})
FILTER_FIELDS = ("name", "role_id", "status", "joined_from", "joined_to")


def people_blueprint() -> Blueprint:
    bp = Blueprint("workbench_people")
    bp.add_route(people, PEOPLE, methods=["GET"])
    bp.add_route(person, f"{PEOPLE}/<membership_id:int>", methods=["GET"])
    bp.add_route(grant, f"{PEOPLE}/<membership_id:int>/grants", methods=["POST"])
    bp.add_route(places, f"{PEOPLE}/<membership_id:int>/departments", methods=["POST"])
    bp.add_route(remove_form, f"{PEOPLE}/<membership_id:int>/remove", methods=["GET"])
    bp.add_route(remove, f"{PEOPLE}/<membership_id:int>/remove", methods=["POST"])
    bp.add_route(revoke, "/workbench/admin/grants/<grant_id:int>/revoke", methods=["POST"])
    bp.add_route(renew, "/workbench/admin/grants/<grant_id:int>/renew", methods=["POST"])
    return bp


async def _people_page(request: Request, member: Member, *, renewing: int | None = None,
                       refused: Refused = NOTHING_REFUSED) -> HTTPResponse:
    values = {name: request.args.get(name, "") for name in FILTER_FIELDS}
    status, errors, rows = refused.status, refused.beside(), []
    try:
        q = read_query(request, PeopleQuery)
        rows = await list_people(request.app.ctx.services, member, PeopleFilter(
            q.name, q.role_id, q.status, q.joined_from, q.joined_to))
    except ValidationFailed as error:
        filters_refused = Refused.of(error, values)
        status, errors = filters_refused.status, filters_refused.beside(FILTER_FIELDS)
    return await workbench_page(request, "workbench/people.html", status=status, rows=rows, f=values, errors=errors,
                                roles=await filter_roles(request.app.ctx.services, member),
                                statuses=PERSON_STATUS_LABELS, renewing=renewing, renewal_state=renewal_state,
                                gv=dict(refused.values), now=request.app.ctx.services.now(),
                                done=DONE.get(request.args.get("done", ""), ""))


@requires(PERSON_VIEW)
async def people(request: Request) -> HTTPResponse:
    return await _people_page(request, await current_member(request))


async def _person_page(request: Request, member: Member, membership_id: int, *, refused: Refused = NOTHING_REFUSED,
                       form: str = "") -> HTTPResponse:
    row = await person_row(member, membership_id)
    chosen = [p.department_id for p in row.departments]
    primary = next((p.department_id for p in row.departments if p.primary), None)
    return await workbench_page(
        request, "workbench/person.html", status=refused.status, row=row, roles=await grantable_roles(member),
        departments=await department_choices(member), form=form, errors=refused.beside(),
        gv=dict(refused.values) if form == "grant" else {},
        chosen=[int(i) for i in refused.values.get("department_ids") or [] if str(i).isdigit()]
        if form == "places" else chosen,
        primary=refused.values.get("primary_id", primary) if form == "places" else primary,
        done=DONE.get(request.args.get("done", ""), ""))


@requires(PERSON_VIEW)
async def person(request: Request, membership_id: int) -> HTTPResponse:
    return await _person_page(request, await current_member(request), membership_id)


@requires(PERSON_EDIT)
async def grant(request: Request, membership_id: int) -> HTTPResponse:
    async def change(member: Member, body: GrantBody) -> HTTPResponse:
        await grant_role(request.app.ctx.services, request.app.ctx.cache, member, membership_id, body.role_id,
                         body.valid_from, body.valid_to)
        return see_other(f"{PEOPLE}/{membership_id}?done=granted")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _person_page(request, member, membership_id, refused=refused, form="grant")

    return await form_action(request, current_member, GrantBody, change, again)


@requires(PERSON_EDIT)
async def places(request: Request, membership_id: int) -> HTTPResponse:
    async def change(member: Member, body: PlacesBody) -> HTTPResponse:
        await assign_departments(request.app.ctx.services, member, membership_id, body.department_ids,
                                 body.primary_id)
        return see_other(f"{PEOPLE}/{membership_id}?done=placed")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _person_page(request, member, membership_id, refused=refused, form="places")

    return await form_action(request, current_member, PlacesBody, change, again)


@requires(PERSON_EDIT)
async def revoke(request: Request, grant_id: int) -> HTTPResponse:
    await revoke_grant(request.app.ctx.services, request.app.ctx.cache, await current_member(request), grant_id)
    return see_other(f"{PEOPLE}?done=revoked")


@requires(PERSON_EDIT)
async def renew(request: Request, grant_id: int) -> HTTPResponse:
    async def change(member: Member, body: RenewBody) -> HTTPResponse:
        await renew_grant(request.app.ctx.services, request.app.ctx.cache, member, grant_id, body.valid_to)
        return see_other(f"{PEOPLE}?done=renewed")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _people_page(request, member, renewing=grant_id, refused=refused)

    return await form_action(request, current_member, RenewBody, change, again)


async def _remove_page(request: Request, member: Member, membership_id: int, *,
                       refused: Refused = NOTHING_REFUSED) -> HTTPResponse:
    return await workbench_page(request, "workbench/person_remove.html", status=refused.status,
                                removal=await removal(member, membership_id), errors=refused.beside(("colleague_id",)),
                                v=dict(refused.values))


@requires(PERSON_REMOVE)
async def remove_form(request: Request, membership_id: int) -> HTTPResponse:
    return await _remove_page(request, await current_member(request), membership_id)


@requires(PERSON_REMOVE)
async def remove(request: Request, membership_id: int) -> HTTPResponse:
    async def change(member: Member, body: RemoveBody) -> HTTPResponse:
        await remove_person(request.app.ctx.services, request.app.ctx.cache, member, membership_id,
                            body.colleague_id)
        return see_other(f"{PEOPLE}?done=removed")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _remove_page(request, member, membership_id, refused=refused)

    return await form_action(request, current_member, RemoveBody, change, again)
