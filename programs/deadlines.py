"""Due dates by the civil code (민법 제157·159·160·161조), for every deadline the system derives.

- A period in days, weeks, months or years that starts at a given moment does not count its
  first day (제157조): a 30-day period from a notice on 3 June runs from 4 June.
- Weeks, months and years are counted on the calendar (제160조): the period ends on the day
  before the day of the last week/month/year that corresponds to the day it started from;
  where the last month has no such day, it ends on that month's last day.
- A period whose last day is a Saturday, a Sunday or a public holiday ends on the next working
  day (제161조). Korean public holidays (substitute holidays included) come from the
  maintained `holidays` calendar, never a hand-typed list.
- A due date is a whole day in Asia/Seoul: something is on time until the next day's 00:00.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

SEOUL = ZoneInfo("Asia/Seoul")


@lru_cache(maxsize=64)
def _korean_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.KR(years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _korean_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it (제161조)."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _calendar_period_end(first_day: dt.date, *, months: int) -> dt.date:
    """Last day of a period of `months` counted on the calendar from `first_day` (제160조)."""
    month_index = first_day.month - 1 + months
    year, month = first_day.year + month_index // 12, month_index % 12 + 1
    if first_day.day > calendar.monthrange(year, month)[1]:
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date(year, month, first_day.day) - dt.timedelta(days=1)


def due_after_days(start: dt.date, days: int, *, roll: bool = True) -> dt.date:
    """Last day of a period of `days` days from an event on `start` (first day not counted)."""
    end = start + dt.timedelta(days=days)
    return next_working_day(end) if roll else end


def due_after_months(start: dt.date, months: int, *, roll: bool = True) -> dt.date:
    """Last day of a period of `months` months from an event on `start` (first day not counted)."""
    end = _calendar_period_end(start + dt.timedelta(days=1), months=months)
    return next_working_day(end) if roll else end


def period_end(first_day: dt.date, *, years: int = 0, months: int = 0) -> dt.date:
    """Last day of a period that starts at 00:00 of `first_day` (so that day counts, 제157조 단서),
    e.g. a project year from its agreement date. Not rolled: it is a span, not a due date."""
    return _calendar_period_end(first_day, months=12 * years + months)


def end_of_february(year: int, *, roll: bool = True) -> dt.date:
    """A due date "by the end of February" of `year`."""
    end = dt.date(year, 2, calendar.monthrange(year, 2)[1])
    return next_working_day(end) if roll else end


def closes_at(due: dt.date) -> dt.datetime:
    """The first instant that is late for a due date: the next day's 00:00 in Asia/Seoul."""
    return dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0), tzinfo=SEOUL)
