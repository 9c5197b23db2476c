"""个人中心 → 我的企业: the person's enterprises with their role in each, and leaving one (解除绑定).

Leaving ends the membership like a removal does (department places and grants end with it) and is refused for
the enterprise's last admin and for the enterprise the person is signed into now (they switch first).
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core.cache import Cache
from core.db import connection
from models.enterprises import Membership
from models.errors import Conflict, NotFound
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext
from services.workspace import labels as L
from services.workspace.joins import Asker
from services.workspace.people import end_membership, is_last_admin
from services.workspace.permissions import bump_version


async def my_companies(person_id: int) -> list[Membership]:
    return await (Membership.filter(person_id=person_id, active=True).using_db(connection())
                  .select_related("enterprise").order_by("id"))


async def leave_company(ctx: ServiceContext, cache: Cache, asker: Asker, enterprise_id: int) -> None:
    if enterprise_id == asker.enterprise_id:
        raise Conflict(L.MSG_LEAVE_CURRENT)
    now = ctx.now()
    async with in_transaction() as conn:
        membership = await Membership.filter(person_id=asker.person_id, enterprise_id=enterprise_id, active=True) \
            .using_db(conn).select_for_update().first()
        if membership is None:
            raise NotFound(L.MSG_LEAVE_NOT_MEMBER)
        if await is_last_admin(conn, membership):
            raise Conflict(L.MSG_LEAVE_LAST_ADMIN)
        before = await end_membership(conn, membership, now)
        await record(ctx, AuditActor("person", asker.person_id, asker.person_name), "person.leave", "membership",
                     membership.id, detail={"enterprise_id": enterprise_id, "person_id": asker.person_id,
                                            "before": before,
                                            "after": {"active": False}}, conn=conn)
    await bump_version(cache, enterprise_id)
