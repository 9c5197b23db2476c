"""The 数据同步 page's health panel: the last finished run, the lag since the last successful one, what the
enterprise holds from the single window per day (declarations by 最近操作时间, bonded lists likewise) over the last
``WINDOW`` days, and the gaps — working days (Monday to Friday) with nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from models.declaration_sync import BondedList, SyncRun, SyncStatus
from models.declarations import Declaration
from services.declarations import labels as L
from services.kit.context import ServiceContext
from services.workspace.roles import Member

WINDOW = 30


@dataclass(frozen=True)
class SyncHealth:
    last_run: SyncRun | None
    last_success: datetime | None
    lag: timedelta | None
    days: list[tuple[date, int, int]]  # (day, declarations, bonded lists), oldest first
    gaps: list[date]


async def sync_health(ctx: ServiceContext, member: Member, window: int = WINDOW) -> SyncHealth:
    member.decision.require(L.SYNC)
    now = ctx.now()
    today = now.astimezone(ctx.tz).date()
    first = today - timedelta(days=window - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=ctx.tz)
    runs = SyncRun.filter(enterprise_id=member.enterprise_id)
    last_run = await runs.filter(status__in=(SyncStatus.DONE, SyncStatus.FAILED)).select_related("person") \
        .order_by("-finished_at", "-id").first()
    success = await runs.filter(status=SyncStatus.DONE).order_by("-finished_at").first()
    declared = await Declaration.filter(enterprise_id=member.enterprise_id, updated_at__gte=since) \
        .exclude(seq_no="").values_list("updated_at", flat=True)
    bonded = await BondedList.filter(enterprise_id=member.enterprise_id, remote_updated_at__gte=since) \
        .values_list("remote_updated_at", flat=True)
    per_declaration = Counter(_day(at, ctx) for at in declared)
    per_bonded = Counter(_day(at, ctx) for at in bonded)
    days = [(day, per_declaration[day], per_bonded[day]) for day in (first + timedelta(n) for n in range(window))]
    gaps = [day for day, d, b in days if day.weekday() < 5 and day < today and not d and not b]
    finished = success.finished_at if success else None
    return SyncHealth(last_run, finished, now - finished if finished else None, days, gaps)


def _day(at: object, ctx: ServiceContext) -> date:
    assert isinstance(at, datetime)
    return at.astimezone(ctx.tz).date()


def lag_text(lag: timedelta | None) -> str:
    """How long ago, in Chinese (分钟 / 小时 / 天)."""
    if lag is None:
        return "从未同步"
    minutes = int(lag.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} 分钟"
    if minutes < 48 * 60:
        return f"{minutes // 60} 小时 {minutes % 60} 分钟"
    return f"{minutes // (24 * 60)} 天"
