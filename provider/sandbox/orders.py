"""Orders: placing, renewing, reissuing and cancelling them, and reading their status and listing."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any

from . import catalogue, lifetime
from .ca import ParsedCSR
from .core import CONTACT_FIELDS, ORDER_FIELDS, Response, Sandbox, error
from .dcv import approver_method, san_entry
from .rules import RuleError, check_add_order, split_csv

OPEN_STATUSES = ("processing", "pending", "new_order")
UNSET_DATE = "0000-00-00"


# -- placing --
def add_ssl_order(sb: Sandbox, form: dict[str, str]) -> Response:
    return _place(sb, form, renewal=False)


def add_ssl_renew_order(sb: Sandbox, form: dict[str, str]) -> Response:
    return _place(sb, form, renewal=True)


def _open_duplicate(sb: Sandbox, csr: str, product_id: int) -> int | None:
    """The vendor refuses a second open order for the same CSR and product (seen in its sandbox)."""
    wanted = "".join(csr.split())
    for o in sb.store.list_orders():
        if (o["product_id"] == product_id and o["status"] in OPEN_STATUSES
                and not o.get("renew_of") and "".join(o["csr"].split()) == wanted
                and sb.advance(o)["status"] in OPEN_STATUSES):
            return int(o["order_id"])
    return None


def _renewable(sb: Sandbox, domain: str, product_id: int) -> tuple[dict[str, Any] | None, str]:
    """The order a renewal continues: same domain and product, active or expired, within 30 days of the end of
    its subscription (`end_date`; a certificate ending earlier inside it is reissued, not renewed)."""
    candidates = [o for o in (sb.advance(o) for o in sb.store.list_orders())
                  if o["domain"] == domain and o["product_id"] == product_id
                  and o["status"] in ("active", "expired") and not o.get("renewed_by")]
    if not candidates:
        return None, f"No active or expired order for {domain} and product {product_id} to renew"
    order = max(candidates, key=lambda o: o["order_id"])
    days_left = (float(order.get("end_ts") or order.get("valid_till_ts") or 0) - sb.now()) / 86400
    if days_left > 30:
        return None, (f"Order {order['order_id']} can be renewed at the earliest 30 days before it expires "
                      f"({order.get('end_date') or order.get('valid_till')}); {int(days_left)} days are left")
    return order, ""


def _place(sb: Sandbox, form: dict[str, str], renewal: bool) -> Response:
    try:
        product, csr = check_add_order(form)
    except RuleError as exc:
        return error(exc.message, exc.description)
    # The duplicate check, the debit and the insert are one transaction: concurrent identical
    # requests make one order and one debit, and the others see it as the duplicate.
    with sb.store.tx():
        return _place_checked(sb, form, renewal, product, csr)


def _place_checked(sb: Sandbox, form: dict[str, str], renewal: bool, product: dict[str, Any],
                   csr: ParsedCSR) -> Response:
    if not renewal:
        duplicate = _open_duplicate(sb, form["csr"], product["id"])
        if duplicate is not None:
            return error("Duplicate order", f"Such certificate already exists (Order ID: {duplicate})")
    renews: dict[str, Any] | None = None
    if renewal:
        renews, why = _renewable(sb, csr.common_name, product["id"])
        if renews is None:
            return error("Renewal not possible", why)
    period = int(form["period"])
    dns_names = split_csv(form.get("dns_names"))
    # The account's price, tax on top (docs/vendor-api.md §9.3): the balance is debited both, `amount` keeps
    # the debit (a refund credits it back), the answer's `order_amount` is the price before tax.
    cost = catalogue.charge(product, period, dns_names, sb.config.tax_rate)
    if str(form.get("only_validate", "")).lower() in ("1", "true", "y") or form.get("test") == "Y":
        return 200, {"success": True, "validation": "passed", "order_amount": cost.subtotal}
    if not sb.store.debit(cost.total):
        return error("Insufficient funds", f"Account balance is lower than the order amount {cost.total:.2f}"
                                           + (" (tax included)" if cost.tax else ""))

    unique = (form.get("unique_code") or "").strip() or _unique_value()
    method = form["dcv_method"].strip().lower()
    approvers = split_csv(form.get("approver_emails"))
    data: dict[str, Any] = {f: str(form.get(f, "") or "") for f in ORDER_FIELDS + CONTACT_FIELDS}
    data.update(
        dcv_method=method,
        domain=csr.common_name,
        dns_names=",".join(dns_names),
        unique_value=unique,
        amount=cost.total,
        subtotal=cost.subtotal,
        tax=cost.tax,
        tax_rate=cost.tax_rate_text,
        currency=sb.config.currency,
        brand=product["brand"],
        approver_method=approver_method(product["brand"], method, csr.common_name, csr.md5, csr.sha256, unique,
                                        form.get("approver_email", "")),
        san=[
            san_entry(product["brand"], name, approvers[i] if i < len(approvers) else method,
                      csr.md5, csr.sha256, unique)
            for i, name in enumerate(dns_names)
        ],
        # The SANs bought, single and wildcard apart as the vendor prices and reports them: a reissue may use
        # up to these and no more, however few SANs an earlier reissue held (docs/vendor-api.md §5).
        **_san_counts(dns_names),
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
        # "The CA carries over the days left" (docs/vendor-api.md §4): the new subscription starts at issuance
        # and runs its months plus what was left of the one it renews.
        left = float(renews.get("end_ts") or renews.get("valid_till_ts") or 0) - sb.now()
        data["carry_days"] = max(0, int(left // 86400))
    order_id, invoice_id = sb.store.insert_order(product["id"], "processing", sb.now(), data)
    if renews is not None:
        renews["renewed_by"] = order_id
        sb.store.update_order(renews)
    return 200, {
        "product_id": str(product["id"]),
        "order_id": order_id,
        "invoice_id": invoice_id,
        "order_status": "processing",
        "success": True,
        "order_amount": cost.subtotal,
        "currency": sb.config.currency,
        "tax": f"{cost.tax:.2f}",
        "tax_rate": cost.tax_rate_text,
        "approver_method": data["approver_method"],
        "san": data["san"],
    }


def _unique_value() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "c" + "".join(secrets.choice(alphabet) for _ in range(19))


def reissue(sb: Sandbox, order_id: str, form: dict[str, str]) -> Response:
    """A free reissue inside the subscription. Domains whose validation is younger than the reuse period of
    today (SC-081) keep it; when every domain does, the order waits in `reissue` and the CA issues at the next
    recheck. Otherwise the stale domains are validated again, with new DCV data, and the order is `processing`
    like a new one. The current certificate stays the order's until its successor is issued."""
    order = sb.load(order_id)
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
    wanted, bought = _san_counts(dns_names), _sans_bought(order)
    if any(wanted[k] > bought[k] for k in wanted):
        return error("Invalid dns_names", "More additional domains than purchased: order more SANs first "
                                          f"(addSSLSANOrder). Purchased: {bought['san_single_purchased']} single, "
                                          f"{bought['san_wildcard_purchased']} wildcard")
    if csr.common_name != order["domain"] and product["brand"] not in catalogue.SECTIGO_BRANDS:
        return error("Invalid CSR", "The common name can only change on Sectigo/GoGetSSL products")
    method = merged["dcv_method"].strip().lower()
    approvers = split_csv(merged.get("approver_emails"))
    unique = (merged.get("unique_code") or "").strip() or _unique_value()
    now = sb.now()
    _longest, reuse_days = lifetime.limits(dt.datetime.fromtimestamp(now, dt.UTC).date())
    validated = order.get("dcv_validated_ts") or {}
    names = [csr.common_name, *dns_names]
    reused = [n for n in names if n in validated and now - float(validated[n]) <= reuse_days * 86400]
    for f in ("csr", "webserver_type", "approver_email", "approver_emails", "signature_hash", "unique_code"):
        order[f] = str(merged.get(f, "") or "")
    order.update(
        dcv_method=method, domain=csr.common_name, dns_names=",".join(dns_names), unique_value=unique,
        approver_method=approver_method(product["brand"], method, csr.common_name, csr.md5, csr.sha256, unique,
                                        merged.get("approver_email", "")),
        san=[san_entry(product["brand"], name, approvers[i] if i < len(approvers) else method,
                       csr.md5, csr.sha256, unique) for i, name in enumerate(dns_names)],
        status="reissue" if len(reused) == len(names) else "processing", reissue_now="1", reissued_ts=now,
        dcv_passed=dict.fromkeys(reused, True), dcv_reused=reused,
        reissues=int(order.get("reissues", 0)) + 1,
    )
    sb.store.update_order(order)
    return 200, {"order_id": str(order["order_id"]), "order_status": order["status"],
                 "validation": order["approver_method"], "san": order["san"], "success": True}


def _san_counts(dns_names: list[str]) -> dict[str, int]:
    wildcards = sum(1 for n in dns_names if n.startswith("*."))
    return {"san_single_purchased": len(dns_names) - wildcards, "san_wildcard_purchased": wildcards}


def _sans_bought(order: dict[str, Any]) -> dict[str, int]:
    """The SANs an order was bought with (an order stored before they were kept apart: its `san_purchased`, else
    the SANs it holds, all taken as single)."""
    if "san_single_purchased" in order:
        return {k: int(order.get(k) or 0) for k in ("san_single_purchased", "san_wildcard_purchased")}
    held = len(split_csv(order.get("dns_names")))
    return {"san_single_purchased": int(order.get("san_purchased", held)), "san_wildcard_purchased": 0}


def cancel_ssl_order(sb: Sandbox, form: dict[str, str]) -> Response:
    """A cancellation request: recorded now, the order keeps its status until the review ends
    (--cancel-review-seconds), then becomes cancelled, refunded as its state at request time allows."""
    order_id, reason = form.get("order_id", ""), str(form.get("reason", "")).strip()
    if not str(order_id).strip() or not reason:
        return error("Required parameters missing", "order_id and reason are required")
    with sb.store.tx():
        order = sb.load(order_id)
        if order is None:
            return error("Order not found", f"Order {order_id} was not found")
        if order["status"] == "cancelled":
            return error("Order already cancelled", f"Order {order_id} is already cancelled")
        if sb.cancel_pending(order):
            # The vendor's answer here is not public (docs/vendor-api.md §8); this is the sandbox's own text.
            return error("Cancellation already requested",
                         f"A cancellation request for order {order['order_id']} is under review")
        if order["status"] == "reissue" or order.get("reissue_now") == "1":
            return error("Order can't be cancelled", "A reissue that is being processed cannot be cancelled")
        if order["status"] in ("expired", "rejected"):
            return error("Order can't be cancelled",
                         f"Order {order_id} is {order['status']} and cannot be cancelled")
        now = sb.now()
        order["cancel_requested_ts"] = now
        order["cancel_reason"] = reason
        refund_days = catalogue.BY_ID.get(int(order["product_id"]), {}).get("refund_days", catalogue.REFUND_DAYS)
        # Refunded when never issued, or within the refund days of the first issuance (a reissue does not
        # restart the window); a later cancellation ends the certificate without a refund.
        first = order.get("first_issued_ts") or order.get("issued_ts")
        order["cancel_refund"] = not first or now - float(first) <= refund_days * 86400
        if sb.config.cancel_review_seconds <= 0:
            sb.finish_cancel(order)
        else:
            sb.store.update_order(order)
    return 200, {"order_id": str(order["order_id"]), "success": True}


# -- reading --
def order_status(sb: Sandbox, order_id: str) -> Response:
    order = sb.load(order_id)
    if order is None:
        return error("Order not found", f"Order {order_id} was not found")
    return 200, _status_body(sb, order)


def _status_body(sb: Sandbox, o: dict[str, Any]) -> dict[str, Any]:
    # The certificate and CA bundle are filled only while the order is active (docs/vendor-api.md §2.3): not
    # while a reissue is pending, whose predecessor the client has to keep.
    active = o["status"] == "active"
    dns_names = split_csv(o.get("dns_names"))
    bought = _sans_bought(o)
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
        # The counts are of domains bought, kept across reissues (integrations compare them with a reissue's
        # SANs to buy the shortfall, docs/vendor-api.md §5); `domains` lists the ones the order holds now.
        "total_domains": str(1 + bought["san_single_purchased"] + bought["san_wildcard_purchased"]),
        "base_domain_count": "1",
        "single_san_count": str(bought["san_single_purchased"]),
        "wildcard_san_count": str(bought["san_wildcard_purchased"]),
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
        "time_stamp": int(sb.now()),
    }
    for f in CONTACT_FIELDS:
        body[f] = o.get(f, "")
    return body


def _status_description(status: str) -> str:
    return {
        "processing": "Waiting for domain control validation",
        "active": "Certificate issued",
        "cancelled": "Order cancelled",
        "expired": "Certificate expired",
        "rejected": "Order rejected by the certificate authority",
    }.get(status, status)


def orders_statuses(sb: Sandbox, form: dict[str, str]) -> Response:
    ids = split_csv(form.get("cids"))
    if not ids:
        return error("Required parameters missing", "cids is required: a comma-separated list of order ids")
    certs = []
    for oid in ids:
        order = sb.load(oid)
        if order is None:
            continue
        entry = {"order_id": str(order["order_id"]), "status": order["status"]}
        if order["status"] == "active":
            entry["expires"] = order.get("valid_till", "")
        certs.append(entry)
    return 200, {"certificates": certs, "success": True, "time_stamp": int(sb.now())}


def all_orders(sb: Sandbox, form: dict[str, str]) -> Response:
    """getAllSSLOrders: `count` is the number of records in this page (docs/vendor-api.md §8), not the
    account's total, and a page holds at most `page_cap` records whatever limit was asked (and echoed)."""
    try:
        limit = int(form.get("limit") or 100)
        offset = int(form.get("offset") or 0)
    except ValueError:
        return error("Invalid parameters", "limit and offset must be numbers")
    if limit < 1 or offset < 0:
        return error("Invalid parameters", "limit must be positive and offset must not be negative")
    listing = sb.listing
    if offset > listing.offset_cap:
        return error("Invalid offset", f"offset must not exceed {listing.offset_cap}")
    orders = sb.store.list_orders()
    if listing.order == "newest":
        orders.reverse()
    page = [{"order_id": str(o["order_id"]), "status": sb.advance(o)["status"]}
            for o in orders[offset:offset + min(limit, listing.page_cap)]]
    return 200, {"orders": page, "limit": limit, "offset": offset, "count": len(page), "success": True}
