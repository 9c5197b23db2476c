"""The simulated SMS platform over HTTP: Dysmsapi's RPC endpoint at ``/`` and the inbox under ``/sim/sms``.

The official SDK (4.x) POSTs to ``/`` with the parameters in the query string and a V3
(``ACS3-HMAC-SHA256``) ``Authorization`` header; older clients send V1 (HMAC-SHA1) signed parameters by GET
or as a form body. Both are checked exactly. ``/`` only answers requests naming an action
(``x-acs-action`` or ``Action``); anything else is the app's 404. Point ``sms.endpoint`` at the site.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from sanic import Blueprint, HTTPResponse, Request, json, raw
from sanic.exceptions import NotFound

from core.config import SmsSettings
from simulators.sms.inbox_page import inbox_html
from simulators.sms.platform import SmsApiError, SmsPlatform, gateway_error
from simulators.sms.signature import (
    V3_REQUIRED_HEADERS,
    equal,
    parse_v3_authorization,
    v1_signature,
    v1_string_to_sign,
    v3_canonical_request,
    v3_signature,
)

PREFIX = "/sim/sms"
VERSION = "2017-05-25"


def blueprint_for(settings: SmsSettings, clock: Callable[[], float] = time.time) -> Blueprint:
    """A simulator that accepts the configured AccessKey, signature and templates (the demo and app tests)."""
    return blueprint(SmsPlatform.from_settings(settings, clock))


def blueprint(platform: SmsPlatform) -> Blueprint:
    """The routes serving ``platform``; it is also kept on ``bp.ctx.platform`` for tests."""
    bp = Blueprint("sms_simulator")
    bp.ctx.platform = platform
    actions = {"SendSms": platform.send_sms, "QuerySendDetails": platform.query_send_details}

    @bp.route("/", methods=["GET", "POST"], name="sms_rpc")
    async def rpc(request: Request) -> HTTPResponse:
        query = dict(parse_qsl(request.query_string, keep_blank_values=True))
        params = {**query, **_form(request)}
        action = request.headers.get("x-acs-action") or params.get("Action")
        if not action:
            raise NotFound()
        v3 = "x-acs-action" in request.headers
        as_xml = not v3 and params.get("Format", "XML").upper() == "XML"
        try:
            if v3:
                _check_v3(request, query, platform)
            else:
                _check_v1(request, params, platform)
            handler = actions.get(action)
            if handler is None or (request.headers.get("x-acs-version") or params.get("Version")) != VERSION:
                raise gateway_error("InvalidAction.NotFound")
            return _render(handler(params), 200, as_xml, action)
        except SmsApiError as error:
            body = error.body()
            if error.status != 200:
                body.update(HostId="dysmsapi.aliyuncs.com", Recommend="https://api.aliyun.com/troubleshoot")
            return _render(body, error.status, as_xml, action)

    @bp.get(f"{PREFIX}/messages", name="sms_messages")
    async def messages(request: Request) -> HTTPResponse:
        phone = request.args.get("phone") or None
        return json({"messages": [m.as_json() for m in platform.messages(phone)]})

    @bp.get(f"{PREFIX}/inbox", name="sms_inbox")
    async def inbox(request: Request) -> HTTPResponse:
        phone = (request.args.get("phone") or "").strip()
        return raw(inbox_html(platform.messages(phone or None), phone), content_type="text/html; charset=utf-8")

    return bp


def _form(request: Request) -> dict[str, str]:
    if request.method != "POST" or not request.body:
        return {}
    if not (request.content_type or "").startswith("application/x-www-form-urlencoded"):
        return {}
    return dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))


def _check_v1(request: Request, params: dict[str, str], platform: SmsPlatform) -> None:
    signature = params.get("Signature")
    if not signature or params.get("SignatureMethod") != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
        raise gateway_error("IncompleteSignature")
    secret = platform.secret_for(params.get("AccessKeyId", ""))
    if not equal(v1_signature(request.method, params, secret), signature):
        error = gateway_error("SignatureDoesNotMatch")
        error.message += f" server string to sign is:{v1_string_to_sign(request.method, params)}"
        raise error
    platform.check_request_time(params.get("Timestamp", ""))
    platform.check_nonce(params.get("SignatureNonce", ""))


def _check_v3(request: Request, query: dict[str, str], platform: SmsPlatform) -> None:
    parsed = parse_v3_authorization(request.headers.get("authorization", ""))
    if parsed is None or not set(V3_REQUIRED_HEADERS) <= set(parsed[1]):
        raise gateway_error("IncompleteSignature")
    access_key_id, signed_headers, signature = parsed
    secret = platform.secret_for(access_key_id)
    payload_hash = hashlib.sha256(request.body or b"").hexdigest()
    headers = {name: ",".join(sorted(v.strip() for v in request.headers.getall(name, [])))
               for name in signed_headers}
    canonical = v3_canonical_request(request.method, request.path, query, headers, signed_headers, payload_hash)
    if headers["x-acs-content-sha256"] != payload_hash or not equal(v3_signature(canonical, secret), signature):
        raise gateway_error("SignatureDoesNotMatch")
    platform.check_request_time(headers["x-acs-date"])
    platform.check_nonce(headers["x-acs-signature-nonce"])


def _render(body: dict[str, Any], status: int, as_xml: bool, action: str) -> HTTPResponse:
    if not as_xml:
        return json(body, status=status, ensure_ascii=False)
    root = f"{action}Response" if body.get("Code") == "OK" else "Error"
    document = f'<?xml version="1.0" encoding="UTF-8"?><{root}>{_xml(body)}</{root}>'
    return raw(document.encode(), status=status, content_type="text/xml;charset=utf-8")


def _xml(value: Any) -> str:
    if isinstance(value, dict):
        return "".join(_element(k, v) for k, v in value.items())
    return escape(str(value))


def _element(name: str, value: Any) -> str:
    if isinstance(value, list):
        return "".join(f"<{name}>{_xml(item)}</{name}>" for item in value)
    return f"<{name}>{_xml(value)}</{name}>"
