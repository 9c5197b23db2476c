"""Template messages rendered under WeChat's 2023 rules, and their SMS twins under Alibaba Cloud's template and
variable rules (pure: no database, no network)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.notifications.events import Event
from templates_msg import TemplateNotConfigured, UnknownEvent, render_notice, sms_rules
from templates_msg.definitions import DEFINITIONS
from templates_msg.limits import MAX_LENGTH, TemplateKeyError, fit_data, fit_value, keyword_type
from templates_msg.sms_rules import SmsTemplateText, TemplateRefused, VariableKind, check_registrable, fit_variable
from templates_msg.sms_templates import TEMPLATES as SMS_TEMPLATES

AT = datetime(2026, 11, 24, 13, 5, tzinfo=UTC)  # 21:05 in Dalian
SHANGHAI = ZoneInfo("Asia/Shanghai")
LONG_TITLE = "关于进口冷链食品核酸检测及消毒证明的提交要求问题"
PAYLOAD = {"number": "9121024267997824X5220017", "title": "电子口岸IC卡如何办理?",
           "text": "请携带营业执照原件到大窑湾海关业务现场办理，详见附件清单。", "days_left": 2,
           "closed_by": "deemed_accepted", "enterprise_name": "大连示例进出口有限公司", "reason": "营业执照与名称不符",
           "month": "2026年10月", "count": 12, "nonstandard": 3}


def render(event: Event, payload: dict[str, object] | None = None, question_id: int | None = 42):
    return render_notice(event.value, PAYLOAD if payload is None else payload, question_id=question_id, at=AT,
                         public_url="https://qingling.example.cn/", tz=SHANGHAI)


# ---- the limits ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "kind"), [("thing1", "thing"), ("character_string12", "character_string"),
                                           ("phrase3", "phrase"), ("time5", "time"), ("phone_number2", "phone_number")])
def test_a_keyword_type_is_its_name_without_the_number(key: str, kind: str) -> None:
    assert keyword_type(key) == kind


@pytest.mark.parametrize("key", ["first", "remark", "keyword1", "thing", "color1"])
def test_legacy_and_unknown_keywords_are_refused(key: str) -> None:
    with pytest.raises(TemplateKeyError):
        keyword_type(key)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("thing1", LONG_TITLE, "关于进口冷链食品核酸检测及消毒证明的提…"),  # 20 characters, the last an ellipsis
    ("thing1", "电子口岸IC卡如何办理?", "电子口岸IC卡如何办理?"),  # fits: unchanged
    ("phrase3", "海关已经答复了", "海关已经答"),  # 5 characters, no ellipsis
    ("character_string1", "编号9121024267997824X5220017 ABCDEFGHIJ", "9121024267997824X5220017ABCDEFGH"),
    ("number2", "共 1,234 个", "1234"),
    ("letter1", "abc123def", "abcdef"),
    ("phone_number4", "电话 0411-82345678", "0411-82345678"),
    ("name2", "欧阳娜娜娜娜娜娜娜娜娜", "欧阳娜娜娜娜娜娜娜…"),
    ("name2", "Alexander Hamilton Jr.", "Alexander Hamilton …"),
    ("thing4", "第一行\n第二行   第三行", "第一行 第二行 第三行"),
    ("thing4", "", "-"),
    ("number1", "", "0"),
])
def test_values_are_cut_to_their_type(key: str, value: str, expected: str) -> None:
    assert fit_value(key, value) == expected


def test_fit_data_has_the_shape_wechat_expects() -> None:
    assert fit_data({"thing1": "报关单申报问题", "time2": "2026-11-24 21:05"}) == {
        "thing1": {"value": "报关单申报问题"}, "time2": {"value": "2026-11-24 21:05"}}


# ---- every event -----------------------------------------------------------------------------------------


def test_every_notification_event_has_a_definition() -> None:
    assert set(DEFINITIONS) == set(Event)


@pytest.mark.parametrize("event", list(Event), ids=[e.value for e in Event])
def test_every_rendered_value_is_within_its_limit_even_from_long_input(event: Event) -> None:
    long_payload = {key: (str(value) * 10 if key != "closed_by" else value) for key, value in PAYLOAD.items()}
    notice = render(event, {**long_payload, "title": LONG_TITLE})
    assert notice.data, event
    for key, item in notice.data.items():
        assert set(item) == {"value"}
        assert 0 < len(item["value"]) <= MAX_LENGTH[keyword_type(key)] * (2 if key.startswith("name") else 1)
    assert not {"first", "remark"} & set(notice.data)
    assert 0 < len(notice.sms_text) <= 70, notice.sms_text
    template = SMS_TEMPLATES[notice.sms.template]
    assert notice.sms.template == event.value and set(notice.sms.params) == set(template.variables)
    for name, value in notice.sms.params.items():
        assert 0 < len(value) <= sms_rules.MAX_LENGTH[template.variables[name]], (name, value)


def test_a_question_notice_opens_the_question_and_shows_local_time() -> None:
    notice = render(Event.CUSTOMS_REPLIED)
    assert notice.url == "https://qingling.example.cn/h5/questions/42"
    assert notice.data == {
        "character_string1": {"value": "9121024267997824X5220017"},
        "thing2": {"value": "电子口岸IC卡如何办理?"},
        "phrase3": {"value": "海关已答复"},
        "thing4": {"value": "请携带营业执照原件到大窑湾海关业务现场…"},
        "time5": {"value": "2026-11-24 21:05"},
    }
    assert notice.sms_text == ("您的问题“电子口岸IC卡如何办理?”（9121024267997824X5220017）海关已答复，"
                               "请查看答复并评价。")


@pytest.mark.parametrize(("event", "detail"), [
    (Event.EXEC_REVIEW_REQUESTED, "请审核后提交海关"),
    (Event.CUSTOMS_ACCEPTED, "海关正在处理，请耐心等待"),
    (Event.AUTO_CLOSE_REMINDER, "2天后自动办结，请及时处理"),
    (Event.AUTO_CLOSED, "答复后未评价，视为接受答复"),
])
def test_the_fourth_line_says_what_happens_next(event: Event, detail: str) -> None:
    assert render(event).data["thing4"] == {"value": detail}


@pytest.mark.parametrize(("event", "url", "sms"), [
    (Event.REGISTRATION_APPROVED, "https://qingling.example.cn/h5/",
     "您的企业“大连示例进出口有限公司”注册申请已通过审核，可登录“清零”平台提问。"),
    (Event.REGISTRATION_REJECTED, "https://qingling.example.cn/h5/",
     "您的企业“大连示例进出口有限公司”注册申请未通过审核：营业执照与名称不符"),
    (Event.LIBRARY_MONTHLY, "https://qingling.example.cn/h5/library",
     "“清零”规范申报2026年10月月报：海关审核12条，其中不规范3条，请登录查看。"),
])
def test_notices_without_a_question_open_their_own_page(event: Event, url: str, sms: str) -> None:
    notice = render(event, question_id=None)
    assert (notice.url, notice.sms_text) == (url, sms)


def test_a_question_notice_without_a_question_id_opens_the_list() -> None:
    assert render(Event.CUSTOMS_ACCEPTED, question_id=None).url == "https://qingling.example.cn/h5/questions"


def test_the_template_id_comes_from_config() -> None:
    notice = render(Event.CUSTOMS_ACCEPTED)
    assert notice.template_id({"customs_accepted": "ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY"}) == (
        "ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY")
    with pytest.raises(TemplateNotConfigured, match="customs_accepted"):
        notice.template_id({"customs_replied": "x"})


def test_an_unknown_event_is_refused() -> None:
    with pytest.raises(UnknownEvent):
        render_notice("question_exploded", PAYLOAD, question_id=1, at=AT, public_url="https://x", tz=SHANGHAI)


# ---- SMS templates under Alibaba Cloud's rules ------------------------------------------------------------


def test_every_event_and_the_verification_code_have_a_registrable_sms_template() -> None:
    assert set(SMS_TEMPLATES) == {e.value for e in Event} | {"verify_code"}
    for text in SMS_TEMPLATES.values():
        check_registrable(text)  # raises TemplateRefused otherwise


@pytest.mark.parametrize(("content", "variables", "verification", "reason"), [
    ("${content}", {"content": VariableKind.TEXT}, False, "模板不能只由变量组成"),
    ("${a}：${b}。", {"a": VariableKind.TEXT, "b": VariableKind.TEXT}, False, "模板不能只由变量组成"),
    ("问题${title}${number}已答复", {"title": VariableKind.TEXT, "number": VariableKind.NUMBER}, False, "连续变量"),
    ("问题${title}已答复，${title}请查看", {"title": VariableKind.TEXT}, False, "只能出现一次"),
    ("问题${title}已答复", {}, False, "变量属性"),
    ("验证码${code}，有效期${minutes}分钟", {"code": VariableKind.CODE, "minutes": VariableKind.NUMBER}, True,
     "只能有一个验证码变量"),
    ("您的编号为${code}", {"code": VariableKind.CODE}, False, "只有验证码模板"),
])
def test_templates_alibaba_would_not_approve_are_refused(
        content: str, variables: dict[str, VariableKind], verification: bool, reason: str) -> None:
    with pytest.raises(TemplateRefused, match=reason):
        check_registrable(SmsTemplateText(content, variables, verification))


@pytest.mark.parametrize(("kind", "value", "expected"), [
    (VariableKind.TEXT, "标" * 40, "标" * 34 + "…"),  # 35 characters at most
    (VariableKind.TEXT, "第一行\n第二行", "第一行 第二行"),
    (VariableKind.NUMBER, "编号 9121024267997824X5220017", "9121024267997824X5220017"),
    (VariableKind.NUMBER, "1" * 40, "1" * 35),  # cut, never "…": that would be another number
    (VariableKind.CODE, "12 34 56", "123456"),
    (VariableKind.TEXT, "", "-"),
])
def test_sms_values_are_fitted_to_their_variable(kind: VariableKind, value: str, expected: str) -> None:
    assert fit_variable(kind, value) == expected
