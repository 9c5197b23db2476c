"""异常登记's field rules and the list's filter, pure (no database): text as typed in, a typed ``ExceptionForm`` or
``ExceptionFilter`` out, or one ``ValidationFailed`` naming every refused field at once (page and API alike)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.declaration_exceptions import ExceptionKind, ExceptionStatus, ExceptionType, IeFlag
from models.errors import ValidationFailed
from services.declarations import labels as L
from services.kit.filters import MSG_BAD_DATE, MSG_FROM_AFTER_TO, day_arg, one_arg

F = L.EXCEPTION_FIELDS
NUMBER_RULES = {ExceptionKind.DECLARATION: (re.compile(r"[0-9]{18}"), L.MSG_DECLARATION_NUMBER),
                ExceptionKind.BONDED_LIST: (re.compile(r"[0-9A-Z]{18}"), L.MSG_LIST_NUMBER)}
SIZES = {"trade_name": 100, "client_name": 100, "post": 30, "responsible": 30, "penalty_target": 100, "reason": 500}
FILTER_SIZES = {"number": 18, "trade_name": 100, "post": 30, "responsible": 30}


@dataclass(frozen=True)
class ExceptionForm:
    number: str
    trade_name: str
    ie_flag: str
    client_name: str
    exception_type: ExceptionType
    occurred_on: date
    post: str
    responsible: str
    penalized: bool
    penalty_target: str
    status: ExceptionStatus
    done_on: date | None
    reason: str

    def columns(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _choice(errors: dict[str, str], values: Mapping[str, Any], key: str, enum: Any) -> Any:
    try:
        return enum(str(values.get(key) or ""))
    except ValueError:
        errors[key] = L.MSG_CHOOSE.format(label=F[key])
        return None


def _day(errors: dict[str, str], values: Mapping[str, Any], key: str, today: date, *, required: bool) -> date | None:
    text = str(values.get(key) or "").strip()
    if not text:
        if required:
            errors[key] = L.MSG_REQUIRED.format(label=F[key])
        return None
    try:
        found = day_arg(text, key)
    except ValidationFailed:
        errors[key] = L.MSG_DATE.format(label=F[key])
        return None
    if found is not None and found > today:
        errors[key] = L.MSG_FUTURE_DATE.format(label=F[key])
    return found


def check_exception(kind: ExceptionKind, values: Mapping[str, Any], today: date, *,
                    kept_number: str = "") -> ExceptionForm:
    """The form, or every refusal at once. ``kept_number``: the stored 号码 (of a receipt's exception, which may
    be the 统一编号 or 系统编号 before customs numbered it), accepted unchanged."""
    errors: dict[str, str] = {}
    text = {key: str(values.get(key) or "").strip() for key in (*SIZES, "number", "ie_flag")}
    number = text["number"].upper()
    pattern, message = NUMBER_RULES[kind]
    if not number:
        errors["number"] = L.MSG_REQUIRED.format(label=L.NUMBER_LABELS[kind.value])
    elif number != kept_number and not pattern.fullmatch(number):
        errors["number"] = message
    for key, size in SIZES.items():
        if len(text[key]) > size:
            errors[key] = L.MSG_TOO_LONG.format(label=F[key], size=size)
    if text["ie_flag"] and text["ie_flag"] not in {flag.value for flag in IeFlag}:
        errors["ie_flag"] = L.MSG_CHOOSE.format(label=F["ie_flag"])
    exception_type = _choice(errors, values, "exception_type", ExceptionType)
    status = _choice(errors, values, "status", ExceptionStatus)
    occurred_on = _day(errors, values, "occurred_on", today, required=True)
    done_on = _day(errors, values, "done_on", today, required=False)
    penalized = values.get("penalized") is True
    if penalized and not text["penalty_target"]:
        errors["penalty_target"] = L.MSG_PENALTY_TARGET
    elif not penalized and text["penalty_target"]:
        errors["penalty_target"] = L.MSG_NO_PENALTY_TARGET
    if done_on is not None and "done_on" not in errors:
        if status is not None and status is not ExceptionStatus.DONE:
            errors["done_on"] = L.MSG_DONE_ONLY
        elif occurred_on is not None and done_on < occurred_on:
            errors["done_on"] = L.MSG_DONE_BEFORE
    if errors:
        raise ValidationFailed.of(errors)
    assert exception_type is not None and status is not None and occurred_on is not None
    if status is ExceptionStatus.DONE and done_on is None:
        done_on = today  # 完成 without a date: done today
    return ExceptionForm(number, text["trade_name"], text["ie_flag"], text["client_name"], exception_type,
                         occurred_on, text["post"], text["responsible"], penalized, text["penalty_target"], status,
                         done_on, text["reason"])


@dataclass(frozen=True)
class ExceptionFilter:
    """The list's filters (the manual's 查询条件): 号码, 境内收发货人, 进出口, 异常类型, 处理状态, 责任岗位, 责任人 and
    发生日期 from / to. Text filters match a part of the value."""

    kind: ExceptionKind = ExceptionKind.DECLARATION
    number: str = ""
    trade_name: str = ""
    ie_flag: str = ""
    exception_type: ExceptionType | None = None
    status: ExceptionStatus | None = None
    post: str = ""
    responsible: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> ExceptionFilter:
        errors: dict[str, str] = {}
        texts = {key: one_arg(args, key) for key in FILTER_SIZES}
        for key, size in FILTER_SIZES.items():
            if len(texts[key]) > size:
                errors[key] = L.MSG_TOO_LONG.format(label=F[key], size=size)
        kind = ExceptionKind.DECLARATION
        chosen: dict[str, Any] = {}
        for key, enum in (("kind", ExceptionKind), ("exception_type", ExceptionType), ("status", ExceptionStatus),
                          ("ie_flag", IeFlag)):
            value = one_arg(args, key)
            try:
                chosen[key] = enum(value) if value else None
            except ValueError:
                errors[key] = L.MSG_CHOOSE.format(label=F[key])
        kind = chosen.get("kind") or kind
        days: dict[str, date | None] = {}
        for key in ("date_from", "date_to"):
            try:
                days[key] = day_arg(one_arg(args, key), key)
            except ValidationFailed:
                errors[key], days[key] = MSG_BAD_DATE, None
        if days["date_from"] and days["date_to"] and days["date_from"] > days["date_to"]:
            errors["date_from"] = MSG_FROM_AFTER_TO
        if errors:
            raise ValidationFailed.of(errors)
        ie_flag = chosen.get("ie_flag")
        return cls(kind, texts["number"].upper(), texts["trade_name"], ie_flag.value if ie_flag else "",
                   chosen.get("exception_type"), chosen.get("status"), texts["post"], texts["responsible"],
                   days["date_from"], days["date_to"])

    def args(self) -> dict[str, str]:
        """The filter as query arguments (the links of the next page and the export)."""
        values = {"kind": self.kind.value, "number": self.number, "trade_name": self.trade_name,
                  "ie_flag": self.ie_flag, "exception_type": self.exception_type.value if self.exception_type else "",
                  "status": self.status.value if self.status else "", "post": self.post,
                  "responsible": self.responsible, "date_from": self.date_from.isoformat() if self.date_from else "",
                  "date_to": self.date_to.isoformat() if self.date_to else ""}
        return {key: value for key, value in values.items() if value}
