"""The SMS channel for real: the official Alibaba Cloud SDK (through AliyunSms) against the simulator.

The simulator runs in a real Sanic server on a free local port, so every request is signed by the SDK
(ACS3-HMAC-SHA256) and checked by the simulator; V1 (HMAC-SHA1) requests are signed here by hand.
Codes and messages are Alibaba Cloud's (its SendSms error-code list, https://help.aliyun.com/document_detail/101346.html).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import socket
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import QuerySendDetailsRequest, SendSmsRequest
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils import Utils
from alibabacloud_tea_openapi.utils_models import Config
from sanic import Sanic

from adapters.sms_aliyun import AliyunSms, sms_sender_for
from core.cache import Cache
from core.config import Secret, SmsSettings
from models.errors import RateLimited, ServiceUnavailable, ValidationFailed
from services.accounts.sms_codes import SmsCodePolicy, SmsCodes
from services.notifications.sms import Misconfigured, SmsFailed, SmsMessage
from services.notifications.sms_alerts import AlertingSms, open_alerts
from simulators.sms.api import blueprint_for
from simulators.sms.platform import CHINA, SmsApiError, SmsPlatform
from simulators.sms.signature import percent_encode, v1_signature
from simulators.wechat.platform import ManualClock
from templates_msg.sms_rules import SmsTemplateText, TemplateRefused, VariableKind
from templates_msg.sms_templates import sms_message
from tests.http.support import SMS_TEMPLATE_CODES

PHONE, OTHER_PHONE = "13800138000", "13900139000"
VERIFY, NOTICE = SMS_TEMPLATE_CODES["verify_code"], SMS_TEMPLATE_CODES["customs_replied"]
NUMBER = "9121024267997824X5220017"
CODE_SECRET = "test-secret-key-0123456789"


def code(value: str) -> SmsMessage:
    return sms_message("verify_code", {"code": value})


def notice(title: str) -> SmsMessage:
    """A customs_replied notice about the question ``title``."""
    return sms_message("customs_replied", {"title": title, "number": NUMBER})


def shown(title: str) -> str:
    """What the phone shows for ``notice(title)``."""
    return f"【清零平台】您的问题“{title}”（{NUMBER}）海关已答复，请查看答复并评价。"


def params(title: str) -> str:
    return f'{{"title":"{title}","number":"{NUMBER}"}}'

Sanic.test_mode = True


@dataclass
class SmsSite:
    settings: SmsSettings  # what the app is configured with (endpoint = the simulator)
    platform: SmsPlatform
    clock: ManualClock
    http: httpx.AsyncClient

    def sender(self, **changes: Any) -> AliyunSms:
        return AliyunSms(replace(self.settings, **changes))

    def sdk(self, secret: str | None = None, key_id: str | None = None) -> Client:
        return Client(Config(access_key_id=key_id or self.settings.access_key_id,
                             access_key_secret=secret or str(self.settings.access_key_secret),
                             endpoint=self.settings.endpoint.removeprefix("http://"), protocol="http"))

    async def inbox(self, phone: str | None = None) -> list[dict[str, Any]]:
        response = await self.http.get("/sim/sms/messages", params={"phone": phone} if phone else None)
        assert response.status_code == 200
        return response.json()["messages"]


def settings_for(endpoint: str) -> SmsSettings:
    return SmsSettings(endpoint=endpoint, access_key_id="LTAI5tTestKeyId", access_key_secret=Secret("test-ak-secret"),
                       sign_name="清零平台", templates=SMS_TEMPLATE_CODES, timeout_seconds=3)


@contextlib.asynccontextmanager
async def running_simulator() -> AsyncIterator[SmsSite]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a free port chosen by the kernel
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = settings_for(base)
    clock = ManualClock(time.time())  # the SDK stamps requests with the real time
    bp = blueprint_for(settings, clock)
    app = Sanic(f"sms_sim_{secrets.token_hex(4)}", configure_logging=False)
    app.blueprint(bp)
    server = await app.create_server(sock=sock, access_log=False, return_asyncio_server=True)
    assert server is not None
    await server.startup()
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            yield SmsSite(settings, bp.ctx.platform, clock, http)
    finally:
        await server.close()
        sock.close()


@pytest.fixture
async def site() -> AsyncIterator[SmsSite]:
    async with running_simulator() as running:
        yield running


async def refused(sender: AliyunSms, message: SmsMessage, phone: str = PHONE) -> SmsFailed:
    with pytest.raises(SmsFailed) as info:
        await sender.send(phone, message, out_id="out-1")
    return info.value


# --- sending ---

async def test_a_code_reaches_the_inbox(site: SmsSite) -> None:
    await site.sender().send(PHONE, code("123456"), out_id="code-abc")
    [sms] = await site.inbox(PHONE)
    assert sms["content"] == "【清零平台】您在“清零”平台的验证码为123456，请勿泄露给他人。如非本人操作，请忽略本短信。"
    assert sms["out_id"] == "code-abc" and sms["template_code"] == VERIFY and sms["status"] == "DELIVERED"
    assert re.fullmatch(r"\d{18}\^0", sms["biz_id"])
    assert await site.inbox(OTHER_PHONE) == []


async def test_the_sdk_sees_alibaba_clouds_success_answer(site: SmsSite) -> None:
    request = SendSmsRequest(phone_numbers=f"+86{PHONE}", sign_name="清零平台", template_code=NOTICE,
                             template_param=params("+&= 100%"), out_id="42")
    response = await site.sdk().send_sms_async(request)
    assert response.status_code == 200
    body = response.body
    assert (body.code, body.message) == ("OK", "OK")
    assert re.fullmatch(r"\d+\^0", body.biz_id)
    assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", body.request_id)
    [sms] = await site.inbox(PHONE)
    assert sms["content"] == shown("+&= 100%") and sms["biz_id"] == body.biz_id


async def test_notices_are_not_limited_per_minute_and_the_inbox_is_newest_first(site: SmsSite) -> None:
    sender = site.sender()
    for text in ("第一条通知", "第二条通知"):
        await sender.send(PHONE, notice(text), out_id=text)
    await sender.send(OTHER_PHONE, notice("给别人的"), out_id="x")
    assert [m["content"] for m in await site.inbox(PHONE)] == [shown("第二条通知"), shown("第一条通知")]
    assert len(await site.inbox()) == 3


async def test_the_inbox_page_lists_messages_in_chinese_with_a_phone_filter(site: SmsSite) -> None:
    sender = site.sender()
    await sender.send(PHONE, notice("<b>不是标签</b>"), out_id="out-7")
    await sender.send(OTHER_PHONE, notice("另一位用户的通知"), out_id="out-8")
    page = await site.http.get("/sim/sms/inbox")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "短信模拟器" in html and 'http-equiv="refresh"' in html
    assert "【清零平台】您的问题“&lt;b&gt;不是标签&lt;/b&gt;”" in html and "另一位用户的通知" in html
    assert html.index("另一位用户的通知") < html.index("不是标签")  # newest first
    assert "out-7" in html and "已送达" in html and PHONE in html
    filtered = (await site.http.get("/sim/sms/inbox", params={"phone": PHONE})).text
    assert "不是标签" in filtered and "另一位用户的通知" not in filtered
    empty = (await site.http.get("/sim/sms/inbox", params={"phone": "13700000000"})).text
    assert "该手机号还没有收到短信" in empty


async def test_query_send_details_reports_the_delivery(site: SmsSite) -> None:
    await site.sender().send(PHONE, notice("查询用通知"), out_id="q-1")
    today = datetime.fromtimestamp(site.clock(), CHINA).strftime("%Y%m%d")
    request = QuerySendDetailsRequest(phone_number=PHONE, send_date=today, page_size=10, current_page=1)
    body = (await site.sdk().query_send_details_async(request)).body
    [detail] = body.sms_send_detail_dtos.sms_send_detail_dto
    assert body.code == "OK" and int(body.total_count) == 1
    assert (detail.content, detail.send_status, detail.err_code, detail.out_id) == \
        (shown("查询用通知"), 3, "DELIVERED", "q-1")


# --- business errors: HTTP 200, Code != OK ---

BUSINESS_ERRORS = [
    ({"phone_numbers": "1380013800"}, "isv.MOBILE_NUMBER_ILLEGAL", "1380013800invalid mobile number"),
    ({"sign_name": "别人的签名"}, "isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)"),
    ({"template_code": "SMS_000000000"}, "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)"),
    ({"template_param": "{}"}, "isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值"),
    ({"template_param": None}, "isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值"),
    ({"template_param": '{"code": 123456}'}, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"),
    ({"template_param": "not json"}, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"),
    ({"template_param": '{"code": "12 34"}'}, "isv.INVALID_PARAMETERS",
     "params must be [a-zA-Z0-9] for verification sms"),
]


@pytest.mark.parametrize(("change", "code", "message"), BUSINESS_ERRORS, ids=[c for _, c, _ in BUSINESS_ERRORS])
async def test_business_errors_have_alibaba_clouds_codes(
        site: SmsSite, change: dict[str, Any], code: str, message: str) -> None:
    fields = {"phone_numbers": PHONE, "sign_name": "清零平台", "template_code": VERIFY,
              "template_param": '{"code":"123456"}', **change}
    response = await site.sdk().send_sms_async(SendSmsRequest(**fields))
    assert response.status_code == 200
    assert (response.body.code, response.body.message, response.body.biz_id) == (code, message, None)
    assert await site.inbox() == []


async def test_the_adapter_turns_business_errors_into_permanent_failures(site: SmsSite) -> None:
    cases = [
        (site.sender(), code("123456"), "138001380", "isv.MOBILE_NUMBER_ILLEGAL", None),
        (site.sender(sign_name="未报备签名"), notice("x"), PHONE, "isv.SMS_SIGNATURE_ILLEGAL", Misconfigured.ACCOUNT),
        (site.sender(templates={"customs_replied": "SMS_1"}), notice("x"), PHONE, "isv.SMS_TEMPLATE_ILLEGAL",
         Misconfigured.TEMPLATE),
        (site.sender(), SmsMessage("verify_code", "x"), PHONE, "isv.TEMPLATE_MISSING_PARAMETERS",
         Misconfigured.TEMPLATE),
        (site.sender(), SmsMessage("customs_replied", "x", {"title": "标" * 36, "number": NUMBER}), PHONE,
         "isv.PARAM_LENGTH_LIMIT", Misconfigured.TEMPLATE),
    ]
    for sender, message, phone, error, misconfigured in cases:
        failure = await refused(sender, message, phone)
        assert not failure.retryable and f"（{error}）" in str(failure), (error, str(failure))
        assert (failure.code, failure.misconfigured) == (error, misconfigured)
        assert phone not in str(failure)
    assert await site.inbox() == []


async def test_a_template_missing_from_config_is_not_sent(site: SmsSite) -> None:
    failure = await refused(site.sender(templates={"customs_replied": NOTICE}), code("123456"))
    assert not failure.retryable and str(failure).startswith("未配置短信模板 verify_code")
    assert failure.misconfigured is Misconfigured.TEMPLATE
    assert await site.inbox() == []


# --- templates: registered with their text, variables within Alibaba's limits ---

async def test_a_value_over_its_variables_limit_is_param_length_limit(site: SmsSite) -> None:
    client = site.sdk()
    at_limit = SendSmsRequest(phone_numbers=PHONE, sign_name="清零平台", template_code=NOTICE,
                              template_param=params("标" * 35))
    assert (await client.send_sms_async(at_limit)).body.code == "OK"
    over = SendSmsRequest(phone_numbers=PHONE, sign_name="清零平台", template_code=NOTICE,
                          template_param=params("标" * 36))
    body = (await client.send_sms_async(over)).body
    assert (body.code, body.message, body.biz_id) == ("isv.PARAM_LENGTH_LIMIT", "参数超出长度限制", None)
    assert len(await site.inbox()) == 1


async def test_the_adapter_sends_long_input_within_the_limits(site: SmsSite) -> None:
    message = sms_message("registration_rejected", {"enterprise": "大连" * 30, "reason": "原因" * 30})
    await site.sender().send(PHONE, message, out_id="long")
    [sms] = await site.inbox(PHONE)
    assert sms["params"] == message.params and all(len(v) <= 35 for v in message.params.values())


async def test_a_template_made_only_of_variables_cannot_be_registered(site: SmsSite) -> None:
    with pytest.raises(TemplateRefused, match="不能只由变量组成"):
        site.platform.register("SMS_800000001", SmsTemplateText("${content}", {"content": VariableKind.TEXT}))
    failure = await refused(site.sender(templates={"customs_replied": "SMS_800000001"}), notice("x"))
    assert failure.code == "isv.SMS_TEMPLATE_ILLEGAL" and failure.misconfigured is Misconfigured.TEMPLATE


def test_an_old_single_variable_notice_template_is_not_registered() -> None:
    settings = replace(settings_for("http://127.0.0.1:1"), templates={"notice": "SMS_900000002"})
    assert SmsPlatform.from_settings(settings).templates == {}


async def test_gateway_refusals_are_account_configuration_errors(site: SmsSite) -> None:
    for sender, error in ((site.sender(access_key_secret=Secret("not-the-secret")), "SignatureDoesNotMatch"),
                          (site.sender(access_key_id="LTAIunknown"), "InvalidAccessKeyId.NotFound")):
        failure = await refused(sender, notice("x"))
        assert (failure.code, failure.misconfigured, failure.retryable) == (error, Misconfigured.ACCOUNT, False)
    flow = site.sender()
    await flow.send(PHONE, code("111111"), out_id="1")
    limited = await refused(flow, code("222222"))
    assert (limited.retryable, limited.misconfigured) == (True, None)


# --- AlertingSms: configuration errors become the operator's alerts ---

async def test_configuration_errors_open_alerts_that_a_good_send_closes(site: SmsSite, db: Any) -> None:
    broken = AlertingSms(site.sender(templates={**SMS_TEMPLATE_CODES, "customs_replied": "SMS_000000000"}))
    for _ in range(2):
        with pytest.raises(SmsFailed):
            await broken.send(PHONE, notice("x"), out_id="n")
    with pytest.raises(SmsFailed):
        await AlertingSms(site.sender(sign_name="未报备签名")).send(PHONE, code("123456"), out_id="c")
    with pytest.raises(SmsFailed):  # a number that cannot get SMS is not the operator's business
        await broken.send("1380013800", code("123456"), out_id="c")
    alerts = {(a.code, a.template): a.count for a in await open_alerts()}
    assert alerts == {("isv.SMS_TEMPLATE_ILLEGAL", "customs_replied"): 2, ("isv.SMS_SIGNATURE_ILLEGAL", ""): 1}

    await AlertingSms(site.sender()).send(PHONE, code("123456"), out_id="ok")  # another template: account fixed
    assert [(a.code, a.template) for a in await open_alerts()] == [("isv.SMS_TEMPLATE_ILLEGAL", "customs_replied")]
    await AlertingSms(site.sender()).send(OTHER_PHONE, notice("y"), out_id="ok2")
    assert await open_alerts() == ()
    with pytest.raises(SmsFailed):  # it comes back: the alert opens again, counted from one
        await broken.send(PHONE, notice("x"), out_id="n")
    [again] = await open_alerts()
    assert (again.code, again.count) == ("isv.SMS_TEMPLATE_ILLEGAL", 1)


# --- flow control: retryable ---

async def test_a_second_code_within_a_minute_is_flow_controlled(site: SmsSite) -> None:
    sender = site.sender()
    await sender.send(PHONE, code("111111"), out_id="1")
    failure = await refused(sender, code("222222"))
    assert failure.retryable and "isv.BUSINESS_LIMIT_CONTROL" in str(failure)
    raw = await site.sdk().send_sms_async(SendSmsRequest(
        phone_numbers=PHONE, sign_name="清零平台", template_code=VERIFY, template_param='{"code":"333333"}'))
    assert (raw.body.code, raw.body.message) == ("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
    await sender.send(OTHER_PHONE, code("444444"), out_id="2")  # per number
    site.clock.advance(61)
    await sender.send(PHONE, code("555555"), out_id="3")
    assert [m["params"]["code"] for m in await site.inbox(PHONE)] == ["555555", "111111"]


async def test_the_sixth_code_within_an_hour_is_flow_controlled(site: SmsSite) -> None:
    client = site.sdk()
    request = SendSmsRequest(phone_numbers=PHONE, sign_name="清零平台", template_code=VERIFY,
                             template_param='{"code":"123456"}')
    for _ in range(5):
        assert (await client.send_sms_async(request)).body.code == "OK"
        site.clock.advance(61)
    body = (await client.send_sms_async(request)).body
    assert (body.code, body.message) == ("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5")


def test_the_eleventh_code_within_a_day_is_flow_controlled() -> None:
    """Days are too long for request timestamps, so the platform is driven directly."""
    clock = ManualClock()
    platform = SmsPlatform.from_settings(settings_for("http://127.0.0.1:1"), clock)
    params = {"PhoneNumbers": PHONE, "SignName": "清零平台", "TemplateCode": VERIFY, "TemplateParam": '{"code":"1234"}'}
    first = clock()
    for _ in range(10):
        assert platform.send_sms(params)["Code"] == "OK"
        clock.advance(3600)
    with pytest.raises(SmsApiError) as info:
        platform.send_sms(params)
    assert (info.value.code, info.value.message, info.value.status) == \
        ("isv.BUSINESS_LIMIT_CONTROL", "触发天级流控Permits:10", 200)
    clock.now = first + 86400  # a rolling day: the first code no longer counts
    assert platform.send_sms(params)["Code"] == "OK"


# --- authentication: gateway errors (4xx), permanent ---

async def test_a_wrong_secret_does_not_match_the_signature(site: SmsSite) -> None:
    failure = await refused(site.sender(access_key_secret=Secret("not-the-secret")), notice("x"))
    assert not failure.retryable and "SignatureDoesNotMatch" in str(failure)
    with pytest.raises(ClientException) as info:
        await site.sdk(secret="not-the-secret").send_sms_async(SendSmsRequest(
            phone_numbers=PHONE, sign_name="清零平台", template_code=NOTICE, template_param=params("x")))
    assert (info.value.status_code, info.value.code) == (400, "SignatureDoesNotMatch")
    assert "Specified signature is not matched with our calculation." in info.value.message
    assert await site.inbox() == []


async def test_an_unknown_access_key_is_not_found(site: SmsSite) -> None:
    failure = await refused(site.sender(access_key_id="LTAIunknown"), notice("x"))
    assert not failure.retryable and "InvalidAccessKeyId.NotFound" in str(failure)
    with pytest.raises(ClientException) as info:
        await site.sdk(key_id="LTAIunknown").send_sms_async(SendSmsRequest(
            phone_numbers=PHONE, sign_name="清零平台", template_code=NOTICE, template_param=params("x")))
    assert (info.value.status_code, info.value.code) == (404, "InvalidAccessKeyId.NotFound")


async def test_a_request_older_than_15_minutes_is_expired(site: SmsSite) -> None:
    site.clock.advance(16 * 60)
    failure = await refused(site.sender(), notice("x"))
    assert not failure.retryable and "InvalidTimeStamp.Expired" in str(failure)
    site.clock.advance(-16 * 60)
    await site.sender().send(PHONE, notice("x"), out_id="1")


def v3_headers(site: SmsSite, query: dict[str, str], nonce: str | None = None) -> dict[str, str]:
    """Headers signed exactly as the SDK signs them (its own signer)."""
    payload = hashlib.sha256(b"").hexdigest()
    headers = {"host": site.settings.endpoint.removeprefix("http://"), "x-acs-action": "SendSms",
               "x-acs-version": "2017-05-25", "x-acs-date": Utils.get_timestamp(),
               "x-acs-signature-nonce": nonce or uuid.uuid4().hex, "x-acs-content-sha256": payload,
               "accept": "application/json"}
    request = SimpleNamespace(pathname="/", method="POST", query=query, headers=headers)
    headers["Authorization"] = Utils.get_authorization(request, "ACS3-HMAC-SHA256", payload,
                                                       site.settings.access_key_id, "test-ak-secret")
    return headers


async def test_v3_tampering_and_nonce_reuse_are_refused(site: SmsSite) -> None:
    query = {"PhoneNumbers": PHONE, "SignName": "清零平台", "TemplateCode": NOTICE,
             "TemplateParam": params("原文")}
    headers = v3_headers(site, query)
    tampered = await site.http.post("/", params={**query, "TemplateParam": params("改过")}, headers=headers)
    assert tampered.status_code == 400 and tampered.json()["Code"] == "SignatureDoesNotMatch"
    with_body = await site.http.post("/", params=query, headers=headers, content=b"extra=1")
    assert with_body.status_code == 400 and with_body.json()["Code"] == "SignatureDoesNotMatch"
    assert (await site.http.post("/", params=query, headers=headers)).json()["Code"] == "OK"
    again = await site.http.post("/", params=query, headers=headers)
    assert again.status_code == 400 and again.json()["Code"] == "SignatureNonceUsed"
    assert again.json()["Message"] == "Specified signature nonce was used already."
    assert len(await site.inbox()) == 1


def v1_params(site: SmsSite, nonce: str | None = None, fmt: str = "XML", **extra: str) -> dict[str, str]:
    return {"AccessKeyId": site.settings.access_key_id, "Action": "SendSms", "Format": fmt,
            "RegionId": "cn-hangzhou", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
            "SignatureNonce": nonce or str(uuid.uuid4()), "Version": "2017-05-25",
            "Timestamp": datetime.fromtimestamp(site.clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "PhoneNumbers": PHONE, "SignName": "清零平台", "TemplateCode": NOTICE,
            "TemplateParam": params("V1 通知"), "OutId": "v1", **extra}


def signed_url(method: str, params: dict[str, str], secret: str = "test-ak-secret") -> str:
    signature = v1_signature(method, params, secret)
    return "/?" + "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in
                           {**params, "Signature": signature}.items())


async def test_v1_get_answers_xml_and_refuses_a_reused_nonce(site: SmsSite) -> None:
    params = v1_params(site, nonce="45e25e9b-0a6f-4070-8c85-2956eda1b466")
    first = await site.http.get(signed_url("GET", params))
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/xml")
    assert re.fullmatch(r'<\?xml version="1.0" encoding="UTF-8"\?><SendSmsResponse><Code>OK</Code>'
                        r"<Message>OK</Message><BizId>\d+\^0</BizId><RequestId>[0-9A-F-]{36}</RequestId>"
                        r"</SendSmsResponse>", first.text)
    again = await site.http.get(signed_url("GET", params))
    assert again.status_code == 400 and "<Code>SignatureNonceUsed</Code>" in again.text
    [sms] = await site.inbox()
    assert sms["content"] == shown("V1 通知")


async def test_v1_checks_the_signature_method_and_time(site: SmsSite) -> None:
    params = v1_params(site, fmt="JSON")
    url = signed_url("GET", params)
    forged = await site.http.get(url.replace("PhoneNumbers=13800138000", "PhoneNumbers=13900139000"))
    assert forged.status_code == 400 and forged.json()["Code"] == "SignatureDoesNotMatch"
    assert "server string to sign is:GET&%2F&AccessKeyId" in forged.json()["Message"]
    as_post = await site.http.post(url)  # signed for GET
    assert as_post.json()["Code"] == "SignatureDoesNotMatch"
    form = {**params, "Signature": v1_signature("POST", params, "test-ak-secret")}
    posted = await site.http.post("/", data=form)
    assert posted.status_code == 200 and posted.json()["Code"] == "OK"
    old = v1_params(site, fmt="JSON", Timestamp="2017-07-12T02:42:19Z")
    expired = await site.http.get(signed_url("GET", old))
    assert expired.status_code == 400 and expired.json()["Code"] == "InvalidTimeStamp.Expired"
    unknown = await site.http.get(signed_url("GET", {**params, "AccessKeyId": "testId"}))
    assert unknown.status_code == 404 and unknown.json()["Code"] == "InvalidAccessKeyId.NotFound"


async def test_the_root_only_answers_api_calls(site: SmsSite) -> None:
    assert (await site.http.get("/")).status_code == 404
    assert (await site.http.post("/", data={"hello": "world"})).status_code == 404
    unknown = await site.http.get(signed_url("GET", v1_params(site, fmt="JSON", Action="SendBatchSms")))
    assert unknown.status_code == 404 and unknown.json()["Code"] == "InvalidAction.NotFound"


# --- the adapter's edges ---

async def test_network_trouble_is_retryable() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    failure = await refused(AliyunSms(settings_for(f"http://127.0.0.1:{port}")), notice("x"))
    assert failure.retryable


def test_no_sender_without_an_access_key() -> None:
    settings = settings_for("https://dysmsapi.aliyuncs.com")
    assert sms_sender_for(replace(settings, access_key_id="")) is None
    assert sms_sender_for(replace(settings, access_key_secret=None)) is None
    assert isinstance(sms_sender_for(settings), AliyunSms)


async def test_logs_mask_the_phone_number(site: SmsSite, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="qingling.sms")
    sender = site.sender()
    await sender.send(PHONE, code("123456"), out_id="1")
    await refused(sender, code("654321"))
    await refused(site.sender(access_key_secret=Secret("wrong-secret")), notice("x"))
    assert "138****8000" in caplog.text and PHONE not in caplog.text
    assert "test-ak-secret" not in caplog.text and "wrong-secret" not in caplog.text


# --- SmsCodes end to end: AliyunSms → simulator → inbox → verify ---

def code_in_inbox(messages: list[dict[str, Any]]) -> str:
    match = re.search(r"验证码为(\d{6})", messages[0]["content"])
    assert match, messages
    return match.group(1)


async def test_sms_codes_end_to_end(site: SmsSite, cache: Cache) -> None:
    codes = SmsCodes(cache, site.sender(), CODE_SECRET)
    await codes.issue_code(PHONE, ip="203.0.113.9")
    code = code_in_inbox(await site.inbox(PHONE))
    await codes.verify_code(PHONE, code)
    with pytest.raises(RateLimited):  # the service's own per-minute limit comes first
        await codes.issue_code(PHONE, ip="203.0.113.9")
    assert len(await site.inbox(PHONE)) == 1


async def test_sms_codes_report_the_providers_flow_control(site: SmsSite, cache: Cache) -> None:
    codes = SmsCodes(cache, site.sender(), CODE_SECRET, SmsCodePolicy(limits=()))
    await codes.issue_code(PHONE, ip=None)
    first = code_in_inbox(await site.inbox(PHONE))
    with pytest.raises(ServiceUnavailable):  # the simulator's 1/min flow control
        await codes.issue_code(PHONE, ip=None)
    with pytest.raises(ValidationFailed, match="验证码已过期"):  # the refused code is gone, and so is the one before
        await codes.verify_code(PHONE, first)
    site.clock.advance(61)
    await codes.issue_code(PHONE, ip=None)
    await codes.verify_code(PHONE, code_in_inbox(await site.inbox(PHONE)))
