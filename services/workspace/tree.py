"""The permission tree (``data/permissions.yaml``): menus → pages → actions, each with a code.

Read once per process: the workspace's routes declare codes of this tree at import time (an unknown code fails
the start), the menu and the role editor are drawn from it. ``qingling load-data`` also stores it in the
``permission_node`` table (``load_permission_nodes``), where SQL reports and other tools can join it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from tortoise.transactions import in_transaction

from core.config import PROJECT_ROOT
from models.enterprises import MemberRole
from models.errors import ValidationFailed
from models.workspace import NodeKind, PermissionNode

TREE_FILE = PROJECT_ROOT / "data" / "permissions.yaml"
MSG_UNKNOWN_CODE = "包含不存在的权限，请刷新页面后重新选择"


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    kind: NodeKind
    path: str | None = None
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class PermissionTree:
    menus: tuple[Node, ...]
    everyone: frozenset[str]  # held by every member, whatever their roles
    builtin: Mapping[MemberRole, frozenset[str]]  # first codes of the built-in roles (the admin holds all)

    def walk(self) -> Iterator[tuple[Node, Node | None]]:
        """Every node with its parent, parents first, in the file's order."""
        def down(node: Node, parent: Node | None) -> Iterator[tuple[Node, Node | None]]:
            yield node, parent
            for child in node.children:
                yield from down(child, node)
        for menu in self.menus:
            yield from down(menu, None)

    @property
    def grantable(self) -> frozenset[str]:
        """The codes a role may hold: pages and actions."""
        return frozenset(node.code for node, _ in self.walk() if node.kind is not NodeKind.MENU)

    def page_of(self, code: str) -> str | None:
        """An action's page (None for a page or an unknown code)."""
        return next((parent.code for node, parent in self.walk()
                     if node.code == code and node.kind is NodeKind.ACTION and parent), None)

    def name_of(self, code: str) -> str:
        return next((node.name for node, _ in self.walk() if node.code == code), code)

    def visible(self, codes: frozenset[str]) -> list[tuple[Node, list[Node]]]:
        """The menu of a person holding ``codes``: each menu with the pages they may open (menus with none are
        left out)."""
        shown = [(menu, [page for page in menu.children if page.code in codes]) for menu in self.menus]
        return [(menu, pages) for menu, pages in shown if pages]

    def check_codes(self, codes: Iterable[str]) -> frozenset[str]:
        """The chosen codes with the pages of chosen actions added; ValidationFailed on an unknown code."""
        chosen = frozenset(codes)
        if not chosen <= self.grantable:
            raise ValidationFailed(MSG_UNKNOWN_CODE, field="codes")
        return chosen | {page for page in map(self.page_of, chosen) if page}


def _node(raw: Mapping[str, Any], kind: NodeKind) -> Node:
    below = {NodeKind.MENU: ("pages", NodeKind.PAGE), NodeKind.PAGE: ("actions", NodeKind.ACTION)}.get(kind)
    children = tuple(_node(child, below[1]) for child in raw.get(below[0], ())) if below else ()
    return Node(str(raw["code"]), str(raw["name"]), kind, raw.get("path"), children)


def read_tree(path: Path = TREE_FILE) -> PermissionTree:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    tree = PermissionTree(
        menus=tuple(_node(menu, NodeKind.MENU) for menu in raw["menus"]),
        everyone=frozenset(raw.get("everyone", ())),
        builtin={MemberRole(role): frozenset(codes) for role, codes in raw.get("builtin", {}).items()})
    codes = [node.code for node, _ in tree.walk()]
    if len(codes) != len(set(codes)):
        raise ValueError(f"{path}: 权限代码重复")
    declared = tree.everyone.union(*tree.builtin.values())
    if not declared <= tree.grantable:
        raise ValueError(f"{path}: 未定义的权限代码 {sorted(declared - tree.grantable)}")
    return tree


@cache
def permission_tree() -> PermissionTree:
    return read_tree()


async def load_permission_nodes(tree: PermissionTree, progress: Callable[[int], None] = lambda n: None) -> int:
    """Store the tree in ``permission_node``: matched by code, created or updated; nodes gone from the file
    are deleted (roles keep their codes as text: a code that comes back is granted again)."""
    async with in_transaction() as conn:
        existing = {node.code: node for node in await PermissionNode.all().using_db(conn)}
        seen = set()
        for sort, (node, parent) in enumerate(tree.walk()):
            values = dict(name=node.name, kind=node.kind, path=node.path,
                          parent_code=parent.code if parent else None, sort=sort)
            row = existing.get(node.code)
            if row is None:
                await PermissionNode.create(code=node.code, using_db=conn, **values)
            elif any(getattr(row, k) != v for k, v in values.items()):
                row.update_from_dict(values)
                await row.save(using_db=conn)
            seen.add(node.code)
            progress(1)
        await PermissionNode.filter(code__in=set(existing) - seen).using_db(conn).delete()
    return len(seen)
