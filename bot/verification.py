"""Checks on a callback request before anything parses it: signature, timestamp window, body shape.

Each check raises ``Refused`` with the HTTP status and a reason for the log; nothing here answers WeChat.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import xmltodict
from wechatpy import parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

MAX_BODY_BYTES = 64 * 1024
# Entity expansion (billion laughs) and external entities both need a DOCTYPE; refuse before expat sees it.
_FORBIDDEN_MARKUP = (b"<!doctype", b"<!entity", b"<!element", b"<!attlist")


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check_request_signature(token: str, args: Mapping[str, str], window_seconds: int, now: float | None = None) -> None:
    """The plain ``signature`` over token/timestamp/nonce, and a timestamp within the window."""
    signature, timestamp, nonce = args.get("signature"), args.get("timestamp"), args.get("nonce")
    if not (signature and timestamp and nonce):
        raise Refused(403, "signature, timestamp or nonce missing")
    try:
        check_signature(token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Refused(403, "bad signature") from None
    if not timestamp.isdigit():
        raise Refused(403, "timestamp is not a number")
    if abs((time.time() if now is None else now) - int(timestamp)) > window_seconds:
        raise Refused(403, f"timestamp {timestamp} outside the {window_seconds} s window")


def check_xml(body: bytes) -> str:
    """The body as text if it is safe to hand to an XML parser (no DTD at all), else Refused(400)."""
    if not body.strip():
        raise Refused(400, "empty body")
    if any(marker in body.lower() for marker in _FORBIDDEN_MARKUP):
        raise Refused(400, "DTD or entity declaration in body")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None


def parse_envelope(text: str) -> dict[str, Any]:
    """The outer <xml> element as a dict (for the safe-mode Encrypt field), or Refused(400)."""
    try:
        root = xmltodict.parse(text, disable_entities=True)
    except Exception:  # noqa: BLE001 - expat raises several types for broken XML
        raise Refused(400, "malformed XML") from None
    if not isinstance(root, dict) or not isinstance(root.get("xml"), dict):
        raise Refused(400, "no <xml> root element")
    return root["xml"]


def parse_wechat_message(text: str) -> Any:
    """A wechatpy message or event, from XML already checked by ``check_xml`` (parsed once, by wechatpy)."""
    try:
        message = parse_message(text)
    except Exception:  # noqa: BLE001 - broken XML, no <xml> root or MsgType, an unreadable field
        raise Refused(400, "malformed XML or message fields unreadable") from None
    if not isinstance(getattr(message, "source", None), str):
        raise Refused(400, "FromUserName missing")
    return message
