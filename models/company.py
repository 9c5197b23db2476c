"""An enterprise's settings in the workspace (管理员中心 → 企业设置): company and invoice information, logo and
seal images, business switches, and 企业风采 (carousel images and links).

One row per enterprise. The images, the carousel and the links are small JSON documents of this row, so every
change locks one row (``select_for_update``) and a limit such as "at most 6 carousel images" holds under
concurrent requests. The rules live in ``services.workspace.company``.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.declarations import DeclarationKind
from models.enterprises import Enterprise


def every_kind() -> list[str]:
    """A new enterprise may enter every declaration kind until its admin switches one off (企业设置 → 业务设置)."""
    return [kind.value for kind in DeclarationKind]


class CompanySettings(Model):
    id = fields.IntField(primary_key=True)
    enterprise: fields.OneToOneRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.OneToOneField("models.Enterprise", related_name="company_settings", on_delete=fields.CASCADE)
    address = fields.CharField(max_length=200, default="")
    contact = fields.CharField(max_length=50, default="")
    phone = fields.CharField(max_length=30, default="")
    email = fields.CharField(max_length=100, default="")
    invoice_name = fields.CharField(max_length=200, default="")  # 开票名称
    invoice_tax_id = fields.CharField(max_length=20, default="")  # 纳税人识别号: 15, 18 or 20 characters
    invoice_address_phone = fields.CharField(max_length=200, default="")
    invoice_bank_account = fields.CharField(max_length=200, default="")
    # A stored image: {key, content_type, filename, sha256, width, height}; null when none.
    logo: fields.JSONField[dict[str, Any] | None]
    logo = fields.JSONField(null=True)
    seal: fields.JSONField[dict[str, Any] | None]
    seal = fields.JSONField(null=True)
    declaration_kinds: fields.JSONField[list[str]]
    declaration_kinds = fields.JSONField(default=every_kind)  # the enabled kinds (DeclarationKind values)
    aircraft_auto = fields.BooleanField(default=False)  # 航空器自动申报
    aircraft_time = fields.CharField(max_length=5, null=True)  # HH:MM, set only while aircraft_auto is on
    second_review = fields.BooleanField(default=False, db_default=False)  # 二复核: an approval needs a second reviewer
    # Ordered: [{id, key, content_type, filename, sha256, link}] and [{id, title, url}].
    carousel: fields.JSONField[list[dict[str, Any]]]
    carousel = fields.JSONField(default=list)
    links: fields.JSONField[list[dict[str, Any]]]
    links = fields.JSONField(default=list)
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "company_settings"
