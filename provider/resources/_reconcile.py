"""After a request that spends money ended without a certain answer: find out what the vendor did.

An order placed twice costs twice, and an order placed but not recorded is lost money: so after a
timeout, a dropped connection or a 5xx on addSSLOrder / addSSLRenewOrder / reissue / cancel, the
provider reads the vendor's records before anything else, and repeats the request only when they
show that nothing happened.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from provider.client import errors

if TYPE_CHECKING:
    from provider.client.client import GoGetSSLClient
    from provider.client.models import AddSSLOrderRequest

_DUPLICATE = re.compile(r"already exists \(Order ID:\s*(\d+)", re.IGNORECASE)
OPEN = ("processing", "pending", "new_order", "incomplete", "unpaid")
SCAN = 50  # newest orders looked at: an order the uncertain request created is among the newest
MAX_GRACE = 30.0  # seconds to let a timed-out request land before looking for what it did


def same_pem(a: str | None, b: str | None) -> bool:
    return "".join((a or "").split()) == "".join((b or "").split())


def _issued_today(valid_from: str | None) -> bool:
    if not valid_from:
        return True
    try:
        issued = dt.date.fromisoformat(valid_from[:10])
    except ValueError:
        return False
    return (dt.datetime.now(dt.UTC).date() - issued).days <= 1


def duplicate_order_id(exc: errors.GoGetSSLError) -> int | None:
    """The vendor refuses a second open order for the same certificate, naming the first: adopt it."""
    if isinstance(exc, errors.APIError):
        m = _DUPLICATE.search(f"{exc.message} {exc.description}")
        if m:
            return int(m.group(1))
    return None


def find_placed_order(client: GoGetSSLClient, request: AddSSLOrderRequest,
                      exclude: frozenset[int] = frozenset()) -> tuple[int | None, bool]:
    """(order id, certain): the open order matching the request's CSR and product, newest first.
    `certain` is False when the vendor's records could not be read, so absence is not proven."""
    try:
        _first, count = client.orders.list_all(limit=1, offset=0)
        entries, _ = client.orders.list_all(limit=SCAN, offset=max(0, count - SCAN))
        for entry in sorted(entries, key=lambda e: int(e.order_id or 0), reverse=True):
            oid = int(entry.order_id or 0)
            # A new order is open, or (fast issuance: pre-validated domains) active since today.
            if not oid or oid in exclude or entry.status not in (*OPEN, "active"):
                continue
            status = client.orders.status(oid)
            if status.status == "active" and not _issued_today(status.valid_from):
                continue
            if status.product_id == request.product_id and same_pem(status.csr_code, request.csr):
                return oid, True
        return None, True
    except errors.GoGetSSLError:
        return None, False
