"""The bot's handlers: parse → query → render, each a few lines. Texts live in bot/texts.py."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from wechatpy.replies import ArticlesReply

from bot import menu, texts
from bot.router import Router, event_name
from core.cache import Cache
from core.config import Settings
from models.errors import DomainError
from services.accounts.customs_wechat import bind_customs_scanned
from services.accounts.qr_binding import is_binding_scene, is_customs_binding_scene, take_customs_scene, take_scene
from services.accounts.wechat_binding import bind_scanned
from services.kit.context import ServiceContext
from services.notifications.outbox_results import record_template_result
from services.questions.status_lookup import QUESTION_NUMBER, question_status_for_openid

log = logging.getLogger("qingling.bot")
router = Router("qingling")


def _scene(is_kind: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """A filter: the event (subscribe or SCAN) carries a QR scene of the kind ``is_kind`` recognises."""
    return lambda message: is_kind(getattr(message, "scene_id", None))


async def _bind_scene(holder_id: int | None, bind: Callable[[int], Awaitable[Any]], done: str) -> str:
    """Bind this WeChat to whoever showed the QR code (``holder_id`` from its scene; None: it expired)."""
    if holder_id is None:
        return texts.BIND_QR_EXPIRED
    holder = await bind(holder_id)
    return done.format(name=holder.name)


@router.event("subscribe", _scene(is_binding_scene))
@router.event("SCAN", _scene(is_binding_scene))
async def on_binding_scan(openid: str, key: str, cache: Cache, services: ServiceContext) -> str:
    """A binding QR code from the web (services/accounts/qr_binding.py): bind this WeChat to whoever showed it."""
    return await _bind_scene(await take_scene(cache, key), lambda person_id: bind_scanned(services, person_id, openid),
                             texts.BIND_DONE)


@router.event("subscribe", _scene(is_customs_binding_scene))
@router.event("SCAN", _scene(is_customs_binding_scene))
async def on_customs_binding_scan(openid: str, key: str, cache: Cache, services: ServiceContext) -> str:
    """A customs account's binding QR code (admin web): new-question notices go to this WeChat from now on."""
    return await _bind_scene(await take_customs_scene(cache, key),
                             lambda account_id: bind_customs_scanned(services, account_id, openid),
                             texts.CUSTOMS_BIND_DONE)


@router.event("subscribe")
async def on_subscribe(settings: Settings) -> str:
    return texts.link_text(texts.WELCOME, settings.server.public_url, district=settings.district.name)


# Menu clicks that answer with one page's link card: menu key -> card of texts.py.
MENU_LINKS = {
    menu.ASK: texts.ASK,
    menu.MY_QUESTIONS: texts.MY_QUESTIONS,
    menu.PUBLIC_QUESTIONS: texts.PUBLIC_QUESTIONS,
    menu.BIND: texts.BIND,
}


def _menu_link(card: texts.LinkCard) -> Callable[[Settings, Any], Awaitable[ArticlesReply]]:
    async def on_click(settings: Settings, message: Any) -> ArticlesReply:
        return ArticlesReply(message=message, articles=[
            {"title": card.title, "description": card.description, "url": card.url(settings.server.public_url)}])

    return on_click


for _key, _card in MENU_LINKS.items():
    router.click(_key)(_menu_link(_card))


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
    """unsubscribe, VIEW, a scan of any other code, …: nothing to say."""
    return None


@router.fallback()
async def on_anything_else(settings: Settings) -> str:
    return texts.link_text(texts.HELP, settings.server.public_url)


@router.errors(DomainError)
async def on_refusal(error: DomainError) -> str:
    """A service refused (already bound, not a member …): its Chinese reason is the answer."""
    return error.message


@router.errors()
async def on_failure(error: Exception, handler: Any, message: Any) -> str:
    """Anything else: logged with what was asked (never the text sent, which may hold a phone number)."""
    log.error("wechat handler %s failed: %s %s key=%s from %s", getattr(handler, "__name__", handler),
              getattr(message, "type", "?"), event_name(message) or "-", getattr(message, "key", None) or "-",
              _openid_hint(getattr(message, "source", "")), exc_info=error)
    return texts.BUSY


def _openid_hint(openid: str) -> str:
    """Enough of an openid to find the follower in WeChat's console logs, not the whole identifier."""
    return f"{openid[:6]}…" if openid else "-"
