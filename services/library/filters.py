"""The filter of the enterprise and public libraries — one rule for both: parsed from a form or query string
(every bad field at once) and turned into SQL over ``library_row`` (``?`` placeholders), with the keyset order
(newest declaration date first, then newest id) and its cursor ``YYYY-MM-DD.id``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.errors import ValidationFailed
from models.library import IeFlag, LibraryMark
from services.kit.excel import MSG_DATE
from services.library import labels as L
from services.library.keywords import keyword_condition, keyword_problem

ROLES = ("declarant", "consignee")  # 申报单位 / 收发货人; empty: either
_HS = re.compile(r"\d{4}|\d{6}|\d{8}|\d{10}")
KEYWORD_MAX = 30
ORDER = "declared_on DESC, id DESC"


@dataclass(frozen=True)
class LibraryFilter:
    mark: LibraryMark | None = None
    trade_mode: str = ""
    hs_code: str = ""  # the code or its 4/6/8-digit prefix
    ie_flag: IeFlag | None = None
    role: str = ""
    date_from: date | None = None
    date_to: date | None = None
    keyword: str = ""

    def args(self) -> list[tuple[str, str]]:
        """The filter as query-string pairs (links, an export job's params)."""
        values = {"mark": self.mark.value if self.mark else "", "trade_mode": self.trade_mode,
                  "hs_code": self.hs_code, "ie_flag": self.ie_flag.value if self.ie_flag else "", "role": self.role,
                  "date_from": self.date_from.isoformat() if self.date_from else "",
                  "date_to": self.date_to.isoformat() if self.date_to else "", "keyword": self.keyword}
        return [(k, v) for k, v in values.items() if v]

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> LibraryFilter:
        """The filter of a form or query string; ValidationFailed naming every bad field at once."""
        errors: dict[str, str] = {}

        def text(key: str) -> str:
            return str(args.get(key) or "").strip()

        def parsed(key: str, parse: Callable[[str], Any], message: str) -> Any:
            if not text(key):
                return None
            try:
                return parse(text(key))
            except ValueError:
                errors[key] = message
                return None

        def role(value: str) -> str:
            if value not in ROLES:
                raise ValueError(value)
            return value

        hs_code = text("hs_code")
        if hs_code and not _HS.fullmatch(hs_code):
            errors["hs_code"] = L.MSG_HS_PREFIX
        keyword = text("keyword")
        if len(keyword) > KEYWORD_MAX:
            errors["keyword"] = L.MSG_KEYWORD_LONG
        elif keyword and (problem := keyword_problem(keyword)):
            errors["keyword"] = problem
        found = cls(parsed("mark", LibraryMark, L.MSG_CHOOSE), text("trade_mode").upper()[:4], hs_code,
                    parsed("ie_flag", IeFlag, L.MSG_CHOOSE), parsed("role", role, L.MSG_CHOOSE) or "",
                    parsed("date_from", date.fromisoformat, MSG_DATE), parsed("date_to", date.fromisoformat, MSG_DATE),
                    keyword)
        if found.date_from and found.date_to and found.date_from > found.date_to:
            errors.setdefault("date_to", L.MSG_DATE_ORDER)
        if errors:
            raise ValidationFailed.of(errors)
        return found

    def conditions(self, dialect: str) -> tuple[list[str], list[Any]]:
        """The filter's SQL conditions (ANDed) and their arguments; the role is the caller's scope."""
        sql: list[str] = []
        args: list[Any] = []
        for column, value in (("mark", self.mark.value if self.mark else ""), ("trade_mode", self.trade_mode),
                              ("ie_flag", self.ie_flag.value if self.ie_flag else "")):
            if value:
                sql.append(f"{column} = ?")
                args.append(value)
        if len(self.hs_code) == 10:
            sql.append("hs_code = ?")
            args.append(self.hs_code)
        elif self.hs_code:  # a prefix: the range of the 10-digit codes under it (any collation's btree serves it)
            sql.append("hs_code BETWEEN ? AND ?")
            args.extend([self.hs_code.ljust(10, "0"), self.hs_code.ljust(10, "9")])
        if self.date_from:
            sql.append("declared_on >= ?")
            args.append(self.date_from)
        if self.date_to:
            sql.append("declared_on <= ?")
            args.append(self.date_to)
        if self.keyword:
            condition, found = keyword_condition(self.keyword, dialect)
            sql.append(condition)
            args.extend(found)
        return sql, args


def parse_cursor(cursor: str) -> tuple[date, int] | None:
    """The position a ``next_cursor`` names; ValidationFailed for anything else."""
    if not cursor:
        return None
    try:
        day, _, row_id = cursor.partition(".")
        return date.fromisoformat(day), int(row_id)
    except ValueError:
        raise ValidationFailed(L.MSG_CURSOR, field="cursor") from None


def after(position: tuple[date, int] | None) -> tuple[list[str], list[Any]]:
    """The keyset condition of the rows after ``position`` in ``ORDER``. Its leading ``declared_on <= ?`` is what an
    index on (…, declared_on[, id]) starts its scan at; the OR alone is only a filter, which read every row before
    the position again for each page (an export's batches grew slower one after another)."""
    if position is None:
        return [], []
    return ["declared_on <= ?", "(declared_on < ? OR id < ?)"], [position[0], position[0], position[1]]


def cursor_of(declared_on: date, row_id: int) -> str:
    return f"{declared_on.isoformat()}.{row_id}"
