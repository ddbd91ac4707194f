"""What GoGetSSL does that the provider plans around (docs/vendor-api.md): refunds, cancellation review, statuses."""

from __future__ import annotations

import datetime as dt

#: The vendor reviews a cancellation request within 2-48 hours; the order keeps its status meanwhile (§2.1, §5).
CANCEL_REVIEW_HOURS = 48
CANCEL_REVIEW = dt.timedelta(hours=CANCEL_REVIEW_HOURS)
#: Every status the vendor documents for an order (getOrderStatus, getAllSSLOrders; `revoked` for /orders). The
#: sets below are named once here and used by name: the sandbox keeps its own, as the vendor's stand-in.
STATUSES = ("active", "cancelled", "expired", "incomplete", "new_order", "pending", "processing", "reissue",
            "rejected", "revoked", "unpaid")
#: Statuses of an order that is not yet issued (§3.1). The vendor refuses a second open order for one CSR and
#: product ("Such certificate already exists", §1.5, §5; what exactly it compares is open, §7.6).
OPEN_STATUSES = ("processing", "pending", "new_order", "incomplete", "unpaid")
#: Statuses of an order waiting for its validation: a new order (`processing`) or a reissue (`reissue`, or
#: `processing` again on an order issued before). Only then does a DCV change reach the vendor.
VALIDATING_STATUSES = ("processing", "reissue")
#: the brands whose CA builds its DCV data from the CSR and the order's unique value (`unique_code`); the others
#: (GeoTrust, RapidSSL, Thawte, DigiCert) get random tokens from their CA (../shared/reference §3.2)
UNIQUE_CODE_BRANDS = frozenset({"sectigo", "comodo", "gogetssl"})
#: Statuses of an order whose certificate was issued: its validation is done (its DCV data is the vendor's until a
#: reissue asks for more), and a renewal can follow it.
ISSUED_STATUSES = ("active", "expired")
#: Statuses of an order closed without a certificate to keep: nothing left to manage (an order adopted in one is
#: kept in state, inert; a managed one closed outside Terraform leaves state).
CLOSED_STATUSES = ("cancelled", "rejected")
#: Statuses after which an order can no longer be issued, nor cancelled: the closed ones, and `expired`.
FAILED_STATUSES = (*CLOSED_STATUSES, "expired")
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
