"""The house rules for every input field, as annotated types for request bodies, and their Chinese refusals.

- ``Text`` is one line: control characters (NUL, tab, newline …) and lone surrogates are refused; leading and
  trailing blanks are stripped and text of only invisible characters (spaces, zero-width marks) is empty.
  ``LongText`` allows newline, carriage return and tab. Lengths of their own stay with the service that owns
  the field (its message names the limit); here only a house cap keeps an absurd value out.
- ``Secret`` (a password) is taken as typed, never stripped, with the same refusals of unreadable characters.
- ``Id`` is a database id (1 … 2^31-1, the range of an INTEGER column); ``OptionalId`` is empty → None;
  ``Ids`` is a list of ids (checkboxes repeat the field; a JSON scalar counts as a list of one).
- ``Flag`` is a checkbox or a JSON boolean.
- ``Day`` is a calendar day written 2026-01-31; ``OptionalDay`` is empty → None.
- ``Limit`` is a page size (the list's service checks its range); ``Cursor`` is a paging cursor handed out by
  a list (the service decodes it and refuses a tampered one).
- ``path_id`` is the same rule for an id in a route (``<question_id:int>``): out of range, no route matches (404).
A field may carry ``Refusal("…")``: every error on that field then reads as that one message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_TEXT = 20000  # characters in any one field: far above every field's own limit
MAX_ID = 2**31 - 1  # INTEGER primary keys
MAX_BIG = 2**63 - 1  # BIGINT columns
PATH_ID = re.compile(r"[0-9]{1,10}")  # the digits of an id in a route; its range is checked by ``path_id``
LONG_TEXT_CONTROLS = frozenset("\n\r\t")
FALSE_WORDS = frozenset({"", "0", "false", "off", "no"})


class NotEchoed:
    """A field never shown again on a refused form (a password)."""


NOT_ECHOED = NotEchoed()


@dataclass(frozen=True)
class Refusal:
    """The one message for any error on a field (e.g. "请选择受理单位"), instead of the generic ones."""

    message: str


# pydantic error type → the Chinese message; ``{…}`` are the error's context values.
MSG_OTHER = "格式不正确"
MSG_INTEGER = "请输入整数"
MSG_YES_NO = "请选择是或否"
MSG_CHOICE = "选项无效，请重新选择"
MESSAGES = {
    "missing": "必填",
    "string_type": "请输入文字",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "too_long": "长度不能超过 {max_length} 个字符",  # a length limit on a house text type (after its checks)
    "control_character": "含有不允许的控制字符",
    "unreadable_character": "含有无法识别的字符",
    "int_type": MSG_INTEGER,
    "int_parsing": MSG_INTEGER,
    "int_from_float": MSG_INTEGER,
    "int_parsing_size": "数值超出范围",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "bool_type": MSG_YES_NO,
    "bool_parsing": MSG_YES_NO,
    "list_type": "应为多个值的列表",
    "dict_type": MSG_OTHER,
    "literal_error": MSG_CHOICE,
    "enum": MSG_CHOICE,
    "day": "日期格式应为 年-月-日，如 2026-01-31",
}


def chinese(error_type: str, context: dict[str, Any] | None) -> str:
    return MESSAGES.get(error_type, MSG_OTHER).format(**(context or {}))


def _checked_text(value: Any, allowed: frozenset[str], *, strip: bool) -> Any:
    if not isinstance(value, str):
        return value  # the str validator refuses it with string_type
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("unreadable_character", "lone surrogate") from None
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
        raise PydanticCustomError("control_character", "control character")
    if len(value) > MAX_TEXT:
        raise PydanticCustomError("string_too_long", "too long", {"max_length": MAX_TEXT})
    if strip:
        value = value.strip()
        if all(c.isspace() or unicodedata.category(c) == "Cf" for c in value):
            return ""
    return value


def _line(value: Any) -> Any:
    return _checked_text(value, frozenset(), strip=True)


def _long(value: Any) -> Any:
    return _checked_text(value, LONG_TEXT_CONTROLS, strip=True)


def _secret(value: Any) -> Any:
    return _checked_text(value, frozenset(), strip=False)


def _empty_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):  # JSON true is not the number 1
        raise PydanticCustomError("int_type", "boolean")
    return value


def _many(value: Any) -> Any:
    items = value if isinstance(value, (list, tuple)) else [value]
    return [item for item in items if item not in ("", None)]


def _day(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            if len(value.strip()) == 10:
                return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PydanticCustomError("day", "not a day")


def _flag(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, str):
        return value.strip().lower() not in FALSE_WORDS
    return value


def path_id(segment: str) -> int:
    """The cast of Sanic's ``int`` route parameter (registered by the app factory): a database id, else
    ``ValueError``, which makes the router try the next route and answer 404 — never a database overflow."""
    if not PATH_ID.fullmatch(segment):
        raise ValueError(segment)
    value = int(segment)
    if not 1 <= value <= MAX_ID:
        raise ValueError(segment)
    return value


Text = Annotated[str, BeforeValidator(_line)]
LongText = Annotated[str, BeforeValidator(_long)]
Secret = Annotated[str, BeforeValidator(_secret), NOT_ECHOED]
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_no_bool)]
BigInt = Annotated[int, Field(ge=-MAX_BIG, le=MAX_BIG), BeforeValidator(_no_bool)]
OptionalId = Annotated[Id | None, BeforeValidator(_empty_is_none)]
Ids = Annotated[list[Id], BeforeValidator(_many)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Day = Annotated[date, BeforeValidator(_day), WithJsonSchema({"type": "string", "format": "date"})]
OptionalDay = Annotated[Day | None, BeforeValidator(_empty_is_none)]
Limit = Annotated[BigInt, Field(description="每页条数")]
Cursor = Annotated[Text, Field(description="上一页返回的 next_cursor；不传为第一页")]
# A multipart file: documented here, read by the handler from ``request.files`` (never from the form).
Upload = Annotated[Any, WithJsonSchema({"type": "string", "format": "binary"})]
