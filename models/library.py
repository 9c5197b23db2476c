"""The declaration-standard library (规范申报企业专属库): the versioned reference data a declared goods item is
checked against, and the library rows themselves.

Reference data: a ``CatalogueVersion`` (the HS tariff of a year) owns its ``HsCode`` rows, each with its ordered
declaration elements (申报要素) as JSON — ``[{"name": "品牌类型", "required": true, "table": "brand_type"}, …]``,
``table`` naming the ``CodeTable`` whose items are the element's allowed values (only where the source gives
them). ``CodeTable`` / ``CodeItem`` hold the customs code lists (监管方式, 关区, 国别, 币制, 计量单位 …).

A ``LibraryRow`` is one declared goods item (海关编号 + 项号) from one source: customs' audited data, an
enterprise's declared history (both uploaded by customs), later the declarations module. The natural key
(entry_number, item_number, source) is unique, so a re-upload stores nothing twice. The same item audited and
declared is kept twice but the declared row is ``superseded`` (the audited one wins); every enterprise query
reads ``superseded = false``.

The keyword column ``keywords`` (the overlapping character bigrams of 品名 and 规格型号) is not declared here: it is
``text[]`` (collation "C") with a GIN index on PostgreSQL and a space-joined ``TEXT`` on SQLite, which tortoise
cannot express; migrations 0020 and 0031 create it and ``services.library.keywords`` writes and queries it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.customs_accounts import CustomsAccount
    from models.enterprises import Enterprise
    from models.jobs import Job
    from models.offices import CustomsOffice


class CatalogueVersion(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)  # "2026"
    name = fields.CharField(max_length=100)
    effective_from = fields.DateField()  # the newest version in effect is the one rows are checked against
    source = fields.CharField(max_length=300, default="")  # the data file and its provenance
    loaded_at = fields.DatetimeField()
    # when the stored rows were re-checked against this version (``services.library.recheck``), once it is in effect
    rechecked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "catalogue_version"


class HsCode(Model):
    id = fields.BigIntField(primary_key=True)
    version: fields.ForeignKeyRelation[CatalogueVersion] = fields.ForeignKeyField(
        "models.CatalogueVersion", related_name="hs_codes", on_delete=fields.CASCADE)
    version_id: int
    code = fields.CharField(max_length=10)  # 10 digits
    name = fields.CharField(max_length=255)  # 商品名称
    unit1 = fields.CharField(max_length=20, default="")  # 法定第一计量单位 (name)
    unit2 = fields.CharField(max_length=20, default="")
    # ordered 申报要素: [{"name": str, "required": bool, "table": str | None}], position i = i-th `|` part
    elements: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)

    class Meta:
        table = "hs_code"
        unique_together = (("version_id", "code"),)


class CodeTable(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)  # "trade_mode"
    name = fields.CharField(max_length=50)  # 监管方式

    class Meta:
        table = "code_table"


class CodeItem(Model):
    id = fields.BigIntField(primary_key=True)
    table: fields.ForeignKeyRelation[CodeTable] = fields.ForeignKeyField(
        "models.CodeTable", related_name="items", on_delete=fields.CASCADE)
    table_id: int
    code = fields.CharField(max_length=16)
    name = fields.CharField(max_length=255)
    sort = fields.IntField(default=0)  # the source's order (drop-down lists follow it)

    class Meta:
        table = "code_item"
        unique_together = (("table_id", "code"),)


class LibrarySource(StrEnum):
    AUDITED = "audited"  # 海关审核数据
    DECLARED = "declared"  # 企业历史申报数据
    DECLARATION = "declaration"  # later: the declarations module's own declarations


class LibraryMark(StrEnum):
    STANDARD = "standard"  # 规范 (customs' audit)
    NONSTANDARD = "nonstandard"  # 不规范 (customs' audit)
    MATCHED = "matched"  # 系统匹配: declared, not audited
    CHOSEN = "chosen"  # 企业自选: a 系统匹配 row the enterprise chose as its reference


class IeFlag(StrEnum):
    IMPORT = "I"
    EXPORT = "E"


class UploadKind(StrEnum):
    AUDITED = "audited"
    DECLARED = "declared"


class UploadStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # the file could not be read at all (its ``error`` says why)


class LibraryUpload(Model):
    # one uploaded workbook: who, when, what came of it (rows accepted / rejected, the annotated copy)
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(UploadKind, max_length=16)
    account: fields.ForeignKeyRelation[CustomsAccount] = fields.ForeignKeyField(
        "models.CustomsAccount", related_name="library_uploads", on_delete=fields.RESTRICT)
    account_id: int
    office: fields.ForeignKeyRelation[CustomsOffice] = fields.ForeignKeyField(
        "models.CustomsOffice", related_name="library_uploads", on_delete=fields.RESTRICT)
    office_id: int  # the uploader's office: the upload list is scoped by it
    filename = fields.CharField(max_length=255)
    stored_path = fields.CharField(max_length=500)  # the uploaded file, under the exports folder
    status = fields.CharEnumField(UploadStatus, max_length=16, default=UploadStatus.QUEUED)
    job: fields.ForeignKeyNullableRelation[Job] = fields.ForeignKeyField(
        "models.Job", related_name="library_uploads", null=True, on_delete=fields.SET_NULL)
    job_id: int | None
    rows_total = fields.IntField(default=0)
    rows_accepted = fields.IntField(default=0)  # valid rows (stored now or already stored)
    rows_stored = fields.IntField(default=0)  # of which new
    rows_rejected = fields.IntField(default=0)
    errors = fields.IntField(default=0)  # cells in error
    error_path = fields.CharField(max_length=500, default="")  # the annotated workbook, when rows were rejected
    error = fields.CharField(max_length=500, default="")  # why the file could not be read (Chinese)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "library_upload"
        indexes = (("office_id", "id"),)


# The enterprise filters: each enterprise reads its rows as 申报单位 or as 收发货人, by mark, HS prefix or date.
LIBRARY_ROW_INDEXES = (
    Index(fields=["declarant_enterprise_id", "mark", "declared_on"], name="library_row_declarant_mark"),
    Index(fields=["declarant_enterprise_id", "hs_code"], name="library_row_declarant_hs"),
    Index(fields=["declarant_enterprise_id", "declared_on", "id"], name="library_row_declarant_date"),
    Index(fields=["consignee_enterprise_id", "mark", "declared_on"], name="library_row_consignee_mark"),
    Index(fields=["consignee_enterprise_id", "hs_code"], name="library_row_consignee_hs"),
    Index(fields=["consignee_enterprise_id", "declared_on", "id"], name="library_row_consignee_date"),
    Index(fields=["declarant_code"], name="library_row_declarant_code"),  # linking an enterprise registered later
    Index(fields=["consignee_code"], name="library_row_consignee_code"),
    Index(fields=["hs_code", "public", "mark"], name="library_row_public_hs"),  # the public library
    Index(fields=["upload_id"], name="library_row_upload"),
)


class LibraryRow(Model):
    id = fields.BigIntField(primary_key=True)
    entry_number = fields.CharField(max_length=18)  # 海关编号 (18 digits)
    item_number = fields.SmallIntField()  # 项号
    source = fields.CharEnumField(LibrarySource, max_length=16)
    declared_on = fields.DateField()  # 申报日期
    ie_flag = fields.CharEnumField(IeFlag, max_length=1)  # 进出口标志
    trade_mode = fields.CharField(max_length=4)  # 监管方式 code
    customs_office = fields.CharField(max_length=4)  # 申报地海关 code
    transport_mode = fields.CharField(max_length=1, default="")
    transaction_mode = fields.CharField(max_length=1, default="")
    hs_code = fields.CharField(max_length=10)
    goods_name = fields.CharField(max_length=255)  # 商品名称 (品名)
    model_spec = fields.TextField()  # 规格型号: the `|`-joined 申报要素 as declared
    elements: fields.Field[list[str]] = fields.JSONField(default=list)  # its parts, in catalogue order
    declarant_code = fields.CharField(max_length=18)  # 申报单位 统一社会信用代码
    declarant_name = fields.CharField(max_length=255)
    declarant_enterprise: fields.ForeignKeyNullableRelation[Enterprise] = fields.ForeignKeyField(
        "models.Enterprise", related_name="library_declared", null=True, on_delete=fields.SET_NULL)
    declarant_enterprise_id: int | None
    consignee_code = fields.CharField(max_length=18)  # 收发货人 统一社会信用代码
    consignee_name = fields.CharField(max_length=255)
    consignee_enterprise: fields.ForeignKeyNullableRelation[Enterprise] = fields.ForeignKeyField(
        "models.Enterprise", related_name="library_consigned", null=True, on_delete=fields.SET_NULL)
    consignee_enterprise_id: int | None
    origin_country = fields.CharField(max_length=3, default="")  # 原产国（地区）
    destination_country = fields.CharField(max_length=3, default="")  # 最终目的国（地区）
    quantity = fields.DecimalField(max_digits=19, decimal_places=5, null=True)  # 成交数量
    unit = fields.CharField(max_length=3, default="")  # 成交计量单位
    legal_quantity = fields.DecimalField(max_digits=19, decimal_places=5, null=True)  # 法定第一数量
    legal_unit = fields.CharField(max_length=3, default="")
    total_price = fields.DecimalField(max_digits=19, decimal_places=4, null=True)  # 总价
    currency = fields.CharField(max_length=3, default="")  # 币制
    mark = fields.CharEnumField(LibraryMark, max_length=16)
    remarks = fields.TextField(default="")  # the reviewer's remarks (审核意见)
    mark_note = fields.CharField(max_length=300, default="")  # the enterprise's note when it set 企业自选
    superseded = fields.BooleanField(default=False)  # a declared row whose item customs audited
    public = fields.BooleanField(default=False)  # 规范 rows are public unless the enterprise withdraws them
    # No foreign-key constraints on the version and the upload: PostgreSQL checks one per inserted row (a query and a
    # row lock each), a sixth of an upload's storing. Neither is ever deleted, and the rows get them only from the
    # upload and the re-check, which read them first.
    catalogue_version: fields.ForeignKeyRelation[CatalogueVersion] = fields.ForeignKeyField(
        "models.CatalogueVersion", related_name="library_rows", on_delete=fields.RESTRICT, db_constraint=False)
    catalogue_version_id: int  # the version the row was checked against
    # how its HS code changed when it was re-checked against a newer version: "" (unchanged) or the kinds of
    # ``CatalogueChange`` joined by "," (gained,lost / reordered / expired)
    catalogue_change = fields.CharField(max_length=40, default="", db_default="")
    upload: fields.ForeignKeyNullableRelation[LibraryUpload] = fields.ForeignKeyField(
        "models.LibraryUpload", related_name="rows", null=True, on_delete=fields.SET_NULL, db_constraint=False)
    upload_id: int | None
    version = fields.IntField(default=1)  # compare-and-set of the enterprise's changes (自选, public)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "library_row"
        unique_together = (("entry_number", "item_number", "source"),)
        indexes = LIBRARY_ROW_INDEXES


class CatalogueChange(Model):
    """How one HS code's declaration elements changed from one catalogue version to the next: elements gained,
    lost, the same elements reordered, or the code expired (not in the new version). Unchanged codes have none."""

    id = fields.BigIntField(primary_key=True)
    from_version: fields.ForeignKeyRelation[CatalogueVersion] = fields.ForeignKeyField(
        "models.CatalogueVersion", related_name="changes_from", on_delete=fields.CASCADE)
    from_version_id: int
    to_version: fields.ForeignKeyRelation[CatalogueVersion] = fields.ForeignKeyField(
        "models.CatalogueVersion", related_name="changes_to", on_delete=fields.CASCADE)
    to_version_id: int
    hs_code = fields.CharField(max_length=10)
    kinds = fields.CharField(max_length=40)  # "gained", "lost", "reordered", "expired", joined by ","
    gained: fields.Field[list[str]] = fields.JSONField(default=list)  # element names
    lost: fields.Field[list[str]] = fields.JSONField(default=list)

    class Meta:
        table = "catalogue_change"
        unique_together = (("from_version_id", "to_version_id", "hs_code"),)


class LibraryNotice(Model):
    """A library message written to an enterprise once: the monthly summary ("monthly:2026-03") or a catalogue
    change ("catalogue:2027"). The unique key makes a second run, or a second worker at once, write nothing."""

    id = fields.BigIntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise] = fields.ForeignKeyField(
        "models.Enterprise", related_name="library_notices", on_delete=fields.CASCADE)
    enterprise_id: int
    key = fields.CharField(max_length=32)
    figures: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)  # what it said
    created_at = fields.DatetimeField()

    class Meta:
        table = "library_notice"
        unique_together = (("enterprise_id", "key"),)
