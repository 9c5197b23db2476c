"""Customs offices as a tree: 直属海关 → 隶属海关 → 部门."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OfficeKind(StrEnum):
    DIRECT = "direct"  # 直属海关
    SUBORDINATE = "subordinate"  # 隶属海关
    DEPARTMENT = "department"  # 部门 (处 / 科)


class CustomsOffice(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)
    name = fields.CharField(max_length=100)
    short_name = fields.CharField(max_length=50, default="")
    kind = fields.CharEnumField(OfficeKind, max_length=16)
    parent: fields.ForeignKeyNullableRelation[CustomsOffice]
    parent_id: int | None
    parent = fields.ForeignKeyField("models.CustomsOffice", related_name="children", null=True,
                                    on_delete=fields.RESTRICT)
    # Materialised path of codes, "/0900/0901/", so a sub-tree is one prefix query.
    path = fields.CharField(max_length=255, db_index=True)
    accepts_questions = fields.BooleanField(default=False)  # offered as 受理单位 on the ask form
    active = fields.BooleanField(default=True)

    class Meta:
        table = "customs_office"
        ordering = ["code"]
