"""Published questions made the way production makes them: asked, answered and published through the services.

Shared by the service, HTTP and browser tests of the published-questions pages.
"""

from __future__ import annotations

from models.lifecycle import ReplyKind
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.handling import publish_question, reply_question
from tests.factories import World

CTX = ServiceContext()
# What the enterprise wrote names itself; what customs publishes does not.
ASKED = "我司{name}新设立，联系人王经理 13800138000，请问电子口岸IC卡在哪里办理？"
PUBLIC_DESCRIPTION = "新设立的企业，电子口岸IC卡在哪里办理、需要哪些材料？"
PUBLIC_REPLY = "请携带营业执照副本到海关综合业务窗口办理电子口岸IC卡。"


async def publish(world: World, title: str, *, type_ids: tuple[int, ...] | None = None,
                  description: str = PUBLIC_DESCRIPTION, reply: str = PUBLIC_REPLY,
                  ctx: ServiceContext = CTX) -> int:
    """Asked by Acme's executive (no review), answered, published under ``title``; the question's id."""
    form = world.form("企业的原标题", type_ids=type_ids or world.type_ids[:1],
                      description=ASKED.format(name=world.acme.name))
    question = await create_draft(ctx, world.executive, world.acme.id, form)
    await submit_question(ctx, world.executive, question.id)
    await reply_question(ctx, world.officer, question.id, ReplyKind.ANSWER, "答复原文：" + reply)
    await publish_question(ctx, world.supervisor, question.id, title=title, description=description, reply=reply)
    return question.id


async def publish_many(world: World, count: int, ctx: ServiceContext = CTX) -> list[int]:
    """``count`` questions, types taking turns (通关运行, 关税征管, 其他); ids in publication order."""
    return [await publish(world, f"第{n}个公开问题", type_ids=(world.type_ids[n % len(world.type_ids)],), ctx=ctx)
            for n in range(1, count + 1)]
