"""The workspace's frame: every page drawn inside the shell (left menu from the permission tree, header with
the enterprise switcher and the person's menu), the home page, the switch, and the pages of modules still to
come (one per page of the tree that has no handler yet, gated by its code like every other)."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.bodies import read_body
from handlers.kit.permissions import Handler, current_member, requires
from handlers.kit.render import page, see_other
from handlers.workspace.bodies import SwitchBody
from services.accounts.labels import MEMBER_ROLE_LABELS
from services.accounts.people import switch_enterprise
from services.accounts.sign_in import memberships_of
from services.kit.actors import PersonActor
from services.messages.centre import Mailbox, counts
from services.personal.profile import avatar_of
from services.workspace.tree import Node, permission_tree

HOME = "/workbench/"
ADMIN_MENU = "system"  # the tree's 管理员中心: reached from the person's menu too


async def workbench_page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTTPResponse:
    """A page inside the shell, for the request's member (``requires`` has run)."""
    member = await current_member(request)
    nav = permission_tree().visible(member.decision.codes)
    admin_pages = next((pages for menu, pages in nav if menu.code == ADMIN_MENU), [])
    return page(request, template, status=status, member=member, nav=nav, role_labels=MEMBER_ROLE_LABELS,
                admin_home=admin_pages[0].path if admin_pages else None,
                memberships=await memberships_of(member.membership.person_id),
                avatar=await avatar_of(member.membership.person_id),
                unread=(await counts(Mailbox(member.membership.person_id, member.enterprise_id))).unread, **context)


@requires("workbench:view")
async def home(request: Request) -> HTTPResponse:
    return await workbench_page(request, "workbench/home.html")


@requires("workbench:view")
async def switch(request: Request) -> HTTPResponse:
    member = await current_member(request)
    membership = await switch_enterprise(PersonActor(member.membership.person_id),
                                         read_body(request, SwitchBody).enterprise_id)
    await request.app.ctx.sessions.change(request.ctx.user.session, enterprise_id=membership.enterprise_id)
    return see_other(HOME)


def coming_soon(node: Node) -> Handler:
    @requires(node.code)
    async def soon(request: Request) -> HTTPResponse:
        return await workbench_page(request, "workbench/soon.html", node=node)

    return soon


def shell_blueprint(implemented: frozenset[str]) -> Blueprint:
    """The shell's routes, and a placeholder for every page of the tree whose path is not in ``implemented``."""
    bp = Blueprint("workbench_shell")
    bp.add_route(home, HOME, methods=["GET"])
    bp.add_route(switch, "/workbench/enterprise", methods=["POST"])
    for menu in permission_tree().menus:
        for node in menu.children:
            if node.path and node.path != HOME and node.path not in implemented:
                bp.add_route(coming_soon(node), node.path, methods=["GET"], name=f"soon_{node.code.replace(':', '_')}")
    return bp
