"""Join requests (加入申请): a signed-in person asks to join another enterprise; its admin approves or refuses.

``pending_key`` is ``"<person>:<enterprise>"`` while the request waits and null once decided: its unique index
lets one pending request per person and enterprise exist, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.enterprises import Enterprise, Person


class JoinStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class JoinRequest(Model):
    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person]
    person_id: int
    person = fields.ForeignKeyField("models.Person", related_name="join_requests", on_delete=fields.CASCADE)
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="join_requests", on_delete=fields.CASCADE)
    # the enterprise the person was signed into when asking: a refusal is told in its mailbox
    asked_from: fields.ForeignKeyRelation[Enterprise]
    asked_from_id: int
    asked_from = fields.ForeignKeyField("models.Enterprise", related_name="join_requests_sent",
                                        on_delete=fields.CASCADE)
    status = fields.CharEnumField(JoinStatus, max_length=16, default=JoinStatus.PENDING)
    pending_key = fields.CharField(max_length=40, null=True, unique=True)
    reason = fields.CharField(max_length=200, default="")  # the refusal's
    role_name = fields.CharField(max_length=30, default="")  # the initial role granted on approval, if any
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_by: fields.ForeignKeyNullableRelation[Person]
    decided_by_id: int | None
    decided_by = fields.ForeignKeyField("models.Person", related_name="join_requests_decided", null=True,
                                        on_delete=fields.SET_NULL)

    class Meta:
        table = "join_request"
        indexes = (("enterprise_id", "status", "id"),)
