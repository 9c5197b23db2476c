"""管理员中心 → 部门管理 (/workbench/admin/departments): the tree; add, rename, move under another, delete
(refused in Chinese while a department has people or departments below it)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.forms import NOTHING_REFUSED, REFUSALS, Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import see_other
from handlers.workspace.bodies import DepartmentBody, DepartmentMoveBody
from handlers.workspace.shell import workbench_page
from services.workspace.departments import (
    DEPT_EDIT,
    DEPT_VIEW,
    add_department,
    delete_department,
    list_departments,
    move_department,
    rename_department,
)
from services.workspace.roles import Member

DEPARTMENTS = "/workbench/admin/departments"
DONE = {"added": "部门已添加", "renamed": "部门已改名", "moved": "部门已移动", "deleted": "部门已删除"}
IMPLEMENTED = frozenset({DEPARTMENTS})


def departments_blueprint() -> Blueprint:
    bp = Blueprint("workbench_departments")
    bp.add_route(departments, DEPARTMENTS, methods=["GET"])
    bp.add_route(add, DEPARTMENTS, methods=["POST"])
    bp.add_route(rename, f"{DEPARTMENTS}/<department_id:int>/rename", methods=["POST"])
    bp.add_route(move, f"{DEPARTMENTS}/<department_id:int>/move", methods=["POST"])
    bp.add_route(delete, f"{DEPARTMENTS}/<department_id:int>/delete", methods=["POST"])
    return bp


async def _page(request: Request, member: Member, *, refused: Refused = NOTHING_REFUSED,
                form: str = "add") -> HTTPResponse:
    """``form`` names the form a refusal belongs to: "add", or "<action>:<department id>"."""
    return await workbench_page(request, "workbench/departments.html", status=refused.status,
                                rows=await list_departments(member), form=form, errors=refused.beside(),
                                v=dict(refused.values), done=DONE.get(request.args.get("done", ""), ""))


@requires(DEPT_VIEW)
async def departments(request: Request) -> HTTPResponse:
    return await _page(request, await current_member(request))


@requires(DEPT_EDIT)
async def add(request: Request) -> HTTPResponse:
    async def change(member: Member, body: DepartmentBody) -> HTTPResponse:
        await add_department(request.app.ctx.services, member, body.name, body.parent_id)
        return see_other(f"{DEPARTMENTS}?done=added")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _page(request, member, refused=refused)

    return await form_action(request, current_member, DepartmentBody, change, again)


@requires(DEPT_EDIT)
async def rename(request: Request, department_id: int) -> HTTPResponse:
    async def change(member: Member, body: DepartmentBody) -> HTTPResponse:
        await rename_department(request.app.ctx.services, member, department_id, body.name)
        return see_other(f"{DEPARTMENTS}?done=renamed")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _page(request, member, refused=refused, form=f"rename:{department_id}")

    return await form_action(request, current_member, DepartmentBody, change, again)


@requires(DEPT_EDIT)
async def move(request: Request, department_id: int) -> HTTPResponse:
    async def change(member: Member, body: DepartmentMoveBody) -> HTTPResponse:
        await move_department(request.app.ctx.services, member, department_id, body.parent_id)
        return see_other(f"{DEPARTMENTS}?done=moved")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _page(request, member, refused=refused, form=f"move:{department_id}")

    return await form_action(request, current_member, DepartmentMoveBody, change, again)


@requires(DEPT_EDIT)
async def delete(request: Request, department_id: int) -> HTTPResponse:
    member = await current_member(request)
    try:
        await delete_department(request.app.ctx.services, member, department_id)
    except REFUSALS as error:
        return await _page(request, member, refused=Refused.of(error, {}), form=f"delete:{department_id}")
    return see_other(f"{DEPARTMENTS}?done=deleted")
