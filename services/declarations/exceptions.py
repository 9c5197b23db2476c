"""异常状态登记 (seed 004): the use cases of 报关单异常 and 核注清单异常 — the filtered list, 新增, 修改, 变更状态,
删除 of the selected rows, 导出 of every filtered row, the 附件 — and the exception the system registers by itself
when a 删单, 查验 or 退单 receipt arrives (``register_from_receipt``, in the receipt's transaction).

Every query is scoped: the member's enterprise and data scope on ``owner`` (the declaration's preparer, or who
registered it) and ``department``, and a person always sees what they registered themselves. A row outside is
NotFound, the same as a missing one. Changes are compare-and-set on ``version``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from adapters.file_storage import FileStorage
from core.db import connection
from models.declaration_exceptions import DeclarationException, ExceptionKind, ExceptionStatus, ExceptionType
from models.declaration_lifecycle import DeclarationAction
from models.declarations import Declaration
from models.departments import DepartmentMember
from models.errors import Conflict, NotFound, ValidationFailed
from services.declarations import labels as L
from services.declarations.exception_form import ExceptionFilter, ExceptionForm
from services.kit.context import ServiceContext
from services.kit.excel import Column, Kind, SheetWriter, new_workbook, save
from services.kit.images import CheckedImage
from services.kit.paging import check_limit, decode_cursor, encode_cursor, row_id
from services.workspace.roles import Member
from services.workspace.scope import visible_to

log = logging.getLogger("qingling.declarations.exceptions")
PAGE_SIZE, MAX_PAGE, BATCH = 20, 100, 1000
# the receipts that register an exception by themselves, and its type
FROM_RECEIPT = {DeclarationAction.RECEIPT_DELETED: ExceptionType.MODIFY_DELETE,
                DeclarationAction.RECEIPT_INSPECTED: ExceptionType.INSPECTION,
                DeclarationAction.RECEIPT_REJECTED: ExceptionType.REJECTION}


@dataclass(frozen=True)
class ExceptionPage:
    items: list[DeclarationException]
    next_cursor: str | None
    total: int


def today(ctx: ServiceContext) -> date:
    return ctx.now().astimezone(ctx.tz).date()


async def visible_exceptions(member: Member) -> Q:
    """The member's rows: their data scope on owner and department, and whatever they registered."""
    scoped = await visible_to(member, owner="owner_id", department="department_id")
    return scoped | Q(enterprise_id=member.enterprise_id, created_by_id=member.membership.person_id)


def _filtered(condition: Q, flt: ExceptionFilter) -> Any:
    query = DeclarationException.filter(condition, kind=flt.kind)
    for key in ("number", "trade_name", "post", "responsible"):
        if getattr(flt, key):
            query = query.filter(**{f"{key}__icontains": getattr(flt, key)})
    exact = {"ie_flag": flt.ie_flag, "exception_type": flt.exception_type, "status": flt.status,
             "occurred_on__gte": flt.date_from, "occurred_on__lte": flt.date_to}
    return query.filter(**{key: value for key, value in exact.items() if value})


async def list_exceptions(member: Member, flt: ExceptionFilter, *, cursor: str = "",
                          limit: int = PAGE_SIZE) -> ExceptionPage:
    member.decision.require(L.EXCEPTION_EDIT)
    size = check_limit(limit, MAX_PAGE)
    query = _filtered(await visible_exceptions(member), flt)
    total = await query.using_db(connection()).count()
    if cursor:
        query = query.filter(id__lt=row_id(decode_cursor(cursor, 1)[0]))
    rows = await query.using_db(connection()).order_by("-id").limit(size + 1)
    more = len(rows) > size
    return ExceptionPage(rows[:size], encode_cursor(rows[size - 1].id) if more else None, total)


async def get_exception(member: Member, exception_id: int, conn: BaseDBAsyncClient | None = None,
                        ) -> DeclarationException:
    member.decision.require(L.EXCEPTION_EDIT)
    found = await DeclarationException.filter(await visible_exceptions(member), id=exception_id) \
        .using_db(conn or connection()).first()
    if found is None:
        raise NotFound(L.MSG_EXCEPTION_NOT_FOUND)
    return found


async def _owner(member: Member, kind: ExceptionKind, number: str, conn: BaseDBAsyncClient) -> dict[str, Any]:
    """Linked to our declaration of that 报关单号 (its preparer owns the row), else owned by the registrant."""
    if kind is ExceptionKind.DECLARATION:
        ours = await Declaration.filter(enterprise_id=member.enterprise_id, entry_id=number).using_db(conn) \
            .order_by("-id").first()
        if ours is not None:
            return {"declaration_id": ours.id, "owner_id": ours.owner_id, "department_id": ours.department_id}
    person_id = member.membership.person_id
    primary = await DepartmentMember.filter(person_id=person_id, enterprise_id=member.enterprise_id,
                                            primary=True).using_db(conn).first()
    return {"declaration_id": None, "owner_id": person_id, "department_id": primary.department_id if primary else None}


class StoredFile:
    """A checked 附件's file, stored before the transaction that points at it (``async with``): removed again
    when the transaction fails; the file it replaced is removed only after the commit."""

    def __init__(self, storage: FileStorage | None, checked: CheckedImage | None) -> None:
        self.storage, self.checked, self.key, self.replaced = storage, checked, "", ""

    async def __aenter__(self) -> StoredFile:
        if self.storage is not None and self.checked is not None:
            self.key = await self.storage.put(self.checked.data, suffix=self.checked.suffix)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self.storage is None:
            return
        for key in [self.key] if kind is not None else [self.replaced]:
            if key:
                await _remove(self.storage, key)

    def columns(self, previous: str = "") -> dict[str, Any]:
        if self.checked is None or not self.key:
            return {}
        self.replaced = previous
        return {"attachment_key": self.key, "attachment_name": self.checked.filename,
                "attachment_type": self.checked.content_type, "attachment_size": self.checked.size}


async def _remove(storage: FileStorage, key: str) -> None:
    try:
        await storage.delete(key)
    except OSError:  # no row points at it: a leftover file costs only disk space
        log.warning("could not remove attachment file %s", key, exc_info=True)


async def add_exception(ctx: ServiceContext, member: Member, kind: ExceptionKind, form: ExceptionForm, *,
                        attachment: CheckedImage | None = None,
                        storage: FileStorage | None = None) -> DeclarationException:
    """新增: a row of ``kind`` with the checked form (and its 附件)."""
    member.decision.require(L.EXCEPTION_EDIT)
    now = ctx.now()
    async with StoredFile(storage, attachment) as upload, in_transaction() as conn:
        owner = await _owner(member, kind, form.number, conn)
        return await DeclarationException.create(
            enterprise_id=member.enterprise_id, created_by_id=member.membership.person_id, kind=kind,
            created_at=now, updated_at=now, **owner, **form.columns(), **upload.columns(), using_db=conn)


async def edit_exception(ctx: ServiceContext, member: Member, exception_id: int, version: int, form: ExceptionForm,
                         *, attachment: CheckedImage | None = None, storage: FileStorage | None = None,
                         drop_attachment: bool = False) -> DeclarationException:
    """修改: the whole form replaced (a stale version is a Conflict); a new 附件 replaces the old one."""
    now = ctx.now()
    async with StoredFile(storage, attachment) as upload, in_transaction() as conn:
        found = await get_exception(member, exception_id, conn)
        if version != found.version:
            raise Conflict(L.MSG_EXCEPTION_STALE)
        changes: dict[str, Any] = {**form.columns(), "updated_at": now, "version": F("version") + 1}
        if form.number != found.number:
            changes.update(await _owner(member, found.kind, form.number, conn))
        if drop_attachment and not upload.key and found.attachment_key:
            upload.replaced = found.attachment_key
            changes.update(attachment_key="", attachment_name="", attachment_type="", attachment_size=0)
        changes.update(upload.columns(found.attachment_key))
        if await DeclarationException.filter(id=found.id, version=found.version).using_db(conn) \
                .update(**changes) != 1:
            raise Conflict(L.MSG_EXCEPTION_STALE)
        return await DeclarationException.filter(id=found.id).using_db(conn).get()


async def change_status(ctx: ServiceContext, member: Member, exception_id: int, status: ExceptionStatus,
                        version: int | None = None) -> DeclarationException:
    """变更状态: 已完成 sets 完成日期 to today (kept when it had one); leaving 已完成 clears it."""
    async with in_transaction() as conn:
        found = await get_exception(member, exception_id, conn)
        if version is not None and version != found.version:
            raise Conflict(L.MSG_EXCEPTION_STALE)
        done_on = (found.done_on or today(ctx)) if status is ExceptionStatus.DONE else None
        if await DeclarationException.filter(id=found.id, version=found.version).using_db(conn).update(
                status=status, done_on=done_on, updated_at=ctx.now(), version=F("version") + 1) != 1:
            raise Conflict(L.MSG_EXCEPTION_STALE)
        return await DeclarationException.filter(id=found.id).using_db(conn).get()


async def delete_exceptions(member: Member, ids: list[int], storage: FileStorage | None = None) -> int:
    """删除 of the selected rows (those the member sees; others are ignored): how many were deleted."""
    member.decision.require(L.EXCEPTION_EDIT)
    if not ids:
        raise ValidationFailed(L.MSG_SELECT_ROWS, field="ids")
    async with in_transaction() as conn:
        query = DeclarationException.filter(await visible_exceptions(member), id__in=ids).using_db(conn)
        keys = [key for key in await query.values_list("attachment_key", flat=True) if key]
        deleted = await query.delete()
    if storage is not None:
        for key in keys:
            await _remove(storage, str(key))
    return int(deleted)


async def attachment_file(member: Member, exception_id: int, storage: FileStorage) -> tuple[DeclarationException,
                                                                                             Path]:
    found = await get_exception(member, exception_id)
    if not found.attachment_key or not await storage.exists(found.attachment_key):
        raise NotFound(L.MSG_EXCEPTION_NOT_FOUND)
    return found, storage.path(found.attachment_key)


async def register_from_receipt(ctx: ServiceContext, conn: BaseDBAsyncClient, declaration: Declaration,
                                action: DeclarationAction, received_at: datetime, note: str) -> None:
    """The receipt's exception, inserted if absent on its key (declaration + receipt + receipt time): a receipt
    seen twice registers one. Called by ``entry.record_receipt`` in its transaction."""
    exception_type = FROM_RECEIPT.get(action)
    if exception_type is None:
        return
    key = {"declaration_id": declaration.id, "receipt_action": action.value, "receipt_at": received_at}
    if await DeclarationException.filter(**key).using_db(conn).exists():
        return
    now, receipt = ctx.now(), action.label + (f"：{note}" if note else "")
    await DeclarationException.create(
        enterprise_id=declaration.enterprise_id, owner_id=declaration.owner_id,
        department_id=declaration.department_id, created_by_id=None, kind=ExceptionKind.DECLARATION,
        number=declaration.entry_id or declaration.seq_no or declaration.number,
        trade_name=declaration.trade_name[:100], ie_flag="E", exception_type=exception_type,
        occurred_on=received_at.astimezone(ctx.tz).date(), status=ExceptionStatus.PENDING,
        reason=L.RECEIPT_REASON.format(receipt=receipt), created_at=now, updated_at=now, **key, using_db=conn)

EXPORT_COLUMNS: list[Column[DeclarationException]] = [
    Column(L.EXCEPTION_FIELDS["number"], lambda e: e.number, width=22),
    Column(L.EXCEPTION_FIELDS["trade_name"], lambda e: e.trade_name, width=28),
    Column(L.EXCEPTION_FIELDS["ie_flag"], lambda e: L.IE_LABELS.get(e.ie_flag, ""), width=8),
    Column(L.EXCEPTION_FIELDS["client_name"], lambda e: e.client_name, width=24),
    Column(L.EXCEPTION_FIELDS["exception_type"], lambda e: L.TYPE_LABELS[e.exception_type.value], width=10),
    Column(L.EXCEPTION_FIELDS["occurred_on"], lambda e: e.occurred_on, Kind.DATE, width=12),
    Column(L.EXCEPTION_FIELDS["post"], lambda e: e.post),
    Column(L.EXCEPTION_FIELDS["responsible"], lambda e: e.responsible),
    Column(L.EXCEPTION_FIELDS["penalized"], lambda e: L.YES_NO[e.penalized], width=12),
    Column(L.EXCEPTION_FIELDS["penalty_target"], lambda e: e.penalty_target, width=20),
    Column(L.EXCEPTION_FIELDS["status"], lambda e: L.EXCEPTION_STATUS_LABELS[e.status.value], width=10),
    Column(L.EXCEPTION_FIELDS["done_on"], lambda e: e.done_on, Kind.DATE, width=12),
    Column(L.EXCEPTION_FIELDS["reason"], lambda e: e.reason, width=40),
    Column(L.EXCEPTION_FIELDS["attachment"], lambda e: e.attachment_name, width=20),
]


async def export_exceptions(ctx: ServiceContext, member: Member, flt: ExceptionFilter, path: Path) -> int:
    """Every filtered row into the workbook at ``path`` (read in keyset batches into a write-only sheet):
    how many rows."""
    member.decision.require(L.EXCEPTION_EDIT)
    query = _filtered(await visible_exceptions(member), flt)
    workbook = new_workbook()
    sheet = SheetWriter(workbook, L.KIND_LABELS[flt.kind.value], EXPORT_COLUMNS, ctx.tz)
    last: int | None = None
    while True:
        batch = query.filter(id__lt=last) if last is not None else query
        rows = await batch.using_db(connection()).order_by("-id").limit(BATCH)
        for row in rows:
            sheet.append(row)
        if len(rows) < BATCH:
            break
        last = rows[-1].id
    save(workbook, path)
    return sheet.rows
