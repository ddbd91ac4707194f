"""How long a certificate and a domain validation may last, by the day a certificate is issued, and the span of a
subscription: the rules every public CA, and so GoGetSSL, follows since CA/Browser Forum ballot SC-081v3
(docs/vendor-api.md §9.1, §9.2).

A 12- to 60-month order is a subscription (`begin_date`/`end_date`, the months paid for) holding several
certificates (`valid_from`/`valid_till`): each at most the lifetime of its issue date and never past `end_date`.
A reissue inside the subscription is free; it may reuse the order's domain validation only while that is younger
than the reuse period of the reissue's date, otherwise the domains are validated again.
"""

from __future__ import annotations

import calendar
import datetime as dt

# (in force from, longest certificate in days, longest reuse of a domain validation in days), newest first.
SC081_SCHEDULE: tuple[tuple[dt.date, int, int], ...] = (
    (dt.date(2029, 3, 15), 47, 10),
    (dt.date(2027, 3, 15), 100, 100),
    (dt.date(2026, 3, 15), 200, 200),
)
BEFORE_SC081 = (398, 398)


def limits(day: dt.date) -> tuple[int, int]:
    """(longest certificate, longest domain-validation reuse) in days for a certificate issued on `day`."""
    for start, lifetime, reuse in SC081_SCHEDULE:
        if day >= start:
            return lifetime, reuse
    return BEFORE_SC081


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
