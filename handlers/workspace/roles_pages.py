"""管理员中心 → 角色管理 (/workbench/admin/roles): list, add, edit (the menu tree as checkboxes, the data scope)
and delete roles; 人员管理 (/workbench/admin/people): grant a role for a period, revoke a grant, renew one (续期)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.forms import REFUSALS, Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import see_other
from handlers.workspace.bodies import GrantBody, RenewBody, RoleBody
from handlers.workspace.shell import workbench_page
from services.workspace.grants import (
    grant_role,
    grantable_roles,
    list_people,
    renew_grant,
    renewal_state,
    revoke_grant,
)
from services.workspace.labels import DATA_SCOPE_LABELS
from services.workspace.roles import (
    PERSON_EDIT,
    PERSON_VIEW,
    ROLE_EDIT,
    ROLE_VIEW,
    Member,
    delete_role,
    list_roles,
    role_to_edit,
    save_role,
)
from services.workspace.tree import permission_tree

ROLES, PEOPLE = "/workbench/admin/roles", "/workbench/admin/people"
DONE = {"added": "角色已添加", "saved": "角色已保存", "deleted": "角色已删除", "granted": "角色已分配",
        "revoked": "授权已撤销", "renewed": "授权已续期"}
IMPLEMENTED = frozenset({ROLES, PEOPLE})


def roles_blueprint() -> Blueprint:
    bp = Blueprint("workbench_roles")
    bp.add_route(roles, ROLES, methods=["GET"])
    bp.add_route(add, ROLES, methods=["POST"])
    bp.add_route(new_form, f"{ROLES}/new", methods=["GET"])
    bp.add_route(edit_form, f"{ROLES}/<role_id:int>", methods=["GET"])
    bp.add_route(edit, f"{ROLES}/<role_id:int>", methods=["POST"])
    bp.add_route(delete, f"{ROLES}/<role_id:int>/delete", methods=["POST"])
    bp.add_route(people, PEOPLE, methods=["GET"])
    bp.add_route(grant, f"{PEOPLE}/<membership_id:int>/grants", methods=["POST"])
    bp.add_route(revoke, "/workbench/admin/grants/<grant_id:int>/revoke", methods=["POST"])
    bp.add_route(renew, "/workbench/admin/grants/<grant_id:int>/renew", methods=["POST"])
    return bp


async def _roles_page(request: Request, member: Member, *, status: int = 200, error: str = "") -> HTTPResponse:
    rows = await list_roles(request.app.ctx.services, member)
    return await workbench_page(request, "workbench/roles.html", status=status, rows=rows, error=error,
                                scopes=DATA_SCOPE_LABELS, tree=permission_tree(),
                                done=DONE.get(request.args.get("done", ""), ""))


async def _role_form(request: Request, *, role_id: int | None, values: dict[str, object],
                     errors: dict[str, str] | None = None, status: int = 200, builtin: bool = False) -> HTTPResponse:
    return await workbench_page(request, "workbench/role_form.html", status=status, role_id=role_id, v=values,
                                errors=errors or {}, builtin=builtin, tree=permission_tree(), scopes=DATA_SCOPE_LABELS)


@requires(ROLE_VIEW)
async def roles(request: Request) -> HTTPResponse:
    return await _roles_page(request, await current_member(request))


@requires(ROLE_EDIT)
async def new_form(request: Request) -> HTTPResponse:
    return await _role_form(request, role_id=None, values={"name": "", "codes": [], "data_scope": "self"})


@requires(ROLE_EDIT)
async def edit_form(request: Request, role_id: int) -> HTTPResponse:
    role = await role_to_edit(await current_member(request), role_id)
    return await _role_form(request, role_id=role.id, builtin=role.builtin is not None,
                            values={"name": role.name, "codes": role.codes, "data_scope": role.data_scope.value})


async def _save(request: Request, role_id: int | None) -> HTTPResponse:
    async def change(member: Member, body: RoleBody) -> HTTPResponse:
        await save_role(request.app.ctx.services, request.app.ctx.cache, member, role_id, body.name, body.codes,
                        body.data_scope)
        return see_other(f"{ROLES}?done={'added' if role_id is None else 'saved'}")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _role_form(request, role_id=role_id, values=dict(refused.values), status=refused.status,
                                errors=refused.beside(("name", "codes", "data_scope")))

    return await form_action(request, current_member, RoleBody, change, again)


@requires(ROLE_EDIT)
async def add(request: Request) -> HTTPResponse:
    return await _save(request, None)


@requires(ROLE_EDIT)
async def edit(request: Request, role_id: int) -> HTTPResponse:
    return await _save(request, role_id)


@requires(ROLE_EDIT)
async def delete(request: Request, role_id: int) -> HTTPResponse:
    member = await current_member(request)
    try:
        await delete_role(request.app.ctx.services, request.app.ctx.cache, member, role_id)
    except REFUSALS as error:
        return await _roles_page(request, member, status=error.status, error=error.message)
    return see_other(f"{ROLES}?done=deleted")


async def _people_page(request: Request, member: Member, *, status: int = 200, editing: int | None = None,
                       refused: Refused | None = None, renewing: int | None = None) -> HTTPResponse:
    return await workbench_page(
        request, "workbench/people.html", status=status, rows=await list_people(member),
        roles=await grantable_roles(member), editing=editing, renewing=renewing, renewal_state=renewal_state,
        now=request.app.ctx.services.now(),
        errors=refused.beside(("role_id", "valid_from", "valid_to")) if refused else {},
        gv=dict(refused.values) if refused else {}, done=DONE.get(request.args.get("done", ""), ""))


@requires(PERSON_VIEW)
async def people(request: Request) -> HTTPResponse:
    return await _people_page(request, await current_member(request))


@requires(PERSON_EDIT)
async def grant(request: Request, membership_id: int) -> HTTPResponse:
    async def change(member: Member, body: GrantBody) -> HTTPResponse:
        await grant_role(request.app.ctx.services, request.app.ctx.cache, member, membership_id, body.role_id,
                         body.valid_from, body.valid_to)
        return see_other(f"{PEOPLE}?done=granted")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _people_page(request, member, status=refused.status, editing=membership_id, refused=refused)

    return await form_action(request, current_member, GrantBody, change, again)


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
        return await _people_page(request, member, status=refused.status, renewing=grant_id, refused=refused)

    return await form_action(request, current_member, RenewBody, change, again)
