"""The outbox: notifications written in the same transaction as the change that causes them."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # the related models, for the relation types only (no import cycle at run time)
    from models.customs_accounts import CustomsAccount
    from models.enterprises import Person
    from models.questions import Question


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # gave up after retries or a permanent error; shown in the admin web


class OutboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    event = fields.CharField(max_length=48)  # see services.notifications.events.Event
    question: fields.ForeignKeyNullableRelation[Question]
    question_id: int | None
    question = fields.ForeignKeyField("models.Question", related_name="outbox", null=True,
                                      on_delete=fields.CASCADE)
    person: fields.ForeignKeyNullableRelation[Person]
    person_id: int | None
    person = fields.ForeignKeyField("models.Person", related_name="outbox", null=True, on_delete=fields.CASCADE)
    customs_account: fields.ForeignKeyNullableRelation[CustomsAccount]
    customs_account_id: int | None
    customs_account = fields.ForeignKeyField("models.CustomsAccount", related_name="outbox", null=True,
                                             on_delete=fields.CASCADE)
    payload: fields.JSONField[dict[str, Any]]
    payload = fields.JSONField(default=dict)
    # Never send one message twice: one row per (event, recipient, occasion).
    dedupe_key = fields.CharField(max_length=128, unique=True)
    status = fields.CharEnumField(OutboxStatus, max_length=16, default=OutboxStatus.PENDING)
    channel = fields.CharField(max_length=16, null=True)  # wechat / sms, decided by the dispatcher
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    wechat_msgid = fields.BigIntField(null=True, db_index=True)  # matches TEMPLATESENDJOBFINISH reports

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"),)
