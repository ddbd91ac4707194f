"""Finding the account's orders by filter: what the gogetssl_ssl_orders data source and the gogetssl_ssl_order
list resource (`terraform query`) share.

The vendor's listing (getAllSSLOrders) gives only ids and statuses, page by page; the rest of an order (product,
domain, SANs, expiry) is in its own status call (getOrderStatus). So:

1. the listing is read to its end (`OrdersAPI.scan`: paging, an unknown sort order and page or offset caps are
   handled there); a listing cut short is an error (report_incomplete), never taken for the whole account,
   unless the configuration accepts a partial result (`allow_incomplete`). GoGetSSL lists at most its offset
   ceiling plus one page (LISTING_REACH orders, provider/client/paging.py): past that, the report names the
   ceiling and the way round it (import by id);
2. the status filter is applied to the listing's statuses (a status outside the documented set is left for step
   3 to decide); with `expiring_within_days`, only active orders can
   match, and the bulk status call (getOrdersStatus, up to BULK ids a call) gives their expiry, so orders that
   expire later are dropped without a call of their own;
3. the orders left are read in full, WORKERS at a time, in order-id order, and every filter is applied to what
   their status says (the authority: the listing may lag behind). An answer about another order is an error
   (OrdersAPI.status);
   a listed order its status call does not know makes the result incomplete, as a listing cut short does.

An account of N orders costs ceil(N/LISTING_PAGE) listing pages (one more when N is a whole number of pages) plus one
status call per order that survives steps 1-2.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from tf.schema import Attribute
from tf.types import Bool, List, Number, String
from tf.utils import Diagnostics

from provider.client import errors
from provider.common.order_state import vendor_sans
from provider.common.vendor import STATUSES

if TYPE_CHECKING:
    from provider.client import GoGetSSLClient
    from provider.client.models import OrderStatus

BULK = 100  # ids per getOrdersStatus call
WORKERS = 4  # status calls in flight at once
MAX_DAYS = 3650  # expiring_within_days: ten years is longer than any certificate
MAX_PRODUCT_ID = 10**9
_NAME = re.compile(r"(\*\.)?([a-z0-9_-]+\.)*[a-z0-9_-]+\.?")


def filter_attributes() -> list[Attribute]:
    """The filters, as optional attributes: the data source's arguments and the list resource's config block."""
    return [
        Attribute("status", List(String()), optional=True,
                  description=f"Only orders in one of these statuses: {', '.join(f'`{s}`' for s in STATUSES)}."),
        Attribute("domain", String(), optional=True,
                  description="Only orders for this name: its common name or one of its SANs equals it "
                              "(case-insensitive). `*.example.com` matches every name under example.com "
                              "(`www.example.com`, `a.b.example.com`, `*.example.com`), not example.com itself."),
        Attribute("product_id", Number(), optional=True, description="Only orders of this product."),
        Attribute("expiring_within_days", Number(), optional=True,
                  description="Only active orders whose certificate (`valid_till`) expires within this many days "
                              "from today (GoGetSSL's date), including any already past their expiry but still "
                              "reported active, inside a subscription that outlasts it (`end_date`): what needs a "
                              "free reissue. A certificate that ends with its subscription is found by "
                              "`subscription_ending_within_days`."),
        Attribute("subscription_ending_within_days", Number(), optional=True,
                  description="Only active orders whose subscription (`end_date`; `valid_till` where GoGetSSL "
                              "reports none) ends within this many days from today (GoGetSSL's date): what needs "
                              "a paid renewal. Costs a status call per active order."),
    ]


@dataclass(frozen=True)
class Filters:
    statuses: frozenset[str] | None = None
    domain: str | None = None
    product_id: int | None = None
    expiring_within_days: int | None = None
    subscription_ending_within_days: int | None = None

    @classmethod
    def from_config(cls, diags: Diagnostics, config: dict[str, Any]) -> Filters | None:
        """The filters of a configuration, or None with an error per bad value (each names its field)."""
        before = len(diags.to_pb())
        statuses = config.get("status")
        if statuses is not None:
            bad = [s for s in statuses if s not in STATUSES]
            if bad:
                diags.add_error("Invalid status filter",
                                f"status: {', '.join('null' if s is None else repr(s) for s in bad)} is not an "
                                f"order status; use {', '.join(STATUSES)}.", path=["status"])
        domain = config.get("domain")
        if domain is not None:
            domain = domain.strip().lower()
            if not _NAME.fullmatch(domain):
                diags.add_error("Invalid domain filter",
                                f"domain: {config.get('domain')!r} is not a domain name; use a name such as "
                                "example.com, or *.example.com for every name under it (an internationalised "
                                "name in its xn-- form).", path=["domain"])
        product_id = _whole(diags, config, "product_id", 1, MAX_PRODUCT_ID, "a product id such as 65")
        days = _whole(diags, config, "expiring_within_days", 0, MAX_DAYS,
                      f"a whole number of days from 0 to {MAX_DAYS}")
        ending = _whole(diags, config, "subscription_ending_within_days", 0, MAX_DAYS,
                        f"a whole number of days from 0 to {MAX_DAYS}")
        if len(diags.to_pb()) > before:
            return None
        return cls(frozenset(statuses) if statuses is not None else None, domain, product_id, days, ending)

    def may_want(self, listed_status: str) -> bool:
        """Whether an order the listing shows in this status may match: a status outside the documented set
        (another spelling, a new one) is checked against the order's own status call rather than dropped."""
        return listed_status not in STATUSES or self.wants_status(listed_status)

    def wants_status(self, status: str) -> bool:
        if self.statuses is not None and status not in self.statuses:
            return False
        dated = self.expiring_within_days is not None or self.subscription_ending_within_days is not None
        return not dated or status == "active"

    def matches(self, order: OrderStatus, today: date) -> bool:
        if not self.wants_status(order.status):
            return False
        if self.product_id is not None and order.product_id != self.product_id:
            return False
        if self.domain is not None and not any(_name_matches(self.domain, n) for n in names_of(order)):
            return False
        if self.expiring_within_days is not None:
            till, end = _date(order.valid_till), _date(order.end_date)
            if till is None or till > today + timedelta(days=self.expiring_within_days):
                return False
            if end is not None and end <= till:
                return False  # nothing to reissue into: the subscription ends with it (a renewal)
        if self.subscription_ending_within_days is not None:
            end = _date(order.end_date) or _date(order.valid_till)
            if end is None or end > today + timedelta(days=self.subscription_ending_within_days):
                return False
        return True


def _whole(diags: Diagnostics, config: dict[str, Any], name: str, minimum: int, maximum: int,
           what: str) -> int | None:
    """A whole-number filter. Terraform sends numbers too large for a float as strings: read as decimals."""
    value = config.get(name)
    if value is None:
        return None
    try:
        number = None if isinstance(value, bool) else Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value() \
            or not minimum <= number <= maximum:
        diags.add_error(f"Invalid {name} filter", f"{name}: {value} is not {what}.", path=[name])
        return None
    return int(number)


def _name_matches(pattern: str, name: str) -> bool:
    name = name.strip().lower().rstrip(".")
    pattern = pattern.rstrip(".")
    if pattern.startswith("*."):
        return name.endswith(pattern[1:])
    return name == pattern


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def names_of(order: OrderStatus) -> list[str]:
    """An order's common name, then its SANs."""
    return [n for n in (order.domain, *vendor_sans(order)) if n]


@dataclass
class Found:
    orders: list[OrderStatus]
    complete: bool  # the listing was read to its end
    reason: str  # why not, when not
    beyond_reach: bool = False  # the account has more orders than GoGetSSL's listing reaches (its offset ceiling)


def allow_incomplete_attribute() -> Attribute:
    """The opt-in to a partial result: the data source's argument and the list resource's config."""
    return Attribute("allow_incomplete", Bool(), optional=True,
                     description="Accept a partial result, with a warning, when the order listing cannot be read "
                                 "to its end (GoGetSSL's listing stops early, or the account has more orders than "
                                 "it reaches). Default `false`: such a listing is an error naming why, since a "
                                 "partial result taken for the whole account shrinks a `for_each` or an import "
                                 "over it, and the orders that fell out would be forgotten or cancelled. Do not "
                                 "set it where the result drives `for_each` or `import` blocks.")


def report_incomplete(diags: Diagnostics, found: Found, allowed: Any, *, query: bool = False) -> bool:
    """Report a listing that was not read to its end: an error, unless `allowed` (allow_incomplete = true) makes it
    a warning. True when the results may be given out. `query`: for `terraform query`, whose results only add
    import blocks (nothing leaves state because an order is missing from them)."""
    if found.complete:
        return True
    summary, why = _incomplete(found)
    if query:
        if allowed is True:
            diags.add_warning(summary, f"{why} allow_incomplete = true: the orders listed are found; the others "
                                       "are not, so generated configuration covers only part of the account.")
            return True
        diags.add_error(summary, f"{why} No result was given, so that a generated configuration is never taken "
                                 "for the whole account. Set allow_incomplete = true in the list block's config "
                                 "to generate blocks for the orders listed (run the query again for the rest).")
        return False
    if allowed is True:
        diags.add_warning(summary, f"{why} allow_incomplete = true: these results are partial; a count, a check, a "
                                   "for_each or an import based on them is short.")
        return True
    diags.add_error(summary, f"{why} No result was given: a partial list taken for the whole account would shrink a "
                             "for_each or an import over it, and the orders that fell out would be forgotten or "
                             "cancelled. Set allow_incomplete = true to accept a partial result (never where it "
                             "drives for_each or import blocks).")
    return False


def _incomplete(found: Found) -> tuple[str, str]:
    """Why results may be short, and what to do: (summary, detail)."""
    if found.beyond_reach:
        return ("The account has more orders than GoGetSSL's listing reaches",
                f"{found.reason}. Orders past that point are missing from the listing whatever the filters "
                "(they apply to the orders listed), and running again will not reach them. An order the listing "
                "does not reach can still be managed by its id (shown in the GoGetSSL client area): import it "
                "with an import block or terraform import <address> <order_id>.")
    return ("The order listing was not read to its end",
            f"GoGetSSL's order listing stopped early ({found.reason}): orders beyond that point are missing. "
            "Run again later.")


def find_orders(client: GoGetSSLClient, filters: Filters, stopping: threading.Event | None = None,
                limit: int | None = None, today: date | None = None) -> Found:
    """The orders that match `filters`, in order-id order (at most `limit`). Raises the client's errors."""
    found: list[OrderStatus] = []
    scan = client.orders.scan()  # (pages as large as the vendor gives, client/paging.py)
    ids = sorted(int(e.order_id) for e in scan.entries if e.order_id and filters.may_want(e.status))
    if filters.expiring_within_days is not None:
        ids = _expiring(client, ids, filters.expiring_within_days, today)
    unknown: list[int] = []
    for order_id, order in _details(client, ids, stopping):
        if order is None:
            unknown.append(order_id)
        elif filters.matches(order, today or client.clock.today()):  # GoGetSSL's date: its answers state it
            found.append(order)
            if limit is not None and len(found) >= limit:
                break
    if stopping is not None and stopping.is_set():
        return Found(found, False, "Terraform asked the provider to stop")
    if unknown:
        shown = ", ".join(str(i) for i in unknown[:10]) + (", ..." if len(unknown) > 10 else "")
        return Found(found, False, f"{len(unknown)} listed orders were then not found by their status call: {shown}")
    return Found(found, scan.complete, scan.reason, scan.refused_offset is not None)


def _expiring(client: GoGetSSLClient, ids: list[int], days: int, today: date | None) -> list[int]:
    """Of these active orders, those the bulk status does not show expiring more than `days` after today (by
    GoGetSSL's date, which the bulk answers state)."""
    entries = [e for i in range(0, len(ids), BULK) for e in client.orders.statuses(ids[i:i + BULK])]
    cutoff = (today or client.clock.today()) + timedelta(days=days)
    later = {int(e.order_id) for e in entries
             if e.order_id and e.status == "active" and (till := _date(e.expires)) is not None and till > cutoff}
    return [i for i in ids if i not in later]


def _details(client: GoGetSSLClient, ids: list[int],
             stopping: threading.Event | None) -> Iterator[tuple[int, OrderStatus | None]]:
    """(id, getOrderStatus of it, None when the vendor does not know it), WORKERS at a time, in `ids` order.
    Batches are submitted as they are consumed, so a caller that stops early (a limit) stops the calls."""
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="order-status") as pool:
        for start in range(0, len(ids), WORKERS * 2):
            if stopping is not None and stopping.is_set():
                return
            chunk = ids[start:start + WORKERS * 2]
            batch = [pool.submit(_status, client, i) for i in chunk]
            for order_id, future in zip(chunk, batch, strict=True):
                yield order_id, future.result()


def _status(client: GoGetSSLClient, order_id: int) -> OrderStatus | None:
    try:
        return client.orders.status(order_id)  # (which refuses an answer about another order)
    except errors.NotFoundError:
        return None
