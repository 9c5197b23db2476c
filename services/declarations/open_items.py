"""The open declarations of a person (not yet declared, not deleted), listed and handed to a colleague when the
person leaves the enterprise (services.workspace.handover)."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from models.declaration_lifecycle import DeclarationStatus
from models.declarations import Declaration
from services.declarations import labels as L
from services.messages.events import DECLARATION_LINK
from services.workspace.handover import OpenItem, OpenItemKind, register_open_items

S = DeclarationStatus
OPEN = (S.DRAFT, S.PENDING_REVIEW, S.SECOND_REVIEW, S.RETURNED, S.APPROVED, S.REJECTED)


async def find_open(conn: BaseDBAsyncClient, enterprise_id: int, person_id: int) -> list[OpenItem]:
    rows = await Declaration.filter(enterprise_id=enterprise_id, owner_id=person_id, status__in=OPEN) \
        .using_db(conn).order_by("id")
    return [OpenItem(L.OPEN_DECLARATIONS, f"{d.number} {d.kind.label}（{d.status.label}）",
                     DECLARATION_LINK.format(id=d.id)) for d in rows]


async def hand_over_open(conn: BaseDBAsyncClient, enterprise_id: int, from_person: int, to_person: int,
                         now: datetime) -> int:
    return await Declaration.filter(enterprise_id=enterprise_id, owner_id=from_person, status__in=OPEN) \
        .using_db(conn).update(owner_id=to_person, version=F("version") + 1, updated_at=now)


register_open_items(OpenItemKind(L.OPEN_DECLARATIONS, find_open, hand_over_open))
