"""A question's rounds: what was asked in each (round 1 the description, later the appended question), when the
round reached customs and was accepted, and customs' replies in it — built from the timeline, for the customs
page (the current round on top, earlier ones as a history) and for the public text a publication starts from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.lifecycle import Action, Status
from models.questions import Question, QuestionEvaluation, QuestionEvent
from services.questions.views import Reply, reply_view

ROUND_QUESTION = "第 {n} 轮提问："
ROUND_REPLY = "第 {n} 轮答复："
MULTI_ROUND_WARNING = ("本问题共 {n} 轮，下面已按轮次合并各轮的提问与答复：最后一轮的答复单独并不能回答第一轮的问题，"
                       "请整理成完整的问答后再公开。")


@dataclass(frozen=True)
class Round:
    number: int
    question: str  # round 1: the description; later: the appended question that opened the round
    submitted_at: datetime | None  # the round's (last) submission to customs
    accepted_at: datetime | None
    replies: tuple[Reply, ...]


@dataclass(frozen=True)
class PublicDraft:
    """What the publish form starts from: the published text, else one made from every round (editable)."""

    title: str
    description: str
    reply: str
    warning: str  # "" for a single round


def question_rounds(question: Question, events: list[QuestionEvent],
                    evaluations: list[QuestionEvaluation]) -> tuple[Round, ...]:
    """Every round so far, in order (``events`` by id)."""
    appended = {v.round + 1: v.appended_text for v in evaluations if v.appended_text}
    appended.update({e.round: e.text for e in events if e.action == Action.APPEND.value})
    return tuple(_round(n, question.description if n == 1 else appended.get(n, ""),
                        [e for e in events if e.round == n]) for n in range(1, question.round + 1))


def _round(number: int, asked: str, events: list[QuestionEvent]) -> Round:
    submitted = [e.created_at for e in events
                 if e.to_status is Status.SUBMITTED and e.from_status is not Status.SUBMITTED]
    accepted = [e.created_at for e in events if e.action == Action.ACCEPT.value
                or (e.action == Action.REPLY.value and e.from_status is Status.SUBMITTED)]
    replies = tuple(reply_view(e) for e in events if e.action == Action.REPLY.value)
    return Round(number, asked, submitted[-1] if submitted else None, accepted[-1] if accepted else None, replies)


def public_draft(question: Question, rounds: tuple[Round, ...]) -> PublicDraft:
    """The publish form's text: what is published, else the description and the last reply — or, over several
    rounds, every round's question and its last reply, marked by round, with a warning to edit them."""
    if len(rounds) <= 1:
        last = rounds[0].replies[-1].text if rounds and rounds[0].replies else ""
        made = PublicDraft(question.title, question.description, last, "")
    else:
        made = PublicDraft(
            question.title, "\n\n".join(ROUND_QUESTION.format(n=r.number) + r.question for r in rounds),
            "\n\n".join(ROUND_REPLY.format(n=r.number) + r.replies[-1].text for r in rounds if r.replies),
            MULTI_ROUND_WARNING.format(n=len(rounds)))
    return PublicDraft(question.public_title or made.title, question.public_description or made.description,
                       question.public_reply or made.reply, made.warning)
