"""Alibaba Cloud's rules for SMS templates and their variables (短信模板规范, 变量规范), written once.

Pure. Two users on purpose: the app fits every value to its variable before sending (``fit_variable``), and
the SMS simulator (simulators/sms/) refuses what Alibaba Cloud refuses — a template made only of variables
(or with variables side by side, or an untyped one) cannot be registered, and a value longer than its
variable's limit is answered with ``isv.PARAM_LENGTH_LIMIT``.

Every variable of a template has a type (变量属性) chosen when the template is applied for. A notification
variable holds 35 characters by default (Alibaba lifts that only on request); a verification code 4–6
letters or digits, and a verification template has exactly that one variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

VARIABLE = re.compile(r"\$\{(\w+)\}")
ELLIPSIS = "…"
# What is left of a template without its variables must say something: not only spaces and punctuation.
_FIXED_TEXT = re.compile(r"[\w\u4e00-\u9fff]")
_CODE_VALUE = re.compile(r"[A-Za-z0-9]{4,6}")


class VariableKind(StrEnum):
    """A variable's type, as the ``TemplateRule`` of Alibaba's CreateSmsTemplate names it."""

    CODE = "numberCaptcha"  # 验证码: 4–6 digits (letters allowed too)
    NUMBER = "characterWithNumber"  # 数字+字母 (an order or question number)
    TIME = "time"  # 时间 (a date, a month, a count of days)
    TEXT = "others"  # 其他 (a name, a title, a state, a reason)


MAX_LENGTH = {VariableKind.CODE: 6, VariableKind.NUMBER: 35, VariableKind.TIME: 35, VariableKind.TEXT: 35}
# Characters a type keeps; anything else is dropped before sending.
ALLOWED = {VariableKind.CODE: re.compile(r"[A-Za-z0-9]"), VariableKind.NUMBER: re.compile(r"[A-Za-z0-9]")}


class TemplateRefused(ValueError):
    """A template Alibaba Cloud would not approve; the message says why, in Chinese."""


@dataclass(frozen=True)
class SmsTemplateText:
    """A template as applied for: its text with ``${name}`` variables and each variable's type."""

    content: str
    variables: Mapping[str, VariableKind]
    verification: bool = False

    def names(self) -> list[str]:
        return VARIABLE.findall(self.content)

    def render(self, values: Mapping[str, str]) -> str:
        """The text the phone shows (without the 【signature】)."""
        return VARIABLE.sub(lambda m: values[m.group(1)], self.content)


def check_registrable(template: SmsTemplateText) -> None:
    """Raise ``TemplateRefused`` unless Alibaba Cloud's template rules allow ``template``."""
    names = template.names()
    if not _FIXED_TEXT.search(VARIABLE.sub("", template.content)):
        raise TemplateRefused("模板不能只由变量组成，变量前后需有文字说明")
    if re.search(r"\}\s*\$\{", template.content):
        raise TemplateRefused("模板不支持连续变量")
    if len(set(names)) != len(names):
        raise TemplateRefused("同一个变量在模板中只能出现一次")
    if set(names) != set(template.variables):
        raise TemplateRefused("模板中的每个变量都要设置变量属性（且只为模板中的变量设置）")
    if template.verification and [template.variables[n] for n in names] != [VariableKind.CODE]:
        raise TemplateRefused("验证码模板只能有一个验证码变量")
    if not template.verification and VariableKind.CODE in template.variables.values():
        raise TemplateRefused("只有验证码模板可以使用验证码变量")


def value_too_long(kind: VariableKind, value: str) -> bool:
    """True when Alibaba Cloud refuses ``value`` with isv.PARAM_LENGTH_LIMIT."""
    return len(value) > MAX_LENGTH[kind]


def is_code(value: str) -> bool:
    return bool(_CODE_VALUE.fullmatch(value))


def fit_variable(kind: VariableKind, value: object) -> str:
    """``value`` as text within ``kind``'s limit (never empty: Alibaba refuses an empty variable too)."""
    text = " ".join(str(value).split())
    allowed = ALLOWED.get(kind)
    if allowed is not None:
        text = "".join(ch for ch in text if allowed.fullmatch(ch))
    limit = MAX_LENGTH[kind]
    if len(text) > limit:  # numbers and times are cut, not shortened: "…" would make a wrong one
        text = text[:limit - 1] + ELLIPSIS if kind is VariableKind.TEXT else text[:limit]
    return text or "-"
