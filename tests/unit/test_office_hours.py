"""Office hours on the Chinese calendar (09:00–18:00 of working days): the instants the escalation and the
grants' reminders compare with, at the boundaries, over weekends, 国庆 2026 and its make-up Saturday."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.config import MessagesSettings
from services.kit.office_hours import OfficeHours

TZ = ZoneInfo("Asia/Shanghai")
OFFICE = OfficeHours(TZ)


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)


@pytest.mark.parametrize(("until", "hours", "latest"), [
    (local(2026, 3, 3, 11), 4, local(2026, 3, 2, 16)),  # Tuesday 11:00 → Monday 16:00
    (local(2026, 3, 3, 13), 4, local(2026, 3, 3, 9)),  # within the day: 09:00 itself
    (local(2026, 3, 2, 20), 4, local(2026, 3, 2, 14)),  # after hours: counted from 18:00
    (local(2026, 3, 9, 10), 4, local(2026, 3, 6, 15)),  # Monday 10:00 → Friday 15:00 (the weekend adds nothing)
    (local(2026, 10, 8, 10), 4, local(2026, 9, 30, 15)),  # 国庆: 1–7 October add nothing
    (local(2026, 10, 10, 12), 4, local(2026, 10, 9, 17)),  # Saturday 10 October is a make-up working day
    (local(2026, 9, 28, 10), 4, local(2026, 9, 24, 15)),  # 中秋 Friday 25 September and the weekend are off
])
def test_back_is_the_latest_instant_with_that_much_office_time(until: datetime, hours: int,
                                                                latest: datetime) -> None:
    assert OFFICE.back(until, hours) == latest
    assert OFFICE.between(latest, until) == timedelta(hours=hours)
    assert OFFICE.between(latest + timedelta(seconds=1), until) < timedelta(hours=hours)


@pytest.mark.parametrize(("since", "hours", "earliest"), [
    (local(2026, 3, 6, 17), 4, local(2026, 3, 9, 12)),  # Friday 17:00 → Monday 12:00
    (local(2026, 3, 3, 18), 27, local(2026, 3, 6, 18)),  # three whole working days
    (local(2026, 9, 30, 16), 9, local(2026, 10, 8, 16)),  # across 国庆
    (local(2026, 10, 9, 17), 2, local(2026, 10, 10, 10)),  # onto the make-up Saturday
])
def test_forward_is_the_earliest_instant_with_that_much_office_time(since: datetime, hours: int,
                                                                    earliest: datetime) -> None:
    assert OFFICE.forward(since, hours) == earliest
    assert OFFICE.between(since, earliest) == timedelta(hours=hours)
    assert OFFICE.between(since, earliest - timedelta(seconds=1)) < timedelta(hours=hours)


def test_office_hours_come_from_the_settings() -> None:
    office = OfficeHours.from_settings(MessagesSettings(office_hours_start="08:30", office_hours_end="17:30"), TZ)
    assert (office.start, office.end, office.per_day()) == (time(8, 30), time(17, 30), timedelta(hours=9))
    assert office.back(local(2026, 3, 3, 9, 30), 2) == local(2026, 3, 2, 16, 30)
