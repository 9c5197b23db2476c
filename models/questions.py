"""Questions, their timeline, evaluations, attachments and the per-enterprise number sequence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import PartialIndex
from tortoise.models import Model

from models.lifecycle import AUTO_CLOSE_SINCE, ClosedBy, Evaluation, Importance, ReplyKind, Role, Status

if TYPE_CHECKING:  # the related models, for the relation types only (no import cycle at run time)
    from models.catalog import BusinessCategory, QuestionType
    from models.customs_accounts import CustomsAccount
    from models.departments import Department
    from models.enterprises import Enterprise, Person
    from models.offices import CustomsOffice


class Question(Model):
    id = fields.IntField(primary_key=True)
    # credit code + 2-digit year + 4-digit sequence per enterprise and year
    number = fields.CharField(max_length=24, unique=True)
    # the number backwards: a suffix search (year + sequence) is a prefix search of this column, index-served
    # (PostgreSQL: a varchar_pattern_ops index, migration 0012)
    number_reversed = fields.CharField(max_length=24, default="")
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="questions", on_delete=fields.RESTRICT)
    creator: fields.ForeignKeyRelation[Person]
    creator_id: int
    creator = fields.ForeignKeyField("models.Person", related_name="questions", on_delete=fields.RESTRICT)
    accepting_office: fields.ForeignKeyRelation[CustomsOffice]
    accepting_office_id: int
    accepting_office = fields.ForeignKeyField("models.CustomsOffice", related_name="accepted_questions",
                                              on_delete=fields.RESTRICT)  # 受理单位
    office: fields.ForeignKeyRelation[CustomsOffice]
    office_id: int
    office = fields.ForeignKeyField("models.CustomsOffice", related_name="questions",
                                    on_delete=fields.RESTRICT)  # 受理海关 / 部门 (the handling unit)
    # the asker's primary department when it was created: the 本部门及下级 data scope (services/workspace/scope.py)
    department: fields.ForeignKeyNullableRelation[Department]
    department_id: int | None
    department = fields.ForeignKeyField("models.Department", related_name="questions", null=True,
                                        on_delete=fields.SET_NULL)
    title = fields.CharField(max_length=20)
    types: fields.ManyToManyRelation[QuestionType]
    types = fields.ManyToManyField("models.QuestionType", related_name="questions",
                                   through="question_question_type")
    business_category: fields.ForeignKeyNullableRelation[BusinessCategory]
    business_category_id: int | None
    business_category = fields.ForeignKeyField("models.BusinessCategory", related_name="questions", null=True,
                                               on_delete=fields.SET_NULL)
    contact_name = fields.CharField(max_length=50)
    contact_phone = fields.CharField(max_length=20)
    description = fields.TextField()
    remarks = fields.TextField(default="")
    allow_publication = fields.BooleanField(default=False)
    importance = fields.CharEnumField(Importance, max_length=16, null=True)
    assigned_executive: fields.ForeignKeyNullableRelation[Person]
    assigned_executive_id: int | None
    assigned_executive = fields.ForeignKeyField("models.Person", related_name="questions_to_review", null=True,
                                                on_delete=fields.SET_NULL)

    status = fields.CharEnumField(Status, max_length=24, default=Status.DRAFT)
    round = fields.IntField(default=1)  # 1, then +1 for every appended question
    reply_kind = fields.CharEnumField(ReplyKind, max_length=24, null=True)
    closed_by = fields.CharEnumField(ClosedBy, max_length=24, null=True)
    version = fields.IntField(default=1)  # bumped by every change: compare-and-set

    # the current round's submission and acceptance (the queue's order and waiting time, the statistics) …
    submitted_at = fields.DatetimeField(null=True)
    accepted_at = fields.DatetimeField(null=True)
    # … and round 1's, which an appended round keeps: what 提交时间 / 受理时间 show (issue 12)
    first_submitted_at = fields.DatetimeField(null=True)
    first_accepted_at = fields.DatetimeField(null=True)
    replied_at = fields.DatetimeField(null=True)
    evaluated_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)

    published = fields.BooleanField(default=False)
    public_title = fields.CharField(max_length=20, default="")
    public_description = fields.TextField(default="")
    public_reply = fields.TextField(default="")
    published_at = fields.DatetimeField(null=True)

    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "question"
        indexes = (
            # Partial indexes (migration 0014): a question leaving the status (the automatic close) or never
            # published adds no entry to them, so closing 100,000 rows writes four index entries fewer each.
            # The due questions of the automatic close, per closing status, by the instant its period counts from.
            *(PartialIndex(fields=[since], condition={"status": status.value})
              for status, since in AUTO_CLOSE_SINCE.items()),
            PartialIndex(fields=["published_at", "id"], condition={"published": True}),  # the public list
            ("enterprise_id", "department_id", "id"),  # 问题清单 under the 本部门及下级 scope
            ("enterprise_id", "id"),  # 我的问题: an enterprise's questions, newest first (migration 0013)
            # the header's badge (new_work_count): the questions waiting to be accepted, per office
            PartialIndex(fields=["office_id"], condition={"status": Status.SUBMITTED.value}),
            # the customs queue (services/questions/queue.py): newest submission first, keyset on (submitted_at, id)
            ("office_id", "submitted_at", "id"),  # an officer's office
            ("status", "submitted_at", "id"),  # a status tab, e.g. the new questions
            ("submitted_at", "id"),  # a supervisor's many offices
            # number_reversed's LIKE-prefix index is created by migration 0012 (tortoise cannot name an opclass)
        )


class QuestionNumberSequence(Model):
    id = fields.IntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise]
    enterprise_id: int
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="number_sequences",
                                        on_delete=fields.CASCADE)
    year = fields.IntField()
    last_number = fields.IntField(default=0)

    class Meta:
        table = "question_number_sequence"
        unique_together = (("enterprise", "year"),)


# One timeline entry: who did what, when, from which status to which, with their text.
# (No class docstrings on models: tortoise writes them into the DDL as comments.)
class QuestionEvent(Model):
    id = fields.BigIntField(primary_key=True)
    question: fields.ForeignKeyRelation[Question]
    question_id: int
    question = fields.ForeignKeyField("models.Question", related_name="events", on_delete=fields.CASCADE)
    round = fields.IntField()
    action = fields.CharField(max_length=24)
    from_status = fields.CharEnumField(Status, max_length=24, null=True)
    to_status = fields.CharEnumField(Status, max_length=24)
    actor_role = fields.CharEnumField(Role, max_length=16)
    person: fields.ForeignKeyNullableRelation[Person]
    person_id: int | None
    person = fields.ForeignKeyField("models.Person", related_name="question_events", null=True,
                                    on_delete=fields.SET_NULL)
    customs_account: fields.ForeignKeyNullableRelation[CustomsAccount]
    customs_account_id: int | None
    customs_account = fields.ForeignKeyField("models.CustomsAccount", related_name="question_events", null=True,
                                             on_delete=fields.SET_NULL)
    actor_name = fields.CharField(max_length=50)
    text = fields.TextField(default="")
    detail: fields.JSONField[dict[str, Any]]
    detail = fields.JSONField(default=dict)  # reply kind, evaluation, importance, closed_by …
    created_at = fields.DatetimeField()

    class Meta:
        table = "question_event"
        indexes = (("question_id", "id"),)


class QuestionEvaluation(Model):
    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyRelation[Question]
    question_id: int
    question = fields.ForeignKeyField("models.Question", related_name="evaluations", on_delete=fields.CASCADE)
    round = fields.IntField()
    kind = fields.CharEnumField(Evaluation, max_length=2)
    note = fields.TextField(default="")
    appended_text = fields.TextField(default="")
    person: fields.ForeignKeyRelation[Person]
    person_id: int
    person = fields.ForeignKeyField("models.Person", related_name="evaluations", on_delete=fields.RESTRICT)
    created_at = fields.DatetimeField()

    class Meta:
        table = "question_evaluation"


# An uploaded file, such as the one image of a question; the bytes live in file storage.
class Attachment(Model):
    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyNullableRelation[Question]
    question_id: int | None
    question = fields.ForeignKeyField("models.Question", related_name="attachments", null=True,
                                      on_delete=fields.CASCADE)
    round = fields.IntField(default=1)
    filename = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=64)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    storage_key = fields.CharField(max_length=255, unique=True)
    uploaded_by: fields.ForeignKeyNullableRelation[Person]
    uploaded_by_id: int | None
    uploaded_by = fields.ForeignKeyField("models.Person", related_name="attachments", null=True,
                                         on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attachment"
