"""Alibaba Cloud request signatures, as the server checks them: RPC V1 (HMAC-SHA1) and V3 (ACS3-HMAC-SHA256).

V1 (Alibaba Cloud's 签名机制 document for RPC APIs, https://help.aliyun.com/document_detail/28839.html): the
sorted, percent-encoded parameters, ``METHOD&%2F&<encoded query>``, signed with ``secret + "&"``. V3 (what
SDK 4.x sends): a canonical request of method, path, sorted query, the headers named in ``SignedHeaders`` and
the body's SHA-256, hashed and signed with the secret (hex HMAC-SHA256).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote

V3_ALGORITHM = "ACS3-HMAC-SHA256"
# What a V3 request must sign at least (the real gateway refuses less).
V3_REQUIRED_HEADERS = ("host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce",
                       "x-acs-version")


def percent_encode(value: str) -> str:
    """RFC 3986 encoding: only A-Z a-z 0-9 - _ . ~ stay as they are; UTF-8; space is %20."""
    return quote(value, safe="~", encoding="utf-8")


def v1_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}"
                         for k, v in sorted(params.items()) if k != "Signature")
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical)}"


def v1_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    digest = hmac.new(f"{secret}&".encode(), v1_string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def v3_canonical_request(method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str],
                         signed_headers: list[str], payload_hash: str) -> str:
    """``headers``: lower-case name → value (several values already joined with ",")."""
    canonical_query = "&".join(f"{k}={percent_encode(v)}" for k, v in sorted(query.items()))
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers)
    return "\n".join([method.upper(), path or "/", canonical_query, canonical_headers,
                      ";".join(signed_headers), payload_hash])


def v3_signature(canonical_request: str, secret: str) -> str:
    string_to_sign = f"{V3_ALGORITHM}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def parse_v3_authorization(value: str) -> tuple[str, list[str], str] | None:
    """``ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex`` → (AK, headers, signature)."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != V3_ALGORITHM:
        return None
    parts = dict(item.strip().partition("=")[::2] for item in rest.split(","))
    credential, signed, signature = parts.get("Credential"), parts.get("SignedHeaders"), parts.get("Signature")
    if not (credential and signed and signature):
        return None
    return credential, signed.split(";"), signature


def equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
