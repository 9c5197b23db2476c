"""报关单 → 报关单录入 (/workbench/declarations/entry): the list in four groups (需处理 / 被退回 / 已申报 / 已删除), a
new declaration of a chosen kind (the person's form preferences filled in), the form of head, items, containers
and attached documents (暂存 at any time, 提交审核 with every refusal beside its field), copy, delete, withdraw,
and the reviewer's two buttons (审核通过 / 审核退回; the review screens come later)."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.declarations.bodies import (
    DeclarationReturnBody,
    DeclarationsQuery,
    DeclarationVersionBody,
    EntryPageBody,
    page_rows,
)
from handlers.declarations.printing import print_url
from handlers.kit.bodies import read_body, read_query, typed_values
from handlers.kit.forms import NOTHING_REFUSED, REFUSALS, Refused, form_action
from handlers.kit.permissions import current_member, requires
from handlers.kit.render import see_other
from handlers.workspace.shell import workbench_page
from models.declaration_lifecycle import EDITABLE, DeclarationGroup
from models.errors import ValidationFailed
from services.declarations import entry as E
from services.declarations import labels as L
from services.declarations import review as R
from services.declarations.codes import code_names
from services.declarations.defaults import entry_defaults
from services.declarations.fields import HEAD_FIELDS, PARTS, DeclarationForm, form_text, parse_form
from services.declarations.marks import red_marks
from services.declarations.printing import RELEASED, PrintDocument
from services.declarations.single_window import SingleWindowError
from services.kit.records import Declaration, DeclarationKind
from services.workspace.roles import Member

ENTRY = "/workbench/declarations/entry"
IMPLEMENTED = frozenset({ENTRY})
DONE = {"saved": L.DONE_SAVED, "submitted": L.DONE_SUBMITTED, "copied": L.DONE_COPIED, "deleted": L.DONE_DELETED,
        "withdrawn": L.DONE_WITHDRAWN, "approved": L.DONE_APPROVED, "returned": L.DONE_RETURNED,
        "generated": L.DONE_GENERATED, "declared": L.DONE_DECLARED}


def _kind(text: str) -> DeclarationKind:
    try:
        return DeclarationKind(text)
    except ValueError:
        raise ValidationFailed(L.MSG_UNKNOWN_KIND, field="kind") from None


def _form(body: Any) -> DeclarationForm:
    return parse_form(*page_rows(body.model_dump()))


async def _form_page(request: Request, member: Member, kind: DeclarationKind, *, view: E.DeclarationView | None = None,
                     typed: tuple[dict[str, Any], dict[str, Any]] | None = None,
                     refused: Refused = NOTHING_REFUSED, hints: dict[str, str] | None = None) -> HTTPResponse:
    defaults = await entry_defaults(member)
    form = view.form if view else defaults.new_form()
    head, parts = typed or form_text(form)
    declaration = view.declaration if view else None
    editable = declaration is None or (declaration.status in EDITABLE
                                       and declaration.owner_id == member.membership.person_id)
    return await workbench_page(
        request, "workbench/declaration_form.html", status=refused.status, kind=kind, declaration=declaration,
        head=head, parts=parts, errors=refused.beside(), specs=HEAD_FIELDS, part_specs=PARTS, defaults=defaults,
        hints=hints if hints is not None else (view.hints if view else {}), events=view.events if view else [],
        names=await code_names(_typed_codes(head, parts)), editable=editable,
        may_review=member.decision.allows(L.REVIEW), base=ENTRY, done=DONE.get(request.args.get("done", ""), ""),
        red=await red_marks(view.declaration, view.form) if view else {},
        prints=_prints(member, declaration),
        may_declare=declaration is not None and E.may_declare(member, declaration))


def _prints(member: Member, declaration: Declaration | None) -> list[tuple[str, str, str]]:
    """The print buttons of a stored declaration: (id, label, url); the notice once released."""
    if declaration is None or not member.decision.allows(L.PRINT):
        return []
    shown = [PrintDocument.DECLARATION] + ([PrintDocument.NOTICE] if declaration.status in RELEASED else [])
    return [(f"print-{d.value}", L.PRINT_BUTTONS[d.value], print_url(declaration.id, d)) for d in shown]


def _typed_codes(head: dict[str, Any], parts: dict[str, Any]) -> list[tuple[str, str]]:
    """(table, code) of every code field shown, for the names beside them."""
    rows = [(HEAD_FIELDS, head)] + [(specs, row) for name, specs in PARTS.items() for row in parts[name]]
    return [(spec.table, str(values.get(spec.key, ""))) for specs, values in rows for spec in specs if spec.table]


def _typed(request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """What was typed, as rows (a blank row dropped, as the service drops it), to show the form again."""
    head, parts = page_rows(typed_values(request, EntryPageBody))
    for item in parts["items"]:
        item["elements"] = item.get("model_spec", "").split("|")
    return head, parts


def entry_blueprint() -> Blueprint:
    bp = Blueprint("workbench_declarations")
    bp.add_route(entry_list, ENTRY, methods=["GET"])
    bp.add_route(new_form, f"{ENTRY}/new", methods=["GET"])
    bp.add_route(create, f"{ENTRY}/new", methods=["POST"])
    bp.add_route(edit_form, f"{ENTRY}/<declaration_id:int>", methods=["GET"])
    bp.add_route(save, f"{ENTRY}/<declaration_id:int>", methods=["POST"])
    for name, handler in (("copy", copy), ("delete", delete), ("withdraw", withdraw), ("approve", approve),
                          ("return", send_back), ("declare", declare)):
        bp.add_route(handler, f"{ENTRY}/<declaration_id:int>/{name}", methods=["POST"], name=f"declaration_{name}")
    return bp


@requires(L.ENTRY)
async def entry_list(request: Request) -> HTTPResponse:
    q = read_query(request, DeclarationsQuery)
    found = await E.list_declarations(await current_member(request), q.group, cursor=q.cursor, limit=q.limit)
    return await workbench_page(request, "workbench/declarations.html", page=found, group=q.group,
                                groups=list(DeclarationGroup), kinds=list(DeclarationKind), base=ENTRY,
                                done=DONE.get(request.args.get("done", ""), ""))


@requires(L.ENTRY)
async def new_form(request: Request) -> HTTPResponse:
    return await _form_page(request, await current_member(request), _kind(request.args.get("kind", "export")))


@requires(L.ENTRY)
async def create(request: Request) -> HTTPResponse:
    async def change(member: Member, body: Any) -> HTTPResponse:
        made = await E.create_draft(request.app.ctx.services, member, _kind(body.kind), _form(body))
        return see_other(f"{ENTRY}/{made.id}?done=saved")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        kind = _kind(str(refused.values.get("kind") or "export"))
        return await _form_page(request, member, kind, typed=_typed(request), refused=refused)

    return await form_action(request, current_member, EntryPageBody, change, again)


@requires(L.ENTRY)
async def edit_form(request: Request, declaration_id: int) -> HTTPResponse:
    member = await current_member(request)
    view = await E.get_declaration(member, declaration_id)
    return await _form_page(request, member, view.declaration.kind, view=view)


@requires(L.ENTRY)
async def save(request: Request, declaration_id: int) -> HTTPResponse:
    async def change(member: Member, body: Any) -> HTTPResponse:
        use_case = E.submit_declaration if body.op == "submit" else E.save_draft
        await use_case(request.app.ctx.services, member, declaration_id, body.version or 0, _form(body))
        return see_other(f"{ENTRY}/{declaration_id}?done={'submitted' if body.op == 'submit' else 'saved'}")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        view = await E.get_declaration(member, declaration_id)
        typed = _typed(request)
        try:
            hints = await E.hints_for(member, parse_form(*typed))
        except ValidationFailed:
            hints = {}
        return await _form_page(request, member, view.declaration.kind, view=view, typed=typed, refused=refused,
                                hints=hints)

    return await form_action(request, current_member, EntryPageBody, change, again)


async def _act(request: Request, declaration_id: int, use_case: Any) -> None:
    body = read_body(request, DeclarationVersionBody)
    await use_case(request.app.ctx.services, await current_member(request), declaration_id, body.version)


@requires(L.ENTRY)
async def copy(request: Request, declaration_id: int) -> HTTPResponse:
    made = await E.copy_declaration(request.app.ctx.services, await current_member(request), declaration_id)
    return see_other(f"{ENTRY}/{made.id}?done=copied")


@requires(L.ENTRY)
async def delete(request: Request, declaration_id: int) -> HTTPResponse:
    await _act(request, declaration_id, E.delete_declaration)
    return see_other(f"{ENTRY}?group=deleted&done=deleted")


@requires(L.ENTRY)
async def withdraw(request: Request, declaration_id: int) -> HTTPResponse:
    await _act(request, declaration_id, E.withdraw_declaration)
    return see_other(f"{ENTRY}/{declaration_id}?done=withdrawn")


@requires(L.REVIEW)
async def approve(request: Request, declaration_id: int) -> HTTPResponse:
    await _act(request, declaration_id, R.approve)  # the review's rule: refused while a field is marked red
    return see_other(f"{ENTRY}/{declaration_id}?done=approved")


@requires(L.REVIEW)
async def send_back(request: Request, declaration_id: int) -> HTTPResponse:
    async def change(member: Member, body: DeclarationReturnBody) -> HTTPResponse:
        await E.return_declaration(request.app.ctx.services, member, declaration_id, body.reason, body.version)
        return see_other(f"{ENTRY}/{declaration_id}?done=returned")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        view = await E.get_declaration(member, declaration_id)
        return await _form_page(request, member, view.declaration.kind, view=view, refused=refused)

    return await form_action(request, current_member, DeclarationReturnBody, change, again)


@requires(L.ENTRY)
async def declare(request: Request, declaration_id: int) -> HTTPResponse:
    """申报 from the form of an approved declaration: sent through the single window; a failure (the single window
    down, …) shown beside the button, the declaration still approved."""
    async def change(member: Member, body: DeclarationVersionBody) -> HTTPResponse:
        await E.declare_declaration(request.app.ctx.services, member, declaration_id, body.version)
        return see_other(f"{ENTRY}/{declaration_id}?done=declared")

    async def again(member: Member, refused: Refused) -> HTTPResponse:
        view = await E.get_declaration(member, declaration_id)
        return await _form_page(request, member, view.declaration.kind, view=view,
                                refused=Refused({"declare": refused.first[1]}, status=refused.status))

    return await form_action(request, current_member, DeclarationVersionBody, change, again,
                             catch=(*REFUSALS, SingleWindowError))
