"""Checks on a callback request before anything parses it: signature, timestamp window, body shape.

Each check raises ``Refused`` with the HTTP status and a reason for the log; nothing here answers WeChat.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from typing import Any

from wechatpy import parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.messages import MESSAGE_TYPES, UnknownMessage
from wechatpy.utils import check_signature

MAX_BODY_BYTES = 64 * 1024
# Entity expansion (billion laughs) and external entities both need a DOCTYPE; refuse before expat sees it.
# One case-insensitive scan of the bytes (no lowered copy of the body per request).
_FORBIDDEN_MARKUP = re.compile(rb"<!(?:doctype|entity|element|attlist)", re.IGNORECASE)
_FORBIDDEN_TEXT = re.compile(r"<!(?:doctype|entity|element|attlist)", re.IGNORECASE)


# A safe-mode body exactly as WeChat sends it: ToUserName then Encrypt (base64). Any other shape is parsed.
_SAFE_MODE_ENVELOPE = re.compile(
    r"\s*<xml>\s*<ToUserName><!\[CDATA\[(?P<account>[\w.@-]*)\]\]></ToUserName>\s*"
    r"<Encrypt><!\[CDATA\[(?P<encrypt>[A-Za-z0-9+/=]+)\]\]></Encrypt>\s*</xml>\s*")


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


def check_plain_xml(text: str) -> str:
    """``check_xml`` for text already decoded (a decrypted message): no DTD, not empty; else Refused(400)."""
    if not text.strip():
        raise Refused(400, "empty body")
    if _FORBIDDEN_TEXT.search(text):
        raise Refused(400, "DTD or entity declaration in body")
    return text


def check_xml(body: bytes) -> str:
    """The body as text if it is safe to hand to an XML parser (no DTD at all), else Refused(400)."""
    if not body.strip():
        raise Refused(400, "empty body")
    if _FORBIDDEN_MARKUP.search(body):
        raise Refused(400, "DTD or entity declaration in body")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None


def parse_envelope(text: str) -> dict[str, str | None]:
    """The outer <xml> element's children as ``{tag: text}`` (for the safe-mode Encrypt field), or Refused(400).

    Only the envelope is read here, with the C ElementTree parser (``check_xml`` already refused any DTD);
    the decrypted message itself is parsed once, by wechatpy.
    """
    canonical = _SAFE_MODE_ENVELOPE.fullmatch(text)
    if canonical:  # the shape WeChat sends in safe mode: nothing else to read
        return {"ToUserName": canonical["account"], "Encrypt": canonical["encrypt"]}
    try:
        root = ElementTree.fromstring(text)
    except Exception:  # noqa: BLE001 - expat raises several types for broken XML
        raise Refused(400, "malformed XML") from None
    if root.tag != "xml":
        raise Refused(400, "no <xml> root element")
    return {child.tag: child.text for child in root}


def parse_wechat_message(text: str) -> Any:
    """A wechatpy message or event, from XML already checked by ``check_xml``, parsed once.

    A plain message (text, image, …: flat fields, the usual case) is read by the C ElementTree parser into
    the same ``{tag: text}`` dict xmltodict would give, and wrapped in wechatpy's class for its MsgType
    (``wechatpy.messages.MESSAGE_TYPES``, exactly as ``parse_message`` does for non-events). Events, and any
    body whose shape a flat dict would not reproduce (attributes, nested or repeated elements, namespaces,
    stray text), go through wechatpy's ``parse_message`` and its event rules.
    """
    try:
        root = ElementTree.fromstring(text)
    except Exception:  # noqa: BLE001 - expat raises several types for broken XML
        raise Refused(400, "malformed XML") from None
    fields = _flat_fields(root)
    msg_type = str(fields.get("MsgType") or "").lower() if fields is not None else ""
    if msg_type and msg_type != "event" and not msg_type.startswith("device_"):
        message = MESSAGE_TYPES.get(msg_type, UnknownMessage)(fields)
    else:
        try:
            message = parse_message(text)
        except Exception:  # noqa: BLE001 - no <xml> root or MsgType, an unreadable field
            raise Refused(400, "malformed XML or message fields unreadable") from None
    if not isinstance(getattr(message, "source", None), str):
        raise Refused(400, "FromUserName missing")
    return message


def _flat_fields(root: ElementTree.Element) -> dict[str, str | None] | None:
    """``{tag: text}`` of an attribute-free ``<xml>`` of unique leaf elements, as xmltodict reads it (text
    stripped, empty → None); None for any other shape (left to wechatpy's own parser)."""
    if root.tag != "xml" or root.attrib or (root.text and root.text.strip()):
        return None
    fields: dict[str, str | None] = {}
    for child in root:
        tag = child.tag
        if (not isinstance(tag, str) or "{" in tag or tag in fields or child.attrib or len(child)
                or (child.tail and child.tail.strip())):
            return None
        value = child.text
        fields[tag] = (value.strip() or None) if value else None
    return fields
