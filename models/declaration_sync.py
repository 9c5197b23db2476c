"""What the single window gives and what syncing with it leaves (MODULES.md §4, seed 004 数据同步).

Bonded lists (核注清单) are stored as the single window gives them: a head keyed by the enterprise and its 清单编号
(or, before it has one, its 统一编号) and its items. Receipts (回执) are kept with their unique key — 统一编号 +
receipt type + receipt time — so a receipt seen twice (a second sync, a second worker) is handled once. A sync run
records who ran what, when, how far it got and why it stopped. A send (申报) is recorded before the single window
is called, with the idempotency key the single window deduplicates on: a retry after a failure sends the same key
and gets the same 统一编号 back, never a second declaration.

Synced declarations live in ``declaration`` (models.declarations), one per (enterprise, 统一编号): migration 0026
adds that partial unique index (``seq_no`` non-empty).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.declarations import Declaration
    from models.enterprises import Enterprise, Person


class SyncKind(StrEnum):
    DECLARATIONS_BY_TICKET = "declarations_by_ticket"  # 报关单按票同步
    DECLARATIONS_BY_DAY = "declarations_by_day"  # 报关单按天同步
    BONDED_BY_TICKET = "bonded_by_ticket"  # 核注清单按票同步
    BONDED_BY_DAY = "bonded_by_day"  # 核注清单按天同步
    RECEIPTS = "receipts"  # 回执 (the scheduler's poll)

    @property
    def label(self) -> str:
        return {"declarations_by_ticket": "报关单按票同步", "declarations_by_day": "报关单按天同步",
                "bonded_by_ticket": "核注清单按票同步", "bonded_by_day": "核注清单按天同步",
                "receipts": "回执同步"}[self.value]


class SyncStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "排队中", "running": "同步中", "done": "已完成", "failed": "失败"}[self.value]


class SyncRun(Model):
    id = fields.BigIntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise] = fields.ForeignKeyField(
        "models.Enterprise", related_name="sync_runs", on_delete=fields.CASCADE)
    enterprise_id: int
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="sync_runs", null=True, on_delete=fields.SET_NULL)  # None: the scheduler
    person_id: int | None
    kind = fields.CharEnumField(SyncKind, max_length=24)
    params: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    status = fields.CharEnumField(SyncStatus, max_length=12, default=SyncStatus.QUEUED)
    done = fields.IntField(default=0)  # records looked at so far …
    total = fields.IntField(default=0)  # … of this many (the single window's count)
    created = fields.IntField(default=0)  # new rows stored
    updated = fields.IntField(default=0)  # rows that existed, brought up to date
    unchanged = fields.IntField(default=0)
    error = fields.CharField(max_length=500, default="")  # in Chinese, shown on the page
    job_token = fields.CharField(max_length=32, default="")
    created_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sync_run"
        indexes = (("enterprise_id", "id"), ("enterprise_id", "kind", "status"))


class BondedList(Model):
    # 核注清单 head: list_no (清单编号) is empty until customs gives one; seq_no (统一编号) is always set.

    id = fields.BigIntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise] = fields.ForeignKeyField(
        "models.Enterprise", related_name="bonded_lists", on_delete=fields.CASCADE)
    enterprise_id: int
    seq_no = fields.CharField(max_length=18)  # 统一编号 (预录入统一编号)
    list_no = fields.CharField(max_length=18, default="")  # 清单编号
    enterprise_role = fields.CharField(max_length=16, default="")  # 企业类型: operating / processing / declaring
    data_source = fields.CharField(max_length=16, default="")  # 数据源
    ie_flag = fields.CharField(max_length=1, default="")  # 进出口标志 I / E
    data_status = fields.CharField(max_length=4, default="")  # 数据状态
    pre_approval = fields.CharField(max_length=4, default="")  # 预审核状态
    manual_no = fields.CharField(max_length=12, default="")  # 手（账）册编号
    trade_code = fields.CharField(max_length=18, default="")  # 经营企业社会信用代码
    trade_name = fields.CharField(max_length=255, default="")
    customs_office = fields.CharField(max_length=4, default="")  # 主管海关
    trade_mode = fields.CharField(max_length=4, default="")  # 监管方式
    entry_id = fields.CharField(max_length=18, default="")  # 对应报关单编号
    head: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)  # the other head fields as given
    remote_updated_at = fields.DatetimeField()  # the single window's 最近操作时间
    synced_at = fields.DatetimeField()
    declaration: fields.ForeignKeyNullableRelation[Declaration] = fields.ForeignKeyField(
        "models.Declaration", related_name="bonded_lists", null=True, on_delete=fields.SET_NULL)  # 生成报关单
    declaration_id: int | None

    class Meta:
        table = "bonded_list"
        unique_together = (("enterprise_id", "seq_no"),)
        indexes = (("enterprise_id", "remote_updated_at"), ("enterprise_id", "list_no"))


class BondedListItem(Model):
    id = fields.BigIntField(primary_key=True)
    bonded_list: fields.ForeignKeyRelation[BondedList] = fields.ForeignKeyField(
        "models.BondedList", related_name="items", on_delete=fields.CASCADE)
    bonded_list_id: int
    position = fields.SmallIntField()  # 序号
    record_no = fields.IntField(null=True)  # 备案序号
    part_no = fields.CharField(max_length=32, default="")  # 商品料号
    hs_code = fields.CharField(max_length=10, default="")
    goods_name = fields.CharField(max_length=255, default="")
    model_spec = fields.TextField(default="")
    quantity = fields.DecimalField(max_digits=19, decimal_places=5, null=True)
    unit = fields.CharField(max_length=3, default="")
    legal_quantity = fields.DecimalField(max_digits=19, decimal_places=5, null=True)
    legal_unit = fields.CharField(max_length=3, default="")
    price = fields.DecimalField(max_digits=19, decimal_places=4, null=True)
    total = fields.DecimalField(max_digits=19, decimal_places=4, null=True)
    currency = fields.CharField(max_length=3, default="")
    origin_country = fields.CharField(max_length=3, default="")
    destination_country = fields.CharField(max_length=3, default="")
    duty_mode = fields.CharField(max_length=1, default="")

    class Meta:
        table = "bonded_list_item"
        unique_together = (("bonded_list_id", "position"),)


class DeclarationReceipt(Model):
    # A receipt of the single window; applied: whether it moved the declaration (problem: why not).

    id = fields.BigIntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Enterprise] = fields.ForeignKeyField(
        "models.Enterprise", related_name="declaration_receipts", on_delete=fields.CASCADE)
    enterprise_id: int
    seq_no = fields.CharField(max_length=18)
    receipt_type = fields.CharField(max_length=16)  # the protocol's type (docs/single_window_protocol.md)
    received_at = fields.DatetimeField()  # the receipt's own time
    declaration: fields.ForeignKeyNullableRelation[Declaration] = fields.ForeignKeyField(
        "models.Declaration", related_name="receipts", null=True, on_delete=fields.SET_NULL)
    declaration_id: int | None
    entry_id = fields.CharField(max_length=18, default="")
    note = fields.CharField(max_length=500, default="")
    applied = fields.BooleanField(default=False)
    problem = fields.CharField(max_length=200, default="")
    stored_at = fields.DatetimeField()

    class Meta:
        table = "declaration_receipt"
        unique_together = (("enterprise_id", "seq_no", "receipt_type", "received_at"),)
        indexes = (("enterprise_id", "id"),)


class DeclarationSend(Model):
    # One 申报 of a declaration: recorded before the call, its idempotency key reused by every retry.

    id = fields.BigIntField(primary_key=True)
    declaration: fields.ForeignKeyRelation[Declaration] = fields.ForeignKeyField(
        "models.Declaration", related_name="sends", on_delete=fields.CASCADE)
    declaration_id: int
    version = fields.IntField()  # the declaration's version sent: a changed declaration is a new send
    key = fields.CharField(max_length=64, unique=True)  # the idempotency key
    seq_no = fields.CharField(max_length=18, default="")  # the 统一编号 answered
    error = fields.CharField(max_length=500, default="")  # the last failure, in Chinese
    attempts = fields.IntField(default=0)
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="declaration_sends", null=True, on_delete=fields.SET_NULL)
    person_id: int | None
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "declaration_send"
        unique_together = (("declaration_id", "version"),)
