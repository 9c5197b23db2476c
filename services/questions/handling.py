"""Customs actions on a question: accept, reply with a kind, publish and withdraw publication."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from models.customs_accounts import CustomsAccount
from models.errors import ValidationFailed
from models.lifecycle import Action, Actor, Command, ReplyKind
from models.questions import Question
from services.desk.audit import AuditActor, record
from services.kit.access import access_question_for_customs, customs_lifecycle_role
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from services.questions.form import DESCRIPTION_MAX, TITLE_MAX, clean_text
from services.questions.transitions import ActorRef, transition


def customs_ref(account: CustomsAccount) -> ActorRef:
    return ActorRef(Actor(customs_lifecycle_role(account)), account.name, customs_account_id=account.id)


async def customs_action(ctx: ServiceContext, actor: CustomsActor, question_id: int, command: Command, *,
                         fields: dict[str, Any] | None = None, text: str = "",
                         detail: dict[str, Any] | None = None) -> Question:
    """Access check (office scope), transition and audit entry, in one transaction."""
    async with in_transaction() as conn:
        question, account = await access_question_for_customs(actor.account_id, question_id, conn, for_update=True)
        await transition(ctx, conn, question, customs_ref(account), command, fields=fields, text=text,
                         detail=detail)
        await record(ctx, AuditActor.customs(account), f"question.{command.action}", "question", question.number,
                     detail=detail, ip=actor.ip, conn=conn)
        return question


async def accept_question(ctx: ServiceContext, actor: CustomsActor, question_id: int) -> Question:
    return await customs_action(ctx, actor, question_id, Command(Action.ACCEPT))


async def reply_question(ctx: ServiceContext, actor: CustomsActor, question_id: int, kind: ReplyKind | None,
                         text: str) -> Question:
    """Reply with a kind (answer / return / needs modification); from submitted the acceptance comes first."""
    text = clean_text(text)
    if len(text) > DESCRIPTION_MAX:
        raise ValidationFailed(f"回复内容不能超过 {DESCRIPTION_MAX} 个字", field="text")
    detail = {"reply_kind": kind.value} if kind else {}
    return await customs_action(ctx, actor, question_id, Command(Action.REPLY, reply_kind=kind, text=text),
                                text=text, detail=detail)


async def publish_question(ctx: ServiceContext, actor: CustomsActor, question_id: int, *, title: str,
                           description: str, reply: str) -> Question:
    """Publish (or re-edit the published version of) a question the enterprise allowed to be published."""
    title, description, reply = clean_text(title), clean_text(description), clean_text(reply)
    if not title or len(title) > TITLE_MAX:
        raise ValidationFailed(f"公开标题应为 1–{TITLE_MAX} 个字", field="title")
    if not description:
        raise ValidationFailed("请填写公开的问题内容", field="description")
    if not reply:
        raise ValidationFailed("请填写公开的答复内容", field="reply")
    fields = {"published": True, "public_title": title, "public_description": description, "public_reply": reply,
              "published_at": ctx.now()}
    return await customs_action(ctx, actor, question_id, Command(Action.PUBLISH), fields=fields,
                                detail={"title": title})


async def unpublish_question(ctx: ServiceContext, actor: CustomsActor, question_id: int) -> Question:
    return await customs_action(ctx, actor, question_id, Command(Action.UNPUBLISH), fields={"published": False})

