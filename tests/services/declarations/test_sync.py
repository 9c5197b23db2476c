"""数据同步 with the single window, through the real adapter against the simulator on a local port: runs as jobs,
nothing stored twice (twice in a row, and two runs at once on PostgreSQL), a run cut off by the single window going
down records its error and a rerun completes, receipts move statuses once, 申报 stores the 统一编号 without ever
sending twice, 生成报关单 maps a pre-approved bonded list, and the permission and the enterprise scope hold."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from models.declaration_lifecycle import DeclarationAction, DeclarationGroup, DeclarationStatus
from models.declaration_sync import (
    BondedList,
    BondedListItem,
    DeclarationReceipt,
    DeclarationSend,
    SyncKind,
    SyncRun,
    SyncStatus,
)
from models.declarations import Declaration, DeclarationEvent, DeclarationItem, DeclarationKind
from models.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.jobs import Job, JobStatus
from models.workspace import DataScope
from services.declarations.bonded import generate_declaration, get_bonded, list_bonded
from services.declarations.entry import (
    approve_declaration,
    create_draft,
    declare_declaration,
    get_declaration,
    list_declarations,
    submit_declaration,
)
from services.declarations.single_window import SingleWindowError
from services.declarations.sync import execute_run
from services.declarations.sync_health import sync_health
from services.declarations.sync_runs import poll_receipts, start_sync
from services.jobs.worker import JobRunner, run_due
from services.kit.context import ServiceContext
from services.workspace.roles import Member
from tests.conftest import PG_URL
from tests.factories import World
from tests.services.declarations.conftest import NOW, Served
from tests.services.declarations.support import ENTRY, REVIEW, good_form, member_of
from tests.services.library.support import load_small_reference

CTX = ServiceContext(clock=lambda: NOW)
SYNC = "sync:run"
BY_DAY = {"first": "2026-02-20", "last": "2026-03-12", "enterprise_category": "trade"}


@pytest.fixture
async def reference(db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def syncer(world: World, *codes: str, scope: DataScope = DataScope.ALL) -> Member:
    return await member_of(world, world.staff.person_id, *(codes or (SYNC, ENTRY)), scope=scope)


async def run_jobs(tmp_path: Path) -> None:
    await run_due(JobRunner(CTX, tmp_path, lease_seconds=30))


def remote_total(served: Served, world: World) -> int:
    rows = served.platform.declarations(world.acme.credit_code, NOW.date() - timedelta(days=21),
                                        NOW.date() - timedelta(days=1), "trade", "")
    return len(rows)


async def test_a_sync_by_day_runs_as_a_job_and_twice_stores_nothing_twice(world: World, served: Served,
                                                                           tmp_path: Path) -> None:
    member = await syncer(world)
    first = await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_DAY, BY_DAY)
    await run_jobs(tmp_path)
    done = await SyncRun.get(id=first.id)
    total = remote_total(served, world)
    assert total > 10 and (done.status, done.total, done.done, done.created) == (SyncStatus.DONE, total, total, total)
    assert (await Job.get(token=done.job_token)).status is JobStatus.DONE
    synced = await Declaration.filter(enterprise_id=world.acme.id)
    assert len(synced) == total and {d.owner_id for d in synced} == {world.staff.person_id}
    assert all(d.seq_no and d.kind is DeclarationKind.EXPORT and d.status in (
        DeclarationStatus.ENTERED, DeclarationStatus.CLEARED, DeclarationStatus.CUSTOMS_DELETED) for d in synced)
    assert await DeclarationItem.filter(declaration__enterprise_id=world.acme.id).count() >= total
    events = await DeclarationEvent.filter(declaration__enterprise_id=world.acme.id)
    assert len(events) == total and all(e.note == "由单一窗口同步（境内收发货人）" for e in events)

    again = await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_DAY, BY_DAY)
    await run_jobs(tmp_path)
    rerun = await SyncRun.get(id=again.id)
    assert (rerun.status, rerun.created, rerun.updated, rerun.unchanged) == (SyncStatus.DONE, 0, 0, total)
    assert await Declaration.filter(enterprise_id=world.acme.id).count() == total


async def test_a_newer_record_updates_the_row_in_place(world: World, served: Served) -> None:
    member = await syncer(world)
    run = await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_DAY, BY_DAY)
    await execute_run(CTX, run.id)
    record = next(iter(served.platform.declarations(world.acme.credit_code, NOW.date() - timedelta(days=21),
                                                    NOW.date() - timedelta(days=1), "trade", "")))
    record["head"]["BillNo"] = "COSU0000000001"
    record["updated_at"] = (NOW - timedelta(hours=20)).isoformat()
    rerun = await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_DAY, BY_DAY)
    counted = await execute_run(CTX, rerun.id)
    assert (counted.created, counted.updated) == (0, 1)
    row = await Declaration.get(enterprise_id=world.acme.id, seq_no=record["seq_no"])
    assert row.bill_no == "COSU0000000001" and row.version == 2


@pytest.mark.parametrize("backend", ["postgres"] if PG_URL else [])
async def test_two_runs_at_once_store_each_record_once(world: World, served: Served) -> None:
    member = await syncer(world)
    runs = [await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_DAY, BY_DAY) for _ in range(2)]
    bonded = [await start_sync(CTX, member, SyncKind.BONDED_BY_DAY, {**BY_DAY, "enterprise_role": "operating"})
              for _ in range(2)]
    done = await asyncio.gather(*(execute_run(CTX, run.id) for run in runs + bonded))
    total = remote_total(served, world)
    assert await Declaration.filter(enterprise_id=world.acme.id).count() == total
    assert done[0].created + done[1].created == total and done[0].status is done[1].status is SyncStatus.DONE
    lists = await BondedList.filter(enterprise_id=world.acme.id).count()
    assert lists and done[2].created + done[3].created == lists
    assert len(set(await Declaration.filter(enterprise_id=world.acme.id).values_list("seq_no", flat=True))) == total


async def test_the_single_window_going_down_mid_run_is_recorded_and_a_rerun_completes(
        world: World, served: Served, tmp_path: Path) -> None:
    member = await syncer(world)
    served.platform.fail("down", times=0, after=1)  # the first page answers, then 503 until cleared
    first = await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_DAY, BY_DAY)
    await run_jobs(tmp_path)
    failed = await SyncRun.get(id=first.id)
    assert failed.status is SyncStatus.FAILED and failed.error == "单一窗口暂时不可用（HTTP 503），请稍后重试"
    assert failed.created == 10 and failed.finished_at is not None
    job = await Job.get(token=failed.job_token)
    assert (job.status, job.error) == (JobStatus.FAILED, failed.error)

    served.platform.clear_faults()
    again = await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_DAY, BY_DAY)
    await run_jobs(tmp_path)
    rerun = await SyncRun.get(id=again.id)
    total = remote_total(served, world)
    assert (rerun.status, rerun.created, rerun.unchanged) == (SyncStatus.DONE, total - 10, 10)
    assert await Declaration.filter(enterprise_id=world.acme.id).count() == total


async def test_by_ticket_finds_one_declaration_or_says_it_is_not_there(world: World, served: Served) -> None:
    member = await syncer(world)
    seq_no = next(iter(served.platform.enterprise(world.acme.credit_code).declarations))
    run = await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_TICKET,
                           {"seq_no": seq_no.lower(), "enterprise_category": "trade", "decl_type": "E0"})
    assert (await execute_run(CTX, run.id)).created == 1
    missing = await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_TICKET,
                               {"seq_no": "I09000000000000000", "enterprise_category": "trade", "decl_type": "E0"})
    with pytest.raises(SingleWindowError, match="单一窗口中没有找到该报关单"):
        await execute_run(CTX, missing.id)
    assert (await SyncRun.get(id=missing.id)).status is SyncStatus.FAILED


async def test_every_field_of_the_forms_is_checked_at_once(world: World, served: Served) -> None:
    member = await syncer(world)
    with pytest.raises(ValidationFailed) as refused:
        await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_TICKET, {"seq_no": "12", "decl_type": "X"})
    assert refused.value.errors == {"seq_no": "统一编号应为 18 位字母或数字", "enterprise_category": "请选择企业类别",
                                    "decl_type": "请选择报关单类型"}
    with pytest.raises(ValidationFailed) as refused:
        await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_DAY,
                         {"first": "2026-03-12", "last": "2026-03-01", "enterprise_category": "trade",
                          "trade_code": "91210242MA0XYZ0000"})
    assert refused.value.errors == {"first": "开始日期不能晚于结束日期",
                                    "trade_code": "境内收发货人应为 18 位统一社会信用代码"}
    with pytest.raises(ValidationFailed) as refused:
        await start_sync(CTX, member, SyncKind.BONDED_BY_DAY, {"first": "2026-01-01", "last": "2026-03-14",
                                                               "enterprise_role": "operating"})
    assert refused.value.errors == {"last": "不能同步今天以后的日期"}
    with pytest.raises(ValidationFailed) as refused:
        await start_sync(CTX, member, SyncKind.BONDED_BY_TICKET, {"by": "list_no", "number": "QD1",
                                                                  "enterprise_role": "operating", "data_source": "1",
                                                                  "ie_flag": "X"})
    assert refused.value.errors == {"number": "清单编号应为 18 位字母或数字", "ie_flag": "请选择进出口标志"}
    assert await SyncRun.all().count() == 0 and await Job.all().count() == 0


async def approved(world: World, reference: None) -> tuple[Member, Declaration]:
    preparer = await member_of(world, world.staff.person_id, ENTRY, SYNC)
    reviewer = await member_of(world, world.admin.person_id, REVIEW)
    draft = await create_draft(CTX, preparer, DeclarationKind.EXPORT, good_form())
    await submit_declaration(CTX, preparer, draft.id, 1)
    await approve_declaration(CTX, reviewer, draft.id)
    return preparer, draft


async def test_declare_stores_the_seq_no_and_a_failed_send_is_retried_with_the_same_key(
        world: World, served: Served, reference: None) -> None:
    preparer, draft = await approved(world, reference)
    served.platform.fail("down", times=0)
    with pytest.raises(SingleWindowError) as refused:
        await declare_declaration(CTX, preparer, draft.id)
    assert refused.value.message == "申报未成功，报关单仍为“审核通过”：单一窗口暂时不可用（HTTP 503），请稍后重试"
    assert (await Declaration.get(id=draft.id)).status is DeclarationStatus.APPROVED
    send = await DeclarationSend.get(declaration_id=draft.id)
    assert (send.seq_no, send.attempts, send.error) == ("", 1, "单一窗口暂时不可用（HTTP 503），请稍后重试")

    served.platform.clear_faults()
    # the single window took an earlier attempt whose answer was lost: the retry's key gets the same 统一编号
    taken, _ = served.platform.declare(world.acme.credit_code, send.key, {"head": {}, "items": [{}]})
    declared = await declare_declaration(CTX, preparer, draft.id)
    assert (declared.status, declared.seq_no) == (DeclarationStatus.DECLARED, taken)
    assert list(served.platform.sends) == [send.key]
    stored = await Declaration.get(id=draft.id)
    assert stored.seq_no == taken and (await DeclarationSend.get(id=send.id)).sent_at is not None
    sent = served.platform.enterprise(world.acme.credit_code).declarations
    assert taken in sent or served.platform.sends[send.key] == taken


async def test_receipts_move_statuses_once_however_often_they_are_read(
        world: World, served: Served, reference: None) -> None:
    preparer, draft = await approved(world, reference)
    declared = await declare_declaration(CTX, preparer, draft.id)
    code = world.acme.credit_code
    served.platform.emit(code, declared.seq_no, "entered", at=NOW - timedelta(minutes=30))
    served.platform.emit(code, declared.seq_no, "inspected", "查验：开箱", at=NOW - timedelta(minutes=20))
    served.platform.emit(code, declared.seq_no, "deleted", "重复申报", at=NOW - timedelta(minutes=10))
    served.platform.emit(code, "I09000000000000000", "released")  # not ours
    assert await poll_receipts(CTX) == 4
    row = await Declaration.get(id=draft.id)
    assert row.status is DeclarationStatus.CUSTOMS_DELETED
    events = await DeclarationEvent.filter(declaration_id=draft.id).order_by("id").values_list("action", "note")
    assert events[-3:] == [(DeclarationAction.RECEIPT_ENTERED, ""), (DeclarationAction.RECEIPT_INSPECTED, "查验：开箱"),
                           (DeclarationAction.RECEIPT_DELETED, "重复申报")]
    stranger = await DeclarationReceipt.get(seq_no="I09000000000000000")
    assert (stranger.applied, stranger.problem) == (False, "本系统中没有该统一编号的报关单")

    await SyncRun.filter(kind=SyncKind.RECEIPTS).update(params={"cursor": "", "cursor_after": ""})
    served.platform.emit(code, declared.seq_no, "released")  # refused by the lifecycle: kept with the reason
    assert await poll_receipts(CTX) == 1  # the four read again are stored once
    assert await DeclarationReceipt.filter(enterprise_id=world.acme.id).count() == 5
    late = await DeclarationReceipt.get(receipt_type="released", seq_no=declared.seq_no)
    assert not late.applied and late.problem == "报关单状态为“删单”，不能放行回执"
    assert await DeclarationEvent.filter(declaration_id=draft.id).count() == len(events)


async def test_a_pre_approved_bonded_list_becomes_a_draft_export_declaration_once(
        world: World, served: Served, reference: None) -> None:
    member = await syncer(world)
    run = await start_sync(CTX, member, SyncKind.BONDED_BY_DAY, {**BY_DAY, "first": "2026-02-11",
                                                                 "enterprise_role": "operating"})
    assert (await execute_run(CTX, run.id)).created >= 2
    lists = await list_bonded(member)
    passed = next(b for b in lists if b.pre_approval == "1")
    view = await get_bonded(member, passed.id)
    made = await generate_declaration(CTX, member, passed.id)
    draft = await get_declaration(member, made.id)
    head = draft.form.head
    assert (draft.declaration.status, draft.declaration.kind) == (DeclarationStatus.DRAFT, DeclarationKind.EXPORT)
    assert (head["trade_code"], head["trade_name"], head["manual_no"], head["declare_office"], head["trade_mode"]) \
        == (passed.trade_code, passed.trade_name, passed.manual_no, passed.customs_office, passed.trade_mode)
    assert head["note_s"] == f"由核注清单 {passed.list_no} 生成"
    expect: list[tuple[Any, ...]] = [(i.hs_code, i.goods_name, i.model_spec, i.quantity, i.unit, i.total, i.currency)
                                     for i in view.items]
    assert [(i["hs_code"], i["goods_name"], i["model_spec"], i["quantity"], i["unit"], i["total"], i["currency"])
            for i in draft.form.items] == expect
    assert (await BondedList.get(id=passed.id)).declaration_id == made.id
    with pytest.raises(Conflict, match="该核注清单已生成报关单"):
        await generate_declaration(CTX, member, passed.id)
    pending = [b for b in lists if b.pre_approval != "1"]
    if pending:
        with pytest.raises(Conflict, match="只有预审核状态为“通过”的核注清单可以生成报关单"):
            await generate_declaration(CTX, member, pending[0].id)
    assert await BondedListItem.filter(bonded_list_id=passed.id).count() == len(view.items)


async def test_the_permission_and_the_enterprise_scope(world: World, served: Served) -> None:
    without = await member_of(world, world.staff.person_id, ENTRY)
    with pytest.raises(Forbidden):
        await start_sync(CTX, without, SyncKind.DECLARATIONS_BY_DAY, BY_DAY)
    with pytest.raises(Forbidden):
        await list_bonded(without)
    member = await syncer(world)
    run = await start_sync(CTX, member, SyncKind.BONDED_BY_DAY, {**BY_DAY, "enterprise_role": "operating"})
    await execute_run(CTX, run.id)
    own = (await list_bonded(member))[0]
    other = await member_of(world, world.solo_staff.person_id, SYNC, ENTRY, enterprise_id=world.solo.id)
    assert await list_bonded(other) == []
    with pytest.raises(NotFound):
        await get_bonded(other, own.id)
    with pytest.raises(NotFound):
        await generate_declaration(CTX, other, own.id)
    # synced declarations belong to who ran the sync: a colleague seeing only their own sees none of them
    sync = await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_DAY, BY_DAY)
    await execute_run(CTX, sync.id)
    colleague = await member_of(world, world.staff2.person_id, ENTRY, scope=DataScope.SELF)
    assert (await list_declarations(colleague, DeclarationGroup.DECLARED)).items == []
    assert (await list_declarations(member, DeclarationGroup.DECLARED)).items


async def test_the_health_panel_counts_days_and_finds_the_gaps(world: World, served: Served) -> None:
    member = await syncer(world)
    assert (await sync_health(CTX, member)).last_run is None
    run = await start_sync(CTX, member, SyncKind.DECLARATIONS_BY_DAY, BY_DAY)
    await execute_run(CTX, run.id)
    health = await sync_health(CTX, member)
    assert health.last_run is not None and health.last_run.id == run.id and health.lag == timedelta(0)
    assert sum(d for _, d, _ in health.days) == remote_total(served, world)
    counts = {day: (declarations, lists) for day, declarations, lists in health.days}
    assert health.gaps and all(day.weekday() < 5 and counts[day] == (0, 0) for day in health.gaps)
