"""WeChat's 2023 value rules for typed template keywords (类目模板), applied before sending.

A keyword's type is its name without the trailing digits (``thing3`` → ``thing``). WeChat rejects a value that
breaks its type's rule with 47003, so every value is made to fit here: cut to the type's length, characters
the type does not allow dropped. ``first`` and ``remark`` are no longer shown (WeChat's
2023 announcement 《关于规范公众号模板消息的再次公告》, effective 2023-05-04) and are refused.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
# Longest value per keyword type, in characters (the 类目模板 rules of the template-message documentation).
MAX_LENGTH = {
    "thing": 20,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "character_string": 32,
    "time": 32,
    "date": 32,
    "amount": 12,
    "phone_number": 17,
    "car_number": 8,
    "name": 10,  # 10 Chinese characters; a name of Latin letters may have 20 (see fit_value)
    "phrase": 5,
    "const": 20,
}
NAME_LATIN_LENGTH = 20
# Characters a type keeps; anything else is dropped (None: any character).
ALLOWED = {
    "number": re.compile(r"[0-9.]"),
    "letter": re.compile(r"[A-Za-z]"),
    "character_string": re.compile(r"[\x21-\x7e]"),  # digits, letters, symbols: no Chinese, no spaces
    "phone_number": re.compile(r"[0-9+\-() ]"),
}
# Types whose values are whole tokens: cutting with an ellipsis would make a wrong number, not a short one.
NO_ELLIPSIS = {"number", "letter", "symbol", "character_string", "time", "date", "amount", "phone_number",
               "car_number", "phrase", "const"}
LEGACY_KEYS = {"first", "remark"}
_KEY = re.compile(r"^([a-z_]+?)(\d+)$")


class TemplateKeyError(ValueError):
    """A keyword WeChat's 2023 rules do not know (a legacy first/remark, or an unknown type)."""


def keyword_type(key: str) -> str:
    """``thing3`` → ``thing``; ``character_string12`` → ``character_string``."""
    if key in LEGACY_KEYS:
        raise TemplateKeyError(f"{key}: no longer shown by WeChat since 2023-05-04")
    found = _KEY.match(key)
    if not found or found.group(1) not in MAX_LENGTH:
        raise TemplateKeyError(f"{key}: not a typed template keyword")
    return found.group(1)


def fit_value(key: str, value: object) -> str:
    """``value`` as text that passes WeChat's rule for ``key``'s type (never empty: WeChat refuses that too)."""
    kind = keyword_type(key)
    text = " ".join(str(value).split())  # line breaks and runs of spaces are not shown anyway
    allowed = ALLOWED.get(kind)
    if allowed is not None:
        text = "".join(ch for ch in text if allowed.fullmatch(ch)).strip()
    limit = MAX_LENGTH[kind]
    if kind == "name" and text.isascii():
        limit = NAME_LATIN_LENGTH
    if len(text) > limit:
        text = text[:limit] if kind in NO_ELLIPSIS else text[:limit - 1] + ELLIPSIS
    return text or ("0" if kind == "number" else "-")


def fit_data(values: dict[str, object]) -> dict[str, dict[str, str]]:
    """The ``data`` object of a template send: ``{"thing1": {"value": "…"}, …}`` with every value fitted."""
    return {key: {"value": fit_value(key, value)} for key, value in values.items()}
