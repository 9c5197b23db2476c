"""报关单 → 异常处理 (/workbench/declarations/exceptions, ``exception:edit``): 报关单异常 and 核注清单异常 — the list
with the manual's filters, 新增 and 修改 (every refusal beside its field, what was typed kept, one image as 附件),
变更状态 and 删除 of the checked rows, 导出 of every filtered row (streamed .xlsx) — and the 报关差错率 tab (charts
and a table by month, 责任岗位 and 责任人)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from markupsafe import Markup
from sanic import Blueprint, Request
from sanic.request import RequestParameters
from sanic.response import HTTPResponse, file

from handlers.declarations.bodies import (
    ErrorRateQuery,
    ExceptionBody,
    ExceptionCreateBody,
    ExceptionIdsBody,
    ExceptionQuery,
    ExceptionUpdateBody,
)
from handlers.kit.bodies import form_values, read_query, typed_values, validated
from handlers.kit.charts import bar_chart
from handlers.kit.forms import NOTHING_REFUSED, Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import see_other
from handlers.kit.uploads import uploaded_image
from handlers.workspace.shell import workbench_page
from models.errors import ValidationFailed
from services.declarations import exceptions as X
from services.declarations import labels as L
from services.declarations.error_rate import ErrorRate, error_rate, period
from services.declarations.exception_form import ExceptionFilter, ExceptionForm, check_exception
from services.jobs.exports import exports_folder
from services.kit.images import CheckedImage
from services.kit.records import ExceptionKind, ExceptionStatus
from services.workspace.roles import Member

EXCEPTIONS = "/workbench/declarations/exceptions"
IMPLEMENTED = frozenset({EXCEPTIONS})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABELS = {"kinds": L.KIND_LABELS, "types": L.TYPE_LABELS, "statuses": L.EXCEPTION_STATUS_LABELS, "ie": L.IE_LABELS,
          "fields": L.EXCEPTION_FIELDS, "number_labels": L.NUMBER_LABELS}
DONE = {"saved": L.DONE_EXCEPTION_SAVED, "status": L.DONE_EXCEPTION_STATUS}


def exception_kind(text: str) -> ExceptionKind:
    try:
        return ExceptionKind(text)
    except ValueError:
        raise ValidationFailed(L.MSG_CHOOSE.format(label=L.EXCEPTION_FIELDS["kind"]), field="kind") from None


async def checked_input(request: Request, kind: ExceptionKind, body: ExceptionBody,
                        kept_number: str = "") -> tuple[ExceptionForm, CheckedImage | None]:
    """The form and its 附件, every refusal of both at once."""
    errors: dict[str, str] = {}
    image = None
    try:
        image = await uploaded_image(request, name="attachment")
    except ValidationFailed as refused:
        errors.update(refused.errors)
    try:
        form = check_exception(kind, body.model_dump(), X.today(request.app.ctx.services), kept_number=kept_number)
    except ValidationFailed as refused:
        errors = {**refused.errors, **errors}
    if errors:
        raise ValidationFailed.of(errors)
    return form, image


async def _list(request: Request, *, status: int = 200, errors: dict[str, str] | None = None,
                source: RequestParameters | None = None) -> HTTPResponse:
    member = await current_member(request)
    q = validated(ExceptionQuery, form_values(ExceptionQuery, source if source is not None else request.args))
    args = q.filter_args()
    errors = dict(errors or {})
    found, kind = X.ExceptionPage([], None, 0), ExceptionKind.DECLARATION
    try:
        flt = ExceptionFilter.from_args(args)
        kind = flt.kind
        found = await X.list_exceptions(member, flt, cursor=q.cursor, limit=q.limit)
    except ValidationFailed as refused:
        errors.update(refused.errors)
        status = 400

    def link(path: str = "", **changes: str) -> str:
        return f"{EXCEPTIONS}{path}?{urlencode({k: v for k, v in {**args, **changes}.items() if v})}"
    return await workbench_page(request, "workbench/declaration_exceptions.html", status=status, page=found,
                                kind=kind, args=args, errors=errors, link=link, base=EXCEPTIONS, tab=kind.value,
                                back=link(), done=_done(request), **LABELS)


def _done(request: Request) -> str:
    done = request.args.get("done", "")
    if done == "deleted":
        return L.DONE_EXCEPTIONS_DELETED.format(count=request.args.get("count", "0"))
    return DONE.get(done, "")


async def _form(request: Request, member: Member, kind: ExceptionKind, *, row: Any = None,
                values: dict[str, Any] | None = None, refused: Refused = NOTHING_REFUSED) -> HTTPResponse:
    if values is None:
        stored = {key: getattr(row, key) for key in ExceptionBody.model_fields} if row else {"status": "pending"}
        values = {key: _shown(stored.get(key)) for key in ExceptionBody.model_fields}
    return await workbench_page(request, "workbench/declaration_exception_form.html", status=refused.status,
                                kind=kind, row=row, values=values, errors=refused.beside(), base=EXCEPTIONS,
                                done=_done(request), **LABELS)


def _shown(value: Any) -> Any:
    """A stored value as the form shows it: an enum's value, a day's ISO text, nothing as ""."""
    if value is None:
        return ""
    return getattr(value, "value", value) if not isinstance(value, bool) else value


@requires(L.EXCEPTION_EDIT)
async def exception_list(request: Request) -> HTTPResponse:
    return await _list(request)


@requires(L.EXCEPTION_EDIT)
async def new_form(request: Request) -> HTTPResponse:
    return await _form(request, await current_member(request), exception_kind(request.args.get("kind", "declaration")))


@requires(L.EXCEPTION_EDIT)
async def create(request: Request) -> HTTPResponse:
    async def change(member: Member, body: ExceptionCreateBody) -> HTTPResponse:
        kind = exception_kind(body.kind)
        form, image = await checked_input(request, kind, body)
        made = await X.add_exception(request.app.ctx.services, member, kind, form, attachment=image,
                                     storage=request.app.ctx.storage)
        return see_other(f"{EXCEPTIONS}/{made.id}?done=saved")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        values = typed_values(request, ExceptionCreateBody)
        return await _form(request, member, exception_kind(str(values.get("kind") or "declaration")), values=values,
                           refused=refused)

    return await form_action(request, current_member, ExceptionCreateBody, change, again)


@requires(L.EXCEPTION_EDIT)
async def edit_form(request: Request, exception_id: int) -> HTTPResponse:
    member = await current_member(request)
    row = await X.get_exception(member, exception_id)
    return await _form(request, member, row.kind, row=row)


@requires(L.EXCEPTION_EDIT)
async def save(request: Request, exception_id: int) -> HTTPResponse:
    async def change(member: Member, body: ExceptionUpdateBody) -> HTTPResponse:
        row = await X.get_exception(member, exception_id)
        form, image = await checked_input(request, row.kind, body, row.number)
        await X.edit_exception(request.app.ctx.services, member, exception_id, body.version, form, attachment=image,
                               storage=request.app.ctx.storage, drop_attachment=body.drop_attachment)
        return see_other(f"{EXCEPTIONS}/{exception_id}?done=saved")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        row = await X.get_exception(member, exception_id)
        return await _form(request, member, row.kind, row=row, values=typed_values(request, ExceptionUpdateBody),
                           refused=refused)

    return await form_action(request, current_member, ExceptionUpdateBody, change, again)


def _back(request: Request) -> str:
    back = str(request.form.get("back", "")) if request.form else ""
    return back if back.startswith(EXCEPTIONS) and "//" not in back else EXCEPTIONS


def _with_done(url: str, **done: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(done)}"


@requires(L.EXCEPTION_EDIT)
async def change_status(request: Request) -> HTTPResponse:
    async def change(member: Member, body: ExceptionIdsBody) -> HTTPResponse:
        if len(body.ids) != 1:
            raise ValidationFailed(L.MSG_SELECT_ONE if body.ids else L.MSG_SELECT_ROWS, field="ids")
        status = exception_status(body.status)
        await X.change_status(request.app.ctx.services, member, body.ids[0], status)
        return see_other(_with_done(_back(request), done="status"))

    return await form_action(request, current_member, ExceptionIdsBody, change, _refused_list(request))


def exception_status(text: str) -> ExceptionStatus:
    try:
        return ExceptionStatus(text)
    except ValueError:
        raise ValidationFailed(L.MSG_CHOOSE.format(label=L.EXCEPTION_FIELDS["status"]), field="status") from None


def _refused_list(request: Request) -> Any:
    """The list again, as it was filtered when the buttons were pressed, with the refusal beside them."""
    async def again(member: Member, refused: Refused) -> HTTPResponse:
        source = RequestParameters(parse_qs(urlsplit(_back(request)).query))
        return await _list(request, status=refused.status, errors=refused.beside(("ids", "status")), source=source)
    return again


@requires(L.EXCEPTION_EDIT)
async def delete_selected(request: Request) -> HTTPResponse:
    async def change(member: Member, body: ExceptionIdsBody) -> HTTPResponse:
        count = await X.delete_exceptions(member, body.ids, request.app.ctx.storage)
        return see_other(_with_done(_back(request), done="deleted", count=str(count)))

    return await form_action(request, current_member, ExceptionIdsBody, change, _refused_list(request))


@requires(L.EXCEPTION_EDIT)
async def export(request: Request) -> HTTPResponse:
    member = await current_member(request)
    flt = ExceptionFilter.from_args(read_query(request, ExceptionQuery).filter_args())
    folder = exports_folder(request.app.ctx.settings.web.upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"exceptions-{secrets.token_hex(8)}.xlsx"
    try:
        await X.export_exceptions(request.app.ctx.services, member, flt, path)
        name = quote(f"{L.KIND_LABELS[flt.kind.value]}.xlsx")
        response = await request.respond(content_type=XLSX, headers={
            "content-disposition": f"attachment; filename*=UTF-8''{name}"})
        with path.open("rb") as stream:
            while chunk := stream.read(64 * 1024):
                await response.send(chunk)
        await response.eof()
    finally:
        path.unlink(missing_ok=True)
    return response


@requires(L.EXCEPTION_EDIT)
async def attachment(request: Request, exception_id: int) -> HTTPResponse:
    row, path = await X.attachment_file(await current_member(request), exception_id, request.app.ctx.storage)
    return await file(path, mime_type=row.attachment_type, filename=row.attachment_name,
                      headers={"cache-control": "private, max-age=3600"})


def rate_charts(rate: ErrorRate) -> list[Markup]:
    """The rate by month, post and person as bar charts (percentages; the SVG is built from escaped text)."""
    return [Markup(bar_chart(title, [(line.label, float(line.percent)) for line in lines]))
            for title, lines in ((L.RATE_BY_MONTH, rate.months), (L.RATE_BY_POST, rate.posts),
                                 (L.RATE_BY_PERSON, rate.people))]


@requires(L.EXCEPTION_EDIT)
async def rate_page(request: Request) -> HTTPResponse:
    q = read_query(request, ErrorRateQuery)
    services, errors, rate = request.app.ctx.services, {}, None
    try:
        first, end = period(services, q.date_from, q.date_to)
        rate = await error_rate(services, await current_member(request), first, end)
    except ValidationFailed as refused:
        errors = refused.errors
    return await workbench_page(request, "workbench/declaration_error_rate.html", status=400 if errors else 200,
                                rate=rate, charts=rate_charts(rate) if rate else [], errors=errors,
                                args={"from": q.date_from, "to": q.date_to}, base=EXCEPTIONS, tab="rate", **LABELS)


def exceptions_blueprint() -> Blueprint:
    bp = Blueprint("workbench_declaration_exceptions")
    bp.add_route(exception_list, EXCEPTIONS, methods=["GET"])
    bp.add_route(new_form, f"{EXCEPTIONS}/new", methods=["GET"])
    bp.add_route(create, f"{EXCEPTIONS}/new", methods=["POST"])
    bp.add_route(change_status, f"{EXCEPTIONS}/status", methods=["POST"])
    bp.add_route(delete_selected, f"{EXCEPTIONS}/delete", methods=["POST"])
    bp.add_route(export, f"{EXCEPTIONS}/export", methods=["GET"])
    bp.add_route(rate_page, f"{EXCEPTIONS}/rate", methods=["GET"])
    bp.add_route(edit_form, f"{EXCEPTIONS}/<exception_id:int>", methods=["GET"])
    bp.add_route(save, f"{EXCEPTIONS}/<exception_id:int>", methods=["POST"])
    bp.add_route(attachment, f"{EXCEPTIONS}/<exception_id:int>/attachment", methods=["GET"])
    return bp
