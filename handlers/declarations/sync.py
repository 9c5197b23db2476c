"""报关单 → 数据同步 (/workbench/declarations/sync): the 按票同步 and 按天同步 forms (every refusal beside its field,
what was typed kept), the runs with their progress, the synced bonded lists (生成报关单 from one that passed
pre-approval) and the sync health panel (last run, lag, counts per day as a chart, the gaps)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.declarations.bodies import SyncDaysBody, SyncTicketBody
from handlers.kit.charts import line_chart
from handlers.kit.forms import NOTHING_REFUSED, Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import see_other
from handlers.workspace.shell import workbench_page
from models.errors import Conflict
from services.declarations import labels as L
from services.declarations.bonded import generate_declaration, list_bonded
from services.declarations.sync_health import lag_text, sync_health
from services.declarations.sync_runs import SyncKind, list_runs, start_sync
from services.workspace.roles import Member

SYNC = "/workbench/declarations/sync"
ENTRY = "/workbench/declarations/entry"
IMPLEMENTED = frozenset({SYNC})
KINDS = {("ticket", "declarations"): SyncKind.DECLARATIONS_BY_TICKET, ("ticket", "bonded"): SyncKind.BONDED_BY_TICKET,
         ("days", "declarations"): SyncKind.DECLARATIONS_BY_DAY, ("days", "bonded"): SyncKind.BONDED_BY_DAY}
DONE = {"started": L.DONE_SYNC_STARTED}



async def _page(request: Request, member: Member, *, form: str = "",
                refused: Refused = NOTHING_REFUSED) -> HTTPResponse:
    ctx = request.app.ctx.services
    health = await sync_health(ctx, member)
    series = {"报关单": [(f"{d:%m-%d}", n) for d, n, _ in health.days],
              "核注清单": [(f"{d:%m-%d}", b) for d, _, b in health.days]}
    chart = Markup(line_chart(L.SYNC_CHART_TITLE, series))  # noqa: S704 - generated SVG, every label escaped
    runs = await list_runs(member)
    return await workbench_page(
        request, "workbench/declaration_sync.html", status=refused.status, runs=runs, health=health,
        lag=lag_text(health.lag), chart=chart,
        bonded=await list_bonded(member), form=form, errors=refused.beside(), typed=refused.values, L=L,
        active=any(r.status.value in ("queued", "running") for r in runs), base=SYNC, entry=ENTRY,
        done=DONE.get(request.args.get("done", ""), ""), today=ctx.now().astimezone(ctx.tz).date())


def sync_blueprint() -> Blueprint:
    bp = Blueprint("workbench_declaration_sync")
    bp.add_route(sync_page, SYNC, methods=["GET"])
    bp.add_route(sync_ticket, f"{SYNC}/ticket", methods=["POST"])
    bp.add_route(sync_days, f"{SYNC}/days", methods=["POST"])
    bp.add_route(generate, f"{SYNC}/bonded/<bonded_id:int>/generate", methods=["POST"])
    return bp


@requires(L.SYNC)
async def sync_page(request: Request) -> HTTPResponse:
    return await _page(request, await current_member(request))


def _start(request: Request, form: str, body_type: Any) -> Any:
    async def change(member: Member, body: Any) -> HTTPResponse:
        values = body.model_dump()
        kind = KINDS.get((form, values.pop("target")), KINDS[(form, "declarations")])
        await start_sync(request.app.ctx.services, member, kind, values)
        return see_other(f"{SYNC}?done=started")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _page(request, member, form=form, refused=refused)

    return form_action(request, current_member, body_type, change, again)


@requires(L.SYNC)
async def sync_ticket(request: Request) -> HTTPResponse:
    return await _start(request, "ticket", SyncTicketBody)


@requires(L.SYNC)
async def sync_days(request: Request) -> HTTPResponse:
    return await _start(request, "days", SyncDaysBody)


@requires(L.SYNC)
async def generate(request: Request, bonded_id: int) -> HTTPResponse:
    member = await current_member(request)
    try:
        made = await generate_declaration(request.app.ctx.services, member, bonded_id)
    except Conflict as refused:  # not pre-approved, or generated already: said above the bonded lists
        return await _page(request, member, form="bonded", refused=Refused.of(refused, {}))
    return see_other(f"{ENTRY}/{made.id}?done=generated")
