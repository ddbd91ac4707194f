"""The /_sandbox control endpoints (not the vendor's): orders dump, set status, clock, faults, counts, CA."""

from __future__ import annotations

import math
from typing import Any

from .core import CONTACT_FIELDS, Response, Sandbox, error
from .faults import Faults
from .rules import split_csv


def orders(sb: Sandbox) -> Response:
    out = []
    for o in sb.store.list_orders():
        o = sb.advance(o)
        out.append({
            "order_id": o["order_id"], "invoice_id": o["invoice_id"], "status": o["status"],
            "product_id": o["product_id"], "domain": o["domain"], "dns_names": split_csv(o.get("dns_names")),
            "period": int(o["period"]), "dcv_method": o["dcv_method"], "csr": o["csr"],
            "amount": o.get("amount"), "created": sb.date(o["created"], with_time=True),
            "cancel_requested": (sb.date(float(o["cancel_requested_ts"]), with_time=True)
                                 if o.get("cancel_requested_ts") is not None else ""),
            "emails_sent": o.get("emails_sent", []),  # approver e-mails resent (dcv.resend*)
            **{f: o.get(f, "") for f in ("server_count", "webserver_type", "approver_email", "approver_emails",
                                         "signature_hash", "unique_code", "cancel_reason", *CONTACT_FIELDS)},
        })
    return 200, out


def _unknown_keys(body: dict[str, Any], allowed: tuple[str, ...]) -> Response | None:
    """A 400 naming the keys a control body may not hold: a misspelt key must not pass as a no-op."""
    unknown = sorted(set(body) - set(allowed))
    if not unknown:
        return None
    return error("Invalid body", f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}", 400)


def set_status(sb: Sandbox, order_id: str, body: dict[str, Any]) -> Response:
    if (bad := _unknown_keys(body, ("status",))) is not None:
        return bad
    order = sb.load(order_id)
    if order is None:
        return error("Order not found", f"Order {order_id} was not found", 404)
    status = body.get("status", "")
    if not isinstance(status, str) or status not in ("active", "cancelled", "expired", "rejected", "processing"):
        return error("Invalid status", "status must be one of active, cancelled, expired, rejected, processing",
                     400)
    if status == "active" and order["status"] != "active":
        order = sb.issue(order)
    else:
        order["status"] = status
        sb.store.update_order(order)
    return 200, {"order_id": order["order_id"], "status": order["status"], "success": True}


MAX_CLOCK_OFFSET_DAYS = 36_500  # a century either way


def clock(sb: Sandbox, body: dict[str, Any]) -> Response:
    if (bad := _unknown_keys(body, ("advance_days",))) is not None:
        return bad
    raw = body.get("advance_days", 0)
    try:
        days = float(raw)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a JSON integer too large for a float
        days = math.nan
    if isinstance(raw, bool) or not math.isfinite(days):
        return error("Invalid advance_days", "advance_days must be a number of days", 400)
    offset = float(sb.store.get_meta("clock_offset", "0") or 0) + days * 86400
    if abs(offset) > MAX_CLOCK_OFFSET_DAYS * 86400:
        # Checked before it is kept: a date past year 9999 cannot be formatted, and every answer would fail.
        return error("Invalid advance_days", f"advance_days would move the clock more than {MAX_CLOCK_OFFSET_DAYS} "
                     "days from now", 400)
    sb.store.set_meta("clock_offset", str(offset))
    sb.settle_reviews()  # moving the clock past a review's end ends it, refund included
    return 200, {"now": sb.date(sb.now(), with_time=True), "offset_days": offset / 86400, "success": True}


def set_faults(sb: Sandbox, faults: Faults, spec: dict[str, Any]) -> Response:
    # Validate everything before applying anything: a bad body changes nothing.
    try:
        latency, rules = faults.parse(spec)
        listing = sb.config.listing.changed(spec)
    except ValueError as exc:
        return error("Invalid faults", str(exc), 400)
    faults.apply(latency, rules)
    sb.listing = listing
    return 200, _faults_state(sb, faults)


def clear_faults(sb: Sandbox, faults: Faults) -> Response:
    faults.clear()
    sb.listing = sb.config.listing
    return 200, _faults_state(sb, faults)


def _faults_state(sb: Sandbox, faults: Faults) -> dict[str, Any]:
    listing = sb.listing
    return {"success": True, "rules": faults.snapshot(), "latency_ms": faults.latency_ms,
            "list_order": listing.order, "list_page_cap": listing.page_cap,
            "list_offset_cap": listing.offset_cap}


def requests(sb: Sandbox) -> Response:
    return 200, sb.store.request_counts()


def ca(sb: Sandbox) -> Response:
    return 200, {"root_pem": sb.ca.root_pem.decode(), "chain_pem": sb.ca.chain_pem}
