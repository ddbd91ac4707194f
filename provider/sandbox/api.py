"""The sandbox's GoGetSSL API: what each vendor endpoint does, independent of HTTP.

Each handler takes the parsed request and returns (HTTP status, JSON body) in the vendor's
shapes: flat success objects with `success: true`, errors as
`{"error": true, "message", "description"}` with HTTP 200 (HTTP 403 for a bad auth key).
Numbers are emitted as strings where the vendor does so, to keep clients honest.

Time-driven changes are applied lazily, whenever an order is loaded (`_advance`): issuance after
`--issue-after`, expiry after `valid_till`, and the end of a cancellation review
(`--cancel-review-seconds`: cancelSSLOrder is a request the vendor reviews in 2-48 h, and the order
keeps its status meanwhile). Each runs in one store transaction, as do the duplicate check, debit
and insert of a new order, so concurrent requests can neither double an order nor a refund.
The sandbox is never kinder than the vendor: where the evidence (reference §8) shows a limit
(a page cap on order listings, a lock after a validation change), it has one, behind a flag.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import catalogue
from .ca import ParsedCSR, SandboxCA, parse_csr
from .rules import RuleError, check_add_order, split_csv
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
UNSET_DATE = "0000-00-00"


def error(message: str, description: str, status: int = 200) -> Response:
    return status, {"error": True, "message": message, "description": description}


LIST_ORDERS = ("oldest", "newest")
OPEN_STATUSES = ("processing", "pending", "new_order")


@dataclass(frozen=True)
class Listing:
    """How getAllSSLOrders pages: the sort order, the most records one page holds, the highest offset."""

    order: str = "oldest"  # the vendor's order is not public; oldest first is what the sandbox always did
    page_cap: int = 100
    offset_cap: int = 1000  # one public client reports "offset must not exceed 1000" (reference §8)

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


class SandboxAPI:
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

    def _date(self, ts: float, with_time: bool = False) -> str:
        d = dt.datetime.fromtimestamp(ts, dt.UTC)
        return d.strftime("%Y-%m-%d %H:%M:%S" if with_time else "%Y-%m-%d")

    # -- auth --
    def auth(self, form: dict[str, str]) -> Response:
        user, password = form.get("user", ""), form.get("pass", "")
        if not user or not password:
            return error("Username and/or password not supplied", "This request requires username and password")
        if user != self.config.user or password != self.config.password:
            return error("Invalid credentials", "Wrong username or API password")
        key = secrets.token_hex(16)
        self.store.add_auth_key(key, user)
        return 200, {"key": key, "success": True}

    def check_key(self, key: str | None) -> Response | None:
        if not key:
            return error("Auth key required", "The auth_key parameter is required; call /auth/ first", 403)
        if not self.store.auth_key_exists(key):
            return error("Invalid auth key", "The auth_key is invalid or has expired; call /auth/ again", 403)
        return None

    # -- products --
    def products(self) -> Response:
        return 200, {"products": [catalogue.listed(p) for p in catalogue.PRODUCTS], "success": True}

    def product(self, product_id: str) -> Response:
        try:
            product = catalogue.BY_ID.get(int(product_id))
        except ValueError:
            product = None
        if product is None:
            return error("Product not found", f"Product {product_id} does not exist")
        return 200, {"product": product, "success": True}

    # -- account --
    def balance(self) -> Response:
        self._settle_reviews()  # a review that ended may have refunded an order nobody has loaded since
        return 200, {"balance": self.store.get_meta("balance", "0.00"), "currency": self.config.currency,
                     "success": True}

    # -- orders --
    def add_ssl_order(self, form: dict[str, str]) -> Response:
        return self._place(form, renewal=False)

    def add_ssl_renew_order(self, form: dict[str, str]) -> Response:
        return self._place(form, renewal=True)

    def _open_duplicate(self, csr: str, product_id: int) -> int | None:
        """The vendor refuses a second open order for the same CSR and product (seen in its sandbox)."""
        wanted = "".join(csr.split())
        for o in self.store.list_orders():
            if (o["product_id"] == product_id and o["status"] in OPEN_STATUSES
                    and not o.get("renew_of") and "".join(o["csr"].split()) == wanted
                    and self._advance(o)["status"] in OPEN_STATUSES):
                return int(o["order_id"])
        return None

    def all_orders(self, form: dict[str, str]) -> Response:
        """getAllSSLOrders: `count` is the number of records in this page (reference §8), not the account's
        total, and a page holds at most `page_cap` records whatever limit was asked (and echoed)."""
        try:
            limit = int(form.get("limit") or 100)
            offset = int(form.get("offset") or 0)
        except ValueError:
            return error("Invalid parameters", "limit and offset must be numbers")
        if limit < 1 or offset < 0:
            return error("Invalid parameters", "limit must be positive and offset must not be negative")
        listing = self.listing
        if offset > listing.offset_cap:
            return error("Invalid offset", f"offset must not exceed {listing.offset_cap}")
        orders = self.store.list_orders()
        if listing.order == "newest":
            orders.reverse()
        page = [{"order_id": str(o["order_id"]), "status": self._advance(o)["status"]}
                for o in orders[offset:offset + min(limit, listing.page_cap)]]
        return 200, {"orders": page, "limit": limit, "offset": offset, "count": len(page), "success": True}

    def _renewable(self, domain: str, product_id: int) -> tuple[dict[str, Any] | None, str]:
        """The order a renewal continues: same domain and product, active or expired, within 30 days of its end."""
        candidates = [o for o in (self._advance(o) for o in self.store.list_orders())
                      if o["domain"] == domain and o["product_id"] == product_id
                      and o["status"] in ("active", "expired") and not o.get("renewed_by")]
        if not candidates:
            return None, f"No active or expired order for {domain} and product {product_id} to renew"
        order = max(candidates, key=lambda o: o["order_id"])
        days_left = (float(order.get("valid_till_ts") or 0) - self.now()) / 86400
        if days_left > 30:
            return None, (f"Order {order['order_id']} can be renewed at the earliest 30 days before it expires "
                          f"({order.get('valid_till')}); {int(days_left)} days are left")
        return order, ""

    def _place(self, form: dict[str, str], renewal: bool) -> Response:
        try:
            product, csr = check_add_order(form)
        except RuleError as exc:
            return error(exc.message, exc.description)
        # The duplicate check, the debit and the insert are one transaction: concurrent identical
        # requests make one order and one debit, and the others see it as the duplicate.
        with self.store.tx():
            return self._place_checked(form, renewal, product, csr)

    def _place_checked(self, form: dict[str, str], renewal: bool, product: dict[str, Any],
                       csr: ParsedCSR) -> Response:
        if not renewal:
            duplicate = self._open_duplicate(form["csr"], product["id"])
            if duplicate is not None:
                return error("Duplicate order", f"Such certificate already exists (Order ID: {duplicate})")
        renews: dict[str, Any] | None = None
        if renewal:
            renews, why = self._renewable(csr.common_name, product["id"])
            if renews is None:
                return error("Renewal not possible", why)
        period = int(form["period"])
        dns_names = split_csv(form.get("dns_names"))
        amount = catalogue.price_for(product, period, len(dns_names))
        if str(form.get("only_validate", "")).lower() in ("1", "true", "y") or form.get("test") == "Y":
            return 200, {"success": True, "validation": "passed", "order_amount": amount}
        if not self.store.debit(amount):
            return error("Insufficient funds", f"Account balance is lower than the order amount {amount:.2f}")

        unique = (form.get("unique_code") or "").strip() or _unique_value()
        method = form["dcv_method"].strip().lower()
        approvers = split_csv(form.get("approver_emails"))
        data: dict[str, Any] = {f: str(form.get(f, "") or "") for f in ORDER_FIELDS + CONTACT_FIELDS}
        data.update(
            dcv_method=method,
            domain=csr.common_name,
            dns_names=",".join(dns_names),
            unique_value=unique,
            amount=amount,
            currency=self.config.currency,
            brand=product["brand"],
            approver_method=_approver_method(product["brand"], method, csr.common_name, csr.md5, csr.sha256, unique,
                                             form.get("approver_email", "")),
            san=[
                _san_entry(product["brand"], name, approvers[i] if i < len(approvers) else method,
                           csr.md5, csr.sha256, unique)
                for i, name in enumerate(dns_names)
            ],
            san_purchased=len(dns_names),
            partner_order_id="",
            crt_code="",
            ca_code="",
            valid_from="",
            valid_till="",
            begin_date="",
            end_date="",
        )
        if renews is not None:
            data["renew_of"] = renews["order_id"]
        order_id, invoice_id = self.store.insert_order(product["id"], "processing", self.now(), data)
        if renews is not None:
            renews["renewed_by"] = order_id
            self.store.update_order(renews)
        return 200, {
            "product_id": str(product["id"]),
            "order_id": order_id,
            "invoice_id": invoice_id,
            "order_status": "processing",
            "success": True,
            "order_amount": amount,
            "currency": self.config.currency,
            "tax": "0.00",
            "tax_rate": "0%",
            "approver_method": data["approver_method"],
            "san": data["san"],
        }

    def _load(self, order_id: str | int) -> dict[str, Any] | None:
        try:
            oid = int(str(order_id).strip())
        except ValueError:
            return None
        order = self.store.get_order(oid)
        if order is not None:
            order = self._advance(order)
        return order

    def _advance(self, order: dict[str, Any]) -> dict[str, Any]:
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
                self._finish_cancel(fresh)
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
        return order["status"] == "active" and bool(order.get("valid_till_ts")) and now > order["valid_till_ts"]

    @staticmethod
    def _cancel_pending(order: dict[str, Any]) -> bool:
        return order.get("cancel_requested_ts") is not None and not order.get("cancel_settled")

    def _review_over(self, order: dict[str, Any], now: float) -> bool:
        return (self._cancel_pending(order)
                and now >= float(order["cancel_requested_ts"]) + self.config.cancel_review_seconds)

    def _finish_cancel(self, order: dict[str, Any]) -> None:
        """The review ends: the order is cancelled, refunded as decided when it was requested. Call in a tx."""
        order["status"] = "cancelled"
        order["cancel_settled"] = True
        if order.get("cancel_refund"):
            self.store.credit(float(order.get("amount", 0)))
            order["refunded"] = True
        self.store.update_order(order)

    def _settle_reviews(self) -> None:
        """End every cancellation review that is over (a refund shows in the balance before anyone loads the
        order)."""
        for o in self.store.list_orders():
            if self._cancel_pending(o):
                self._advance(o)

    def issue(self, order: dict[str, Any]) -> dict[str, Any]:
        now = self.now()
        months = min(int(order["period"]), 13)
        not_before = dt.datetime.fromtimestamp(now, dt.UTC)
        not_after = not_before + dt.timedelta(days=round(months * 30.44))
        names = [order["domain"], *split_csv(order.get("dns_names"))]
        order["crt_code"] = self.ca.issue(order["csr"], names, not_before, not_after)
        order["ca_code"] = self.ca.chain_pem
        order["valid_from"] = self._date(now)
        order["valid_till"] = self._date(not_after.timestamp())
        order["valid_till_ts"] = not_after.timestamp()
        order["begin_date"] = order["valid_from"]
        order["end_date"] = self._date(now + int(order["period"]) * 30.44 * 86400)
        order["issued_ts"] = now
        order["partner_order_id"] = str(order["order_id"] * 7 + 1_000_000_000)
        order["status"] = "active"
        order["reissue_now"] = "0"
        order["dcv_passed"] = {}
        for san in order.get("san", []):
            san["status"], san["status_description"] = "2", "validated"
        self.store.update_order(order)
        return order

    def order_status(self, order_id: str) -> Response:
        order = self._load(order_id)
        if order is None:
            return error("Order not found", f"Order {order_id} was not found")
        return 200, self._status_body(order)

    def _status_body(self, o: dict[str, Any]) -> dict[str, Any]:
        active = o["status"] in ("active", "reissue")
        dns_names = split_csv(o.get("dns_names"))
        body: dict[str, Any] = {
            "order_id": str(o["order_id"]),
            "partner_order_id": o.get("partner_order_id", ""),
            "internal_id": str(o["order_id"]),
            "status": o["status"],
            "status_description": _status_description(o["status"]),
            "dcv_status": "2" if o["status"] == "active" else "1",
            "product_id": str(o["product_id"]),
            "manual_check": "0",
            "pre_signing": "0",
            "admin_msg": "",
            "validation_description": o.get("validation_description", ""),
            "domain": o["domain"],
            "domains": ",".join([o["domain"], *dns_names]),
            "total_domains": str(1 + len(dns_names)),
            "base_domain_count": "1",
            "single_san_count": str(len(dns_names)),
            "wildcard_san_count": "0",
            "approver_email": o.get("approver_email", ""),
            "approver_emails": o.get("approver_emails", ""),
            "validity_period": str(o["period"]),
            "valid_from": o.get("valid_from") or UNSET_DATE,
            "valid_till": o.get("valid_till") or UNSET_DATE,
            "begin_date": o.get("begin_date") or UNSET_DATE,
            "end_date": o.get("end_date") or UNSET_DATE,
            "ssl_period": str(o["period"]),
            "ssl_price": f"{float(o.get('amount', 0)):.2f}",
            "csr_code": o["csr"],
            "crt_code": o.get("crt_code", "") if active else "",
            "ca_code": o.get("ca_code", "") if active else "",
            "server_count": str(o["server_count"]),
            "webserver_type": str(o["webserver_type"]),
            "reissue": "0",
            "reissue_now": o.get("reissue_now", "0"),
            "renew": "1" if o.get("renew_of") else "0",
            "upgrade": "0",
            "free_ev_upgrade": "0",
            "codesigning_inviteurl": "",
            "dcv_method": o["dcv_method"],
            "approver_method": o.get("approver_method", {}),
            "san": o.get("san", []),
            "success": True,
            "time_stamp": int(self.now()),
        }
        for f in CONTACT_FIELDS:
            body[f] = o.get(f, "")
        return body

    def orders_statuses(self, form: dict[str, str]) -> Response:
        ids = split_csv(form.get("cids"))
        if not ids:
            return error("Required parameters missing", "cids is required: a comma-separated list of order ids")
        certs = []
        for oid in ids:
            order = self._load(oid)
            if order is None:
                continue
            entry = {"order_id": str(order["order_id"]), "status": order["status"]}
            if order["status"] == "active":
                entry["expires"] = order.get("valid_till", "")
            certs.append(entry)
        return 200, {"certificates": certs, "success": True, "time_stamp": int(self.now())}

    def cancel_ssl_order(self, form: dict[str, str]) -> Response:
        """A cancellation request: recorded now, the order keeps its status until the review ends
        (--cancel-review-seconds), then becomes cancelled, refunded as its state at request time allows."""
        order_id, reason = form.get("order_id", ""), str(form.get("reason", "")).strip()
        if not str(order_id).strip() or not reason:
            return error("Required parameters missing", "order_id and reason are required")
        with self.store.tx():
            order = self._load(order_id)
            if order is None:
                return error("Order not found", f"Order {order_id} was not found")
            if order["status"] == "cancelled":
                return error("Order already cancelled", f"Order {order_id} is already cancelled")
            if self._cancel_pending(order):
                # The vendor's answer here is not public (reference §8); this is the sandbox's own text.
                return error("Cancellation already requested",
                             f"A cancellation request for order {order['order_id']} is under review")
            if order["status"] == "reissue":
                return error("Order can't be cancelled", "A reissue that is being processed cannot be cancelled")
            if order["status"] in ("expired", "rejected"):
                return error("Order can't be cancelled",
                             f"Order {order_id} is {order['status']} and cannot be cancelled")
            now = self.now()
            order["cancel_requested_ts"] = now
            order["cancel_reason"] = reason
            order["cancel_refund"] = order["status"] != "active" or now - float(order.get("issued_ts", 0)) <= 30 * 86400
            if self.config.cancel_review_seconds <= 0:
                self._finish_cancel(order)
            else:
                self.store.update_order(order)
        return 200, {"order_id": str(order["order_id"]), "success": True}

    def revalidate(self, order_id: str, form: dict[str, str]) -> Response:
        """Check one domain's DCV now (the vendor's /orders/ssl/revalidate/{id}); issue when all have passed."""
        order = self._load(order_id)
        if order is None:
            return error("Order not found", f"Order {order_id} was not found")
        domain = str(form.get("domain", "")).strip().lower()
        if not domain:
            return error("Required parameters missing", "domain is required: the common name or a SAN of the order")
        if order["status"] not in ("processing", "reissue"):
            return error("Order is not in processing state", f"Order {order_id} is {order['status']}")
        entries = _dcv_entries(order)
        entry = next((e for e in entries if e["domain"].lower() == domain), None)
        if entry is None:
            return error("Invalid domain", f"{domain} is not a domain of order {order_id}")
        passed, why = self._check_dcv(entry)
        order.setdefault("dcv_passed", {})[entry["domain"]] = passed
        order["validation_description"] = "" if passed else why
        for san in order.get("san", []):
            if san["san_name"].lower() == domain:
                san["status"], san["status_description"] = ("2", "validated") if passed else ("1", "processing")
        self.store.update_order(order)
        if all(order["dcv_passed"].get(e["domain"]) for e in entries):
            self.issue(order)
            return 200, {"message": "Domain control validation passed; the certificate was issued", "success": True}
        if passed:
            return 200, {"message": f"Domain control validation passed for {entry['domain']}", "success": True}
        return 200, {"message": f"Domain control validation is pending for {entry['domain']}: {why}",
                     "success": True}

    def _check_dcv(self, entry: dict[str, Any]) -> tuple[bool, str]:
        method, data = entry["method"], entry["data"]
        if method in ("http", "https"):
            if self.config.dcv_http_root is None:
                return False, f"no file found at {data['link']}"
            base = entry["domain"][2:] if entry["domain"].startswith("*.") else entry["domain"]
            # Names are host names (rules.is_host_name), but an order stored before that rule, or a
            # symlink, must not make the sandbox read outside its root either.
            root = self.config.dcv_http_root.resolve()
            path = (root / base / ".well-known" / "pki-validation" / data["filename"]).resolve()
            if not path.is_relative_to(root):
                return False, f"no file found at {data['link']}"
            try:
                found = path.read_text(errors="replace")
            except OSError:
                return False, f"no file found at {data['link']}"
            if found.split() != data["content"].split():
                return False, f"the file at {data['link']} does not hold the expected content"
            return True, ""
        if method == "dns":
            name, rtype, value = _split_record(data["record"])
            zone: dict[str, Any] = {}
            if self.config.dcv_dns_zone is not None:
                try:
                    loaded = json.loads(self.config.dcv_dns_zone.read_text())
                    zone = loaded if isinstance(loaded, dict) else {}
                except (OSError, ValueError):
                    zone = {}
            published = {str(k).lower().rstrip("."): str(v) for k, v in zone.items()}
            got = published.get(name.lower().rstrip("."))
            if got is None:
                return False, f"no {rtype} record {name} found"
            if got.strip().strip('"').rstrip(".").lower() != value.rstrip(".").lower():
                return False, f"the {rtype} record {name} does not hold the expected value"
            return True, ""
        return False, f"waiting for the approval e-mail sent to {data}"

    def reissue(self, order_id: str, form: dict[str, str]) -> Response:
        order = self._load(order_id)
        if order is None:
            return error("Order not found", f"Order {order_id} was not found")
        if order["status"] != "active":
            return error("Reissue not possible", "Order can't be processed with reissue procedure!")
        product = catalogue.BY_ID[order["product_id"]]
        merged = {**{f: order.get(f, "") for f in ORDER_FIELDS + CONTACT_FIELDS},
                  "period": str(order["period"]), "product_id": str(order["product_id"]),
                  **{k: v for k, v in form.items() if k in ORDER_FIELDS}}
        if "dns_names" not in form:
            merged["dns_names"] = order.get("dns_names", "")
        try:
            _product, csr = check_add_order(merged)
        except RuleError as exc:
            return error(exc.message, exc.description)
        dns_names = split_csv(merged.get("dns_names"))
        if len(dns_names) > int(order.get("san_purchased", len(split_csv(order.get("dns_names"))))):
            return error("Invalid dns_names", "More additional domains than purchased: order more SANs first "
                                              "(addSSLSANOrder)")
        if csr.common_name != order["domain"] and product["brand"] not in catalogue.SECTIGO_BRANDS:
            return error("Invalid CSR", "The common name can only change on Sectigo/GoGetSSL products")
        method = merged["dcv_method"].strip().lower()
        approvers = split_csv(merged.get("approver_emails"))
        unique = (merged.get("unique_code") or "").strip() or _unique_value()
        for f in ("csr", "webserver_type", "approver_email", "approver_emails", "signature_hash", "unique_code"):
            order[f] = str(merged.get(f, "") or "")
        order.update(
            dcv_method=method, domain=csr.common_name, dns_names=",".join(dns_names), unique_value=unique,
            approver_method=_approver_method(product["brand"], method, csr.common_name, csr.md5, csr.sha256, unique,
                                             merged.get("approver_email", "")),
            san=[_san_entry(product["brand"], name, approvers[i] if i < len(approvers) else method,
                            csr.md5, csr.sha256, unique) for i, name in enumerate(dns_names)],
            status="reissue", reissue_now="1", reissued_ts=self.now(), dcv_passed={},
            reissues=int(order.get("reissues", 0)) + 1,
        )
        self.store.update_order(order)
        return 200, {"order_id": str(order["order_id"]), "order_status": "reissue",
                     "validation": order["approver_method"], "san": order["san"], "success": True}

    def _dcv_change(self, order_id: str, change: Callable[[dict[str, Any]], Response]) -> Response:
        """Run one validation change on a pending order, under the "Function is locked" cool-down: after a
        change succeeds, any further change of the same order within --dcv-lock-seconds is refused. The
        length of the vendor's lock, and whether change_validation_email shares it, are not public
        (reference §7, §8): the sandbox locks all three changes together, the stricter reading."""
        with self.store.tx():
            order, err = self._pending_order(order_id)
            if order is None:
                return err or error("Order not found", "")
            lock = self.config.dcv_lock_seconds
            last = order.get("dcv_changed_ts")
            if lock > 0 and last is not None and self.now() < float(last) + lock:
                return error(f"Function is locked for {lock:g} seconds",
                             f"Validation changes of order {order['order_id']} are locked; try again later")
            status, body = change(order)
            if isinstance(body, dict) and body.get("success"):
                order["dcv_changed_ts"] = self.now()
                self.store.update_order(order)
            return status, body

    def _pending_order(self, order_id: str) -> tuple[dict[str, Any] | None, Response | None]:
        order = self._load(order_id)
        if order is None:
            return None, error("Order not found", f"Order {order_id} was not found")
        if order["status"] not in ("processing", "reissue"):
            return None, error("Validation change not possible",
                               f"Order {order_id} is {order['status']}: the validation method can only change while "
                               "validation is pending")
        return order, None

    def _set_method(self, order: dict[str, Any], domain: str, how: str) -> str | None:
        """Change one domain's DCV method: `how` is an address (e-mail) or http/https/dns. Error text or None."""
        how = how.strip()
        method = how.lower() if how.lower() in ("http", "https", "dns") else "email"
        if method == "email" and "@" not in how:
            return f"{how} is not an e-mail address or one of http, https, dns"
        parsed = parse_csr(order["csr"])
        if method in ("http", "https") and domain.startswith("*."):
            return "File-based validation (http/https) is not allowed for wildcard domains"
        if domain.lower() == order["domain"]:
            order["dcv_method"] = method
            order["approver_email"] = how if method == "email" else ""
            order["approver_method"] = _approver_method(order["brand"], method, order["domain"], parsed.md5,
                                                        parsed.sha256, order["unique_value"], how)
            return None
        for i, san in enumerate(order.get("san", [])):
            if san["san_name"].lower() == domain.lower():
                order["san"][i] = _san_entry(order["brand"], san["san_name"], how if method == "email" else method,
                                             parsed.md5, parsed.sha256, order["unique_value"])
                approvers = split_csv(order.get("approver_emails")) or [s["validation_method"]
                                                                         for s in order["san"]]
                while len(approvers) < len(order["san"]):
                    approvers.append(order["dcv_method"])
                approvers[i] = how if method == "email" else method
                order["approver_emails"] = ",".join(approvers)
                return None
        return f"{domain} is not a domain of order {order['order_id']}"

    def change_validation_method(self, order_id: str, form: dict[str, str]) -> Response:
        def change(order: dict[str, Any]) -> Response:
            domain, new = str(form.get("domain", "")).strip(), str(form.get("new_method", "")).strip()
            if not domain or not new:
                return error("Required parameters missing", "domain and new_method are required")
            problem = self._set_method(order, domain, new)
            if problem:
                return error("Invalid new_method", problem)
            return 200, {"message": f"Validation method for {domain} changed", "success": True}

        return self._dcv_change(order_id, change)

    def change_validation_email(self, order_id: str, form: dict[str, str]) -> Response:
        def change(order: dict[str, Any]) -> Response:
            new = str(form.get("approver_email", "")).strip()
            if not new:
                return error("Required parameters missing", "approver_email is required")
            problem = self._set_method(order, order["domain"], new)
            if problem:
                return error("Invalid approver_email", problem)
            if order["dcv_method"] == "email":
                return 200, {"dcv_method": "email", "approver_email": new, "success": True,
                             "success_message": "Approver e-mail changed"}
            return 200, {**order["approver_method"], "success": True, "success_message": "Validation method changed"}

        return self._dcv_change(order_id, change)

    def change_domains_validation_method(self, order_id: str, form: dict[str, str]) -> Response:
        def change(order: dict[str, Any]) -> Response:
            domains, methods = split_csv(form.get("domains")), split_csv(form.get("new_methods"))
            if not domains or len(domains) != len(methods):
                return error("Required parameters missing",
                             "domains and new_methods must list the same number of items")
            for domain, how in zip(domains, methods, strict=True):
                problem = self._set_method(order, domain, how)
                if problem:
                    return error("Invalid new_methods", problem)
            return 200, {"message": "Validation methods changed", "success": True}

        return self._dcv_change(order_id, change)

    def webservers(self, family: str) -> Response:
        if family == "1":
            servers = ["Apache", "IIS", "Nginx", "Tomcat", "Other"]
        elif family == "2":
            servers = ["Apache 2", "Microsoft IIS 7", "Nginx", "Oracle", "Other"]
        else:
            return error("Invalid type", "webserver type must be 1 (Comodo/Sectigo) or 2 (GeoTrust/RapidSSL)")
        return 200, {"webservers": [{"id": str(i + 1 if family == "1" else 18 + i), "software": name}
                                    for i, name in enumerate(servers)], "success": True}

    def domain_emails(self, form: dict[str, str]) -> Response:
        domain = str(form.get("domain", "")).strip().lower()
        if not domain or "." not in domain:
            return error("Invalid domain", "domain is required, e.g. example.com")
        domain = domain[2:] if domain.startswith("*.") else domain
        labels = domain.split(".")
        bases = [".".join(labels[i:]) for i in range(len(labels) - 1)]
        emails = [f"{box}@{base}" for base in bases
                  for box in ("admin", "administrator", "hostmaster", "postmaster", "webmaster")]
        return 200, {"ComodoApprovalEmails": emails, "GeotrustApprovalEmails": emails, "success": True}

    def account(self) -> Response:
        return 200, {"first_name": "Sandbox", "last_name": "Reseller", "company_name": "GoGetSSL Sandbox",
                     "company_vat": "", "company_phone": "+371 0000000", "phone": "+371 0000000", "fax": "",
                     "address": "Sandbox street 1", "city": "Riga", "state": "", "postal_code": "LV-1000",
                     "country": "LV", "email": f"{self.config.user}@sandbox.invalid", "reseller_plan": "Sandbox",
                     "currency": self.config.currency, "success": True}

    def invoices(self) -> Response:
        out = [self._invoice(self._advance(o)) for o in self.store.list_orders()]
        return 200, {"invoices": out, "success": True}

    def order_invoice(self, order_id: str) -> Response:
        order = self._load(order_id)
        if order is None:
            return error("Order not found", f"Order {order_id} was not found")
        return 200, {**self._invoice(order), "success": True}

    def _invoice(self, o: dict[str, Any]) -> dict[str, Any]:
        refunded = o["status"] == "cancelled" and o.get("refunded")
        amount = f"{float(o.get('amount', 0)):.2f}"
        return {"order_id": str(o["order_id"]), "number": str(o["invoice_id"]),
                "date": self._date(o["created"]), "subtotal": amount, "tax": "0.00", "tax_rate": "0%",
                "total": amount, "status": "refunded" if refunded else "paid", "currency": self.config.currency,
                "payment_method": "balance"}

    def control_clock(self, body: dict[str, Any]) -> Response:
        raw = body.get("advance_days", 0)
        try:
            days = float(raw)
        except (TypeError, ValueError):
            days = math.nan
        if isinstance(raw, bool) or not math.isfinite(days):
            return error("Invalid advance_days", "advance_days must be a number of days", 400)
        offset = float(self.store.get_meta("clock_offset", "0") or 0) + days * 86400
        self.store.set_meta("clock_offset", str(offset))
        self._settle_reviews()  # moving the clock past a review's end ends it, refund included
        return 200, {"now": self._date(self.now(), with_time=True), "offset_days": offset / 86400, "success": True}

    # -- control endpoints (not part of the vendor's API) --
    def control_orders(self) -> Response:
        out = []
        for o in self.store.list_orders():
            o = self._advance(o)
            out.append({
                "order_id": o["order_id"], "invoice_id": o["invoice_id"], "status": o["status"],
                "product_id": o["product_id"], "domain": o["domain"], "dns_names": split_csv(o.get("dns_names")),
                "period": int(o["period"]), "dcv_method": o["dcv_method"], "csr": o["csr"],
                "amount": o.get("amount"), "created": self._date(o["created"], with_time=True),
                "cancel_requested": (self._date(float(o["cancel_requested_ts"]), with_time=True)
                                     if o.get("cancel_requested_ts") is not None else ""),
                **{f: o.get(f, "") for f in ("server_count", "webserver_type", "approver_email", "approver_emails",
                                             "signature_hash", "unique_code", "cancel_reason", *CONTACT_FIELDS)},
            })
        return 200, out

    def control_set_status(self, order_id: str, body: dict[str, Any]) -> Response:
        order = self._load(order_id)
        if order is None:
            return error("Order not found", f"Order {order_id} was not found", 404)
        status = str(body.get("status", ""))
        if status not in ("active", "cancelled", "expired", "rejected", "processing"):
            return error("Invalid status", "status must be one of active, cancelled, expired, rejected, processing",
                         400)
        if status == "active" and order["status"] != "active":
            order = self.issue(order)
        else:
            order["status"] = status
            self.store.update_order(order)
        return 200, {"order_id": order["order_id"], "status": order["status"], "success": True}


def _dcv_entries(order: dict[str, Any]) -> list[dict[str, Any]]:
    """Every domain of an order with its DCV method and data: the primary first, then the SANs."""
    primary_method = order["dcv_method"]
    am = order.get("approver_method", {})
    entries = [{"domain": order["domain"], "method": primary_method,
                "data": am.get("email") if primary_method == "email" else am.get(primary_method, {})}]
    for san in order.get("san", []):
        validation = san.get("validation", {})
        method = san["validation_method"]
        entries.append({"domain": san["san_name"], "method": method, "data": validation.get(method)})
    return entries


def _split_record(record: str) -> tuple[str, str, str]:
    """'name CNAME value' or 'name IN   TXT "value"' -> (name, type, value)."""
    tokens = record.split()
    for i, t in enumerate(tokens):
        if t.upper() in ("CNAME", "TXT"):
            return tokens[0], t.upper(), " ".join(tokens[i + 1:]).strip('"')
    return tokens[0] if tokens else "", "", " ".join(tokens[1:])


def _unique_value() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "c" + "".join(secrets.choice(alphabet) for _ in range(19))


def _status_description(status: str) -> str:
    return {
        "processing": "Waiting for domain control validation",
        "active": "Certificate issued",
        "cancelled": "Order cancelled",
        "expired": "Certificate expired",
        "rejected": "Order rejected by the certificate authority",
    }.get(status, status)


def _dcv_data(brand: str, method: str, domain: str, md5: str, sha256: str, unique: str) -> dict[str, Any]:
    base = domain[2:] if domain.startswith("*.") else domain
    if brand in catalogue.DIGICERT_BRANDS:
        token = hashlib.sha256(f"{sha256}:{unique}:{base}".encode()).hexdigest()[:32]
        if method == "dns":
            return {"record": f'_dnsauth.{base} IN   TXT "{token}"'}
        return {"link": f"{method}://{base}/.well-known/pki-validation/fileauth.txt", "filename": "fileauth.txt",
                "content": token}
    if method == "dns":
        return {"record": f"_{md5}.{base} CNAME {sha256[:32]}.{sha256[32:]}.{unique}.sectigo.com"}
    filename = f"{md5.upper()}.txt"
    return {
        "link": f"{method}://{base}/.well-known/pki-validation/{filename}",
        "filename": filename,
        "content": f"{sha256.upper()}\r\nsectigo.com\r\n{unique}",
    }


def _approver_method(brand: str, method: str, domain: str, md5: str, sha256: str, unique: str,
                     approver_email: str) -> dict[str, Any]:
    if method == "email":
        return {"email": approver_email}
    return {method: _dcv_data(brand, method, domain, md5, sha256, unique)}


def _san_entry(brand: str, name: str, how: str, md5: str, sha256: str, unique: str) -> dict[str, Any]:
    method = how if how in ("http", "https", "dns") else "email"
    validation = {"email": how} if method == "email" else {method: _dcv_data(brand, method, name, md5, sha256, unique)}
    return {"san_name": name, "validation_method": method, "status": "1", "status_description": "processing",
            "validation": validation}


__all__ = ["SandboxAPI", "SandboxConfig", "STATUSES", "parse_csr"]
