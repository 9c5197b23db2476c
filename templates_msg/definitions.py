"""One template message per notification event: its keywords, the H5 page it opens and its SMS twin.

Each definition turns an outbox row's payload into keyword values (fitted to WeChat's limits by
``templates_msg.limits``) and the values of the event's SMS template (``templates_msg.sms_templates``, fitted
to Alibaba Cloud's limits there). The template ids themselves are configuration
(``wechat.templates``, keyed by event name); the keywords here must match the templates chosen in the
WeChat console (类目模板 with these keyword types). Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from services.notifications.events import Event

Payload = Mapping[str, Any]

QUESTION_LINK = "/h5/questions/{question_id}"
QUESTIONS_LINK = "/h5/questions"
HOME_LINK = "/h5/"
LIBRARY_LINK = "/h5/library"

# The short state shown in each question notice (phrase: at most 5 Chinese characters).
STATES = {
    Event.EXEC_REVIEW_REQUESTED: "待您审核",
    Event.EXEC_RETURNED: "高管退回",
    Event.CUSTOMS_ACCEPTED: "海关已受理",
    Event.CUSTOMS_REPLIED: "海关已答复",
    Event.CUSTOMS_RETURNED: "海关已退回",
    Event.MODIFICATION_REQUESTED: "需修改",
    Event.AUTO_CLOSE_REMINDER: "即将办结",
    Event.AUTO_CLOSED: "已自动办结",
}
# What the enterprise should do next (thing: at most 20 characters).
NEXT_STEPS = {
    Event.EXEC_REVIEW_REQUESTED: "请审核后提交海关",
    Event.EXEC_RETURNED: "请按高管意见修改后重新提交",
    Event.CUSTOMS_ACCEPTED: "海关正在处理，请耐心等待",
    Event.CUSTOMS_REPLIED: "请查看答复并评价",
    Event.CUSTOMS_RETURNED: "请查看海关退回说明",
    Event.MODIFICATION_REQUESTED: "请按海关意见修改后重新提交",
    Event.AUTO_CLOSED: "问题已办结，可查看处理记录",
}
CLOSE_REASONS = {
    "deemed_accepted": "答复后未评价，视为接受答复",
    "customs_return": "海关退回后到期办结",
    "modification_expired": "未在期限内修改重新提交",
    "append_expired": "评价后未在期限内追加问题",
}
# Notices whose payload text (the reason or the reply) is shown in place of the next step.
TEXT_SHOWN = {Event.EXEC_RETURNED, Event.CUSTOMS_REPLIED, Event.CUSTOMS_RETURNED, Event.MODIFICATION_REQUESTED}
# One SMS is 70 characters with the signature: titles and names are shortened in them (and every value is
# within its variable's limit anyway).
SMS_TITLE_LENGTH = 12
NUMBER_LENGTH = 24  # a question number: credit code (18) + year (2) + sequence (4)


@dataclass(frozen=True)
class Occasion:
    """What a definition renders from: the outbox row's payload, its question and its local time."""

    payload: Payload
    question_id: int | None
    local_time: str  # "2026-11-24 21:13", in the district's time zone


@dataclass(frozen=True)
class TemplateDefinition:
    event: Event
    keywords: Callable[[Occasion], dict[str, object]]  # raw values; fitted to the limits when rendered
    link: Callable[[Occasion], str]  # path under server.public_url
    sms: Callable[[Occasion], dict[str, object]]  # the values of the event's SMS template


def _text(payload: Payload, key: str, default: str = "") -> str:
    value = payload.get(key)
    return default if value is None else str(value)


def _short(text: str, length: int = SMS_TITLE_LENGTH) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


def _question_link(o: Occasion) -> str:
    return QUESTION_LINK.format(question_id=o.question_id) if o.question_id is not None else QUESTIONS_LINK


def _question_notice(event: Event) -> TemplateDefinition:
    """问题处理通知: number, title, state, next step (or the customs / executive text), time."""

    def keywords(o: Occasion) -> dict[str, object]:
        detail = NEXT_STEPS[event]
        if event in TEXT_SHOWN:  # the executive's or the customs officer's own words say more
            detail = _text(o.payload, "text") or detail
        elif event is Event.AUTO_CLOSED:
            detail = CLOSE_REASONS.get(_text(o.payload, "closed_by"), NEXT_STEPS[event])
        return {"character_string1": _text(o.payload, "number"), "thing2": _text(o.payload, "title"),
                "phrase3": STATES[event], "thing4": detail, "time5": o.local_time}

    return TemplateDefinition(event, keywords, _question_link, _question_sms)


def _question_sms(o: Occasion) -> dict[str, object]:
    return {"title": _short(_text(o.payload, "title")), "number": _text(o.payload, "number")[:NUMBER_LENGTH]}


def _reminder_keywords(o: Occasion) -> dict[str, object]:
    days = _text(o.payload, "days_left", "?")
    return {"character_string1": _text(o.payload, "number"), "thing2": _text(o.payload, "title"),
            "phrase3": STATES[Event.AUTO_CLOSE_REMINDER], "thing4": f"{days}天后自动办结，请及时处理",
            "time5": o.local_time}


def _reminder_sms(o: Occasion) -> dict[str, object]:
    return {**_question_sms(o), "days": _text(o.payload, "days_left", "?")[:3]}


def _registration(event: Event) -> TemplateDefinition:
    """注册审核结果通知: enterprise, result, reason (rejections), time."""
    approved = event is Event.REGISTRATION_APPROVED

    def keywords(o: Occasion) -> dict[str, object]:
        reason = "审核通过，欢迎使用" if approved else _text(o.payload, "reason", "请联系海关了解原因")
        return {"thing1": _text(o.payload, "enterprise_name"), "phrase2": "已通过" if approved else "未通过",
                "thing3": reason, "time4": o.local_time}

    def sms(o: Occasion) -> dict[str, object]:
        return {"enterprise": _short(_text(o.payload, "enterprise_name"), 20),
                "reason": _short(_text(o.payload, "reason", "请联系海关"), 30)}

    return TemplateDefinition(event, keywords, lambda o: HOME_LINK, sms)


def _executive_added_keywords(o: Occasion) -> dict[str, object]:
    """账号开通通知: enterprise, role, what to do, time."""
    return {"thing1": _text(o.payload, "enterprise_name"), "phrase2": "企业高管",
            "thing3": "可审核本企业问题后提交海关", "time4": o.local_time}


def _executive_added_sms(o: Occasion) -> dict[str, object]:
    return {"enterprise": _short(_text(o.payload, "enterprise_name"), 20)}


def _library_keywords(o: Occasion) -> dict[str, object]:
    return {"thing1": f"规范申报{_text(o.payload, 'month')}月报", "number2": _text(o.payload, "count", "0"),
            "time3": o.local_time}


def _library_sms(o: Occasion) -> dict[str, object]:
    return {"month": _short(_text(o.payload, "month"), 8), "count": _text(o.payload, "count", "0")[:8],
            "nonstandard": _text(o.payload, "nonstandard", "0")[:8]}


MESSAGES_LINK = "/h5/messages"


def _role_expiring_keywords(o: Occasion) -> dict[str, object]:
    """角色到期提醒: enterprise, role, end time, what to do."""
    return {"thing1": _text(o.payload, "enterprise_name"), "thing2": _text(o.payload, "role"),
            "time3": _text(o.payload, "valid_to"), "thing4": "到期后不能使用，续期请联系管理员"}


def _role_expiring_sms(o: Occasion) -> dict[str, object]:
    return {"role": _short(_text(o.payload, "role")), "time": _text(o.payload, "valid_to")}


def _escalated_keywords(o: Occasion) -> dict[str, object]:
    """待办事项提醒: what, since when, what to do."""
    return {"thing1": _text(o.payload, "title"), "time2": _text(o.payload, "created"),
            "thing3": "您有一条预警消息尚未阅读，请及时查看"}


def _escalated_sms(o: Occasion) -> dict[str, object]:
    return {"title": _short(_text(o.payload, "title"), 20)}


# The officers' new-question notice (services/notifications/officer_notices.py):
# it opens the customs admin question page.
ADMIN_QUESTION_LINK = "/admin/questions/{question_id}"
ADMIN_HOME_LINK = "/admin/"


def _new_question_state(o: Occasion) -> str:
    return "转交待办" if o.payload.get("forwarded") else "待受理"


def _new_question_keywords(o: Occasion) -> dict[str, object]:
    """新问题提醒: number, title, enterprise, state (待受理 / 转交待办), time."""
    return {"character_string1": _text(o.payload, "number"), "thing2": _text(o.payload, "title"),
            "thing3": _text(o.payload, "enterprise_name"), "phrase4": _new_question_state(o),
            "time5": o.local_time}


def _new_question_link(o: Occasion) -> str:
    if o.question_id is None:
        return ADMIN_HOME_LINK
    return ADMIN_QUESTION_LINK.format(question_id=o.question_id)


def _new_question_sms(o: Occasion) -> dict[str, object]:
    return {**_question_sms(o), "state": _new_question_state(o)}


DEFINITIONS: dict[Event, TemplateDefinition] = {
    **{event: _question_notice(event) for event in (
        Event.EXEC_REVIEW_REQUESTED, Event.EXEC_RETURNED, Event.CUSTOMS_ACCEPTED, Event.CUSTOMS_REPLIED,
        Event.CUSTOMS_RETURNED, Event.MODIFICATION_REQUESTED, Event.AUTO_CLOSED)},
    Event.AUTO_CLOSE_REMINDER: TemplateDefinition(Event.AUTO_CLOSE_REMINDER, _reminder_keywords, _question_link,
                                                  _reminder_sms),
    Event.REGISTRATION_APPROVED: _registration(Event.REGISTRATION_APPROVED),
    Event.REGISTRATION_REJECTED: _registration(Event.REGISTRATION_REJECTED),
    Event.EXECUTIVE_ADDED: TemplateDefinition(Event.EXECUTIVE_ADDED, _executive_added_keywords,
                                              lambda o: HOME_LINK, _executive_added_sms),
    Event.LIBRARY_MONTHLY: TemplateDefinition(Event.LIBRARY_MONTHLY, _library_keywords, lambda o: LIBRARY_LINK,
                                              _library_sms),
    Event.CUSTOMS_NEW_QUESTION: TemplateDefinition(Event.CUSTOMS_NEW_QUESTION, _new_question_keywords,
                                                   _new_question_link, _new_question_sms),
    Event.ROLE_EXPIRING: TemplateDefinition(Event.ROLE_EXPIRING, _role_expiring_keywords,
                                            lambda o: MESSAGES_LINK, _role_expiring_sms),
    Event.WARNING_ESCALATED: TemplateDefinition(Event.WARNING_ESCALATED, _escalated_keywords,
                                                lambda o: MESSAGES_LINK + "?category=warning",
                                                _escalated_sms),
}
