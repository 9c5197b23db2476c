"""The audit log: every customs and administrative action, who, when, on what."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    id = fields.BigIntField(primary_key=True)
    actor_kind = fields.CharField(max_length=16)  # person / customs / system
    actor_id = fields.IntField(null=True)
    actor_name = fields.CharField(max_length=50)
    action = fields.CharField(max_length=48)
    object_type = fields.CharField(max_length=32)
    object_id = fields.CharField(max_length=64)
    detail: fields.JSONField[dict[str, Any]]
    detail = fields.JSONField(default=dict)
    ip = fields.CharField(max_length=45, null=True)
    created_at = fields.DatetimeField()
    # The customs office the entry belongs to, for scoping the audit page: a customs actor's own office, or the
    # question's office for entries about a question by others; null = district-wide (admins only).
    office_id = fields.IntField(null=True)

    class Meta:
        table = "audit_entry"
        indexes = (("object_type", "object_id"), ("created_at",), ("office_id", "created_at", "id"))
