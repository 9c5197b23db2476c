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


class SmsAlert(Model):
    """An SMS configuration error the operator must fix (bad AccessKey, signature or template), one row per
    (error code, template); open until an SMS of that template (or, for account errors, any SMS) goes
    through, or an admin marks it handled. Shown to admins on every admin page."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=160, unique=True)  # "<code>:<template>" ("<code>:" for the account)
    code = fields.CharField(max_length=64)  # the provider's error code, e.g. isv.SMS_TEMPLATE_ILLEGAL
    template = fields.CharField(max_length=48)  # a key of sms.templates; "" when the account is at fault
    message = fields.CharField(max_length=255)  # the Chinese reason, as the adapter gave it
    count = fields.IntField(default=1)  # failures since it opened
    first_at = fields.DatetimeField()
    last_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sms_alert"
