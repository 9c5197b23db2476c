"""Question types and business categories: data loaded by `qingling load-data`, not code."""

from tortoise import fields
from tortoise.models import Model


class QuestionType(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=50)
    sort = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "question_type"
        ordering = ["sort", "id"]


class BusinessCategory(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=50)
    sort = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "business_category"
        ordering = ["sort", "id"]
