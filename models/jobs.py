"""Background jobs (exports now, imports next): rows that a worker claims, runs under a lease, and finishes."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.customs_accounts import CustomsAccount
    from models.enterprises import Person


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"  # claimed by ``claimed_by`` until ``lease_until``; past it, another worker may take it
    DONE = "done"
    FAILED = "failed"


class Job(Model):
    id = fields.BigIntField(primary_key=True)
    token = fields.CharField(max_length=32, unique=True)  # unguessable: the job's name in URLs
    kind = fields.CharField(max_length=32)  # see services.jobs.kinds
    params: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    # The owner: a customs account or an enterprise person; only the owner sees the job and its file.
    customs_account: fields.ForeignKeyNullableRelation[CustomsAccount] = fields.ForeignKeyField(
        "models.CustomsAccount", related_name="jobs", null=True, on_delete=fields.CASCADE)
    customs_account_id: int | None
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="jobs", null=True, on_delete=fields.CASCADE)
    person_id: int | None
    status = fields.CharEnumField(JobStatus, max_length=16, default=JobStatus.QUEUED)
    attempts = fields.IntField(default=0)  # claims so far; also the compare-and-set version of a claim
    claimed_by = fields.CharField(max_length=64, null=True)
    lease_until = fields.DatetimeField(null=True)
    heartbeat_at = fields.DatetimeField(null=True)
    done = fields.IntField(default=0)  # progress: rows written so far …
    total = fields.IntField(default=0)  # … of this many
    result_path = fields.CharField(max_length=500, default="")
    error = fields.CharField(max_length=500, default="")  # in Chinese: shown to the owner
    created_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job"
        indexes = (("status", "lease_until"),)
