import datetime as dt

import pytest

from programs.deadlines import (
    SEOUL,
    add_months,
    closes_at,
    due_after_days,
    due_after_months,
    end_of_february,
    is_working_day,
    next_working_day,
    period_end,
)

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2026, 11, 2), 10, D(2026, 11, 12)),  # Thursday: first day not counted
        (D(2026, 11, 4), 10, D(2026, 11, 16)),  # ends Saturday 14th -> Monday 16th
        (D(2026, 9, 14), 10, D(2026, 9, 28)),  # 24th-26th 추석, 27th Sunday
        (D(2026, 9, 3), 30, D(2026, 10, 6)),  # 3 Oct 개천절 (Sat), 4 Sunday, 5 its substitute holiday
    ],
)
def test_days_do_not_count_the_first_day_and_roll_over_weekends_and_holidays(start, days, due):
    assert due_after_days(start, days) == due
    assert is_working_day(due_after_days(start, days))


def test_unrolled_day_count_is_plain_arithmetic():
    assert due_after_days(D(2026, 11, 4), 10, roll=False) == D(2026, 11, 14)


def test_months_on_the_calendar():
    # Notice 15 Jan: the period counts from the 16th and ends the day before 16 Apr.
    assert due_after_months(D(2027, 1, 15), 3) == D(2027, 4, 15)
    # Notice 30 Nov 2026: counts from 1 Dec, ends 28 Feb 2027, a Sunday; 1 March is 삼일절.
    assert due_after_months(D(2026, 11, 30), 3, roll=False) == D(2027, 2, 28)
    assert due_after_months(D(2026, 11, 30), 3) == D(2027, 3, 2)
    # Counting from 31 Aug, February has no 31st: the period ends on February's last day.
    assert due_after_months(D(2026, 8, 30), 6, roll=False) == D(2027, 2, 28)


def test_project_years_count_their_first_day():
    assert period_end(D(2027, 3, 1), years=1) == D(2028, 2, 29)
    assert period_end(D(2027, 1, 1), years=3) == D(2029, 12, 31)


def test_end_of_february_rolls():
    assert end_of_february(2027, roll=False) == D(2027, 2, 28)
    assert end_of_february(2027) == D(2027, 3, 2)  # Sunday, then 삼일절
    assert end_of_february(2028) == D(2028, 2, 29)


def test_add_months_clamps_to_month_end():
    assert add_months(D(2027, 1, 31), 1) == D(2027, 2, 28)


def test_next_working_day_and_closing_instant():
    assert next_working_day(D(2026, 12, 25)) == D(2026, 12, 28)
    assert closes_at(D(2026, 12, 28)) == dt.datetime(2026, 12, 29, 0, 0, tzinfo=SEOUL)
