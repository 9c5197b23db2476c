"""Reading a list's filter from query arguments (Sanic's ``request.args`` or a plain mapping): one rule for all.

A value may be a string or a list of strings; a filter takes the first, with its white space folded. A bad
value is ValidationFailed naming the field, so the page shows the message beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from models.errors import ValidationFailed

MSG_BAD_DATE = "日期格式应为 YYYY-MM-DD"
MSG_BAD_STATUS = "状态筛选无效"
MSG_FROM_AFTER_TO = "开始日期不能晚于结束日期"


def all_args(args: Mapping[str, Any], key: str) -> list[str]:
    """Every value given for ``key``."""
    value = args.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def one_arg(args: Mapping[str, Any], key: str) -> str:
    """The first value given for ``key``, white space folded; "" when absent."""
    values = all_args(args, key)
    return " ".join(values[0].split()) if values else ""


def day_arg(text: str, field: str) -> date | None:
    """A calendar day written YYYY-MM-DD; None when empty."""
    if not text:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValidationFailed(MSG_BAD_DATE, field=field)
