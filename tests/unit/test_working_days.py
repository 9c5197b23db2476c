"""Working days on the Chinese calendar (chinesecalendar), the weekday fallback, and the quantiles."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.desk.working_days import (
    COVERED_YEARS,
    count_working_days,
    is_covered,
    is_working_day,
    median,
    p90,
    quantile,
    uses_fallback,
    working_days_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize("day", [f"2025-10-0{d}" for d in range(1, 9)])
def test_national_day_week_2025_is_not_working(day: str) -> None:
    assert not is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize("day", ["2025-09-28", "2025-10-11"])  # Sunday and Saturday made working days
def test_make_up_days_are_working(day: str) -> None:
    assert is_working_day(date.fromisoformat(day))


def test_ordinary_weekend_and_weekdays() -> None:
    assert not is_working_day(date(2025, 9, 20)) and not is_working_day(date(2025, 9, 21))
    assert is_working_day(date(2025, 9, 22))
    assert count_working_days(date(2025, 9, 22), date(2025, 9, 28)) == 6  # Mon–Fri and the make-up Sunday
    assert count_working_days(date(2025, 10, 1), date(2025, 10, 8)) == 0
    assert count_working_days(date(2024, 12, 30), date(2025, 1, 3)) == 4  # across a year; 1 January is off
    assert count_working_days(date(2025, 1, 2), date(2025, 1, 1)) == 0


def test_same_day_is_a_fraction_of_a_working_day() -> None:
    assert working_days_between(local("2025-09-23T09:00"), local("2025-09-23T15:00"), SHANGHAI) == 0.25
    assert working_days_between(local("2025-09-20T09:00"), local("2025-09-20T15:00"), SHANGHAI) == 0  # Saturday


def test_spans_skip_weekends_and_holidays_and_count_make_up_days() -> None:
    friday_evening, monday_morning = local("2025-09-19T18:00"), local("2025-09-22T09:00")
    assert working_days_between(friday_evening, monday_morning, SHANGHAI) == pytest.approx(0.625)
    # Friday 26 Sept 18:00 → Thursday 9 Oct 09:00: 0.25 + Sunday 28 (make-up) + 29 + 30 + holiday + 0.375
    assert working_days_between(local("2025-09-26T18:00"), local("2025-10-09T09:00"), SHANGHAI) == 3.625
    assert working_days_between(local("2025-09-30T09:00"), local("2025-10-09T09:00"), SHANGHAI) == 1.0


def test_instants_in_other_zones_are_placed_on_the_local_calendar() -> None:
    utc = ZoneInfo("UTC")
    # 2025-09-21 20:00 UTC is Monday 04:00 in Shanghai: only Monday time counts
    start = datetime(2025, 9, 21, 20, tzinfo=utc)
    assert working_days_between(start, local("2025-09-22T10:00"), SHANGHAI) == 0.25
    assert working_days_between(local("2025-09-22T10:00"), start, SHANGHAI) == -0.25


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        working_days_between(datetime(2025, 9, 22), datetime(2025, 9, 23), SHANGHAI)


def test_years_outside_the_package_fall_back_to_monday_to_friday() -> None:
    later = COVERED_YEARS.stop + 3
    assert not is_covered(date(later, 1, 1)) and is_covered(date(2025, 10, 1))
    assert uses_fallback(date(2025, 12, 1), date(later, 1, 1)) and not uses_fallback(date(2025, 1, 1),
                                                                                   date(2025, 12, 31))
    assert [is_working_day(date.fromisocalendar(later, 2, d)) for d in range(1, 8)] == [True] * 5 + [False] * 2
    friday = datetime.combine(date.fromisocalendar(later, 2, 5), time(), tzinfo=SHANGHAI)
    assert working_days_between(friday, friday + timedelta(days=3), SHANGHAI) == 1.0  # Friday, weekend
    earlier = date.fromisocalendar(COVERED_YEARS.start - 1, 2, 6)
    assert not is_working_day(earlier) and is_working_day(earlier - timedelta(days=1))


def test_quantiles_interpolate_linearly() -> None:
    assert median([]) is None and p90([]) is None
    assert median([3.0]) == 3.0 and p90([3.0]) == 3.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert p90([float(v) for v in range(1, 11)]) == pytest.approx(9.1)
    assert quantile([0.25, 1.625, 0.5], 0.9) == pytest.approx(1.4)
