"""What an order costs, known at plan time, and what the plans of one plugin process buy in all.

Prices come from the product catalogue (docs/vendor-api.md §2.4): `prices.vendor[period]` is the reseller's
price of the term, `prices.san[period]` the price of each single-name SAN beyond those the product includes
(`multidomains_included`, on the product's own page), `prices.wildcard_san[period]` that of each `*.` SAN.
This is what the sandbox charges; GoGetSSL's invoice (`order_amount`) remains what is charged.
"""

from __future__ import annotations

import hashlib
import math
import threading
from typing import TYPE_CHECKING, Any

from provider.tfext.types import normalize_pem

if TYPE_CHECKING:
    from provider.client.models import Product


def _amount(table: Any, period: int) -> float | None:
    """A price from the catalogue, or None unless it is a finite amount of money of 0 or more (Terraform
    crashes on a NaN number; a negative price would lower the total checked against the balance)."""
    if not isinstance(table, dict):
        return None
    value = table.get(str(period))
    if isinstance(value, bool):
        return None
    try:
        amount = float(value) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        return None
    return amount if amount is not None and math.isfinite(amount) and amount >= 0 else None


def needs_page(product: Product, dns_names: list[str]) -> bool:
    """Whether the price depends on how many SANs the product includes (read from its own page)."""
    return bool(dns_names) and bool(product.san_enabled)


def order_price(product: Product, period: int, dns_names: list[str], included: int | None = None) -> float | None:
    """The catalogue price of `period` months of `product` with `dns_names`, or None when the catalogue does
    not price it. `included`: the SANs the product includes (its page's `multidomains_included`)."""
    prices = product.prices or {}
    vendor = prices.get("vendor") if isinstance(prices.get("vendor"), dict) else prices
    total = _amount(vendor, period)
    if total is None:
        return None
    free = max(0, int(included if included is not None else (product.multidomains_included or 0)))
    wildcards = [n for n in dns_names if n.startswith("*.")]
    singles = len(dns_names) - len(wildcards)
    # The SANs a product includes are single names; a wildcard SAN is priced as one wherever it is listed.
    charged = [("san", max(0, singles - free))]
    if wildcards:
        charged.append(("wildcard_san" if "wildcard_san" in prices else "san", len(wildcards)))
    for kind, count in charged:
        if count:
            extra = _amount(prices.get(kind), period)
            if extra is None:
                return None
            total += extra * count
    return round(total, 2)


def purchase_key(kind: str, *parts: Any) -> str:
    """One purchase, the same however often Terraform plans it in a process (a replacement plans its create
    twice; an apply plans each change again)."""
    text = "\x00".join(normalize_pem(p) if isinstance(p, str) and "-----BEGIN" in p else str(p) for p in parts)
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


class PlanBudget:
    """What the plans made in this plugin process buy, so that their sum can be checked against the balance."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, float] = {}

    def add(self, key: str, amount: float) -> tuple[float, int]:
        """Record a purchase; (the total of every purchase recorded, their number)."""
        with self._lock:
            self._items[key] = amount
            return round(sum(self._items.values()), 2), len(self._items)
