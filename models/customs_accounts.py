"""Customs accounts: officers, supervisors and admins of one customs office."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # the related models, for the relation types only (no import cycle at run time)
    from models.offices import CustomsOffice


class CustomsRole(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"  # also sees the office's sub-offices
    ADMIN = "admin"  # settings and accounts


class CustomsAccount(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=50, unique=True)
    name = fields.CharField(max_length=50)
    password_hash = fields.CharField(max_length=255)
    office: fields.ForeignKeyRelation[CustomsOffice]
    office_id: int
    office = fields.ForeignKeyField("models.CustomsOffice", related_name="accounts", on_delete=fields.RESTRICT)
    role = fields.CharEnumField(CustomsRole, max_length=16)
    phone = fields.CharField(max_length=11, null=True)
    wechat_openid = fields.CharField(max_length=64, null=True, unique=True)
    active = fields.BooleanField(default=True)
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    # Sessions started before this instant are over (set by a password reset or a deactivation).
    sessions_valid_after = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "customs_account"
