"""Declarations (报关单, MODULES.md §4): the head, its goods items, containers and attached documents, and the
timeline of every status change.

The head's fields come from the standard declaration message (``data/`` field list; ``xml`` in
``services.declarations.fields``). The ones lists filter on are typed columns (申报地海关, 出境关别, 监管方式,
提运单号, 境内发货人, 统一编号, 海关编号, status, kind, owner, department); the rest of the head is ``head``, a
JSON object written only from the checked field list. Items, containers and documents are rows of their own
(a review mark names ``items[3].hs_code``; the library compares items by HS code).

``owner`` is the preparer (制单人) and ``department`` their primary department when the declaration was created:
the columns the workspace's data scope filters on. ``seq_no`` (统一编号) stays empty until the single window
assigns one. ``version`` is the compare-and-set of every change.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from models.declaration_lifecycle import DeclarationAction, DeclarationStatus

if TYPE_CHECKING:
    from models.departments import Department
    from models.enterprises import Enterprise, Person
    from models.jobs import Job


class DeclarationKind(StrEnum):
    EXPORT = "export"  # 出口报关单
    EXPORT_RECORD = "export_record"  # 出口备案清单 (海关特殊监管区域)
    EXPORT_TRANSIT = "export_transit"  # 出口转关提前报关
    EXPORT_TRANSIT_RECORD = "export_transit_record"  # 出境转关提前备案清单

    @property
    def label(self) -> str:
        return {"export": "出口报关单", "export_record": "出口备案清单", "export_transit": "出口转关提前报关",
                "export_transit_record": "出境转关提前备案清单"}[self.value]

    @property
    def transit(self) -> bool:
        return self in (DeclarationKind.EXPORT_TRANSIT, DeclarationKind.EXPORT_TRANSIT_RECORD)


class Declaration(Model):
    id = fields.BigIntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise] = fields.ForeignKeyField(
        "models.Enterprise", related_name="declarations", on_delete=fields.RESTRICT)
    enterprise_id: int
    owner: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="declarations", on_delete=fields.RESTRICT)
    owner_id: int
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="declarations", null=True, on_delete=fields.SET_NULL)
    department_id: int | None
    kind = fields.CharEnumField(DeclarationKind, max_length=24)
    status = fields.CharEnumField(DeclarationStatus, max_length=24, default=DeclarationStatus.DRAFT)
    number = fields.CharField(max_length=20, default="")  # 系统编号, given once the row has its id
    seq_no = fields.CharField(max_length=18, default="")  # 统一编号 (single window)
    entry_id = fields.CharField(max_length=18, default="")  # 海关编号 (receipt)
    declare_office = fields.CharField(max_length=4, default="")  # 申报地海关
    ie_port = fields.CharField(max_length=4, default="")  # 出境关别
    trade_mode = fields.CharField(max_length=4, default="")  # 监管方式
    bill_no = fields.CharField(max_length=50, default="")  # 提运单号
    trade_code = fields.CharField(max_length=18, default="")  # 境内发货人 统一社会信用代码
    trade_name = fields.CharField(max_length=255, default="")
    head: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)  # the other head fields
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()  # 最近操作时间

    class Meta:
        table = "declaration"
        # the entry list: (enterprise, status | owner, id); 业务数据查询: newest change first, whole enterprise or
        # one owner (仅本人), and its exact filters (migration 0026)
        indexes = (("enterprise_id", "status", "id"), ("enterprise_id", "owner_id", "id"),
                   ("enterprise_id", "bill_no"), ("seq_no",), ("enterprise_id", "updated_at", "id"),
                   ("enterprise_id", "owner_id", "updated_at", "id"), ("enterprise_id", "status", "updated_at", "id"),
                   ("enterprise_id", "entry_id"), ("enterprise_id", "trade_code"))


class DeclarationItem(Model):
    id = fields.BigIntField(primary_key=True)
    declaration: fields.ForeignKeyRelation[Declaration] = fields.ForeignKeyField(
        "models.Declaration", related_name="items", on_delete=fields.CASCADE)
    declaration_id: int
    position = fields.SmallIntField()  # 商品序号, from 1
    hs_code = fields.CharField(max_length=10, default="")
    goods_name = fields.CharField(max_length=255, default="")
    model_spec = fields.TextField(default="")  # 规格型号: the elements joined with `|`
    elements: fields.Field[list[str]] = fields.JSONField(default=list)  # its parts, in catalogue order
    quantity = fields.DecimalField(max_digits=19, decimal_places=5, null=True)  # 申报数量
    unit = fields.CharField(max_length=3, default="")
    legal_quantity = fields.DecimalField(max_digits=19, decimal_places=5, null=True)  # 法定第一数量
    legal_unit = fields.CharField(max_length=3, default="")
    second_quantity = fields.DecimalField(max_digits=19, decimal_places=5, null=True)  # 法定第二数量
    second_unit = fields.CharField(max_length=3, default="")
    price = fields.DecimalField(max_digits=19, decimal_places=4, null=True)  # 申报单价
    total = fields.DecimalField(max_digits=19, decimal_places=4, null=True)  # 申报总价
    currency = fields.CharField(max_length=3, default="")
    origin_country = fields.CharField(max_length=3, default="")  # 原产国（地区）
    destination_country = fields.CharField(max_length=3, default="")  # 最终目的国（地区）
    district_code = fields.CharField(max_length=5, default="")  # 境内货源地
    duty_mode = fields.CharField(max_length=1, default="")  # 征免方式

    class Meta:
        table = "declaration_item"
        unique_together = (("declaration_id", "position"),)


class DeclarationContainer(Model):
    id = fields.BigIntField(primary_key=True)
    declaration: fields.ForeignKeyRelation[Declaration] = fields.ForeignKeyField(
        "models.Declaration", related_name="containers", on_delete=fields.CASCADE)
    declaration_id: int
    position = fields.SmallIntField()
    container_no = fields.CharField(max_length=11, default="")  # 集装箱号
    spec = fields.CharField(max_length=2, default="")  # 集装箱规格
    weight = fields.DecimalField(max_digits=19, decimal_places=5, null=True)  # 自重 (千克)
    goods_numbers = fields.CharField(max_length=100, default="")  # 商品项号关系, e.g. "1,2"

    class Meta:
        table = "declaration_container"
        unique_together = (("declaration_id", "position"),)


class DeclarationDocument(Model):
    id = fields.BigIntField(primary_key=True)
    declaration: fields.ForeignKeyRelation[Declaration] = fields.ForeignKeyField(
        "models.Declaration", related_name="documents", on_delete=fields.CASCADE)
    declaration_id: int
    position = fields.SmallIntField()
    code = fields.CharField(max_length=4, default="")  # 随附单证代码
    number = fields.CharField(max_length=64, default="")  # 随附单证编号

    class Meta:
        table = "declaration_document"
        unique_together = (("declaration_id", "position"),)


class DeclarationEvent(Model):
    """One change of the declaration: who (None: the system), what, from which status to which, why."""

    id = fields.BigIntField(primary_key=True)
    declaration: fields.ForeignKeyRelation[Declaration] = fields.ForeignKeyField(
        "models.Declaration", related_name="events", on_delete=fields.CASCADE)
    declaration_id: int
    action = fields.CharEnumField(DeclarationAction, max_length=24)
    from_status = fields.CharEnumField(DeclarationStatus, max_length=24, null=True)
    to_status = fields.CharEnumField(DeclarationStatus, max_length=24)
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="declaration_events", null=True, on_delete=fields.SET_NULL)
    person_id: int | None
    note = fields.TextField(default="")
    at = fields.DatetimeField()

    class Meta:
        table = "declaration_event"
        indexes = (("declaration_id", "id"),)


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class DeclarationImport(Model):
    """One uploaded import workbook (业务数据查询 → 导入): who, which file (its SHA-256: the same file is imported
    once per enterprise), what came of it (declarations created / refused, the annotated workbook)."""

    id = fields.BigIntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise] = fields.ForeignKeyField(
        "models.Enterprise", related_name="declaration_imports", on_delete=fields.RESTRICT)
    enterprise_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="declaration_imports", on_delete=fields.RESTRICT)
    person_id: int
    file_hash = fields.CharField(max_length=64)
    filename = fields.CharField(max_length=255)
    stored_path = fields.CharField(max_length=500)  # the uploaded file, under the exports folder, until checked
    status = fields.CharEnumField(ImportStatus, max_length=16, default=ImportStatus.QUEUED)
    job: fields.ForeignKeyNullableRelation[Job] = fields.ForeignKeyField(
        "models.Job", related_name="declaration_imports", null=True, on_delete=fields.SET_NULL)
    job_id: int | None
    rows_total = fields.IntField(default=0)
    rows_rejected = fields.IntField(default=0)
    declarations_created = fields.IntField(default=0)
    declarations_rejected = fields.IntField(default=0)
    errors = fields.IntField(default=0)  # cells in error
    error_path = fields.CharField(max_length=500, default="")  # the annotated workbook, when rows were refused
    error = fields.CharField(max_length=500, default="")  # why the file could not be read (Chinese)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "declaration_import"
        unique_together = (("enterprise_id", "file_hash"),)
        indexes = (("enterprise_id", "id"),)


class MarkState(StrEnum):
    """A reviewer's mark on one field: 正确 (green), 有误 (red, with a comment), or reset."""

    RIGHT = "right"
    WRONG = "wrong"
    NONE = "none"


class DeclarationMark(Model):
    """One mark of the visual review (MODULES.md §4): the latest per (declaration, path) is the field's state, all
    are history. ``seq`` counts the field's marks from 1; (declaration, path, seq) is unique, so two reviewers
    writing after the same mark cannot both succeed. ``value`` is the field's text when marked: a later value that
    differs shows the field changed since."""

    id = fields.BigIntField(primary_key=True)
    declaration: fields.ForeignKeyRelation[Declaration] = fields.ForeignKeyField(
        "models.Declaration", related_name="marks", on_delete=fields.CASCADE)
    declaration_id: int
    declaration_version = fields.IntField()
    path = fields.CharField(max_length=64)  # head.trade_mode, items[3].hs_code (0-based, as the form's errors)
    seq = fields.IntField()
    mark = fields.CharEnumField(MarkState, max_length=8)
    comment = fields.TextField(default="")
    value = fields.TextField(default="")
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="declaration_marks", on_delete=fields.RESTRICT)
    person_id: int
    at = fields.DatetimeField()

    class Meta:
        table = "declaration_mark"
        unique_together = (("declaration_id", "path", "seq"),)
        indexes = (("at",),)
