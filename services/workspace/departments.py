"""管理员中心 → 部门管理: an enterprise's department tree (add, rename, move, delete when empty).

The tree is kept as a materialized path (``models.departments``): moving a department rewrites the paths of its
subtree in the same transaction, so "a department and below" stays one prefix query. Every change is audited
with before / after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.db import connection
from models.departments import Department, DepartmentMember
from models.errors import Conflict, NotFound, ValidationFailed
from services.desk.audit import record
from services.kit.context import ServiceContext
from services.workspace import labels as L
from services.workspace.roles import PERSON_VIEW, Member

DEPT_VIEW, DEPT_EDIT = "system:dept:view", "system:dept:edit"
MAX_NAME, MAX_DEPTH = 30, 8


@dataclass(frozen=True)
class DepartmentRow:
    department: Department
    depth: int  # 0 for a top-level department
    people: int


def depth_of(path: str) -> int:
    return path.strip("/").count("/")


async def list_departments(member: Member) -> list[DepartmentRow]:
    member.decision.require(DEPT_VIEW)
    return await department_tree(member.enterprise_id)


async def department_choices(member: Member) -> list[DepartmentRow]:
    """The tree as the choices of a person's departments (人员管理)."""
    member.decision.require(PERSON_VIEW)
    return await department_tree(member.enterprise_id)


async def department_tree(enterprise_id: int) -> list[DepartmentRow]:
    """The tree in display order: each department followed by its children, siblings by name."""
    conn = connection()
    found = await Department.filter(enterprise_id=enterprise_id).using_db(conn)
    links = await DepartmentMember.filter(enterprise_id=enterprise_id).using_db(conn).only("id", "department_id")
    people: dict[int, int] = {}
    for link in links:
        people[link.department_id] = people.get(link.department_id, 0) + 1
    children: dict[int | None, list[Department]] = {}
    for department in sorted(found, key=lambda d: (d.name, d.id)):
        children.setdefault(department.parent_id, []).append(department)
    rows: list[DepartmentRow] = []

    def down(parent: int | None, depth: int) -> None:
        for department in children.get(parent, []):
            rows.append(DepartmentRow(department, depth, people.get(department.id, 0)))
            down(department.id, depth + 1)

    down(None, 0)
    return rows


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ValidationFailed(L.MSG_DEPT_NAME, field="name")
    return name


async def access_department(member: Member, department_id: int, conn: BaseDBAsyncClient, *,
                            field: str | None = None) -> Department:
    department = await (Department.filter(id=department_id, enterprise_id=member.enterprise_id).using_db(conn)
                        .select_for_update().first())
    if department is None:
        if field:
            raise ValidationFailed(L.MSG_DEPT_PARENT, field=field)
        raise NotFound(L.MSG_DEPT_NOT_FOUND)
    return department


async def _check_unique(conn: BaseDBAsyncClient, member: Member, parent_id: int | None, name: str,
                        own_id: int | None) -> None:
    # the unique index does not see two top-level departments (a null parent) as equal: checked here too
    same = Department.filter(enterprise_id=member.enterprise_id, parent_id=parent_id, name=name).using_db(conn)
    if await same.exclude(id=own_id or 0).exists():
        raise Conflict(L.MSG_DEPT_NAME_TAKEN, field="name")


def snapshot(department: Department) -> dict[str, Any]:
    return {"name": department.name, "parent_id": department.parent_id, "path": department.path}


async def _audit(ctx: ServiceContext, member: Member, action: str, department: Department,
                 before: dict[str, Any] | None, after: dict[str, Any] | None, conn: BaseDBAsyncClient) -> None:
    await record(ctx, member.audit_actor(), action, "department", department.id,
                 detail={"enterprise_id": member.enterprise_id, "before": before, "after": after}, conn=conn)


async def add_department(ctx: ServiceContext, member: Member, name: str, parent_id: int | None) -> Department:
    member.decision.require(DEPT_EDIT)
    name = check_name(name)
    try:
        async with in_transaction() as conn:
            parent = await access_department(member, parent_id, conn, field="parent_id") if parent_id else None
            if parent and depth_of(parent.path) + 1 >= MAX_DEPTH:
                raise ValidationFailed(L.MSG_DEPT_TOO_DEEP, field="parent_id")
            await _check_unique(conn, member, parent_id, name, None)
            department = await Department.create(enterprise_id=member.enterprise_id, parent=parent, name=name,
                                                 created_at=ctx.now(), using_db=conn)
            department.path = f"{parent.path if parent else '/'}{department.id}/"
            await department.save(using_db=conn, update_fields=["path"])
            await _audit(ctx, member, "department.add", department, None, snapshot(department), conn)
    except IntegrityError:
        raise Conflict(L.MSG_DEPT_NAME_TAKEN, field="name") from None
    return department


async def rename_department(ctx: ServiceContext, member: Member, department_id: int, name: str) -> Department:
    member.decision.require(DEPT_EDIT)
    name = check_name(name)
    try:
        async with in_transaction() as conn:
            department = await access_department(member, department_id, conn)
            before = snapshot(department)
            await _check_unique(conn, member, department.parent_id, name, department.id)
            department.name = name
            await department.save(using_db=conn, update_fields=["name"])
            await _audit(ctx, member, "department.rename", department, before, snapshot(department), conn)
    except IntegrityError:
        raise Conflict(L.MSG_DEPT_NAME_TAKEN, field="name") from None
    return department


async def move_department(ctx: ServiceContext, member: Member, department_id: int,
                          parent_id: int | None) -> Department:
    """Put the department (with everything below it) under ``parent_id``, or at the top when None."""
    member.decision.require(DEPT_EDIT)
    async with in_transaction() as conn:
        department = await access_department(member, department_id, conn)
        parent = await access_department(member, parent_id, conn, field="parent_id") if parent_id else None
        if parent and parent.path.startswith(department.path):
            raise ValidationFailed(L.MSG_DEPT_UNDER_ITSELF, field="parent_id")
        old, new = department.path, f"{parent.path if parent else '/'}{department.id}/"
        below = await (Department.filter(enterprise_id=member.enterprise_id, path__startswith=old)
                       .using_db(conn).select_for_update())
        if max(depth_of(d.path) for d in below) - depth_of(old) + depth_of(new) >= MAX_DEPTH:
            raise ValidationFailed(L.MSG_DEPT_TOO_DEEP, field="parent_id")
        await _check_unique(conn, member, parent_id, department.name, department.id)
        before = snapshot(department)
        for row in below:
            await Department.filter(id=row.id).using_db(conn).update(path=new + row.path[len(old):])
        await Department.filter(id=department.id).using_db(conn).update(parent_id=parent_id)
        department.parent_id, department.path = parent_id, new
        await _audit(ctx, member, "department.move", department, before, snapshot(department), conn)
    return department


async def delete_department(ctx: ServiceContext, member: Member, department_id: int) -> None:
    """Refused while it has a department below it or a person in it."""
    member.decision.require(DEPT_EDIT)
    async with in_transaction() as conn:
        department = await access_department(member, department_id, conn)
        if await Department.filter(parent_id=department.id).using_db(conn).exists():
            raise Conflict(L.MSG_DEPT_HAS_CHILDREN)
        if await DepartmentMember.filter(department_id=department.id).using_db(conn).exists():
            raise Conflict(L.MSG_DEPT_HAS_PEOPLE)
        await _audit(ctx, member, "department.delete", department, snapshot(department), None, conn)
        await department.delete(using_db=conn)
