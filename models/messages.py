"""The message centre (消息中心): in-app messages to one person of one enterprise.

A message is written in the same transaction as the event that causes it (``services.messages.centre``), beside
the outbox rows (the outbox carries WeChat / SMS; the message centre is in-app). The badge counts unread messages
per category and starred ones; their partial indexes hold only those rows, so the counts stay cheap however many
read messages a person keeps.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:  # the related models, for the relation types only
    from models.enterprises import Enterprise, Person


class Category(StrEnum):
    NOTICE = "notice"  # 通知
    WARNING = "warning"  # 预警


class Severity(StrEnum):
    INFO = "info"
    IMPORTANT = "important"


class WhereIndex(Index):
    """An index over the rows matching a SQL condition (tortoise's PartialIndex can only write ``=``, not
    ``IS NULL``); the condition is the same SQL on SQLite and PostgreSQL."""

    def __init__(self, *, fields: list[str], where: str, name: str | None = None) -> None:
        super().__init__(fields=fields, name=name)
        self.where = where
        self.extra = f" WHERE {where}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        path, args, kwargs = super().deconstruct()
        return path, args, {**kwargs, "where": self.where}


MESSAGE_INDEXES = (
    # the list of a tab, newest first (keyset on id)
    Index(fields=["person_id", "enterprise_id", "category", "id"], name="message_list"),
    # the badge: unread per category, and the unread filter of the list
    WhereIndex(fields=["person_id", "enterprise_id", "category", "id"], where="read_at IS NULL", name="message_unread"),
    # 仅显示星标 and the starred count
    WhereIndex(fields=["person_id", "enterprise_id", "category", "id"], where="starred", name="message_starred"),
    # the escalation sweep: unread 预警 not yet sent on, oldest first
    WhereIndex(fields=["created_at"], where="category = 'warning' AND read_at IS NULL AND escalated_at IS NULL",
               name="message_to_escalate"),
)


class Message(Model):
    id = fields.BigIntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="messages", on_delete=fields.CASCADE)
    person: fields.ForeignKeyRelation[Person]
    person_id: int
    person = fields.ForeignKeyField("models.Person", related_name="messages", on_delete=fields.CASCADE)
    category = fields.CharEnumField(Category, max_length=8)
    severity = fields.CharEnumField(Severity, max_length=16, default=Severity.INFO)
    title = fields.CharField(max_length=100)
    body = fields.TextField(default="")
    link = fields.CharField(max_length=300, default="")  # the path of the object it is about
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)  # set once, on the first reading
    starred = fields.BooleanField(default=False)
    escalated_at = fields.DatetimeField(null=True)  # an unread 预警 sent on by WeChat / SMS

    class Meta:
        table = "message"
        indexes = MESSAGE_INDEXES
