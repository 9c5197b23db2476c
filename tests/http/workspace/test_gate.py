"""Every workspace route declares its permission code, and the gate holds both ways for each code: a person
holding only that code opens the routes declaring it (200), and without it is refused (403)."""

from __future__ import annotations

from typing import Any

from models.enterprises import MemberRole, Membership
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from services.workspace.permissions import bump_version
from services.workspace.tree import NodeKind, permission_tree
from tests.factories import World
from tests.http.support import Site
from tests.services.library.library_rows import authorise

PREFIXES = ("/workbench", "/api/v1/workspace")


def workspace_routes(site: Site) -> list[tuple[str, frozenset[str], Any]]:
    found = []
    for route in site.app.router.routes:
        path = "/" + route.path.lstrip("/")
        if path.startswith(PREFIXES):
            found.append((path, frozenset(route.methods), route.handler))
    return found


async def test_every_workspace_route_declares_a_code_of_the_tree(site: Site) -> None:
    routes = workspace_routes(site)
    assert len(routes) > 15  # the shell, the admin centre, the placeholders, the API
    undeclared = [path for path, _, handler in routes if not getattr(handler, "permission_code", None)]
    assert undeclared == []
    assert {h.permission_code for _, _, h in routes} <= permission_tree().grantable


async def test_every_page_of_the_tree_has_its_route(site: Site) -> None:
    opened = {path.rstrip("/") for path, methods, _ in workspace_routes(site) if "GET" in methods}
    pages = {str(node.path).rstrip("/") for node, _ in permission_tree().walk() if node.kind is NodeKind.PAGE}
    assert pages <= opened


async def test_the_permission_matrix(site: Site, world: World) -> None:
    """For each code declared by a GET route without parameters: only that code → 200; nothing → 403."""
    tree = permission_tree()
    now = site.app.ctx.services.now()
    await WorkspaceRole.create(enterprise_id=world.acme.id, name="关务人员", builtin=MemberRole.STAFF, codes=[],
                               data_scope=DataScope.SELF, created_at=now, updated_at=now)
    only = await WorkspaceRole.create(enterprise_id=world.acme.id, name="单项", codes=[], created_at=now,
                                      updated_at=now)
    await RoleGrant.create(person_id=world.staff.person_id, role=only, valid_from=now, granted_at=now)
    assert await Membership.filter(person_id=world.staff.person_id, role=MemberRole.STAFF).exists()
    await authorise(world.staff, world.acme.id, world.admin)  # the library's card lock is its own test's
    staff = await site.browser(world.staff)
    gated = [(path, h.permission_code) for path, methods, h in workspace_routes(site)
             if "GET" in methods and "<" not in path]
    checked: set[str] = set()
    for path, code in gated:
        only.codes = [code]
        await only.save()
        await bump_version(site.app.ctx.cache, world.acme.id)
        assert (await staff.get(path)).status_code == 200, (path, code)
        if code in tree.everyone:
            continue  # every member holds these
        only.codes = sorted(tree.grantable - {code})
        await only.save()
        await bump_version(site.app.ctx.cache, world.acme.id)
        assert (await staff.get(path)).status_code == 403, (path, code)
        checked.add(code)
    api = {code for path, code in gated if path.startswith("/api/")}
    assert {"system:role:view", "message:view", "declaration:entry", "declaration:review2", "sync:run",
            "system:dept:view", "system:join:view", "question:view", "library:query",
            "library:export"} <= checked and api
