"""The outbox: notifications written in the same transaction as the change that causes them."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # gave up after retries or a permanent error; shown in the admin web


class OutboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    event = fields.CharField(max_length=48)  # see services.notifications.events.Event
    question = fields.ForeignKeyField("models.Question", related_name="outbox", null=True,
                                      on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("models.Person", related_name="outbox", null=True, on_delete=fields.CASCADE)
    customs_account = fields.ForeignKeyField("models.CustomsAccount", related_name="outbox", null=True,
                                             on_delete=fields.CASCADE)
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
