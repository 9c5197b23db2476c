"""The declaration-entry form preferences (表单设置) as data, and their pure checks.

Each setting is a code (a customs office checked against the office table; a 监管方式, 币制 or 国别 code checked
by its form until the code tables of the declaration-standard library arrive) or a switch. A person's row and an
enterprise's defaults hold only what was chosen; ``resolve`` lays person over enterprise over the system's
default. No database: values in, cleaned values and the refusal of every bad field out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.personal.labels import MSG_CODE_FORMAT, MSG_SWITCH


class Kind(StrEnum):
    OFFICE = "office"  # 关区代码, checked against customs_office by the service
    CODE = "code"  # a code of a fixed form
    SWITCH = "switch"  # 启用 / 禁用


class Source(StrEnum):
    PERSON = "person"
    COMPANY = "company"
    SYSTEM = "system"


SOURCE_LABELS = {Source.PERSON: "个人设置", Source.COMPANY: "企业默认", Source.SYSTEM: "系统默认"}


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    kind: Kind
    default: str | bool
    hint: str = ""
    pattern: str = ""  # a CODE's form
    rule: str = ""  # the form in words, for the refusal


SETTINGS: tuple[Setting, ...] = (
    Setting("declare_office", "默认申报地海关", Kind.OFFICE, "", "4 位关区代码，如 0900 大连海关"),
    Setting("port_office", "默认进出境关别", Kind.OFFICE, "", "4 位关区代码，如 0901"),
    Setting("trade_mode", "默认监管方式", Kind.CODE, "", "4 位数字，如 0110 一般贸易", r"\d{4}", "4 位数字"),
    Setting("currency", "默认币制", Kind.CODE, "", "3 位字母，如 USD 美元、CNY 人民币", r"[A-Z]{3}", "3 位英文字母"),
    Setting("origin_country", "商品项默认原产国（地区）", Kind.CODE, "", "3 位字母，如 CHN 中国",
            r"[A-Z]{3}", "3 位英文字母"),
    Setting("enter_moves_next", "回车跳到下一字段", Kind.SWITCH, True, "录入时按回车键光标跳到下一个字段"),
    Setting("remember_last", "自动带出上次录入", Kind.SWITCH, False, "新建报关单时带出上一票的表头内容"),
    Setting("auto_uppercase", "代码字段自动转大写", Kind.SWITCH, True, "录入的英文代码自动转为大写字母"),
    Setting("confirm_declare", "申报前再次确认", Kind.SWITCH, True, "点击申报时先弹出确认框"),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}
SWITCH_WORDS = {"on": True, "off": False}


def _code(setting: Setting, raw: Any) -> str:
    value = str(raw or "").strip().upper()
    if value and setting.kind is Kind.OFFICE and not re.fullmatch(r"\d{4}", value):
        raise ValueError(MSG_CODE_FORMAT.format(label=setting.label, rule="4 位数字的关区代码"))
    if value and setting.kind is Kind.CODE and not re.fullmatch(setting.pattern, value):
        raise ValueError(MSG_CODE_FORMAT.format(label=setting.label, rule=setting.rule))
    return value


def _switch(raw: Any) -> bool | None:
    if isinstance(raw, bool) or raw is None:
        return raw
    word = str(raw).strip().lower()
    if word == "":
        return None
    if word not in SWITCH_WORDS:
        raise ValueError(MSG_SWITCH)
    return SWITCH_WORDS[word]


def parse_values(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The chosen settings of ``raw`` (a key missing, empty or None: not chosen, it follows the next level) and
    the refusal of every bad one. A code is trimmed and upper-cased; a switch is True / False / "on" / "off"."""
    chosen: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for setting in SETTINGS:
        try:
            value: Any = _switch(raw.get(setting.key)) if setting.kind is Kind.SWITCH else _code(
                setting, raw.get(setting.key))
        except ValueError as error:
            errors[setting.key] = str(error)
            continue
        if value not in ("", None):
            chosen[setting.key] = value
    return chosen, errors


def office_keys(values: Mapping[str, Any]) -> dict[str, str]:
    """The office codes among chosen ``values``, by setting key (the service checks they exist)."""
    return {key: str(value) for key, value in values.items() if BY_KEY[key].kind is Kind.OFFICE}


@dataclass(frozen=True)
class Effective:
    """One setting in force: its value and where it comes from."""

    value: str | bool
    source: Source


def resolve(person: Mapping[str, Any], company: Mapping[str, Any]) -> dict[str, Effective]:
    """Person over enterprise over the system's default, for every setting (stored values of unknown keys are
    ignored: a setting dropped later does not break an old row)."""
    out: dict[str, Effective] = {}
    for setting in SETTINGS:
        if setting.key in person:
            out[setting.key] = Effective(person[setting.key], Source.PERSON)
        elif setting.key in company:
            out[setting.key] = Effective(company[setting.key], Source.COMPANY)
        else:
            out[setting.key] = Effective(setting.default, Source.SYSTEM)
    return out
