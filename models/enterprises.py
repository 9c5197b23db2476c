"""Enterprises, people and their memberships (one person may belong to several enterprises)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class EnterpriseStatus(StrEnum):
    PENDING_REVIEW = "pending_review"  # registered without a card: waits for customs
    ACTIVE = "active"
    REJECTED = "rejected"
    DISABLED = "disabled"


class MemberRole(StrEnum):
    ADMIN = "admin"  # 企业管理员
    EXECUTIVE = "executive"  # 企业高管
    STAFF = "staff"  # 关务人员


class Enterprise(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    credit_code = fields.CharField(max_length=18, unique=True)  # 统一社会信用代码, check digit validated
    customs_code = fields.CharField(max_length=10, null=True, unique=True)  # 海关注册编码
    status = fields.CharEnumField(EnterpriseStatus, max_length=16, default=EnterpriseStatus.PENDING_REVIEW)
    exec_review_required = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "enterprise"


class Person(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=50)
    phone = fields.CharField(max_length=11, unique=True)
    wechat_openid = fields.CharField(max_length=64, null=True, unique=True)  # one openid, one person
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "person"


class Membership(Model):
    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person]
    person_id: int
    person = fields.ForeignKeyField("models.Person", related_name="memberships", on_delete=fields.CASCADE)
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="memberships",
                                        on_delete=fields.CASCADE)
    role = fields.CharEnumField(MemberRole, max_length=16)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "membership"
        unique_together = (("person", "enterprise"),)
        indexes = (("enterprise_id", "role"),)
