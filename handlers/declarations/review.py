"""审单 → 报关单审核 (/workbench/declarations/review, ``declaration:review``) and 二复核 (/workbench/declarations/
review2, ``declaration:review2``): the review list with the manual's filters, the visual review laid out like the
printed 出口货物报关单 (a click or Enter/Space on a field cycles 正确 → 有误 (with a comment) → reset, saved through the
JSON API), 普通审核 / 高级审核 approval, the return with the red fields, and the month's 单证复核记录.

Both menus serve the same pages, each under its own permission code."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.declarations.bodies import (
    DeclarationVersionBody,
    ReviewApproveBody,
    ReviewExportQuery,
    ReviewQuery,
    ReviewReturnBody,
)
from handlers.kit.bodies import read_query
from handlers.kit.forms import NOTHING_REFUSED, REFUSALS, Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import see_other
from handlers.workspace.shell import workbench_page
from models.errors import ValidationFailed
from services.declarations import entry as E
from services.declarations import labels as L
from services.declarations import review as R
from services.declarations.codes import code_names
from services.declarations.fields import HEAD_FIELDS, ITEM_FIELDS
from services.declarations.review_export import export_marks, export_name
from services.declarations.review_filters import CHOICES, FIELDS, ReviewFilter
from services.declarations.single_window import SingleWindowError
from services.workspace.roles import Member

REVIEW, REVIEW2 = "/workbench/declarations/review", "/workbench/declarations/review2"
IMPLEMENTED = frozenset({REVIEW, REVIEW2})
BASES = {REVIEW: L.REVIEW, REVIEW2: L.REVIEW2}
DEFAULT_STATUS = {REVIEW: "pending_review", REVIEW2: "second_review"}  # what a list opens on
TITLES = {REVIEW: "报关单审核", REVIEW2: "二复核"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DONE = {"approved": L.DONE_APPROVED, "passed": L.DONE_PASSED_FIRST, "returned": L.DONE_RETURNED,
        "declared": L.DONE_DECLARED}
# The printed 出口货物报关单's head, row by row (a transit kind adds its last row).
HEAD_LAYOUT: tuple[tuple[str, ...], ...] = (
    ("declare_office", "ie_port", "ie_date", "manual_no"),
    ("trade_code", "trade_name", "bill_no"),
    ("overseas_consignee", "traf_mode", "traf_name"),
    ("owner_code", "owner_name", "trade_mode", "cut_mode", "license_no"),
    ("contract_no", "trade_country", "destination_country", "distinate_port", "desp_port"),
    ("wrap_type", "pack_no", "gross_weight", "net_weight", "trans_mode"),
    ("agent_code", "agent_name"),
    ("mark_no", "note_s"),
    ("transit_traf_mode", "transit_traf_name", "transit_voyage"),
)
SPECS = {spec.key: spec for spec in HEAD_FIELDS}


def _base(request: Request) -> str:
    return REVIEW2 if request.path.startswith(REVIEW2) else REVIEW


def _args(request: Request, base: str) -> dict[str, str]:
    q = read_query(request, ReviewQuery)
    args = {key: str(getattr(q, key)) for key in FIELDS if getattr(q, key)}
    if not request.args:
        args["review_status"] = DEFAULT_STATUS[base]
    return args


async def review_list(request: Request) -> HTTPResponse:
    return await _list_page(request)


async def _list_page(request: Request, month_error: str = "", month: str = "") -> HTTPResponse:
    base, member = _base(request), await current_member(request)
    args = _args(request, base) if not month_error else {"review_status": DEFAULT_STATUS[base]}
    errors: dict[str, str] = {"month": month_error} if month_error else {}
    page = R.ReviewPage([], None)
    try:
        flt = ReviewFilter.from_args(args, request.app.ctx.services.tz)
        page = await R.list_for_review(member, flt, cursor=read_query(request, ReviewQuery).cursor)
    except ValidationFailed as refused:
        errors = refused.errors
    return await workbench_page(
        request, "workbench/declaration_review_list.html", status=400 if errors else 200, page=page, args=args,
        errors=errors, fields=FIELDS, choices=CHOICES, base=base, title=TITLES[base],
        more_link=f"{base}?{urlencode({**args, 'cursor': page.next_cursor or ''})}",
        month=month or request.app.ctx.services.now().astimezone(request.app.ctx.services.tz).strftime("%Y-%m"))


async def _review_page(request: Request, member: Member, declaration_id: int, *,
                       refused: Refused = NOTHING_REFUSED) -> HTTPResponse:
    base = _base(request)
    view = await R.get_review(member, declaration_id)
    codes = [(SPECS[s.field.path[5:]].table, s.field.value) for s in view.states.values()
             if s.field.path.startswith("head.") and SPECS[s.field.path[5:]].table]
    codes += [(spec.table, str(item.get(spec.key) or "")) for item in view.form.items for spec in ITEM_FIELDS
              if spec.table]
    layout = [[key for key in row if f"head.{key}" in view.states] for row in HEAD_LAYOUT]
    return await workbench_page(
        request, "workbench/declaration_review.html", status=refused.status, view=view, d=view.declaration,
        layout=[row for row in layout if row], item_specs=ITEM_FIELDS, names=await code_names(codes),
        errors=refused.beside(), typed=refused.values, base=base, title=TITLES[base],
        mark_labels=L.MARK_LABELS, modes=list(R.ReviewMode), specs=SPECS,
        done=DONE.get(request.args.get("done", ""), ""), may_declare=E.may_declare(member, view.declaration),
        api=f"/api/v1/workspace/declarations/{base.rsplit('/', 1)[1]}/{declaration_id}")


async def review_page(request: Request, declaration_id: int) -> HTTPResponse:
    return await _review_page(request, await current_member(request), declaration_id)


async def approve(request: Request, declaration_id: int) -> HTTPResponse:
    base = _base(request)

    async def change(member: Member, body: Any) -> HTTPResponse:
        done = await R.approve(request.app.ctx.services, member, declaration_id, body.version, body.mode)
        passed = done.status.value == "second_review"
        return see_other(f"{base}/{declaration_id}?done={'passed' if passed else 'approved'}")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _review_page(request, member, declaration_id, refused=refused)

    return await form_action(request, current_member, ReviewApproveBody, change, again)


async def send_back(request: Request, declaration_id: int) -> HTTPResponse:
    base = _base(request)

    async def change(member: Member, body: Any) -> HTTPResponse:
        await R.send_back(request.app.ctx.services, member, declaration_id, body.version, body.reason)
        return see_other(f"{base}/{declaration_id}?done=returned")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _review_page(request, member, declaration_id, refused=refused)

    return await form_action(request, current_member, ReviewReturnBody, change, again)


async def declare(request: Request, declaration_id: int) -> HTTPResponse:
    """申报 by the reviewer once approved (the preparer has the same button on the entry form)."""
    base = _base(request)

    async def change(member: Member, body: DeclarationVersionBody) -> HTTPResponse:
        await E.declare_declaration(request.app.ctx.services, member, declaration_id, body.version)
        return see_other(f"{base}/{declaration_id}?done=declared")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _review_page(request, member, declaration_id,
                                  refused=Refused({"declare": refused.first[1]}, status=refused.status))

    return await form_action(request, current_member, DeclarationVersionBody, change, again,
                             catch=(*REFUSALS, SingleWindowError))


async def export(request: Request) -> HTTPResponse:
    services = request.app.ctx.services
    month = read_query(request, ReviewExportQuery).month or services.now().astimezone(services.tz).strftime("%Y-%m")
    try:
        body, _ = await export_marks(services, await current_member(request), month)
    except ValidationFailed as refused:  # beside the month field of the list page, as typed
        return await _list_page(request, refused.message, month)
    return HTTPResponse(body, content_type=XLSX, headers={
        "content-disposition": f"attachment; filename*=UTF-8''{quote(export_name(month))}"})


def review_blueprint() -> Blueprint:
    """Every page twice: under 报关单审核 with ``declaration:review`` and under 二复核 with ``declaration:review2``."""
    bp = Blueprint("workbench_declaration_review")
    for base, code in BASES.items():
        tag = base.rsplit("/", 1)[1]
        bp.add_route(requires(code)(review_list), base, methods=["GET"], name=f"{tag}_list")
        bp.add_route(requires(code)(export), f"{base}/export", methods=["GET"], name=f"{tag}_export")
        bp.add_route(requires(code)(review_page), f"{base}/<declaration_id:int>", methods=["GET"],
                     name=f"{tag}_page")
        bp.add_route(requires(code)(approve), f"{base}/<declaration_id:int>/approve", methods=["POST"],
                     name=f"{tag}_approve")
        bp.add_route(requires(code)(send_back), f"{base}/<declaration_id:int>/return", methods=["POST"],
                     name=f"{tag}_return")
        bp.add_route(requires(code)(declare), f"{base}/<declaration_id:int>/declare", methods=["POST"],
                     name=f"{tag}_declare")
    return bp
