"""异常状态登记 (seed 004, MODULES.md §4): the exceptions of declarations (报关单异常) and of bonded lists (核注清单
异常) — 删改单, 查验, 退单 … — with who is responsible, whether customs punished it and how far it is handled.

``owner`` (the declaration's preparer when the exception is linked to one of ours, else the person who registered
it) and ``department`` are the columns the workspace's data scope filters on; ``created_by`` is None for an
exception the system registered from a receipt. Such an exception carries its receipt's key — the declaration,
the receipt's action and its time — unique together, so a receipt seen twice registers one exception (manual
rows leave the key empty: NULLs never collide). ``version`` is the compare-and-set of every change.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.declarations import Declaration
    from models.departments import Department
    from models.enterprises import Enterprise, Person


class ExceptionKind(StrEnum):
    DECLARATION = "declaration"  # 报关单异常: 号码 is the 报关单号 (海关编号)
    BONDED_LIST = "bonded_list"  # 核注清单异常: 号码 is the 清单编号


class ExceptionType(StrEnum):
    MODIFY_DELETE = "modify_delete"  # 删改单
    INSPECTION = "inspection"  # 查验
    REJECTION = "rejection"  # 退单
    OTHER = "other"  # 其他


class ExceptionStatus(StrEnum):
    PENDING = "pending"  # 待处理
    HANDLING = "handling"  # 处理中
    DONE = "done"  # 已完成


class IeFlag(StrEnum):
    EXPORT = "E"
    IMPORT = "I"


class DeclarationException(Model):
    id = fields.BigIntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise] = fields.ForeignKeyField(
        "models.Enterprise", related_name="declaration_exceptions", on_delete=fields.RESTRICT)
    enterprise_id: int
    owner: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="owned_declaration_exceptions", on_delete=fields.RESTRICT)
    owner_id: int
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="declaration_exceptions", null=True, on_delete=fields.SET_NULL)
    department_id: int | None
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="registered_declaration_exceptions", null=True, on_delete=fields.SET_NULL)
    created_by_id: int | None
    declaration: fields.ForeignKeyNullableRelation[Declaration] = fields.ForeignKeyField(
        "models.Declaration", related_name="exceptions", null=True, on_delete=fields.SET_NULL)
    declaration_id: int | None
    kind = fields.CharEnumField(ExceptionKind, max_length=16)
    number = fields.CharField(max_length=20)  # 号码: 报关单号 or 清单编号
    trade_name = fields.CharField(max_length=100, default="")  # 境内收发货人
    ie_flag = fields.CharField(max_length=1, default="")  # 进出口: I / E / ""
    client_name = fields.CharField(max_length=100, default="")  # 委托企业
    exception_type = fields.CharEnumField(ExceptionType, max_length=16)
    occurred_on = fields.DateField()  # 发生日期
    post = fields.CharField(max_length=30, default="")  # 责任岗位
    responsible = fields.CharField(max_length=30, default="")  # 责任人
    penalized = fields.BooleanField(default=False)  # 海关是否处罚
    penalty_target = fields.CharField(max_length=100, default="")  # 处罚对象
    status = fields.CharEnumField(ExceptionStatus, max_length=16, default=ExceptionStatus.PENDING)
    done_on = fields.DateField(null=True)  # 完成日期
    reason = fields.TextField(default="")  # 异常原因
    attachment_key = fields.CharField(max_length=255, default="")  # 附件 in the file storage
    attachment_name = fields.CharField(max_length=255, default="")
    attachment_type = fields.CharField(max_length=64, default="")
    attachment_size = fields.IntField(default=0)
    receipt_action = fields.CharField(max_length=24, null=True)  # the receipt that registered it
    receipt_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "declaration_exception"
        unique_together = (("declaration_id", "receipt_action", "receipt_at"),)
        indexes = (("enterprise_id", "kind", "id"), ("enterprise_id", "kind", "occurred_on"),
                   ("enterprise_id", "owner_id", "id"))
