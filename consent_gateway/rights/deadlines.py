"""The legal deadlines of a rights request (Art. 12(3) GDPR): one month, extendable by two.

"One month" is a calendar month: the same day of the next month, or that month's last day when it
has no such day (received 31 January, due 28 or 29 February; received 31 March, due 30 April).
Extensions count from the receipt too, so two more months land where three months from receipt do.
"""

from __future__ import annotations

import calendar
from datetime import datetime

ANSWER_MONTHS = 1
MAX_EXTENSION_MONTHS = 2


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` moved ``months`` calendar months later, the day clamped to the month's end."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def due_date(received_at: datetime) -> datetime:
    """When the answer to a request received at ``received_at`` is due."""
    return add_months(received_at, ANSWER_MONTHS)


def extended_due_date(received_at: datetime, extra_months: int) -> datetime:
    """The deadline after an extension of ``extra_months`` (1 or 2)."""
    if not 1 <= extra_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"an extension is 1 to {MAX_EXTENSION_MONTHS} months")
    return add_months(received_at, ANSWER_MONTHS + extra_months)
