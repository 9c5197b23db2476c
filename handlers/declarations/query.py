"""报关单 → 查询打印 (/workbench/declarations/query, ``query:print``; seed 004 (八) 业务数据查询): the filtered list
(refusals beside their fields), per row 打印报关单 / 打印通知书 and 申报 (an approved one), 提交审核 of the selected,
列表导出 of every filtered row (a job with progress when many), 导入 (``query:import``: the template, the upload,
the imports with their annotated workbooks) and 概要申报数据查询 (the last 7 days by default)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote, urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file, raw

from handlers.declarations.bodies import DeclarationImportBody, DeclarationQueryFilter, DeclarationSelectionBody
from handlers.kit.bodies import read_query
from handlers.kit.forms import REFUSALS, Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import see_other
from handlers.workspace.shell import workbench_page
from models.declaration_lifecycle import EDITABLE, DeclarationStatus
from models.errors import ValidationFailed
from services.declarations import entry as E
from services.declarations import imports as I
from services.declarations import labels as L
from services.declarations import query as Q
from services.declarations.import_template import import_template
from services.declarations.single_window import SingleWindowError
from services.jobs.exports import (
    enterprise_export_file,
    enterprise_export_view,
    exports_folder,
    start_declaration_export,
)
from services.jobs.kinds import DECLARATION_EXPORT
from services.kit.records import DeclarationKind
from services.workspace.roles import Member

QUERY = "/workbench/declarations/query"
SUMMARY = f"{QUERY}/summary"
IMPORT = f"{QUERY}/import"
EXPORTS = f"{QUERY}/exports"
IMPLEMENTED = frozenset({QUERY})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DIRECT_LIMIT = 5000  # rows written within the request; more go to a job
PRINTS = (("declaration", "打印报关单"), ("notice", "打印通知书"))
DONE = {"declared": L.DONE_DECLARED}


def print_link(declaration_id: int, form: str) -> str:
    """The PDF of a declaration (``declaration`` or ``notice``), served by the printing pages."""
    return f"/workbench/declarations/{declaration_id}/print/{form}.pdf"


def _today(request: Request) -> Any:
    services = request.app.ctx.services
    return services.now().astimezone(services.tz).date()


async def _list(request: Request, *, summary: bool = False, refused: Refused | None = None,
                results: list[Q.SubmitResult] | None = None) -> HTTPResponse:
    member = await current_member(request)
    q = read_query(request, DeclarationQueryFilter)
    args = q.filter_args()
    errors: dict[str, str] = dict(refused.beside()) if refused else {}
    found = Q.QueryPage([], None)
    tz = request.app.ctx.services.tz
    try:
        flt = Q.QueryFilter.from_args(args)
        if summary:
            flt = Q.summary_filter(flt, _today(request))
            args = dict(flt.args())
        found = await Q.query_declarations(member, flt, tz, cursor=q.cursor, limit=q.limit, summary=summary)
    except ValidationFailed as bad:
        errors.update({k or "_form": v for k, v in bad.errors.items()})

    def link(path: str = "", **changes: str) -> str:
        return f"{SUMMARY if summary else QUERY}{path}?{urlencode({k: v for k, v in {**args, **changes}.items() if v})}"
    return await workbench_page(
        request, "workbench/declaration_summary.html" if summary else "workbench/declaration_query.html",
        status=refused.status if refused else 400 if errors else 200, items=found.items,
        next_cursor=found.next_cursor, args=args, errors=errors,
        link=link, qs=urlencode(args), base=QUERY, statuses=list(DeclarationStatus), kinds=list(DeclarationKind),
        prints=PRINTS, print_link=print_link, approved=DeclarationStatus.APPROVED, draft_like=EDITABLE,
        results=results or [], may_import=member.decision.allows(L.IMPORT),
        done=DONE.get(request.args.get("done", ""), ""))


@requires(L.QUERY)
async def query_page(request: Request) -> HTTPResponse:
    return await _list(request)


@requires(L.QUERY)
async def summary_page(request: Request) -> HTTPResponse:
    return await _list(request, summary=True)


@requires(L.QUERY)
async def submit_selected(request: Request) -> HTTPResponse:
    async def change(member: Member, body: DeclarationSelectionBody) -> HTTPResponse:
        results = await Q.submit_selected(request.app.ctx.services, member, body.ids)
        return await _list(request, results=results)

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _list(request, refused=refused)

    return await form_action(request, current_member, DeclarationSelectionBody, change, again)


@requires(L.QUERY)
async def declare(request: Request, declaration_id: int) -> HTTPResponse:
    async def change(member: Member, body: Any) -> HTTPResponse:
        await E.declare_declaration(request.app.ctx.services, member, declaration_id)
        return see_other(f"{QUERY}?done=declared")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _list(request, refused=Refused({"_form": next(iter(refused.errors.values()))},
                                                    status=refused.status))

    return await form_action(request, current_member, DeclarationSelectionBody, change, again,
                             catch=(*REFUSALS, SingleWindowError))


@requires(L.QUERY)
async def export(request: Request) -> HTTPResponse:
    member = await current_member(request)
    flt = Q.QueryFilter.from_args(read_query(request, DeclarationQueryFilter).filter_args())
    services = request.app.ctx.services
    if await Q.count_declarations(member, flt, services.tz) > DIRECT_LIMIT:
        return see_other(f"{EXPORTS}/{await start_declaration_export(services, member, flt)}")
    folder = exports_folder(request.app.ctx.settings.web.upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"declarations-direct-{secrets.token_hex(8)}.xlsx"
    try:
        await Q.export_declarations(member, flt, path, services)
        body = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    return raw(body, content_type=XLSX, headers={
        "content-disposition": f"attachment; filename*=UTF-8''{quote('报关数据.xlsx')}"})


@requires(L.QUERY)
async def export_progress(request: Request, token: str) -> HTTPResponse:
    member = await current_member(request)
    view = await enterprise_export_view(request.app.ctx.services, member.membership, token, DECLARATION_EXPORT)
    return await workbench_page(request, "workbench/library_export.html", job=view, base=QUERY,
                                again=urlencode(view.filter_args), back_label="返回报关数据查询")


@requires(L.QUERY)
async def export_file(request: Request, token: str) -> HTTPResponse:
    member = await current_member(request)
    found = await enterprise_export_file(request.app.ctx.services, member.membership, token,
                                         exports_folder(request.app.ctx.settings.web.upload_dir), DECLARATION_EXPORT)
    if found is None:
        return see_other(f"{EXPORTS}/{token}")
    return await file(found[0], mime_type=XLSX, filename=found[1])


async def _imports(request: Request, refused: Refused | None = None, notice: str = "") -> HTTPResponse:
    member = await current_member(request)
    return await workbench_page(request, "workbench/declaration_import.html", base=QUERY,
                                status=refused.status if refused else 200,
                                errors=refused.beside(["file"]) if refused else {},
                                imports=await I.list_imports(member), notice=notice)


@requires(L.IMPORT)
async def import_page(request: Request) -> HTTPResponse:
    return await _imports(request)


@requires(L.IMPORT)
async def template(request: Request) -> HTTPResponse:
    return raw(await import_template(), content_type=XLSX, headers={
        "content-disposition": f"attachment; filename*=UTF-8''{quote('报关单导入模板.xlsx')}"})


@requires(L.IMPORT)
async def upload(request: Request) -> HTTPResponse:
    async def change(member: Member, body: DeclarationImportBody) -> HTTPResponse:
        chosen = request.files.get("file") if request.files else None
        services = request.app.ctx.services
        record, new = await I.start_import(services, member, chosen.name if chosen else "",
                                           chosen.body if chosen else b"",
                                           exports_folder(request.app.ctx.settings.web.upload_dir))
        return see_other(IMPORT) if new else await _imports(request, notice=I.same_file_message(record, services))

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        return await _imports(request, refused)

    return await form_action(request, current_member, DeclarationImportBody, change, again)


@requires(L.IMPORT)
async def import_errors(request: Request, import_id: int) -> HTTPResponse:
    found = await I.error_workbook(await current_member(request), import_id,
                                   exports_folder(request.app.ctx.settings.web.upload_dir))
    if found is None:
        return see_other(IMPORT)
    return await file(found[0], mime_type=XLSX, filename=found[1])


def query_blueprint() -> Blueprint:
    bp = Blueprint("workbench_declaration_query")
    bp.add_route(query_page, QUERY, methods=["GET"])
    bp.add_route(summary_page, SUMMARY, methods=["GET"])
    bp.add_route(submit_selected, f"{QUERY}/submit", methods=["POST"])
    bp.add_route(declare, f"{QUERY}/<declaration_id:int>/declare", methods=["POST"])
    bp.add_route(export, f"{QUERY}/export", methods=["GET"])
    bp.add_route(export_progress, f"{EXPORTS}/<token:str>", methods=["GET"])
    bp.add_route(export_file, f"{EXPORTS}/<token:str>/file", methods=["GET"])
    bp.add_route(import_page, IMPORT, methods=["GET"])
    bp.add_route(template, f"{IMPORT}/template", methods=["GET"])
    bp.add_route(upload, IMPORT, methods=["POST"])
    bp.add_route(import_errors, f"{IMPORT}/<import_id:int>/errors", methods=["GET"])
    return bp
