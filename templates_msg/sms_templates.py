"""The SMS templates to apply for at Alibaba Cloud: one per notification event, plus the verification code.

Each is the exact text to submit in the console (短信通知 or 验证码) with its variables' types; the template
codes Alibaba gives back are configuration (``sms.templates``, keyed like ``TEMPLATES``). Every template
passes ``sms_rules.check_registrable`` (a unit test checks), and ``sms_message`` fits every value to its
variable's limit, so Alibaba never answers isv.PARAM_LENGTH_LIMIT. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.notifications.events import Event
from services.notifications.sms import VERIFY_CODE, SmsMessage
from templates_msg.definitions import NEXT_STEPS, STATES
from templates_msg.sms_rules import SmsTemplateText, VariableKind, fit_variable

TEXT, NUMBER, TIME = VariableKind.TEXT, VariableKind.NUMBER, VariableKind.TIME
QUESTION = {"title": TEXT, "number": NUMBER}
# The question notices whose SMS says the state and the next step (both fixed text of the event's template).
STATE_NOTICES = (Event.EXEC_RETURNED, Event.CUSTOMS_ACCEPTED, Event.CUSTOMS_REPLIED, Event.CUSTOMS_RETURNED,
                 Event.MODIFICATION_REQUESTED, Event.AUTO_CLOSED)


def _state_notice(event: Event) -> SmsTemplateText:
    return SmsTemplateText(f"您的问题“${{title}}”（${{number}}）{STATES[event]}，{NEXT_STEPS[event]}。", QUESTION)


TEMPLATES: dict[str, SmsTemplateText] = {
    VERIFY_CODE: SmsTemplateText("您在“清零”平台的验证码为${code}，请勿泄露给他人。如非本人操作，请忽略本短信。",
                                 {"code": VariableKind.CODE}, verification=True),
    Event.EXEC_REVIEW_REQUESTED.value: SmsTemplateText(
        "问题“${title}”（${number}）待您审核，请在“清零”公众号中处理。", QUESTION),
    **{event.value: _state_notice(event) for event in STATE_NOTICES},
    Event.AUTO_CLOSE_REMINDER.value: SmsTemplateText(
        "您的问题“${title}”（${number}）将于${days}天后自动办结，请及时评价或处理。", {**QUESTION, "days": NUMBER}),
    Event.REGISTRATION_APPROVED.value: SmsTemplateText(
        "您的企业“${enterprise}”注册申请已通过审核，可登录“清零”平台提问。", {"enterprise": TEXT}),
    Event.REGISTRATION_REJECTED.value: SmsTemplateText(
        "您的企业“${enterprise}”注册申请未通过审核：${reason}", {"enterprise": TEXT, "reason": TEXT}),
    Event.EXECUTIVE_ADDED.value: SmsTemplateText(
        "您已被添加为企业“${enterprise}”的高管，可登录“清零”平台审核本企业的问题。", {"enterprise": TEXT}),
    Event.LIBRARY_MONTHLY.value: SmsTemplateText(
        "“清零”规范申报${month}月报：海关审核${count}条，其中不规范${nonstandard}条，请登录查看。",
        {"month": TIME, "count": NUMBER, "nonstandard": NUMBER}),
    Event.CUSTOMS_NEW_QUESTION.value: SmsTemplateText(
        "新问题“${title}”（${number}）${state}，请登录“清零”海关工作台处理。", {**QUESTION, "state": TEXT}),
    Event.ROLE_EXPIRING.value: SmsTemplateText(
        "您在“清零”工作台的角色“${role}”将于${time}到期，如需续期请联系企业管理员。", {"role": TEXT, "time": TIME}),
    Event.WARNING_ESCALATED.value: SmsTemplateText(
        "您有一条预警消息“${title}”尚未阅读，请登录“清零”平台查看。", {"title": TEXT}),
}


def sms_message(template: str, values: Mapping[str, object]) -> SmsMessage:
    """The message of ``template`` (a key of ``TEMPLATES``) with every value fitted to its variable."""
    text = TEMPLATES[template]
    params = {name: fit_variable(kind, values.get(name, "")) for name, kind in text.variables.items()}
    return SmsMessage(template, text.render(params), params)
