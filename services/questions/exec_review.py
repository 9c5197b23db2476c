"""The executive's review on the phone: edit, return with a reason, or approve with an importance."""

from __future__ import annotations

from models.lifecycle import Action, Command, Importance
from models.questions import Question
from services.kit.actors import PersonActor
from services.kit.context import ServiceContext
from services.questions.asking import edit_question, person_action
from services.questions.form import QuestionForm, clean_text


async def exec_edit_question(ctx: ServiceContext, actor: PersonActor, question_id: int,
                             form: QuestionForm) -> Question:
    return await edit_question(ctx, actor, question_id, form, action=Action.EXEC_EDIT)


async def exec_return_question(ctx: ServiceContext, actor: PersonActor, question_id: int, reason: str) -> Question:
    reason = clean_text(reason)
    return await person_action(ctx, actor, question_id, Command(Action.EXEC_RETURN, text=reason), text=reason)


async def exec_approve_question(ctx: ServiceContext, actor: PersonActor, question_id: int,
                                importance: Importance | None) -> Question:
    """Submit to customs with 一般 / 重要 / 紧急."""
    detail = {"importance": importance.value} if importance else {}
    return await person_action(ctx, actor, question_id, Command(Action.EXEC_APPROVE, importance=importance),
                               detail=detail)
