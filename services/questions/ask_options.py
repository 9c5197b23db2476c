"""The ask form (我要提问) for the signed-in user: what it offers, asking in one step, and editing again.

``ask_options`` lists what the form offers (accepting units ordered by config, the office tree under the
chosen one, types, categories, prefilled contact, executives when review is required) and, instead of the
form, the lifecycle's reason when this user cannot ask now. ``ask_question`` is the form's one submission:
create, attach the image, submit, in one transaction. ``edit_view`` / ``save_edit`` serve the same form for
modify-and-resubmit and for the reviewing executive's edit; which of the two is decided by the transition table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters.file_storage import FileStorage
from core.db import connection
from models.catalog import BusinessCategory, QuestionType
from models.errors import DomainError, IllegalTransition, ValidationFailed
from models.lifecycle import Action, Actor, Command, QuestionState, Status, allowed_actions, decide, refusal
from models.lifecycle import review_required as lifecycle_review_required
from models.offices import CustomsOffice
from models.questions import Attachment, Question
from services.kit.access import access_membership, access_question_for_person, active_executives, under_office
from services.kit.actors import PersonActor
from services.kit.context import ServiceContext
from services.kit.images import CheckedImage
from services.questions.asking import create_in, edit_in, edit_question, person_ref, person_transaction
from services.questions.attachments import ImageUpload
from services.questions.exec_review import exec_edit_question
from services.questions.form import QuestionForm, check_question_form
from services.questions.state import question_state, state_of
from services.questions.transitions import transition


@dataclass(frozen=True)
class Choice:
    """One option of a select or checkbox group; ``depth`` indents an office under its parent."""

    id: int
    name: str
    depth: int = 0


@dataclass(frozen=True)
class AskOptions:
    enterprise_name: str  # read-only on the form
    contact_name: str  # prefilled from the person, editable
    contact_phone: str
    accepting_offices: tuple[Choice, ...]
    accepting_office_id: int | None  # the chosen (or only) accepting unit
    offices: tuple[Choice, ...]  # 受理海关/部门: the chosen unit and everything under it, depth-first
    types: tuple[Choice, ...]
    categories: tuple[Choice, ...]
    review_required: bool  # the enterprise requires review and the user is not an executive
    executives: tuple[Choice, ...]  # whom to send it to when review is required
    refusal: str = ""  # not empty: the user cannot ask now; the lifecycle's reason


class EditMode(StrEnum):
    RESUBMIT = "resubmit"  # the asker changes and sends again (draft, withdrawn, returned, needs modification)
    EXEC_EDIT = "exec_edit"  # the reviewing executive changes it during review


@dataclass(frozen=True)
class EditView:
    question: Question
    form: QuestionForm
    mode: EditMode
    image_name: str  # the current round's image, "" if none
    options: AskOptions


async def ask_options(ctx: ServiceContext, actor: PersonActor, enterprise_id: int, accepting_codes: Iterable[str],
                      accepting_office_id: int | None = None) -> AskOptions:
    """The form's choices for a member of ``enterprise_id``; NotFound for anyone else."""
    conn = connection()
    membership = await access_membership(actor.person_id, enterprise_id, conn)
    by = person_ref(membership).actor
    accepting = await accepting_offices(conn, accepting_codes)
    chosen = next((o for o in accepting if o.id == accepting_office_id), accepting[0] if accepting else None)
    found = await executives(conn, enterprise_id)
    state = state_of(membership.enterprise, tuple(e.id for e in found), status=None)
    required = lifecycle_review_required(state, by)
    return AskOptions(
        enterprise_name=membership.enterprise.name, contact_name=membership.person.name,
        contact_phone=membership.person.phone, accepting_offices=tuple(Choice(o.id, o.name) for o in accepting),
        accepting_office_id=chosen.id if chosen else None,
        offices=await office_tree(conn, chosen) if chosen else (),
        types=tuple(Choice(t.id, t.name) for t in await QuestionType.filter(active=True).using_db(conn)),
        categories=tuple(Choice(c.id, c.name) for c in await BusinessCategory.filter(active=True).using_db(conn)),
        review_required=required, executives=found if required else (),
        refusal=_refusal(ctx, state, by),
    )


def _refusal(ctx: ServiceContext, state: QuestionState, by: Actor) -> str:
    """Why this user cannot ask now: the table's refusal of a new question, or of sending it on for review
    (no executive to send it to — the reason says who can fix it); "" when nothing stands in the way."""
    try:
        decide(state, Command(Action.CREATE), by, ctx.policy, ctx.now())
        decide(replace(state, status=Status.DRAFT, creator_id=by.person_id), Command(Action.SUBMIT), by,
               ctx.policy, ctx.now())
    except ValidationFailed:
        return ""  # a choice the form asks for (which executive): not a reason to refuse the form
    except DomainError as refused:
        return refused.message
    return ""


async def ask_refusal(ctx: ServiceContext, actor: PersonActor, enterprise_id: int) -> str:
    """Why this member cannot ask a question now ("" if they can): for the home page's notice."""
    conn = connection()
    membership = await access_membership(actor.person_id, enterprise_id, conn)
    executive_ids = tuple(m.person_id for m in await active_executives(conn, enterprise_id))
    return _refusal(ctx, state_of(membership.enterprise, executive_ids, status=None), person_ref(membership).actor)


async def accepting_offices(conn: BaseDBAsyncClient, codes: Iterable[str]) -> list[CustomsOffice]:
    """Offices that accept questions, in the order of ``district.accepting_office_codes`` (and only those)."""
    order = {code: i for i, code in enumerate(codes)}
    found = await CustomsOffice.filter(accepts_questions=True, active=True).using_db(conn)
    if order:
        found = [o for o in found if o.code in order]
    return sorted(found, key=lambda o: (order.get(o.code, len(order)), o.code))


async def office_tree(conn: BaseDBAsyncClient, root: CustomsOffice) -> tuple[Choice, ...]:
    offices = await CustomsOffice.filter(under_office(root), active=True).using_db(conn).order_by("path")
    base = root.path.count("/")
    return tuple(Choice(o.id, o.name, o.path.count("/") - base) for o in offices)


async def executives(conn: BaseDBAsyncClient, enterprise_id: int) -> tuple[Choice, ...]:
    members = await active_executives(conn, enterprise_id)
    return tuple(Choice(m.person_id, m.name) for m in members)


async def ask_question(ctx: ServiceContext, actor: PersonActor, enterprise_id: int, form: QuestionForm, *,
                       executive_id: int | None = None, image: CheckedImage | None = None,
                       storage: FileStorage | None = None, submit: bool = True) -> Question:
    """The ask form's submission: a new question with its image, submitted (or kept as a draft).

    One transaction: a refusal at any step (the reviewer's choice, a race) leaves nothing behind, not even
    the image's file. Precondition: ``image`` has passed ``check_image`` and ``storage`` is given with it.
    """
    form = check_question_form(form)
    async with ImageUpload(storage, image) as upload, in_transaction() as conn:
        question, by = await create_in(ctx, conn, actor, enterprise_id, form)
        await upload.attach(ctx, conn, question, by)
        if submit:
            await transition(ctx, conn, question, by, Command(Action.SUBMIT, executive_id=executive_id))
    return question


async def asked_question(actor: PersonActor, question_id: int) -> Question:
    """A question of the user's enterprise (for the done page); NotFound otherwise."""
    question, _ = await access_question_for_person(actor.person_id, question_id, connection())
    return question


def edit_mode(ctx: ServiceContext, state: QuestionState, by: Actor) -> EditMode:
    """How this user may change the question now; otherwise the transition table's reason is raised."""
    allowed = allowed_actions(state, by, ctx.policy, ctx.now())
    if Action.EXEC_EDIT in allowed:
        return EditMode.EXEC_EDIT
    if Action.EDIT in allowed and Action.SUBMIT in allowed:
        return EditMode.RESUBMIT
    for action in (Action.EDIT, Action.SUBMIT):
        decide(state, Command(action), by, ctx.policy, ctx.now())  # raises the reason
    raise IllegalTransition(refusal(state.status, Action.EDIT))


async def _mode_of(ctx: ServiceContext, actor: PersonActor, question_id: int) -> tuple[Question, EditMode]:
    conn = connection()
    question, membership = await access_question_for_person(actor.person_id, question_id, conn)
    return question, edit_mode(ctx, await question_state(question, conn), person_ref(membership).actor)


async def edit_view(ctx: ServiceContext, actor: PersonActor, question_id: int,
                    accepting_codes: Iterable[str]) -> EditView:
    """The form prefilled with the question, if the user may change it now (else the lifecycle's reason)."""
    question, mode = await _mode_of(ctx, actor, question_id)
    conn = connection()
    # cast: tortoise types values_list(flat=True) as a list of row tuples; it returns the bare values
    type_ids = cast(list[int], await question.types.all().using_db(conn).values_list("id", flat=True))
    image = await Attachment.filter(question_id=question.id, round=question.round).using_db(conn).first()
    form = QuestionForm(
        accepting_office_id=question.accepting_office_id, title=question.title,
        type_ids=tuple(int(i) for i in type_ids), contact_name=question.contact_name,
        contact_phone=question.contact_phone, description=question.description, office_id=question.office_id,
        business_category_id=question.business_category_id, remarks=question.remarks,
        allow_publication=question.allow_publication,
    )
    options = await ask_options(ctx, actor, question.enterprise_id, accepting_codes, question.accepting_office_id)
    options = replace(options, refusal="")  # the edit mode has decided: this user may change it
    if mode is EditMode.EXEC_EDIT:
        options = replace(options, review_required=False, executives=())
    return EditView(question, form, mode, image.filename if image else "", options)


async def save_edit(ctx: ServiceContext, actor: PersonActor, question_id: int, form: QuestionForm, *,
                    executive_id: int | None = None, image: CheckedImage | None = None,
                    storage: FileStorage | None = None) -> tuple[Question, EditMode]:
    """The edit form's submission, in one transaction: modify (with the image) and resubmit, or the executive's
    edit (the image stays as it is)."""
    form = check_question_form(form)
    async with ImageUpload(storage, image) as upload, person_transaction(actor, question_id) as (conn, question, by):
        mode = edit_mode(ctx, await question_state(question, conn), by.actor)
        if mode is EditMode.EXEC_EDIT:
            await edit_in(ctx, conn, question, by, form, Action.EXEC_EDIT)
            return question, mode
        await upload.attach(ctx, conn, question, by)
        await edit_in(ctx, conn, question, by, form)
        await transition(ctx, conn, question, by, Command(Action.SUBMIT, executive_id=executive_id))
        return question, mode


async def edit_asked_question(ctx: ServiceContext, actor: PersonActor, question_id: int,
                              form: QuestionForm) -> Question:
    """The API's PUT: EXEC_EDIT for the executive reviewing it, else the asker's EDIT (status unchanged)."""
    conn = connection()
    question, membership = await access_question_for_person(actor.person_id, question_id, conn)
    state = await question_state(question, conn)
    if Action.EXEC_EDIT in allowed_actions(state, person_ref(membership).actor, ctx.policy, ctx.now()):
        return await exec_edit_question(ctx, actor, question_id, form)
    return await edit_question(ctx, actor, question_id, form)
