"""The data scope applied in the query (MODULES.md §1): which rows of a list a member may see.

``scope_condition`` is the one rule: 全部 → the enterprise's rows; 本部门及下级 → rows whose department column
lies in the subtree of one of the member's departments (a prefix match on the materialized path, as a
sub-query), and their own rows; 仅本人 → rows whose owner column is the member. Any list of items with an owner
column and a department column filters with it; nothing is filtered in Python.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, Subquery

from core.db import connection
from models.departments import Department, DepartmentMember
from models.workspace import DataScope
from services.workspace.roles import Member


def scope_condition(scope: DataScope, *, person_id: int, enterprise_id: int, department_paths: list[str],
                    owner: str, department: str) -> Q:
    """See the module docstring; ``owner`` and ``department`` name the item's columns (``creator_id`` …)."""
    enterprise = Q(enterprise_id=enterprise_id)
    if scope is DataScope.ALL:
        return enterprise
    own: dict[str, Any] = {owner: person_id}
    mine = Q(**own)
    if scope is DataScope.DEPARTMENT and department_paths:
        below = Q(*(Q(path__startswith=path) for path in department_paths), join_type=Q.OR)
        ids = Subquery(Department.filter(below, enterprise_id=enterprise_id).values("id"))
        below_mine: dict[str, Any] = {f"{department}__in": ids}
        return enterprise & (mine | Q(**below_mine))
    return enterprise & mine


async def department_paths(person_id: int, enterprise_id: int) -> list[str]:
    """The paths of the person's departments in the enterprise."""
    paths = await DepartmentMember.filter(person_id=person_id, enterprise_id=enterprise_id) \
        .using_db(connection()).values_list("department__path", flat=True)
    return [str(path) for path in paths]


async def visible_to(member: Member, *, owner: str, department: str) -> Q:
    """The condition for ``member`` under their decision's data scope."""
    person_id = member.membership.person_id
    paths = [] if member.decision.scope is DataScope.ALL else await department_paths(person_id, member.enterprise_id)
    return scope_condition(member.decision.scope, person_id=person_id, enterprise_id=member.enterprise_id,
                           department_paths=paths, owner=owner, department=department)
