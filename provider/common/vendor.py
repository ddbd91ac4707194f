"""What GoGetSSL does that the provider plans around (docs/vendor-api.md): refunds, cancellation review, statuses."""

from __future__ import annotations

import datetime as dt

#: Days after issuance within which a cancellation is refunded, when the product's page gives none (§5).
REFUND_DAYS = 30
#: The vendor reviews a cancellation request within 2-48 hours; the order keeps its status meanwhile (§2.1, §5).
CANCEL_REVIEW_HOURS = 48
CANCEL_REVIEW = dt.timedelta(hours=CANCEL_REVIEW_HOURS)
#: Statuses of an order that is not yet issued (§3.1). The vendor refuses a second open order for one CSR and
#: product ("Such certificate already exists", §1.5, §5; what exactly it compares is open, §7.6).
OPEN_STATUSES = ("processing", "pending", "new_order", "incomplete", "unpaid")
#: Statuses after which an order can no longer be issued.
FAILED_STATUSES = ("cancelled", "rejected", "expired")
