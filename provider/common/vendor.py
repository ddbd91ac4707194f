"""What GoGetSSL does that the provider plans around (docs/vendor-api.md): refunds, cancellation review, statuses."""

from __future__ import annotations

import datetime as dt

#: The vendor reviews a cancellation request within 2-48 hours; the order keeps its status meanwhile (§2.1, §5).
CANCEL_REVIEW_HOURS = 48
CANCEL_REVIEW = dt.timedelta(hours=CANCEL_REVIEW_HOURS)
#: Statuses of an order that is not yet issued (§3.1). The vendor refuses a second open order for one CSR and
#: product ("Such certificate already exists", §1.5, §5; what exactly it compares is open, §7.6).
OPEN_STATUSES = ("processing", "pending", "new_order", "incomplete", "unpaid")
#: Statuses after which an order can no longer be issued.
FAILED_STATUSES = ("cancelled", "rejected", "expired")
#: CA/Browser Forum ballot SC-081v3 (§9.1): from each date on, the longest certificate a public CA issues, in days,
#: newest first; before the first, 398. A 12- to 60-month order is a subscription holding several certificates.
CERTIFICATE_LIFETIMES: tuple[tuple[dt.date, int], ...] = (
    (dt.date(2029, 3, 15), 47),
    (dt.date(2027, 3, 15), 100),
    (dt.date(2026, 3, 15), 200),
)
LIFETIME_BEFORE_SC081 = 398
#: GoGetSSL accepts a renewal order at the earliest this many days before the subscription ends (§9.2).
RENEWAL_OPENS_DAYS = 30


def longest_certificate(day: dt.date) -> int:
    """The longest lifetime, in days, of a certificate issued on `day`."""
    for start, days in CERTIFICATE_LIFETIMES:
        if day >= start:
            return days
    return LIFETIME_BEFORE_SC081
