"""数据同步 with the single window (seed 004): 按票同步 and 按天同步 of declarations and bonded lists, and the
receipts poll — each a sync run, executed by a background job (``DECLARATION_SYNC``) with its progress.

Idempotent by construction: a declaration is one row per (enterprise, 统一编号) (a partial unique index), a bonded
list one per (enterprise, 统一编号), a receipt one per (enterprise, 统一编号, type, time). Every record is stored in
its own transaction: an insert that meets the unique key (another run, another worker, a rerun) turns into the
update path, which changes a row only when the single window's 最近操作时间 is newer. A run that stops halfway
(the single window down) records its error; a rerun stores what is missing and nothing twice.

A declaration made elsewhere and synced belongs to the person who ran the sync (in their primary department), its
kind from its 报关单类型 and its status from the single window's. Receipts move statuses through
``entry.record_receipt`` (the lifecycle decides); one that cannot (no such declaration, a status that does not
allow it) is kept with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.declaration_lifecycle import DeclarationAction, DeclarationStatus
from models.declaration_sync import (
    BondedList,
    BondedListItem,
    DeclarationReceipt,
    SyncKind,
    SyncRun,
    SyncStatus,
)
from models.declarations import Declaration, DeclarationEvent
from models.departments import DepartmentMember
from models.enterprises import Enterprise
from models.errors import DomainError
from services.declarations import labels as L
from services.declarations.entry import record_receipt
from services.declarations.single_window import (
    BondedDays,
    BondedTicket,
    DeclarationDays,
    DeclarationTicket,
    RemoteBondedList,
    RemoteDeclaration,
    RemoteReceipt,
    SingleWindow,
    SingleWindowError,
    single_window,
)
from services.declarations.store import head_columns, write_parts
from services.declarations.wire import KIND_OF_TYPE, form_of
from services.kit.context import ServiceContext

Progress = Callable[[int, int], None]
A, S = DeclarationAction, DeclarationStatus
STATUS_OF = {"declared": S.DECLARED, "entered": S.ENTERED, "released": S.RELEASED, "cleared": S.CLEARED,
             "deleted": S.CUSTOMS_DELETED, "rejected": S.REJECTED}
ACTION_OF = {"entered": A.RECEIPT_ENTERED, "inspected": A.RECEIPT_INSPECTED, "released": A.RECEIPT_RELEASED,
             "cleared": A.RECEIPT_CLEARED, "deleted": A.RECEIPT_DELETED, "rejected": A.RECEIPT_REJECTED}
SYNCED = frozenset({S.DECLARED, S.ENTERED, S.RELEASED, S.CLEARED, S.CUSTOMS_DELETED})  # content kept by the sync
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
BONDED_ITEM_KEYS = ("record_no", "part_no", "hs_code", "goods_name", "model_spec", "quantity", "unit",
                    "legal_quantity", "legal_unit", "price", "total", "currency", "origin_country",
                    "destination_country", "duty_mode")
BONDED_HEAD_COLUMNS = {"manual_no": 12, "trade_code": 18, "trade_name": 255, "customs_office": 4, "trade_mode": 4,
                       "entry_id": 18}


# -- one record ------------------------------------------------------------------------------------------------


async def _department_of(person_id: int, enterprise_id: int) -> int | None:
    primary = await DepartmentMember.filter(person_id=person_id, enterprise_id=enterprise_id, primary=True).first()
    return primary.department_id if primary else None


async def upsert_declaration(ctx: ServiceContext, enterprise_id: int, owner_id: int,
                             remote: RemoteDeclaration) -> str:
    """Store one declaration of the single window: created (owned by ``owner_id``), updated or unchanged."""
    form = form_of(remote.head, {"items": remote.items, "containers": remote.containers,
                                 "documents": remote.documents})
    found = await Declaration.filter(enterprise_id=enterprise_id, seq_no=remote.seq_no).first()
    if found is None:
        now = ctx.now()
        kind = KIND_OF_TYPE.get(remote.decl_type, KIND_OF_TYPE["E0"])
        status = STATUS_OF.get(remote.status, S.DECLARED)
        try:
            async with in_transaction() as conn:
                made = await Declaration.create(
                    enterprise_id=enterprise_id, owner_id=owner_id, kind=kind, status=status,
                    department_id=await _department_of(owner_id, enterprise_id), seq_no=remote.seq_no,
                    entry_id=remote.entry_id[:18], created_at=now, updated_at=remote.updated_at,
                    **head_columns(form), using_db=conn)
                number = f"E{now:%Y%m%d}{made.id:08d}"
                await Declaration.filter(id=made.id).using_db(conn).update(number=number)
                await write_parts(conn, made.id, form)
                category = L.ENTERPRISE_CATEGORIES.get(remote.enterprise_category, remote.enterprise_category)
                await DeclarationEvent.create(declaration_id=made.id, action=A.CREATE, from_status=None,
                                              to_status=status, person_id=owner_id, at=now, using_db=conn,
                                              note=L.NOTE_SYNCED.format(category=category))
            return CREATED
        except IntegrityError:  # another run stored it meanwhile: it is now an update
            found = await Declaration.get(enterprise_id=enterprise_id, seq_no=remote.seq_no)
    if remote.updated_at <= found.updated_at or found.status not in SYNCED:
        return UNCHANGED  # not newer, or being worked on here (a 退单 being fixed): the content is ours
    async with in_transaction() as conn:
        changed = await Declaration.filter(id=found.id, version=found.version).using_db(conn).update(
            entry_id=remote.entry_id[:18] or found.entry_id, updated_at=remote.updated_at,
            version=F("version") + 1, **head_columns(form))
        if not changed:
            return UNCHANGED  # changed meanwhile (a receipt, another run): the next sync looks again
        await write_parts(conn, found.id, form)
    return UPDATED


def _bonded_head(remote: RemoteBondedList) -> dict[str, Any]:
    columns = {key: str(remote.head.get(key) or "")[:size] for key, size in BONDED_HEAD_COLUMNS.items()}
    rest = {key: value for key, value in remote.head.items() if key not in BONDED_HEAD_COLUMNS}
    return {"list_no": remote.list_no[:18], "enterprise_role": remote.enterprise_role[:16],
            "data_source": remote.data_source[:16], "ie_flag": remote.ie_flag[:1],
            "data_status": remote.data_status[:4], "pre_approval": remote.pre_approval[:4],
            "remote_updated_at": remote.updated_at, "head": rest, **columns}


def _number(value: Any) -> str | None:
    text = str(value or "").strip()
    return text or None


async def _bonded_items(conn: Any, bonded_id: int, remote: RemoteBondedList) -> None:
    await BondedListItem.filter(bonded_list_id=bonded_id).using_db(conn).delete()
    numbers = {"quantity", "legal_quantity", "price", "total"}
    rows = []
    for position, item in enumerate(remote.items, start=1):
        values: dict[str, Any] = {key: (_number(item.get(key)) if key in numbers else str(item.get(key) or ""))
                                  for key in BONDED_ITEM_KEYS if key != "record_no"}
        record_no = str(item.get("record_no") or "")
        rows.append(BondedListItem(bonded_list_id=bonded_id, position=position,
                                   record_no=int(record_no) if record_no.isdigit() else None, **values))
    if rows:
        await BondedListItem.bulk_create(rows, using_db=conn)


async def upsert_bonded_list(ctx: ServiceContext, enterprise_id: int, remote: RemoteBondedList) -> str:
    found = await BondedList.filter(enterprise_id=enterprise_id, seq_no=remote.seq_no).first()
    if found is None:
        try:
            async with in_transaction() as conn:
                made = await BondedList.create(enterprise_id=enterprise_id, seq_no=remote.seq_no,
                                               synced_at=ctx.now(), **_bonded_head(remote), using_db=conn)
                await _bonded_items(conn, made.id, remote)
            return CREATED
        except IntegrityError:
            found = await BondedList.get(enterprise_id=enterprise_id, seq_no=remote.seq_no)
    if remote.updated_at <= found.remote_updated_at:
        return UNCHANGED
    async with in_transaction() as conn:
        changed = await BondedList.filter(id=found.id, remote_updated_at=found.remote_updated_at).using_db(conn) \
            .update(synced_at=ctx.now(), **_bonded_head(remote))
        if not changed:
            return UNCHANGED
        await _bonded_items(conn, found.id, remote)
    return UPDATED


async def apply_receipt(ctx: ServiceContext, enterprise_id: int, receipt: RemoteReceipt) -> str:
    """Store a receipt once and move its declaration (``created``), or ``unchanged`` when it was seen before."""
    found = await Declaration.filter(enterprise_id=enterprise_id, seq_no=receipt.seq_no).first()
    action = ACTION_OF.get(receipt.receipt_type)
    try:
        async with in_transaction() as conn:
            row = await DeclarationReceipt.create(
                enterprise_id=enterprise_id, seq_no=receipt.seq_no[:18], receipt_type=receipt.receipt_type[:16],
                received_at=receipt.at, declaration_id=found.id if found else None, entry_id=receipt.entry_id[:18],
                note=receipt.note[:500], stored_at=ctx.now(), using_db=conn)
            problem = "" if found else L.PROBLEM_NO_DECLARATION
            if found is not None and action is None:
                problem = L.PROBLEM_UNKNOWN_TYPE
            if found is not None and receipt.entry_id and not found.entry_id:
                # first: the exception a 删单 registers and the printed form carry the 海关编号 the receipt gives
                await Declaration.filter(id=found.id).using_db(conn).update(entry_id=receipt.entry_id[:18])
            if found is not None and action is not None:
                try:  # in a savepoint of this transaction: a refusal leaves the receipt stored with its reason
                    await record_receipt(ctx, enterprise_id, found.id, action, receipt.note, received_at=receipt.at)
                except DomainError as refused:
                    problem = refused.message[:200]
            await DeclarationReceipt.filter(id=row.id).using_db(conn).update(applied=not problem, problem=problem)
    except IntegrityError:
        return UNCHANGED
    return CREATED


# -- runs --------------------------------------------------------------------------------------------------------


class _Counter:
    def __init__(self, run: SyncRun, progress: Progress) -> None:
        self.run, self.progress = run, progress
        self.counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
        self.done = self.total = 0

    def add(self, outcome: str) -> None:
        self.counts[outcome] += 1
        self.done += 1

    async def save(self) -> None:
        self.progress(self.done, self.total)
        await SyncRun.filter(id=self.run.id).update(done=self.done, total=self.total, created=self.counts[CREATED],
                                                    updated=self.counts[UPDATED],
                                                    unchanged=self.counts[UNCHANGED])


async def _by_ticket(ctx: ServiceContext, port: SingleWindow, run: SyncRun, code: str, count: _Counter) -> None:
    p = run.params
    count.total = 1
    if run.kind is SyncKind.DECLARATIONS_BY_TICKET:
        remote = await port.declaration(code, DeclarationTicket(p["seq_no"], p["enterprise_category"],
                                                                p["decl_type"]))
        if remote is None:
            raise SingleWindowError(L.MSG_SYNC_NOT_FOUND.format(what="报关单"), code="not_found")
        assert run.person_id is not None
        count.add(await upsert_declaration(ctx, run.enterprise_id, run.person_id, remote))
    else:
        bonded = await port.bonded_list(code, BondedTicket(p["enterprise_role"], p["number"], p["by"] == "list_no",
                                                           p["data_source"], p["ie_flag"]))
        if bonded is None:
            raise SingleWindowError(L.MSG_SYNC_NOT_FOUND.format(what="核注清单"), code="not_found")
        count.add(await upsert_bonded_list(ctx, run.enterprise_id, bonded))


async def _by_day(ctx: ServiceContext, port: SingleWindow, run: SyncRun, code: str, count: _Counter) -> None:
    p = run.params
    first, last = datetime.fromisoformat(p["first"]).date(), datetime.fromisoformat(p["last"]).date()
    page, pages = 1, 1
    while page <= pages:
        if run.kind is SyncKind.DECLARATIONS_BY_DAY:
            found = await port.declarations(code, DeclarationDays(first, last, p["enterprise_category"],
                                                                  p.get("trade_code", "")), page)
            assert run.person_id is not None
            for remote in found.items:
                count.add(await upsert_declaration(ctx, run.enterprise_id, run.person_id, remote))
        else:
            listed = await port.bonded_lists(code, BondedDays(first, last, p["enterprise_role"],
                                                              p.get("data_status", ""), p.get("ie_flag", "")), page)
            for bonded in listed.items:
                count.add(await upsert_bonded_list(ctx, run.enterprise_id, bonded))
            found = listed  # type: ignore[assignment]
        count.total, pages = found.total, found.pages
        await count.save()
        page += 1


async def _receipts(ctx: ServiceContext, port: SingleWindow, run: SyncRun, code: str, count: _Counter) -> None:
    cursor = str(run.params.get("cursor") or "")
    while True:
        batch = await port.receipts(code, cursor)
        count.total += len(batch.items)
        for receipt in batch.items:
            count.add(await apply_receipt(ctx, run.enterprise_id, receipt))
        cursor = batch.cursor
        await SyncRun.filter(id=run.id).update(params={**run.params, "cursor_after": cursor})
        await count.save()
        if not batch.more:
            return


STEPS = {SyncKind.DECLARATIONS_BY_TICKET: _by_ticket, SyncKind.BONDED_BY_TICKET: _by_ticket,
         SyncKind.DECLARATIONS_BY_DAY: _by_day, SyncKind.BONDED_BY_DAY: _by_day, SyncKind.RECEIPTS: _receipts}


async def execute_run(ctx: ServiceContext, run_id: int, progress: Progress = lambda done, total: None) -> SyncRun:
    """Run a queued (or interrupted) sync to its end; a single-window failure is recorded on the run (and raised,
    so the job fails with the same message)."""
    run = await SyncRun.get(id=run_id)
    await SyncRun.filter(id=run.id).update(status=SyncStatus.RUNNING, started_at=ctx.now(), error="")
    code = (await Enterprise.get(id=run.enterprise_id)).credit_code
    count = _Counter(run, progress)
    try:
        await STEPS[run.kind](ctx, single_window(), run, code, count)
    except SingleWindowError as failed:
        await count.save()
        await SyncRun.filter(id=run.id).update(status=SyncStatus.FAILED, error=failed.message[:500],
                                               finished_at=ctx.now())
        raise
    await count.save()
    await SyncRun.filter(id=run.id).update(status=SyncStatus.DONE, finished_at=ctx.now())
    return await SyncRun.get(id=run.id)
