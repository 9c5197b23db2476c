"""The audit log's one writer: every customs and administrative action goes through ``record``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.audit import AuditEntry
from models.customs_accounts import CustomsAccount
from models.enterprises import Person
from services.desk.labels import SYSTEM_NAME
from services.kit.context import ServiceContext


@dataclass(frozen=True)
class AuditActor:
    """Who did it, as the log shows it (names are copied: the log outlives renamed accounts)."""

    kind: str  # person / customs / system
    id: int | None
    name: str
    office_id: int | None = None  # a customs actor's office: the audit page's scope (admin_web/desk/audit_pages.py)

    @classmethod
    def customs(cls, account: CustomsAccount) -> AuditActor:
        return cls("customs", account.id, account.name, account.office_id)

    @classmethod
    def person(cls, person: Person) -> AuditActor:
        return cls("person", person.id, person.name)

    @classmethod
    def system(cls, name: str = SYSTEM_NAME) -> AuditActor:
        return cls("system", None, name[:50])


async def record(ctx: ServiceContext, actor: AuditActor, action: str, object_type: str, object_id: str | int,
                 *, detail: dict[str, Any] | None = None, ip: str | None = None, conn: Any = None,
                 office_id: int | None = None) -> None:
    """Write one audit entry, inside the caller's transaction when ``conn`` is given.

    ``office_id`` scopes the entry on the audit page: by default a customs actor's office; callers pass the
    question's office for a person's or the system's entry about a question. None: district-wide.
    """
    office = office_id if office_id is not None else actor.office_id
    await AuditEntry.create(actor_kind=actor.kind, actor_id=actor.id, actor_name=actor.name[:50], action=action,
                            object_type=object_type, object_id=str(object_id)[:64], detail=detail or {}, ip=ip,
                            created_at=ctx.now(), office_id=office, using_db=conn)
