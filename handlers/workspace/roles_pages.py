"""管理员中心 → 角色管理 (/workbench/admin/roles): list, add, edit (the menu tree as checkboxes, the data scope)
and delete roles."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.forms import Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import see_other
from handlers.workspace.bodies import DeleteRoleBody, RoleBody
from handlers.workspace.shell import workbench_page
from services.workspace.labels import DATA_SCOPE_LABELS
from services.workspace.roles import (
    ROLE_EDIT,
    ROLE_VIEW,
    Member,
    delete_role,
    list_roles,
    role_to_edit,
    save_role,
)
from services.workspace.tree import permission_tree

ROLES = "/workbench/admin/roles"
DONE = {"added": "角色已添加", "saved": "角色已保存", "deleted": "角色已删除"}
IMPLEMENTED = frozenset({ROLES})


def roles_blueprint() -> Blueprint:
    bp = Blueprint("workbench_roles")
    bp.add_route(roles, ROLES, methods=["GET"])
    bp.add_route(add, ROLES, methods=["POST"])
    bp.add_route(new_form, f"{ROLES}/new", methods=["GET"])
    bp.add_route(edit_form, f"{ROLES}/<role_id:int>", methods=["GET"])
    bp.add_route(edit, f"{ROLES}/<role_id:int>", methods=["POST"])
    bp.add_route(delete, f"{ROLES}/<role_id:int>/delete", methods=["POST"])
    return bp


async def _roles_page(request: Request, member: Member, *, status: int = 200, error: str = "",
                      deleting: int | None = None) -> HTTPResponse:
    rows = await list_roles(request.app.ctx.services, member)
    return await workbench_page(request, "workbench/roles.html", status=status, rows=rows, error=error,
                                deleting=deleting,
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
    async def change(member: Member, body: DeleteRoleBody) -> HTTPResponse:
        await delete_role(request.app.ctx.services, request.app.ctx.cache, member, role_id, body.move_to)
        return see_other(f"{ROLES}?done=deleted")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _roles_page(request, member, status=refused.status, error=refused.first[1],
                                 deleting=role_id if refused.first[0] == "move_to" else None)

    return await form_action(request, current_member, DeleteRoleBody, change, again)
