"""Enterprise users' own actions on a question: create, edit, submit, withdraw, delete."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.catalog import BusinessCategory, QuestionType
from models.departments import DepartmentMember
from models.enterprises import Membership
from models.errors import ValidationFailed
from models.lifecycle import Action, Actor, Command, decide
from models.offices import CustomsOffice
from models.questions import Question
from services.kit.access import access_membership, access_question_for_person, lifecycle_role, under_office
from services.kit.actors import PersonActor
from services.kit.context import ServiceContext
from services.questions.form import (
    MSG_BAD_CATEGORY,
    MSG_BAD_TYPES,
    MSG_CHOOSE_ACCEPTING_OFFICE,
    QuestionForm,
    check_question_form,
)
from services.questions.numbering import next_question_number
from services.questions.state import state_of
from services.questions.transitions import ActorRef, record_event, require_transaction, transition


def person_ref(membership: Membership) -> ActorRef:
    role = lifecycle_role(membership)
    return ActorRef(Actor(role, membership.person_id), membership.person.name, person_id=membership.person_id)


@asynccontextmanager
async def person_transaction(
    actor: PersonActor, question_id: int,
) -> AsyncIterator[tuple[BaseDBAsyncClient, Question, ActorRef]]:
    """One use case's transaction on a question of the actor's enterprise: locked and access-checked."""
    async with in_transaction() as conn:
        question, membership = await access_question_for_person(actor.person_id, question_id, conn, for_update=True)
        yield conn, question, person_ref(membership)


async def person_action(ctx: ServiceContext, actor: PersonActor, question_id: int, command: Command, *,
                        text: str = "", detail: dict[str, Any] | None = None) -> Question:
    """Access check and transition in one transaction."""
    async with person_transaction(actor, question_id) as (conn, question, by):
        await transition(ctx, conn, question, by, command, text=text, detail=detail)
        return question


async def check_form_references(conn: BaseDBAsyncClient, form: QuestionForm) -> dict[str, Any]:
    """Validate the form against reference data; return the question's columns."""
    accepting = await CustomsOffice.filter(id=form.accepting_office_id, accepts_questions=True, active=True
                                           ).using_db(conn).first()
    if accepting is None:
        raise ValidationFailed(MSG_CHOOSE_ACCEPTING_OFFICE, field="accepting_office_id")
    office = accepting
    if form.office_id is not None and form.office_id != accepting.id:
        chosen = await CustomsOffice.filter(under_office(accepting), id=form.office_id, active=True
                                            ).using_db(conn).first()
        if chosen is None:
            raise ValidationFailed("受理海关/部门不属于所选受理单位", field="office_id")
        office = chosen
    found = await QuestionType.filter(id__in=form.type_ids, active=True).using_db(conn).count()
    if found != len(form.type_ids):
        raise ValidationFailed(MSG_BAD_TYPES, field="type_ids")
    if form.business_category_id is not None and not await BusinessCategory.filter(
            id=form.business_category_id, active=True).using_db(conn).exists():
        raise ValidationFailed(MSG_BAD_CATEGORY, field="business_category_id")
    return {
        "accepting_office_id": accepting.id, "office_id": office.id, "title": form.title,
        "business_category_id": form.business_category_id, "contact_name": form.contact_name,
        "contact_phone": form.contact_phone, "description": form.description, "remarks": form.remarks,
        "allow_publication": form.allow_publication,
    }


async def set_types(conn: BaseDBAsyncClient, question: Question, type_ids: tuple[int, ...]) -> None:
    types = await QuestionType.filter(id__in=type_ids).using_db(conn)
    await question.types.clear(using_db=conn)
    await question.types.add(*types, using_db=conn)


async def create_in(ctx: ServiceContext, conn: BaseDBAsyncClient, actor: PersonActor, enterprise_id: int,
                    form: QuestionForm) -> tuple[Question, ActorRef]:
    """A new question, numbered, in the status the lifecycle's ``create`` gives, in ``conn``'s transaction."""
    require_transaction(conn)
    membership = await access_membership(actor.person_id, enterprise_id, conn)
    by = person_ref(membership)
    state = state_of(membership.enterprise, (), status=None)
    outcome = decide(state, Command(Action.CREATE), by.actor, ctx.policy, ctx.now())
    columns = await check_form_references(conn, form)
    now = ctx.now()
    number = await next_question_number(conn, membership.enterprise, now, ctx.tz)
    primary = await DepartmentMember.filter(person_id=actor.person_id, enterprise_id=enterprise_id, primary=True) \
        .using_db(conn).first()
    question = await Question.create(
        number=number, number_reversed=number[::-1], department_id=primary.department_id if primary else None,
        enterprise_id=enterprise_id, creator_id=actor.person_id, status=outcome.status,
        created_at=now, updated_at=now, using_db=conn, **columns,
    )
    await set_types(conn, question, form.type_ids)
    await record_event(conn, question, by, Action.CREATE, None, text="", detail=None, now=now)
    return question, by


async def create_draft(ctx: ServiceContext, actor: PersonActor, enterprise_id: int, form: QuestionForm) -> Question:
    """A new question in status draft, numbered, for a member of ``enterprise_id``."""
    form = check_question_form(form)
    async with in_transaction() as conn:
        question, _ = await create_in(ctx, conn, actor, enterprise_id, form)
        return question


async def edit_in(ctx: ServiceContext, conn: BaseDBAsyncClient, question: Question, by: ActorRef,
                  form: QuestionForm, action: Action = Action.EDIT) -> None:
    """Change the ask form's fields (EDIT by the asker, or EXEC_EDIT by the reviewing executive)."""
    columns = await check_form_references(conn, form)
    await transition(ctx, conn, question, by, Command(action), fields=columns)
    await set_types(conn, question, form.type_ids)


async def edit_question(ctx: ServiceContext, actor: PersonActor, question_id: int, form: QuestionForm,
                        *, action: Action = Action.EDIT) -> Question:
    """The asker's EDIT, or the reviewing executive's EXEC_EDIT, in one transaction."""
    form = check_question_form(form)
    async with person_transaction(actor, question_id) as (conn, question, by):
        await edit_in(ctx, conn, question, by, form, action)
        return question


async def submit_question(ctx: ServiceContext, actor: PersonActor, question_id: int,
                          executive_id: int | None = None) -> Question:
    """Send to the executive (review required) or to customs; also the resubmission after a change."""
    return await person_action(ctx, actor, question_id, Command(Action.SUBMIT, executive_id=executive_id))


async def withdraw_question(ctx: ServiceContext, actor: PersonActor, question_id: int) -> Question:
    return await person_action(ctx, actor, question_id, Command(Action.WITHDRAW))


async def delete_question(ctx: ServiceContext, actor: PersonActor, question_id: int) -> Question:
    """Soft delete: the row stays for audit, the enterprise never sees it again."""
    return await person_action(ctx, actor, question_id, Command(Action.DELETE))


async def resubmit_question(ctx: ServiceContext, actor: PersonActor, question_id: int, form: QuestionForm,
                            executive_id: int | None = None) -> Question:
    """The manual's 修改后重新提交: edit and submit in one transaction (two timeline entries)."""
    form = check_question_form(form)
    async with person_transaction(actor, question_id) as (conn, question, by):
        await edit_in(ctx, conn, question, by, form)
        await transition(ctx, conn, question, by, Command(Action.SUBMIT, executive_id=executive_id))
        return question
