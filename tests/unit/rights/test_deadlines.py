"""A rights request is due one calendar month after it is received, extendable by two more."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consent_gateway.rights import add_months, due_date, extended_due_date


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(("received", "due"), [
    (at(2027, 1, 31), at(2027, 2, 28)),   # no 31 February: the month's last day
    (at(2028, 1, 31), at(2028, 2, 29)),   # leap year
    (at(2027, 3, 31), at(2027, 4, 30)),
    (at(2027, 1, 15), at(2027, 2, 15)),
    (at(2027, 12, 10), at(2028, 1, 10)),  # across the year
    (at(2027, 2, 28), at(2027, 3, 28)),   # not the end of March: the same day
])
def test_due_one_calendar_month_later(received: datetime, due: datetime):
    assert due_date(received) == due


def test_extension_counts_from_receipt_and_stops_at_three_months():
    received = at(2027, 11, 30)
    assert extended_due_date(received, 1) == at(2028, 1, 30)
    assert extended_due_date(received, 2) == at(2028, 2, 29)
    with pytest.raises(ValueError):
        extended_due_date(received, 3)
    with pytest.raises(ValueError):
        extended_due_date(received, 0)


def test_add_months_keeps_the_time_of_day():
    assert add_months(at(2027, 5, 31), 1) == at(2027, 6, 30)
    assert add_months(at(2027, 5, 31), 12) == at(2028, 5, 31)
