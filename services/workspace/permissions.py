"""The permission decision: what a member of an enterprise may open in the workspace, and over whose data.

``decide`` is the one place it is computed: the codes of the person's built-in role (their ``MemberRole``; the
enterprise admin holds every code) and of their live grants (``valid_from <= now < valid_to`` on the service
clock at that moment), their union, and the widest data scope. The result is cached per person in the shared
cache under the enterprise's version counter, which every role or grant change bumps (``bump_version``, after
the change commits), so the next request in every process decides afresh. Membership changes need no bump:
the membership (loaded fresh on every request by the sign-in) is part of the key. A cached decision also
carries the next moment a grant starts or ends, and is not used from that second on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from core.cache import Cache
from core.db import connection
from models.enterprises import MemberRole, Membership
from models.errors import Forbidden
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from services.kit.context import ServiceContext
from services.workspace.tree import permission_tree

MSG_FORBIDDEN = "您没有该功能的权限，请联系企业管理员"
DECISION_TTL = 3600.0  # seconds; the version counter, not the TTL, makes changes visible
WIDEST_FIRST = tuple(DataScope)
# The data scope of a built-in role before the admin changes it: an executive oversees the enterprise.
BUILTIN_SCOPES = {MemberRole.ADMIN: DataScope.ALL, MemberRole.EXECUTIVE: DataScope.ALL,
                  MemberRole.STAFF: DataScope.SELF}


@dataclass(frozen=True)
class Decision:
    codes: frozenset[str]
    scope: DataScope
    until: datetime | None = None  # the next start or end of a grant: decide again from then on

    def allows(self, code: str) -> bool:
        return code in self.codes

    def require(self, code: str) -> None:
        if code not in self.codes:
            raise Forbidden(MSG_FORBIDDEN)

    def dumps(self) -> str:
        return json.dumps({"codes": sorted(self.codes), "scope": self.scope.value,
                           "until": self.until.isoformat() if self.until else None})

    @classmethod
    def loads(cls, text: str) -> Decision:
        raw = json.loads(text)
        return cls(frozenset(raw["codes"]), DataScope(raw["scope"]),
                   datetime.fromisoformat(raw["until"]) if raw["until"] else None)


def widest(scopes: list[DataScope]) -> DataScope:
    return min(scopes, key=WIDEST_FIRST.index, default=DataScope.SELF)


def builtin_defaults(role: MemberRole) -> tuple[frozenset[str], DataScope]:
    """A built-in role's codes and scope until the enterprise stores its own (the admin: every code, always)."""
    tree = permission_tree()
    codes = tree.grantable if role is MemberRole.ADMIN else tree.builtin.get(role, frozenset())
    return codes, BUILTIN_SCOPES[role]


def _version_key(enterprise_id: int) -> str:
    return f"perm:version:{enterprise_id}"


async def bump_version(cache: Cache, enterprise_id: int) -> None:
    """A role or grant of the enterprise changed (call after it commits)."""
    await cache.incr(_version_key(enterprise_id))


async def decide(ctx: ServiceContext, cache: Cache, membership: Membership) -> Decision:
    """See the module docstring."""
    now = ctx.now()
    version = await cache.get(_version_key(membership.enterprise_id)) or "0"
    key = (f"perm:decision:{membership.enterprise_id}:{membership.person_id}:{membership.id}:"
           f"{membership.role.value}:{version}")
    cached = await cache.get(key)
    if cached is not None:
        decision = Decision.loads(cached)
        if decision.until is None or now < decision.until:
            return decision
    decision = await compute(membership, now)
    await cache.set(key, decision.dumps(), DECISION_TTL)
    return decision


async def compute(membership: Membership, now: datetime) -> Decision:
    """The decision from the database at ``now`` (``decide`` caches it)."""
    conn = connection()
    everyone = permission_tree().everyone
    if membership.role is MemberRole.ADMIN:
        codes, scope = builtin_defaults(MemberRole.ADMIN)
        return Decision(codes | everyone, scope)
    builtin = await WorkspaceRole.filter(enterprise_id=membership.enterprise_id,
                                         builtin=membership.role).using_db(conn).first()
    codes, scope = (frozenset(builtin.codes), builtin.data_scope) if builtin else builtin_defaults(membership.role)
    grants = await (RoleGrant.filter(person_id=membership.person_id, role__enterprise_id=membership.enterprise_id)
                    .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
                    .using_db(conn).select_related("role"))
    live = [g for g in grants if g.valid_from <= now]
    moments = [g.valid_from for g in grants if g.valid_from > now] + [g.valid_to for g in live if g.valid_to]
    return Decision(codes.union(everyone, *(g.role.codes for g in live)),
                    widest([scope, *(g.role.data_scope for g in live)]), min(moments, default=None))
