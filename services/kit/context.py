"""What every service needs besides the database: the lifecycle policy, the district's time zone, a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from core.config import LifecycleSettings
from models.lifecycle import Evaluation, Policy


def utc_now() -> datetime:
    return datetime.now(UTC)


def start_of(day: date, tz: tzinfo) -> datetime:
    """The instant (in UTC) local ``day`` begins in ``tz``: every bound of a date filter. In UTC because SQLite
    compares stored times as text, so a bound with another offset (+08:00) would compare wrong near midnight."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class ServiceContext:
    policy: Policy = field(default_factory=Policy)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    reminder_days_before: tuple[int, ...] = (2,)
    clock: Callable[[], datetime] = utc_now

    @classmethod
    def from_settings(cls, lifecycle: LifecycleSettings) -> ServiceContext:
        policy = Policy(
            auto_close_days=lifecycle.auto_close_days,
            note_required={Evaluation(str(k)): v for k, v in lifecycle.evaluation_note_required.items()},
        )
        return cls(policy=policy, tz=ZoneInfo(lifecycle.timezone),
                   reminder_days_before=lifecycle.reminder_days_before)

    def now(self) -> datetime:
        return self.clock()
