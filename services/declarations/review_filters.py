"""The review list's filter (seed 004 报关单审核): the manual's fields, parsed from a page's query string or the
API's (every bad field refused at once, beside its field) and turned into one query condition.

申报单号 finds any of the declaration's numbers (系统编号, 统一编号, 海关编号); 申报地 is the 出境关别 (the port
where it is declared); 企业类别 is the enterprise's part in the declaration: 境内收发货人 (the goods are its own)
or 报关企业 (declared for another 境内发货人).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from models.declaration_lifecycle import DeclarationStatus
from models.errors import ValidationFailed
from services.kit.context import start_of

S = DeclarationStatus
# 审核状态: which statuses each choice covers (a declaration never submitted is not in the review list)
REVIEW_STATES: Mapping[str, tuple[DeclarationStatus, ...]] = {
    "pending_review": (S.PENDING_REVIEW,), "second_review": (S.SECOND_REVIEW,), "returned": (S.RETURNED,),
    "approved": (S.APPROVED, S.DECLARED, S.ENTERED, S.RELEASED, S.CLEARED, S.CUSTOMS_DELETED, S.REJECTED)}
REVIEW_STATE_LABELS = {"pending_review": "待审核", "second_review": "待复核", "returned": "审核退回",
                       "approved": "审核通过"}
# 申报状态
DECLARE_STATES: Mapping[str, tuple[DeclarationStatus, ...]] = {
    "undeclared": (S.PENDING_REVIEW, S.SECOND_REVIEW, S.RETURNED, S.APPROVED),
    **{s.value: (s,) for s in (S.DECLARED, S.ENTERED, S.RELEASED, S.CLEARED, S.CUSTOMS_DELETED, S.REJECTED)}}
DECLARE_STATE_LABELS = {"undeclared": "未申报",
                        **{k: v[0].label for k, v in DECLARE_STATES.items() if k != "undeclared"}}
IE_FLAGS = {"E": "出口", "I": "进口"}
COMPANY_ROLES = {"consignor": "境内收发货人", "agent": "报关企业"}
REVIEWABLE = tuple(s for s in DeclarationStatus if s not in (S.DRAFT, S.DELETED))
_CODE = re.compile(r"[0-9A-Z]{4}")
TEXT_MAX = 50

# key -> label: the filter's fields in the manual's order (the page draws them from here)
FIELDS: Mapping[str, str] = {
    "number": "申报单号", "bill_no": "提运单号", "ie_flag": "进出口标志", "review_status": "审核状态",
    "declare_office": "申报地海关", "trader": "境内收发货人", "updated_from": "最近操作时间起",
    "updated_to": "最近操作时间止", "preparer": "制单人", "ie_port": "申报地", "system_no": "系统编号",
    "seq_no": "统一编号", "entry_id": "海关编号", "declare_status": "申报状态", "company_role": "企业类别"}
CHOICES: Mapping[str, Mapping[str, str]] = {"ie_flag": IE_FLAGS, "review_status": REVIEW_STATE_LABELS,
                                             "declare_status": DECLARE_STATE_LABELS, "company_role": COMPANY_ROLES}
MSG_CHOICE = "请从列表中选择{label}"
MSG_CODE = "{label}应为 4 位关区代码，如 0900"
MSG_DAY = "{label}应为日期，如 2026-03-02"
MSG_ORDER = "最近操作时间起不能晚于止"
MSG_LONG = "{label}不能超过 {size} 个字符"


@dataclass(frozen=True)
class ReviewFilter:
    values: Mapping[str, str] = field(default_factory=dict)  # the cleaned text of each field given
    since: datetime | None = None
    until: datetime | None = None  # exclusive: the day after 止

    @classmethod
    def from_args(cls, args: Mapping[str, Any], tz: ZoneInfo) -> ReviewFilter:
        errors: dict[str, str] = {}
        values: dict[str, str] = {}
        for key, label in FIELDS.items():
            text = str(args.get(key) or "").strip()
            if not text:
                continue
            if key in ("declare_office", "ie_port"):
                text = text.upper()
            if len(text) > TEXT_MAX:
                errors[key] = MSG_LONG.format(label=label, size=TEXT_MAX)
            elif key in CHOICES and text not in CHOICES[key]:
                errors[key] = MSG_CHOICE.format(label=label)
            elif key in ("declare_office", "ie_port") and not _CODE.fullmatch(text):
                errors[key] = MSG_CODE.format(label=label)
            values[key] = text
        days: dict[str, date] = {}
        for key in ("updated_from", "updated_to"):
            if key in values and key not in errors:
                try:
                    days[key] = date.fromisoformat(values[key])
                except ValueError:
                    errors[key] = MSG_DAY.format(label=FIELDS[key])
        if len(days) == 2 and days["updated_from"] > days["updated_to"]:
            errors["updated_from"] = MSG_ORDER
        if errors:
            raise ValidationFailed.of(errors)
        since = start_of(days["updated_from"], tz) if "updated_from" in days else None
        until = start_of(days["updated_to"] + timedelta(days=1), tz) if "updated_to" in days else None
        return cls(values, since, until)

    def condition(self, credit_code: str) -> Q:
        v = self.values
        statuses = set(REVIEWABLE)
        if "review_status" in v:
            statuses &= set(REVIEW_STATES[v["review_status"]])
        if "declare_status" in v:
            statuses &= set(DECLARE_STATES[v["declare_status"]])
        if v.get("ie_flag") == "I":  # the four kinds are exports
            statuses = set()
        q = Q(status__in=sorted(statuses))
        exact = {"bill_no": "bill_no__startswith", "declare_office": "declare_office", "ie_port": "ie_port",
                 "system_no": "number__startswith", "seq_no": "seq_no", "entry_id": "entry_id",
                 "preparer": "owner__name__icontains"}
        q &= Q(**{lookup: v[key] for key, lookup in exact.items() if key in v})
        if "number" in v:
            q &= Q(number=v["number"]) | Q(seq_no=v["number"]) | Q(entry_id=v["number"])
        if "trader" in v:
            q &= Q(trade_code=v["trader"].upper()) | Q(trade_name__icontains=v["trader"])
        if "company_role" in v:
            own = Q(trade_code=credit_code)
            q &= own if v["company_role"] == "consignor" else ~own
        if self.since:
            q &= Q(updated_at__gte=self.since)
        if self.until:
            q &= Q(updated_at__lt=self.until)
        return q

    def args(self) -> dict[str, str]:
        return dict(self.values)
