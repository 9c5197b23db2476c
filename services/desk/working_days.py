"""Working time on the Chinese calendar, and the quantiles the statistics report (pure: no I/O, no clock).

How working time is counted: the time that elapses between two instants, counting only the hours that fall
on working days of the district's local calendar, expressed in days (a whole working day counts 1).

* A working day is one ``chinese_calendar.is_workday`` says is one: Monday–Friday unless a statutory holiday,
  plus the make-up working days (调休上班, e.g. Sunday 2025-09-28); holidays and ordinary weekends add nothing.
* Which day an instant belongs to is decided in the time zone passed in (the district's, Asia/Shanghai).
* Examples: submitted Tuesday 09:00, accepted 15:00 the same day → 0.25; submitted Friday 18:00, accepted
  Monday 09:00 → 6 h on Friday + 9 h on Monday = 0.625; across the National Day week, the week adds 0.
* Days of 24 h, not office hours: simple, additive (accept time + time from accept to reply = reply time)
  and it never depends on a working-hours setting. The same elapsed time on working days reads the same.

The package knows the years whose schedule the State Council has published (``covered_years``; 2004–2026
in chinesecalendar 1.11). Outside them a day is a working day when it is Monday–Friday; ``uses_fallback``
tells the caller so it can say so next to the figures. Nothing here raises for an uncovered year.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache

import chinese_calendar  # type: ignore[import-untyped]  # ships no type information

from services.kit.context import start_of

# The years chinese_calendar has data for: the span of its holiday table (the package's own check).
COVERED_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


def is_covered(day: date) -> bool:
    """Whether ``day``'s year is in the package's published schedules (else Monday–Friday is assumed)."""
    return day.year in COVERED_YEARS


def uses_fallback(start: date, end: date) -> bool:
    """Whether any day from ``start`` to ``end`` (inclusive) lies outside the covered years."""
    return not (is_covered(start) and is_covered(end))


@cache
def is_working_day(day: date) -> bool:
    """A working day on the Chinese calendar; Monday–Friday for a year the package does not cover."""
    if not is_covered(day):
        return day.weekday() < 5
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # defensive: a future package narrowing its range must not break a report
        return day.weekday() < 5


@cache
def _year_prefix(year: int) -> tuple[int, ...]:
    """prefix[i] = working days among the first i days of ``year``."""
    first = date(year, 1, 1)
    length = (date(year + 1, 1, 1) - first).days
    prefix = [0]
    for offset in range(length):
        prefix.append(prefix[-1] + is_working_day(first + timedelta(days=offset)))
    return tuple(prefix)


def count_working_days(first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included (0 when ``last`` is before ``first``)."""
    total = 0
    day = first
    while day <= last:
        year_end = min(last, date(day.year, 12, 31))
        prefix = _year_prefix(day.year)
        start_index = day.timetuple().tm_yday - 1
        total += prefix[year_end.timetuple().tm_yday] - prefix[start_index]
        day = year_end + timedelta(days=1)
    return total



def _share_of_day(day: date, since: datetime, until: datetime, tz: tzinfo) -> float:
    """The part of local ``day`` between two UTC instants inside it, as a fraction of the day (0 if not working)."""
    if not is_working_day(day):
        return 0.0
    length = start_of(day + timedelta(days=1), tz) - start_of(day, tz)  # 23 or 25 h across a DST change
    return (until - since) / length


def working_days_between(start: datetime, end: datetime, tz: tzinfo) -> float:
    """Working time from ``start`` to ``end`` in working days (see the module docstring).

    Both instants must be timezone-aware. ``end`` before ``start`` gives the negated duration.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("working_days_between needs timezone-aware datetimes")
    if end < start:
        return -working_days_between(end, start, tz)
    start, end = start.astimezone(UTC), end.astimezone(UTC)  # aware subtraction in one tz is wall-clock time
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    if first == last:
        return _share_of_day(first, start, end, tz)
    head = _share_of_day(first, start, start_of(first + timedelta(days=1), tz), tz)
    tail = _share_of_day(last, start_of(last, tz), end, tz)
    return head + count_working_days(first + timedelta(days=1), last - timedelta(days=1)) + tail


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks (Excel PERCENTILE.INC, numpy's
    default); None for no values. The median is the ordinary median; p90 of [1..10] is 9.1."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def median(values: Sequence[float]) -> float | None:
    return quantile(values, 0.5)


def p90(values: Sequence[float]) -> float | None:
    return quantile(values, 0.9)
