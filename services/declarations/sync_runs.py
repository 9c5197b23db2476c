"""Starting and listing sync runs (数据同步 page): the two forms checked (every refusal by its field), the run
recorded and its job queued in one transaction, the enterprise's runs newest first; the job kind's handler; the
scheduler's receipts poll (one run per enterprise holding declarations of the single window)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from models.declaration_sync import SyncKind, SyncRun, SyncStatus
from models.declarations import Declaration
from models.errors import Forbidden, NotFound, ValidationFailed
from models.identifiers import credit_code_problem
from services.declarations import labels as L
from services.declarations.single_window import SingleWindowError
from services.declarations.sync import Progress, execute_run
from services.jobs.runs import Owner, enqueue
from services.kit.actors import PersonActor
from services.kit.context import ServiceContext
from services.workspace.roles import Member

DECLARATION_SYNC = "declaration_sync"
MAX_DAYS = 31
RUNS_SHOWN = 20
NUMBER = re.compile(r"[0-9A-Z]{18}")
TICKETS = frozenset({SyncKind.DECLARATIONS_BY_TICKET, SyncKind.BONDED_BY_TICKET})
BONDED = frozenset({SyncKind.BONDED_BY_TICKET, SyncKind.BONDED_BY_DAY})


def _choice(values: dict[str, str], key: str, label: str, options: dict[str, str], errors: dict[str, str], *,
            optional: bool = False) -> str:
    value = values.get(key, "").strip()
    if (value or not optional) and value not in options:
        errors[key] = L.MSG_CHOOSE.format(label=label)
    return value


def _days(values: dict[str, str], today: date, errors: dict[str, str]) -> tuple[str, str]:
    found: dict[str, date] = {}
    for key in ("first", "last"):
        try:
            found[key] = date.fromisoformat(values.get(key, "").strip())
        except ValueError:
            errors[key] = L.MSG_DATE.format(label="开始日期" if key == "first" else "结束日期")
    if len(found) == 2:
        if found["last"] > today:
            errors["last"] = L.MSG_FUTURE
        elif found["first"] > found["last"]:
            errors["first"] = L.MSG_DAY_RANGE
        elif found["last"] - found["first"] >= timedelta(days=MAX_DAYS):
            errors["first"] = L.MSG_DAY_SPAN.format(days=MAX_DAYS)
    return (found["first"].isoformat() if "first" in found else "", found["last"].isoformat() if "last" in found
            else "")


def check_sync(kind: SyncKind, values: dict[str, str], today: date) -> dict[str, Any]:
    """The run's parameters, or ValidationFailed naming every refused field (the form's field names)."""
    errors: dict[str, str] = {}
    params: dict[str, Any] = {}
    if kind is SyncKind.DECLARATIONS_BY_TICKET:
        params["seq_no"] = values.get("seq_no", "").strip().upper()
        if not NUMBER.fullmatch(params["seq_no"]):
            errors["seq_no"] = L.MSG_SEQ_NO
        params["enterprise_category"] = _choice(values, "enterprise_category", "企业类别", L.ENTERPRISE_CATEGORIES,
                                                errors)
        params["decl_type"] = _choice(values, "decl_type", "报关单类型", L.DECL_TYPES, errors)
    elif kind is SyncKind.BONDED_BY_TICKET:
        params["by"] = "list_no" if values.get("by") == "list_no" else "seq_no"
        params["number"] = values.get("number", "").strip().upper()
        if not NUMBER.fullmatch(params["number"]):
            errors["number"] = L.MSG_LIST_NUMBER if params["by"] == "list_no" else L.MSG_SEQ_NO
        params["enterprise_role"] = _choice(values, "enterprise_role", "企业类型", L.BONDED_ROLES, errors)
        params["data_source"] = _choice(values, "data_source", "数据源", L.DATA_SOURCES, errors)
        params["ie_flag"] = _choice(values, "ie_flag", "进出口标志", L.IE_LABELS, errors)
    elif kind is SyncKind.DECLARATIONS_BY_DAY:
        params["first"], params["last"] = _days(values, today, errors)
        params["enterprise_category"] = _choice(values, "enterprise_category", "企业类别", L.ENTERPRISE_CATEGORIES,
                                                errors)
        params["trade_code"] = values.get("trade_code", "").strip().upper()
        if params["trade_code"] and credit_code_problem(params["trade_code"]):
            errors["trade_code"] = L.MSG_TRADE_CODE
    elif kind is SyncKind.BONDED_BY_DAY:
        params["first"], params["last"] = _days(values, today, errors)
        params["enterprise_role"] = _choice(values, "enterprise_role", "企业类型", L.BONDED_ROLES, errors)
        params["data_status"] = _choice(values, "data_status", "数据状态", L.DATA_STATUSES, errors, optional=True)
        params["ie_flag"] = _choice(values, "ie_flag", "进出口标志", L.IE_LABELS, errors, optional=True)
    if errors:
        raise ValidationFailed.of(errors)
    return params


async def start_sync(ctx: ServiceContext, member: Member, kind: SyncKind, values: dict[str, str]) -> SyncRun:
    """A sync run of ``kind`` for the member's enterprise, its job queued (both or neither)."""
    member.decision.require(L.SYNC)
    if kind is SyncKind.RECEIPTS:
        raise ValidationFailed(L.MSG_CHOOSE.format(label="同步方式"), field="kind")
    params = check_sync(kind, values, ctx.now().astimezone(ctx.tz).date())
    person_id = member.membership.person_id
    async with in_transaction():
        run = await SyncRun.create(enterprise_id=member.enterprise_id, person_id=person_id, kind=kind,
                                   params=params, created_at=ctx.now())
        job = await enqueue(ctx, PersonActor(person_id), DECLARATION_SYNC, {"run_id": run.id})
        await SyncRun.filter(id=run.id).update(job_token=job.token)
    return run


async def list_runs(member: Member, limit: int = RUNS_SHOWN) -> list[SyncRun]:
    member.decision.require(L.SYNC)
    return list(await SyncRun.filter(enterprise_id=member.enterprise_id).select_related("person")
                .order_by("-id").limit(limit))


async def run_sync_job(params: dict[str, Any], owner: Owner, path: Path, progress: Progress,
                       ctx: ServiceContext) -> int:
    """The job of a sync run: only its starter's job runs it (a run is never the job of somebody else)."""
    run = await SyncRun.filter(id=int(params["run_id"])).first()
    if run is None:
        raise NotFound(L.MSG_RUN_NOT_FOUND)
    if not isinstance(owner, PersonActor) or owner.person_id != run.person_id:
        raise Forbidden(L.MSG_RUN_NOT_FOUND)
    done = await execute_run(ctx, run.id, progress)
    path.write_text(f"{done.kind.value} {done.created} {done.updated} {done.unchanged}\n", encoding="utf-8")
    return done.done


async def poll_receipts(ctx: ServiceContext) -> int:
    """The scheduler's receipts poll: one run per enterprise holding declarations of the single window, each starting
    where its last finished poll ended (receipts are stored once by their key, so reading some again is
    harmless); the number of receipts stored. A failing single window fails that enterprise's run only."""
    enterprises = await Declaration.exclude(seq_no="").distinct().values_list("enterprise_id", flat=True)
    stored = 0
    for enterprise_id in sorted(set(enterprises)):
        last = await SyncRun.filter(enterprise_id=enterprise_id, kind=SyncKind.RECEIPTS, status=SyncStatus.DONE) \
            .order_by("-id").first()
        cursor = str(last.params.get("cursor_after", "")) if last else ""
        run = await SyncRun.create(enterprise_id=enterprise_id, kind=SyncKind.RECEIPTS, params={"cursor": cursor},
                                   created_at=ctx.now())
        try:
            stored += (await execute_run(ctx, run.id)).created
        except SingleWindowError:
            continue  # recorded on the run; the next poll tries again
    return stored
