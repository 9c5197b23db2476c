"""报关差错率 as customs computes it: the declarations with an error (the exceptions of the types that count as
errors — 删改单 and 退单 — by their 发生日期) ÷ the declarations declared in the period (申报 in the timeline),
per month, and the errors per 责任岗位 and 责任人 over the same denominator. Both sides under the member's
enterprise and data scope, so a 仅本人 preparer sees their own rate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tortoise.expressions import Subquery

from core.db import connection
from models.declaration_exceptions import DeclarationException, ExceptionKind, ExceptionType
from models.declaration_lifecycle import DeclarationAction
from models.declarations import Declaration, DeclarationEvent
from models.errors import ValidationFailed
from services.declarations import labels as L
from services.declarations.exceptions import visible_exceptions
from services.kit.context import ServiceContext, start_of
from services.workspace.roles import Member
from services.workspace.scope import visible_to

ERROR_TYPES = (ExceptionType.MODIFY_DELETE, ExceptionType.REJECTION)
MAX_MONTHS = 24
DEFAULT_MONTHS = 6


@dataclass(frozen=True)
class RateLine:
    label: str  # the month "2026-03", the post or the person
    errors: int
    declared: int

    @property
    def percent(self) -> Decimal:
        """Errors per hundred declarations, two decimals (0 when nothing was declared)."""
        if not self.declared:
            return Decimal("0.00")
        return (Decimal(self.errors * 100) / self.declared).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class ErrorRate:
    first: date  # the first day of the first month
    last: date  # the last day of the last month
    total: RateLine
    months: list[RateLine]
    posts: list[RateLine]
    people: list[RateLine]


def _month(text: str, field: str) -> date:
    try:
        year, month = text.split("-")
        if len(year) == 4 and len(month) == 2:
            return date(int(year), int(month), 1)
    except ValueError:
        pass
    raise ValidationFailed(L.MSG_BAD_MONTH, field=field)


def _next(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def period(ctx: ServiceContext, first: str = "", last: str = "") -> tuple[date, date]:
    """The months ``first`` … ``last`` (YYYY-MM; default the last six months to this one) as the first day of the
    first and the first day of the month after the last."""
    this = ctx.now().astimezone(ctx.tz).date().replace(day=1)
    errors: dict[str, str] = {}
    months: dict[str, date] = {}
    for key, text, default in (("from", first, None), ("to", last, this)):
        try:
            months[key] = _month(text, key) if text else (default or this)
        except ValidationFailed as error:
            errors[key], months[key] = error.message, this
    if not first and "from" not in errors:
        start = months["to"]
        for _ in range(DEFAULT_MONTHS - 1):
            start = (start - timedelta(days=1)).replace(day=1)
        months["from"] = start
    if not errors and months["from"] > months["to"]:
        errors["from"] = L.MSG_MONTH_ORDER
    elif not errors and (months["to"].year - months["from"].year) * 12 + months["to"].month \
            - months["from"].month >= MAX_MONTHS:
        errors["from"] = L.MSG_MONTH_SPAN
    if errors:
        raise ValidationFailed.of(errors)
    return months["from"], _next(months["to"])


async def error_rate(ctx: ServiceContext, member: Member, first: date, end: date) -> ErrorRate:
    """The rate over [first, end) (``period``'s answer)."""
    member.decision.require(L.EXCEPTION_EDIT)
    conn = connection()
    start, stop = start_of(first, ctx.tz), start_of(end, ctx.tz)
    ours = Declaration.filter(await visible_to(member, owner="owner_id", department="department_id"))
    declared_rows = await DeclarationEvent.filter(
        action=DeclarationAction.DECLARE, at__gte=start, at__lt=stop,
        declaration_id__in=Subquery(ours.values("id"))).using_db(conn).values_list("declaration_id", "at")
    first_declared: dict[int, str] = {}
    for declaration_id, at in sorted(declared_rows, key=lambda row: row[1]):
        first_declared.setdefault(declaration_id, f"{at.astimezone(ctx.tz):%Y-%m}")  # counted once, when first
    per_month = Counter(first_declared.values())
    errors = await DeclarationException.filter(
        await visible_exceptions(member), kind=ExceptionKind.DECLARATION, exception_type__in=ERROR_TYPES,
        occurred_on__gte=first, occurred_on__lt=end).using_db(conn).values_list("occurred_on", "post", "responsible")
    declared = len(first_declared)
    months, month = [], first
    while month < end:
        label = f"{month:%Y-%m}"
        months.append(RateLine(label, sum(1 for on, _, _ in errors if f"{on:%Y-%m}" == label), per_month[label]))
        month = _next(month)

    def by(index: int) -> list[RateLine]:
        counted = Counter(str(row[index]) or L.UNASSIGNED for row in errors)
        return [RateLine(label, n, declared) for label, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))]

    return ErrorRate(first, end - timedelta(days=1), RateLine(L.RATE_TITLE, len(errors), declared), months,
                     by(1), by(2))
