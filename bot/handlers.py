"""The bot's handlers: parse → query → render, each a few lines. Texts live in bot/texts.py."""

from __future__ import annotations

from typing import Any

from bot import menu, texts
from bot.question_status import QUESTION_NUMBER, question_status_for_openid
from bot.router import Router
from core.config import Settings
from services.context import ServiceContext
from services.outbox_results import record_template_result

router = Router("qingling")


@router.event("subscribe")
async def on_subscribe(settings: Settings) -> str:
    return texts.link_text(texts.WELCOME, settings.server.public_url, district=settings.district.name)


@router.click(menu.ASK)
async def on_ask(settings: Settings) -> str:
    return texts.link_text(texts.ASK, settings.server.public_url)


@router.click(menu.MY_QUESTIONS)
async def on_my_questions(settings: Settings) -> str:
    return texts.link_text(texts.MY_QUESTIONS, settings.server.public_url)


@router.click(menu.PUBLIC_QUESTIONS)
async def on_public_questions(settings: Settings) -> str:
    return texts.link_text(texts.PUBLIC_QUESTIONS, settings.server.public_url)


@router.click(menu.BIND)
async def on_bind(settings: Settings) -> str:
    return texts.link_text(texts.BIND, settings.server.public_url)


@router.click(menu.HELP)
@router.text(exact="帮助")
async def on_help(settings: Settings) -> str:
    return texts.link_text(texts.HELP, settings.server.public_url)


@router.text(regex=QUESTION_NUMBER)
async def on_question_number(openid: str, match: Any, services: ServiceContext) -> str:
    found = await question_status_for_openid(openid, match.group(0))
    return texts.NOT_FOUND if found is None else texts.render_question_status(found, services.tz)


@router.event("TEMPLATESENDJOBFINISH")
async def on_template_finished(message: Any) -> None:
    """WeChat's delivery report of a template message: recorded on its outbox row, nothing to answer."""
    await record_template_result(message.id, str(message.status or ""))


@router.event("unsubscribe")
@router.event("SCAN")
@router.event("VIEW")
@router.message("event")
async def on_other_event() -> None:
    """unsubscribe, SCAN, VIEW, …: nothing to say (binding happens elsewhere)."""
    return None


@router.fallback()
async def on_anything_else(settings: Settings) -> str:
    return texts.link_text(texts.HELP, settings.server.public_url)
