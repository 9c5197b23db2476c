"""Rendering an outbox row's notice: the WeChat template message and the SMS text of the same event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.notifications.events import Event
from services.notifications.sms import SmsMessage
from templates_msg.definitions import DEFINITIONS, Occasion, Payload
from templates_msg.limits import fit_data
from templates_msg.sms_templates import sms_message

TIME_FORMAT = "%Y-%m-%d %H:%M"


class UnknownEvent(ValueError):
    """An outbox row whose event has no template definition."""


class TemplateNotConfigured(LookupError):
    """``wechat.templates`` has no template id for the event."""

    def __init__(self, event: str) -> None:
        super().__init__(f"未配置模板消息：wechat.templates 中没有事件 {event} 的模板 id")
        self.event = event


@dataclass(frozen=True)
class RenderedNotice:
    event: Event
    data: dict[str, dict[str, str]]  # the template send's ``data``, every value within its type's limit
    url: str  # the H5 page the message opens
    sms: SmsMessage  # the event's SMS template with its values

    @property
    def sms_text(self) -> str:
        return self.sms.text

    def template_id(self, templates: dict[str, str]) -> str:
        """The configured template id of this event (``settings.wechat.templates``)."""
        template_id = templates.get(self.event.value, "")
        if not template_id:
            raise TemplateNotConfigured(self.event.value)
        return template_id


def render_notice(event: str, payload: Payload, *, question_id: int | None, at: datetime, public_url: str,
                  tz: ZoneInfo) -> RenderedNotice:
    """The notice for one outbox row: ``at`` is its creation instant, shown in the district's time zone."""
    try:
        definition = DEFINITIONS[Event(event)]
    except ValueError:
        raise UnknownEvent(f"没有事件 {event} 的消息模板") from None
    moment = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    occasion = Occasion(payload, question_id, moment.astimezone(tz).strftime(TIME_FORMAT))
    return RenderedNotice(
        event=definition.event,
        data=fit_data(definition.keywords(occasion)),
        url=public_url.rstrip("/") + definition.link(occasion),
        sms=sms_message(definition.event.value, definition.sms(occasion)),
    )
