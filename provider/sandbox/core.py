"""The sandbox's shared state: configuration, clock, CA, answer shapes and the order lifecycle.

Every endpoint module takes a `Sandbox` and returns a `Response`: (HTTP status, JSON body) in the
vendor's shapes: flat success objects with `success: true`, errors as
`{"error": true, "message", "description"}` with HTTP 200 (HTTP 403 for a bad auth key).
Numbers are emitted as strings where the vendor does so, to keep clients honest.

Time-driven changes are applied lazily, whenever an order is loaded (`advance`): issuance after
`--issue-after`, expiry after `valid_till`, and the end of a cancellation review
(`--cancel-review-seconds`: cancelSSLOrder is a request the vendor reviews in 2-48 h, and the order
keeps its status meanwhile). Each runs in one store transaction, as do the duplicate check, debit
and insert of a new order, so concurrent requests can neither double an order nor a refund.
The sandbox is never kinder than the vendor: where the evidence (docs/vendor-api.md §8) shows a limit
or leaves one open (an offset ceiling and a possible page cap on order listings, a lock after a validation
change), it has one, behind a flag.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import lifetime
from .ca import SandboxCA
from .rules import split_csv
from .store import Store

Response = tuple[int, dict[str, Any] | list[Any]]

ORDER_FIELDS = (
    "product_id", "period", "csr", "server_count", "approver_email", "approver_emails", "webserver_type",
    "dns_names", "dcv_method", "signature_hash", "unique_code",
)
CONTACT_SUFFIXES = (
    "firstname", "lastname", "organization", "title", "email", "phone", "fax",
    "addressline1", "addressline2", "addressline3", "city", "region", "country", "postalcode",
)
ORG_SUFFIXES = (
    "name", "division", "duns", "lei", "addressline1", "addressline2", "addressline3",
    "city", "region", "country", "fax", "phone", "postalcode",
)
CONTACT_FIELDS = (
    tuple(f"admin_{s}" for s in CONTACT_SUFFIXES)
    + tuple(f"tech_{s}" for s in CONTACT_SUFFIXES)
    + tuple(f"org_{s}" for s in ORG_SUFFIXES)
)
STATUSES = ("active", "cancelled", "expired", "rejected", "processing", "pending", "new_order", "incomplete")


def error(message: str, description: str, status: int = 200) -> Response:
    return status, {"error": True, "message": message, "description": description}


LIST_ORDERS = ("oldest", "newest")


@dataclass(frozen=True)
class Listing:
    """How getAllSSLOrders pages: the sort order, the most records one page holds, the highest offset."""

    order: str = "oldest"  # the vendor's order is not public; oldest first is what the sandbox always did
    page_cap: int = 1000  # a public client that probed the live API pages with limit=1000 (docs/vendor-api.md §9.4)
    offset_cap: int = 1000  # one public client reports "offset must not exceed 1000" (docs/vendor-api.md §8)

    def changed(self, body: dict[str, Any]) -> Listing:
        """This listing with the `list_*` keys of a faults body applied; ValueError names a bad one."""
        order = body.get("list_order", self.order)
        if order not in LIST_ORDERS:
            raise ValueError(f"list_order must be one of {', '.join(LIST_ORDERS)}")
        return Listing(order, _whole(body.get("list_page_cap", self.page_cap), "list_page_cap", 1),
                       _whole(body.get("list_offset_cap", self.offset_cap), "list_offset_cap", 0))


def _whole(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}")
    return value


@dataclass
class SandboxConfig:
    user: str = "sandbox"
    password: str = "sandbox"
    issue_after: float | None = None  # seconds after ordering; None = never by itself
    balance: float = 100_000.0
    currency: str = "EUR"
    dcv_http_root: Path | None = None  # DIR/<domain>/.well-known/pki-validation/<file> passes http(s) DCV
    dcv_dns_zone: Path | None = None  # JSON {record name: value} passes dns DCV
    listing: Listing = Listing()  # the CLI's listing; POST /_sandbox/faults can override it at run time
    cancel_review_seconds: float = 7200.0  # the vendor reviews a cancellation request in 2-48 h
    dcv_lock_seconds: float = 60.0  # "Function is locked for ..." after a validation change; 0 = no lock
    tax_rate: float = 0.0  # percent charged on top of each order's price (--tax-rate), shown as "21%"


class Sandbox:
    """The vendor's side of one sandbox: its store, settings, clock and CA, and how an order moves by itself."""

    def __init__(self, store: Store, config: SandboxConfig):
        self.store = store
        self.config = config
        self.listing = config.listing  # replaced as a whole (frozen), so readers need no lock
        if store.get_meta("balance") is None:
            store.set_meta("balance", f"{config.balance:.2f}")
        if store.get_meta("ca_root") is None:
            root, inter, key = SandboxCA.generate(dt.datetime.now(dt.UTC))
            store.set_meta("ca_root", root.decode())
            store.set_meta("ca_inter", inter.decode())
            store.set_meta("ca_inter_key", key.decode())
        self.ca = SandboxCA(
            str(store.get_meta("ca_root")).encode(),
            str(store.get_meta("ca_inter")).encode(),
            str(store.get_meta("ca_inter_key")).encode(),
        )

    # -- clock --
    def now(self) -> float:
        return time.time() + float(self.store.get_meta("clock_offset", "0") or 0)

    def date(self, ts: float, with_time: bool = False) -> str:
        d = dt.datetime.fromtimestamp(ts, dt.UTC)
        return d.strftime("%Y-%m-%d %H:%M:%S" if with_time else "%Y-%m-%d")

    # -- the order lifecycle --
    def load(self, order_id: str | int) -> dict[str, Any] | None:
        try:
            oid = int(str(order_id).strip())
        except ValueError:
            return None
        order = self.store.get_order(oid)
        if order is not None:
            order = self.advance(order)
        return order

    def advance(self, order: dict[str, Any]) -> dict[str, Any]:
        """Apply time-driven transitions: the end of a cancellation review, issuance after --issue-after,
        expiry after valid_till. Each is applied to a fresh copy inside one transaction, so two requests
        loading the same order at once cannot both apply it (a refund credited twice)."""
        if not self._due(order):
            return order
        with self.store.tx():
            fresh = self.store.get_order(int(order["order_id"]))
            if fresh is None:
                return order
            now = self.now()
            if self._review_over(fresh, now):
                self.finish_cancel(fresh)
                return fresh
            if self._issue_due(fresh, now):
                fresh = self.issue(fresh)
            if self._expiry_due(fresh, now):
                fresh["status"] = "expired"
                self.store.update_order(fresh)
            return fresh

    def _due(self, order: dict[str, Any]) -> bool:
        now = self.now()
        return self._review_over(order, now) or self._issue_due(order, now) or self._expiry_due(order, now)

    def _issue_due(self, order: dict[str, Any], now: float) -> bool:
        return (order["status"] in ("processing", "reissue") and self.config.issue_after is not None
                and now >= float(order.get("reissued_ts") or order["created"]) + self.config.issue_after)

    @staticmethod
    def _expiry_due(order: dict[str, Any], now: float) -> bool:
        # An order ends with its subscription, not with a certificate inside it (whose successor is a free
        # reissue), also while a reissue is pending (only an issued order has end_ts: a new order in processing
        # has none); an order stored before subscriptions had only its certificate's end.
        end = order.get("end_ts") or order.get("valid_till_ts")
        return order["status"] in ("active", "reissue", "processing") and end is not None and now > float(end)

    @staticmethod
    def cancel_pending(order: dict[str, Any]) -> bool:
        return order.get("cancel_requested_ts") is not None and not order.get("cancel_settled")

    def _review_over(self, order: dict[str, Any], now: float) -> bool:
        return (self.cancel_pending(order)
                and now >= float(order["cancel_requested_ts"]) + self.config.cancel_review_seconds)

    def finish_cancel(self, order: dict[str, Any]) -> None:
        """The review ends, as decided when it was requested: inside the refund window the order is cancelled
        and refunded; after it the certificate ends, the order becomes `expired` and nothing is refunded (vendor
        knowledge base, "Order cancellation and refund rules"). Call in a tx."""
        order["cancel_settled"] = True
        if order.get("cancel_refund"):
            order["status"] = "cancelled"
            self.store.credit(float(order.get("amount", 0)))
            order["refunded"] = True
        else:
            order["status"] = "expired"
        self.store.update_order(order)

    def settle_reviews(self) -> None:
        """End every cancellation review that is over (a refund shows in the balance before anyone loads the
        order)."""
        for o in self.store.list_orders():
            if self.cancel_pending(o):
                self.advance(o)

    def issue(self, order: dict[str, Any]) -> dict[str, Any]:
        """The CA issues the order's (next) certificate: at most the SC-081 lifetime of today and never past the
        subscription's end. The first issuance starts the subscription: `period` months from today, plus the days
        a renewal carried over from the order it renews. Call in a tx (or where nothing else writes the order)."""
        now = self.now()
        not_before = dt.datetime.fromtimestamp(now, dt.UTC)
        if not order.get("end_ts"):
            begin = not_before.date()
            end = lifetime.add_months(begin, int(order["period"])) + dt.timedelta(days=int(order.get("carry_days", 0)))
            order["begin_date"], order["end_date"] = begin.isoformat(), end.isoformat()
            order["end_ts"] = now + (end - begin).days * 86400
            order["first_issued_ts"] = now
        longest, _reuse = lifetime.limits(not_before.date())
        not_after = min(not_before + dt.timedelta(days=longest), dt.datetime.fromtimestamp(order["end_ts"], dt.UTC))
        names = [order["domain"], *split_csv(order.get("dns_names"))]
        order["crt_code"] = self.ca.issue(order["csr"], names, not_before, not_after)
        order["ca_code"] = self.ca.chain_pem
        order["valid_from"] = self.date(now)
        order["valid_till"] = self.date(not_after.timestamp())
        order["valid_till_ts"] = not_after.timestamp()
        order["issued_ts"] = now
        # Domains validated for this certificate: now, except those whose earlier validation was reused.
        validated = order.get("dcv_validated_ts") or {}
        reused = set(order.get("dcv_reused") or ())
        order["dcv_validated_ts"] = {n: (validated[n] if n in reused and n in validated else now) for n in names}
        order["dcv_reused"] = []
        order["partner_order_id"] = str(order["order_id"] * 7 + 1_000_000_000)
        order["status"] = "active"
        order["reissue_now"] = "0"
        order["dcv_passed"] = {}
        for san in order.get("san", []):
            san["status"], san["status_description"] = "2", "validated"
        self.store.update_order(order)
        return order
