"""Sign-in identities of enterprise people beyond phone + SMS: a local account (user name + password) and the
link to a central single-window account (an OpenID Connect subject). One person has at most one of each,
and one central subject belongs to one person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # the related models, for the relation types only (no import cycle at run time)
    from models.enterprises import Person


class LocalAccount(Model):
    """地方账号: a user name + password (argon2) that signs its person in; locked after repeated failures."""

    id = fields.IntField(primary_key=True)
    person: fields.OneToOneRelation[Person]
    person = fields.OneToOneField("models.Person", related_name="local_account", on_delete=fields.CASCADE)
    person_id: int
    username = fields.CharField(max_length=50, unique=True)
    password_hash = fields.CharField(max_length=255)
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "local_account"


class CentralLink(Model):
    """中央账号 ↔ person: the provider's issuer + ``sub`` (stable, never reassigned by the provider)."""

    id = fields.IntField(primary_key=True)
    person: fields.OneToOneRelation[Person]
    person = fields.OneToOneField("models.Person", related_name="central_link", on_delete=fields.CASCADE)
    person_id: int
    issuer = fields.CharField(max_length=255)
    subject = fields.CharField(max_length=255)
    username = fields.CharField(max_length=100, default="")  # the central user name when the provider gives it
    created_at = fields.DatetimeField()

    class Meta:
        table = "central_link"
        unique_together = (("issuer", "subject"),)
