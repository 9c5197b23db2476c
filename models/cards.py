"""IC card / IKey: cards bound to people (card sign-in) and module authorisations granted with a legal-person card."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # the related models, for the relation types only (no import cycle at run time)
    from models.enterprises import Enterprise, Person


class CardType(StrEnum):
    LEGAL_PERSON = "legal_person"  # 法人卡
    OPERATOR = "operator"  # 操作员卡


class CardBinding(Model):
    """A card (its certificate) that signs in as ``person`` in ``enterprise``; one person per card."""

    id = fields.IntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="card_bindings", on_delete=fields.CASCADE)
    person: fields.ForeignKeyRelation[Person]
    person_id: int
    person = fields.ForeignKeyField("models.Person", related_name="card_bindings", on_delete=fields.CASCADE)
    fingerprint = fields.CharField(max_length=64, unique=True)  # SHA-256 of the certificate (DER), hex
    card_no = fields.CharField(max_length=64)
    holder_name = fields.CharField(max_length=50)
    card_type = fields.CharEnumField(CardType, max_length=16)
    created_at = fields.DatetimeField()

    class Meta:
        table = "card_binding"
        indexes = (("person_id", "enterprise_id"),)


class ModuleAuthorisation(Model):
    """A legal-person card's authorisation of one person for one card-gated module; revoked, not deleted."""

    id = fields.IntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="module_authorisations",
                                        on_delete=fields.CASCADE)
    person: fields.ForeignKeyRelation[Person]
    person_id: int
    person = fields.ForeignKeyField("models.Person", related_name="module_authorisations", on_delete=fields.CASCADE)
    module = fields.CharField(max_length=32)
    legal_person_name = fields.CharField(max_length=50)  # the card holder who authorised
    card_no = fields.CharField(max_length=64)
    card_fingerprint = fields.CharField(max_length=64)
    granted_by: fields.ForeignKeyRelation[Person]
    granted_by_id: int
    granted_by = fields.ForeignKeyField("models.Person", related_name="authorisations_granted",
                                        on_delete=fields.RESTRICT)  # the signed-in admin at the PC
    granted_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    revoked_by: fields.ForeignKeyNullableRelation[Person]
    revoked_by_id: int | None
    revoked_by = fields.ForeignKeyField("models.Person", related_name="authorisations_revoked", null=True,
                                        on_delete=fields.RESTRICT)

    class Meta:
        table = "module_authorisation"
        indexes = (("enterprise_id", "module", "person_id"),)
