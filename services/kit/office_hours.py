"""Office hours on the Chinese calendar: the clock of the message centre's escalation and the grants' reminders.

Office time is the time between two instants that falls inside the office hours (09:00–18:00 by default,
``messages.office_hours_start`` / ``office_hours_end``) of working days, in the district's time zone. Which day
is a working day is ``services.desk.working_days.is_working_day`` (the one rule: statutory holidays off, make-up
Saturdays and Sundays on, Monday–Friday outside the package's years). Pure: no I/O, no clock.

The sweeps need the inverse, so that one SQL comparison selects the due rows: ``back(until, h)`` is the latest
instant whose office time up to ``until`` is at least ``h`` (so "unread for ``h`` office hours" is
``created_at <= back(now, h)``), ``forward(since, h)`` the earliest instant whose office time from ``since`` is
``h`` (so "less than ``h`` office hours left" is ``valid_to < forward(now, h)``). Examples with 09:00–18:00:
back(Tuesday 11:00, 4 h) = Monday 16:00; forward(Friday 17:00, 4 h) = Monday 12:00; across 国庆 2026
(1–7 October off, Saturday 10 October a make-up working day) forward(Wednesday 30 September 16:00, 9 h) =
Thursday 8 October 16:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from core.config import MessagesSettings
from services.desk.working_days import is_working_day

LONGEST_SEARCH = 400  # days: longer than any run of days off; the hours asked for are at most a few weeks'


@dataclass(frozen=True)
class OfficeHours:
    tz: tzinfo
    start: time = time(9)
    end: time = time(18)

    @classmethod
    def from_settings(cls, messages: MessagesSettings, tz: tzinfo) -> OfficeHours:
        return cls(tz, time.fromisoformat(messages.office_hours_start), time.fromisoformat(messages.office_hours_end))

    def per_day(self) -> timedelta:
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)

    def _span(self, day: date) -> tuple[datetime, datetime] | None:
        """The office hours of local ``day`` as UTC instants; None on a day off."""
        if not is_working_day(day):
            return None
        return (datetime.combine(day, self.start, tzinfo=self.tz).astimezone(UTC),
                datetime.combine(day, self.end, tzinfo=self.tz).astimezone(UTC))

    def between(self, since: datetime, until: datetime) -> timedelta:
        """The office time from ``since`` to ``until`` (zero when ``until`` is not after ``since``)."""
        total = timedelta()
        day = since.astimezone(self.tz).date()
        while day <= until.astimezone(self.tz).date():
            span = self._span(day)
            if span is not None:
                total += max(min(span[1], until) - max(span[0], since), timedelta())
            day += timedelta(days=1)
        return total

    def back(self, until: datetime, hours: float) -> datetime:
        """The latest instant ``t`` with ``between(t, until) >= hours`` (``hours`` > 0)."""
        left = timedelta(hours=hours)
        day = until.astimezone(self.tz).date()
        for _ in range(LONGEST_SEARCH):
            span = self._span(day)
            if span is not None and (last := min(span[1], until)) > span[0]:
                if last - span[0] >= left:
                    return last - left
                left -= last - span[0]
            day -= timedelta(days=1)
        raise ValueError(f"{hours} office hours reach back further than {LONGEST_SEARCH} days")

    def forward(self, since: datetime, hours: float) -> datetime:
        """The earliest instant ``t`` with ``between(since, t) >= hours`` (``hours`` > 0)."""
        left = timedelta(hours=hours)
        day = since.astimezone(self.tz).date()
        for _ in range(LONGEST_SEARCH):
            span = self._span(day)
            if span is not None and span[1] > (first := max(span[0], since)):
                if span[1] - first >= left:
                    return first + left
                left -= span[1] - first
            day += timedelta(days=1)
        raise ValueError(f"{hours} office hours reach further than {LONGEST_SEARCH} days")
