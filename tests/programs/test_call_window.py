import datetime as dt

import pytest

from programs.models import Call
from tests.factories import KST, CallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return CallFactory(
        opens_at=dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=KST),
        closes_at=dt.datetime(2026, 4, 30, 18, 0, 0, tzinfo=KST),
    )


@pytest.mark.parametrize(
    ("instant", "is_open", "status"),
    [
        (dt.datetime(2026, 3, 2, 8, 59, 59, tzinfo=KST), False, "upcoming"),
        (dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=KST), True, "open"),
        (dt.datetime(2026, 4, 30, 17, 59, 59, tzinfo=KST), True, "open"),
        (dt.datetime(2026, 4, 30, 18, 0, 0, tzinfo=KST), False, "closed"),
        # 09:00 UTC is 18:00 KST: the same instant, written in another zone, is late too.
        (dt.datetime(2026, 4, 30, 9, 0, 0, tzinfo=dt.UTC), False, "closed"),
        (dt.datetime(2026, 4, 30, 8, 59, 59, tzinfo=dt.UTC), True, "open"),
    ],
)
def test_the_call_window_is_half_open_to_the_second(call, instant, is_open, status):
    assert call.is_open_at(instant) is is_open
    assert call.status_at(instant) == status
    assert Call.objects.open_at(instant).filter(pk=call.pk).exists() is is_open
    assert Call.objects.with_status_at(status, instant).filter(pk=call.pk).exists()


def test_opening_date_is_the_seoul_date(call):
    late_utc = CallFactory(
        opens_at=dt.datetime(2026, 6, 30, 15, 30, tzinfo=dt.UTC),  # 2026-07-01 00:30 KST
        closes_at=dt.datetime(2026, 8, 1, 9, 0, tzinfo=dt.UTC),
    )
    assert late_utc.opening_date == dt.date(2026, 7, 1)
