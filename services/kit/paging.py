"""Keyset paging shared by every list: an opaque cursor (the last row's sort key) and the page size check.

A cursor is base64url of a small JSON list; ``decode_cursor`` gives the list back or raises ValidationFailed
(field "cursor") for anything that was not handed out here, so a tampered link is a clear 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from models.errors import ValidationFailed

MSG_BAD_CURSOR = "分页参数无效，请从第一页重新加载"


def encode_cursor(*key: int | str) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or len(key) != arity:
        raise ValidationFailed(MSG_BAD_CURSOR, field="cursor")
    return key


def row_id(value: Any) -> int:
    """A row id taken from a cursor: a positive 32-bit integer, else ValidationFailed."""
    if type(value) is not int or not 0 < value < 2**31:
        raise ValidationFailed(MSG_BAD_CURSOR, field="cursor")
    return value


def encode_time_cursor(at: datetime, last_id: int) -> str:
    """The cursor of a list sorted by (a time, id), newest first."""
    return encode_cursor(at.isoformat(), last_id)


def decode_time_cursor(cursor: str) -> tuple[datetime, int]:
    stamp, last_id = decode_cursor(cursor, 2)
    try:
        at = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        raise ValidationFailed(MSG_BAD_CURSOR, field="cursor") from None
    if at.tzinfo is None:
        raise ValidationFailed(MSG_BAD_CURSOR, field="cursor")
    return at, row_id(last_id)


def after_time_key(field: str, at: datetime, last_id: int, *, ascending: bool = False) -> Q:
    """Rows after (at, last_id) in (``field``, id) order, descending unless ``ascending``: the page after a
    time cursor.

    The leading ``field <= at`` (``>=`` ascending) is implied by the OR, but it is what lets the index scan start
    at the cursor instead of filtering every row before it out.
    """
    op = "gt" if ascending else "lt"
    up_to: dict[str, Any] = {f"{field}__{op}e": at}
    before: dict[str, Any] = {f"{field}__{op}": at}
    same_time_next_id: dict[str, Any] = {field: at, f"id__{op}": last_id}
    return Q(**up_to) & (Q(**before) | Q(**same_time_next_id))


def check_limit(limit: int, maximum: int) -> int:
    if not 1 <= limit <= maximum:
        raise ValidationFailed(f"每页条数应为 1 到 {maximum}", field="limit")
    return limit
