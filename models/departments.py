"""An enterprise's departments (部门管理): a tree stored with a materialized path, and who belongs where.

``path`` is the ids from the root down to the department itself, ``/3/7/12/``: "a department and every one below
it" is one indexed prefix query (``path LIKE '/3/7/%'``), whatever the depth. A person may belong to several
departments of an enterprise; exactly one of them is their primary (``primary``), the one their new items carry.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enterprises import Enterprise, Person


class Department(Model):
    id = fields.IntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="departments", on_delete=fields.CASCADE)
    parent: fields.ForeignKeyNullableRelation[Department]
    parent_id: int | None
    parent = fields.ForeignKeyField("models.Department", related_name="children", null=True,
                                    on_delete=fields.RESTRICT)
    name = fields.CharField(max_length=30)
    path = fields.CharField(max_length=255, default="")  # "/root id/…/own id/"
    created_at = fields.DatetimeField()

    class Meta:
        table = "department"
        unique_together = (("enterprise", "parent", "name"),)
        indexes = (("enterprise_id", "path"),)


class DepartmentMember(Model):
    id = fields.IntField(primary_key=True)
    department: fields.ForeignKeyRelation[Department]
    department_id: int
    department = fields.ForeignKeyField("models.Department", related_name="members", on_delete=fields.RESTRICT)
    person: fields.ForeignKeyRelation[Person]
    person_id: int
    person = fields.ForeignKeyField("models.Person", related_name="departments", on_delete=fields.CASCADE)
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int  # the department's, copied: a person's departments in one enterprise, one index
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="department_members",
                                        on_delete=fields.CASCADE)
    primary = fields.BooleanField(default=False)

    class Meta:
        table = "department_member"
        unique_together = (("department", "person"),)
        indexes = (("person_id", "enterprise_id"),)
