"""Registrations of enterprises: who applied, how, with which business licence, and customs' decision."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # the related models, for the relation types only (no import cycle at run time)
    from models.customs_accounts import CustomsAccount
    from models.enterprises import Enterprise, Person


class RegistrationChannel(StrEnum):
    CARD = "card"  # 有卡用户: data read from the IC card / IKEY, no customs review
    FORM = "form"  # 无卡用户 in a desktop browser: form + business licence, customs review
    WECHAT = "wechat"  # the same form inside WeChat: customs review


class RegistrationStatus(StrEnum):
    PENDING = "pending"  # waits for customs
    APPROVED = "approved"  # customs approved it, or a card registration (approved at once)
    REJECTED = "rejected"  # customs refused it with a reason


class Registration(Model):
    id = fields.IntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="registrations",
                                        on_delete=fields.CASCADE)
    applicant: fields.ForeignKeyRelation[Person]
    applicant_id: int
    applicant = fields.ForeignKeyField("models.Person", related_name="registrations", on_delete=fields.CASCADE)
    channel = fields.CharEnumField(RegistrationChannel, max_length=16)
    status = fields.CharEnumField(RegistrationStatus, max_length=16, default=RegistrationStatus.PENDING)
    # What the applicant typed (kept as submitted; the enterprise row holds the current name).
    enterprise_name = fields.CharField(max_length=200)
    credit_code = fields.CharField(max_length=18, db_index=True)
    legal_person = fields.CharField(max_length=50, default="")
    address = fields.CharField(max_length=200, default="")
    applicant_name = fields.CharField(max_length=50)
    applicant_phone = fields.CharField(max_length=11)
    # The business licence image (none for a card registration); served to customs only.
    licence_key = fields.CharField(max_length=255, null=True, unique=True)
    licence_content_type = fields.CharField(max_length=64, default="")
    licence_filename = fields.CharField(max_length=255, default="")
    licence_size = fields.IntField(default=0)
    reviewer: fields.ForeignKeyNullableRelation[CustomsAccount]
    reviewer_id: int | None
    reviewer = fields.ForeignKeyField("models.CustomsAccount", related_name="reviewed_registrations", null=True,
                                      on_delete=fields.SET_NULL)
    reason = fields.TextField(default="")  # the rejection reason shown to the applicant
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "registration"
        indexes = (("status", "created_at"),)
