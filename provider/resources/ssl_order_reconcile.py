"""After a request that spends money ended without a certain answer: find out what the vendor did, by the ledger
of what this process placed.

An order placed twice costs twice, an order placed but not recorded is lost money, and an order
adopted by the wrong resource is cancelled by the wrong destroy. So:

- After a timeout, a dropped connection, a 5xx or an unreadable answer on addSSLOrder /
  addSSLRenewOrder, the request gets time to land, then the vendor's order listing is read to its
  end. An order is adopted only when everything the vendor reports about it matches the request
  (product, period, server count, CSR, SANs, DCV method, and for Sectigo brands the unique code this
  create sent, which the vendor writes into the DCV data), its id is above the create's mark (the
  account's highest order id, read once before this process placed anything; order ids grow), no
  other resource of this process claimed it, and no other resource of this process sent an identical
  request.
- The request is placed again only when the listing was read to its end and holds no such order: the
  listing's sort order is unknown, so no part of it proves anything.
- The vendor's "Such certificate already exists (Order ID: N)" names an order with the same CSR and
  product; it is adopted only under the same rules, so never the order of another resource.

The listing's semantics are uncertain (docs/vendor-api.md §8, §9.4: `count` is per page, pages hold at most
1000 orders and offsets stop at 1000, so an account of more than 2,000 orders cannot be listed whole; the sort
order is unknown): `OrdersAPI.scan` copes with each; this module only decides what a scan proves. In an account
past the listing's reach nothing can be proven: an uncertain order is then left for a person to look up.

The ledger (each create's mark, the orders claimed, the requests sent) is kept on the provider
(services.ledger): one per plugin process, shared by all of its resources, gone with it.
"""

from __future__ import annotations

import re
import secrets
import string
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from provider.client import errors
from provider.common.order_state import vendor_sans
from provider.common.services import ProviderServices
from provider.common.vendor import OPEN_STATUSES
from provider.tfext.types import normalize_pem

if TYPE_CHECKING:
    from provider.client.client import GoGetSSLClient
    from provider.client.models import AddSSLOrderRequest, OrderScan, OrderStatus

_DUPLICATE = re.compile(r"already exists \(Order ID:\s*(\d+)", re.IGNORECASE)
MAX_GRACE = 30.0  # seconds to let an uncertain request land before looking for what it did


def let_it_land(client: GoGetSSLClient) -> None:
    """After an uncertain answer: give the request as long as a timed-out one (at most MAX_GRACE) to land. A stop
    (Ctrl-C) ends the wait; the client then sends nothing more, so what follows finds nothing proven."""
    client.settings.pause(min(client.settings.read_timeout, MAX_GRACE))


def duplicate_order_id(exc: errors.GoGetSSLError) -> int | None:
    """The order the vendor names when it refuses a second open order for the same CSR and product."""
    if isinstance(exc, errors.APIError):
        m = _DUPLICATE.search(f"{exc.message} {exc.description}")
        if m:
            return int(m.group(1))
    return None


def fingerprint(request: AddSSLOrderRequest) -> tuple[Any, ...]:
    """What makes two order requests the same order, as the vendor reports orders."""
    return (int(request.product_id), int(request.period), int(request.server_count), "".join(request.csr.split()),
            tuple(sorted(n.lower() for n in request.dns_names or [])), request.dcv_method.lower())


def certificate(request: AddSSLOrderRequest) -> tuple[int, str]:
    """What the vendor's duplicate rule compares: one open order per product and CSR."""
    return int(request.product_id), "".join(request.csr.split())


def mismatches(status: OrderStatus, request: AddSSLOrderRequest) -> list[str]:
    """What the vendor reports about an order that differs from the request (empty: the same order)."""
    out = []
    if status.product_id != int(request.product_id):
        out.append(f"product_id {status.product_id} (planned {request.product_id})")
    if status.validity_period != int(request.period):
        out.append(f"period {status.validity_period} (planned {request.period})")
    if status.server_count != int(request.server_count):
        out.append(f"server_count {status.server_count} (planned {request.server_count})")
    if normalize_pem(status.csr_code or "") != normalize_pem(request.csr or ""):
        out.append("a different csr")
    if sorted(n.lower() for n in vendor_sans(status)) != sorted(n.lower() for n in request.dns_names or []):
        out.append(f"dns_names {vendor_sans(status)} (planned {list(request.dns_names or [])})")
    if (status.dcv_method or "").lower() != request.dcv_method.lower():
        out.append(f"dcv_method {status.dcv_method!r} (planned {request.dcv_method!r})")
    texts = dcv_texts(status)
    if request.unique_code and texts and not any(request.unique_code in t for t in texts):
        out.append("DCV data made with another unique code (it was placed by another request)")
    return out


def dcv_texts(status: OrderStatus) -> list[str]:
    """The DCV data the vendor derived from the order's unique value (file contents, DNS records)."""
    out = []
    for m in [status.approver_method, *(e.validation for e in status.san if e.validation)]:
        for f in (m.http, m.https):
            if f is not None and f.content:
                out.append(f.content)
        if m.dns is not None and m.dns.record:
            out.append(m.dns.record)
    return out


# Brands whose DCV data carries the order's unique value (docs/vendor-api.md §3.2: Sectigo/GoGetSSL only).
MARKED_BRANDS = frozenset({"sectigo", "comodo", "gogetssl"})


def marker_shows(request: AddSSLOrderRequest) -> bool:
    """Whether the vendor will show the unique value in the order's DCV data: only in files and DNS records,
    so not when every domain is validated by e-mail."""
    return request.dcv_method.lower() != "email" or any(
        a.lower() in ("http", "https", "dns") for a in request.approver_emails or [])


def marker() -> str:
    """A unique_code only this create knows: the vendor writes it into the order's DCV data, so an identical
    order placed by anyone else (another pipeline, another tool) can be told apart from this create's own."""
    alphabet = string.ascii_lowercase + string.digits
    return "tf" + "".join(secrets.choice(alphabet) for _ in range(18))


@dataclass
class Ledger:
    """What one provider process knows about the orders its resources place. Terraform runs every
    resource of one command in one plugin process, so this is shared by all of them."""

    mark: int | None = None  # the highest order id the account had before this process placed anything
    why_unmarked: str = ""
    claimed: set[int] = field(default_factory=set)
    requests: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    certificates: Counter[tuple[int, str]] = field(default_factory=Counter)  # (product, CSR) of each create
    lock: threading.Lock = field(default_factory=threading.Lock)

    def begin(self, client: GoGetSSLClient, request: AddSSLOrderRequest) -> int | None:
        """Called before a create spends; returns this create's own mark (None: it cannot adopt anything).

        Each create keeps the mark it began with: a mark taken later may already count orders of this
        process whose answers were lost. Until one look succeeds, every create tries again."""
        with self.lock:
            self.requests[fingerprint(request)] += 1
            self.certificates[certificate(request)] += 1
            if self.mark is None:
                self.mark, self.why_unmarked = highest_order_id(client)
            return self.mark

    def claim(self, order_id: int) -> bool:
        with self.lock:
            if order_id in self.claimed:
                return False
            self.claimed.add(order_id)
            return True

    def shared_certificate(self, request: AddSSLOrderRequest) -> bool:
        """Whether another create of this process asked for an order with the same product and CSR."""
        with self.lock:
            return self.certificates[certificate(request)] > 1

    def holds(self, order_id: int) -> bool:
        with self.lock:
            return order_id in self.claimed

    def adoptable(self, status: OrderStatus, request: AddSSLOrderRequest, mark: int | None) -> str | None:
        """Why the order may NOT be adopted by the create whose mark is `mark`, or None when it may."""
        oid = int(status.order_id or 0)
        with self.lock:
            if mark is None:
                return ("the account's orders from before this apply could not be read "
                        f"({self.why_unmarked or 'unknown reason'}), so it cannot be told apart from an older order")
            if oid <= mark:
                return "it existed before this apply began"
            if oid in self.claimed:
                return "another resource of this apply holds it"
            if self.requests[fingerprint(request)] > 1:
                return "another resource of this apply asked for an identical order"
        wrong = mismatches(status, request)
        if wrong:
            return "it differs from the planned order: " + ", ".join(wrong)
        return None


def ledger_of(services: ProviderServices) -> Ledger:
    """This process's ledger, kept on the provider (services.ledger) and made by its first create."""
    return services.ledger.get(Ledger)


def highest_order_id(client: GoGetSSLClient) -> tuple[int | None, str]:
    """(the account's highest order id, 0 for none; or None and why it cannot be established). The
    listing's sort order is unknown (by id? by status? docs/vendor-api.md §8), so only a listing read to its end
    establishes it."""
    try:
        scan = client.orders.scan()  # (pages as large as the vendor gives, up to LISTING_MAX_PAGES)
    except errors.GoGetSSLError as exc:
        return None, f"the order listing could not be read: {exc}"
    if not scan.complete:
        return None, cut_short(scan)
    return max((int(e.order_id or 0) for e in scan.entries), default=0), ""


@dataclass
class Search:
    order_id: int | None  # the order this request placed, when found
    certain: bool  # True when the vendor's records prove the request placed nothing (order_id None)
    why: str = ""  # why absence is not proven


def find_placed_order(client: GoGetSSLClient, request: AddSSLOrderRequest, ledger: Ledger,
                      mark: int | None) -> Search:
    """Look for the order an uncertain request placed, among the orders newer than the create's mark.
    The listing is read to its end: its sort order is unknown, so no prefix of it proves anything."""
    if mark is None:
        return Search(None, False, "the account's orders from before this apply could not be read "
                                   f"({ledger.why_unmarked or 'unknown reason'})")
    try:
        scan = client.orders.scan()
    except errors.GoGetSSLError as exc:
        return Search(None, False, f"the order listing could not be read ({exc})")
    candidates = sorted({int(e.order_id or 0) for e in scan.entries
                         if int(e.order_id or 0) > mark and e.status in (*OPEN_STATUSES, "active")}, reverse=True)
    unread = False
    for oid in candidates:
        if ledger.holds(oid):
            continue
        try:
            status = client.orders.status(oid)
        except errors.GoGetSSLError:
            unread = True
            continue
        if ledger.adoptable(status, request, mark) is None:
            return Search(oid, True)
    if unread:
        return Search(None, False, "some of the account's newest orders could not be read")
    if not scan.complete:
        return Search(None, False, cut_short(scan))
    return Search(None, True)


def cut_short(scan: OrderScan) -> str:
    """Why a listing that was not read to its end proves nothing; past the offset ceiling, that it never will."""
    if scan.refused_offset is not None:
        return (f"the account's order listing cannot be read to its end: {scan.reason}. In an account past "
                "the listing's reach, an order can only be looked up in the GoGetSSL client area")
    return f"the order listing could not be read to its end ({scan.reason})"
