"""The app's template messages as chosen in WeChat's console: each event's template title and keyword labels.

On WeChat the account picks a 类目模板 (title + labelled keywords) and gets a template id; the app only
sends the id and ``{keyword: {"value": …}}`` (``templates_msg/definitions.py`` fills the keywords per
event, ``wechat.templates`` maps event → id). The simulator registers these under the configured ids so the
phone shows a message as WeChat does: the title, then "问题编号 …" instead of ``character_string1``.
A test checks that every keyword the app's definitions send has a label here.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.notifications.events import Event
from simulators.wechat.platform import WechatPlatform

QUESTION_KEYWORDS = {"character_string1": "问题编号", "thing2": "问题标题", "phrase3": "当前状态",
                     "thing4": "处理说明", "time5": "更新时间"}
QUESTION_NOTICE = ("问题处理进度通知", QUESTION_KEYWORDS)
APP_TEMPLATES: dict[Event, tuple[str, dict[str, str]]] = {
    Event.EXEC_REVIEW_REQUESTED: QUESTION_NOTICE,
    Event.EXEC_RETURNED: QUESTION_NOTICE,
    Event.CUSTOMS_ACCEPTED: QUESTION_NOTICE,
    Event.CUSTOMS_REPLIED: QUESTION_NOTICE,
    Event.CUSTOMS_RETURNED: QUESTION_NOTICE,
    Event.MODIFICATION_REQUESTED: QUESTION_NOTICE,
    Event.AUTO_CLOSED: QUESTION_NOTICE,
    Event.AUTO_CLOSE_REMINDER: ("问题办结提醒", {**QUESTION_KEYWORDS, "thing4": "温馨提示"}),
    Event.REGISTRATION_APPROVED: ("注册审核结果通知", {"thing1": "企业名称", "phrase2": "审核结果",
                                                "thing3": "审核意见", "time4": "审核时间"}),
    Event.REGISTRATION_REJECTED: ("注册审核结果通知", {"thing1": "企业名称", "phrase2": "审核结果",
                                                "thing3": "审核意见", "time4": "审核时间"}),
    Event.EXECUTIVE_ADDED: ("账号开通通知", {"thing1": "企业名称", "phrase2": "账号角色", "thing3": "温馨提示",
                                        "time4": "开通时间"}),
    Event.CUSTOMS_NEW_QUESTION: ("新问题提醒", {"character_string1": "问题编号", "thing2": "问题标题",
                                           "thing3": "企业名称", "phrase4": "办理状态", "time5": "提交时间"}),
    Event.LIBRARY_MONTHLY: ("规范申报月报", {"thing1": "月报名称", "number2": "海关审核条数", "time3": "发布时间"}),
    Event.ROLE_EXPIRING: ("角色到期提醒", {"thing1": "企业名称", "thing2": "角色名称", "time3": "到期时间",
                                      "thing4": "温馨提示"}),
    Event.WARNING_ESCALATED: ("待办事项提醒", {"thing1": "事项名称", "time2": "发生时间", "thing3": "温馨提示"}),
}


def register_app_templates(platform: WechatPlatform, template_ids: Mapping[str, str]) -> None:
    """Register the configured template ids (``wechat.templates``: event name → id) with their labels."""
    for event_name, template_id in template_ids.items():
        try:
            known = APP_TEMPLATES.get(Event(event_name))
        except ValueError:
            known = None  # a key of wechat.templates that is no event: nothing to show for it
        if known and template_id:
            platform.add_template(template_id, *known)
