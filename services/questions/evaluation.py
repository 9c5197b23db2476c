"""The enterprise's evaluation of an answer, and the appended question of a new round."""

from __future__ import annotations

from models.errors import ValidationFailed
from models.lifecycle import Action, Command, Evaluation
from models.questions import Question, QuestionEvaluation
from services.kit.actors import PersonActor
from services.kit.context import ServiceContext
from services.questions.asking import person_action, person_transaction
from services.questions.form import DESCRIPTION_MAX, clean_text
from services.questions.transitions import transition


def _checked(text: str, field: str, label: str) -> str:
    text = clean_text(text)
    if len(text) > DESCRIPTION_MAX:
        raise ValidationFailed(f"{label}不能超过 {DESCRIPTION_MAX} 个字", field=field)
    return text


async def evaluate_question(ctx: ServiceContext, actor: PersonActor, question_id: int, evaluation: Evaluation | None,
                            note: str = "", appended_text: str = "") -> Question:
    """Evaluate 1–4 with a note and, for 3/4, optionally an appended question (also the re-evaluation)."""
    note = _checked(note, "note", "补充说明")
    appended_text = _checked(appended_text, "appended_text", "追加问题描述")
    command = Command(Action.EVALUATE, evaluation=evaluation, text=note, appended_text=appended_text)
    text = "\n".join(t for t in (note, appended_text and f"追加问题：{appended_text}") if t)
    detail = {"evaluation": evaluation.value if evaluation else None, "appended": bool(appended_text)}
    async with person_transaction(actor, question_id) as (conn, question, by):
        evaluated_round = question.round  # an appended question starts the next one
        await transition(ctx, conn, question, by, command, text=text, detail=detail)
        assert evaluation is not None  # decide refused otherwise
        await QuestionEvaluation.create(question_id=question.id, round=evaluated_round, kind=evaluation,
                                        note=note, appended_text=appended_text, person_id=actor.person_id,
                                        created_at=ctx.now(), using_db=conn)
        return question


async def append_question(ctx: ServiceContext, actor: PersonActor, question_id: int, text: str) -> Question:
    """From awaiting_append, within the period: a new round straight to customs."""
    text = _checked(text, "appended_text", "追加问题描述")
    return await person_action(ctx, actor, question_id, Command(Action.APPEND, appended_text=text), text=text)
