"""个人中心: a person's profile beyond ``Person`` (gender, avatar, 报关员章) and the declaration-entry form
preferences (表单设置), a person's own per enterprise and the enterprise's defaults.

The images are small JSON documents ({key, content_type, filename, sha256, width, height}) pointing into the file
storage, as the company's logo and seal are. A preferences row holds only the settings its owner chose (a key
left out follows the next level: person → enterprise → the system's default); the rules live in
``services.personal``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.enterprises import Enterprise, Person


class Gender(StrEnum):
    UNSET = "unset"
    MALE = "male"
    FEMALE = "female"


class PersonalProfile(Model):
    id = fields.IntField(primary_key=True)
    person: fields.OneToOneRelation[Person]
    person_id: int
    person = fields.OneToOneField("models.Person", related_name="profile", on_delete=fields.CASCADE)
    gender = fields.CharEnumField(Gender, max_length=8, default=Gender.UNSET)
    avatar: fields.JSONField[dict[str, Any] | None]
    avatar = fields.JSONField(null=True)
    stamp: fields.JSONField[dict[str, Any] | None]  # 报关员章: a PNG, the watermark of printed declarations
    stamp = fields.JSONField(null=True)
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "personal_profile"


class PersonFormPreferences(Model):
    """A person's own 表单设置 in one enterprise (a person may prepare declarations for several)."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person]
    person_id: int
    person = fields.ForeignKeyField("models.Person", related_name="form_preferences", on_delete=fields.CASCADE)
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="person_form_preferences",
                                        on_delete=fields.CASCADE)
    values: fields.JSONField[dict[str, Any]]
    values = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "person_form_preferences"
        unique_together = (("person", "enterprise"),)


class CompanyFormDefaults(Model):
    """The enterprise's 表单设置 defaults, set by its admin."""

    id = fields.IntField(primary_key=True)
    enterprise: fields.OneToOneRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.OneToOneField("models.Enterprise", related_name="form_defaults", on_delete=fields.CASCADE)
    values: fields.JSONField[dict[str, Any]]
    values = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "company_form_defaults"
