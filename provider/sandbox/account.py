"""Auth keys, the product catalogue and the account (balance, details, invoices): the endpoints that order nothing."""

from __future__ import annotations

import secrets
from typing import Any

from . import catalogue
from .core import Response, Sandbox, error


def auth(sb: Sandbox, form: dict[str, str]) -> Response:
    user, password = form.get("user", ""), form.get("pass", "")
    if not user or not password:
        return error("Username and/or password not supplied", "This request requires username and password")
    if user != sb.config.user or password != sb.config.password:
        # The vendor's text on the live API (docs/vendor-api.md §9.6); its description is the sandbox's.
        return error("Wrong username/password", "The user name or the API password is wrong")
    key = secrets.token_hex(16)
    sb.store.add_auth_key(key, user)
    return 200, {"key": key, "success": True}


def check_key(sb: Sandbox, key: str | None) -> Response | None:
    # The vendor's messages on the live API (docs/vendor-api.md §9.6); the descriptions are the sandbox's.
    if not key:
        return error("Auth key required for this method", "The auth_key parameter is required; call /auth/ first",
                     403)
    if not sb.store.auth_key_exists(key):
        return error("Auth key is not valid", "The auth_key is invalid or has expired; call /auth/ again", 403)
    return None


def products() -> Response:
    return 200, {"products": [catalogue.listed(p) for p in catalogue.PRODUCTS], "success": True}


def product(product_id: str) -> Response:
    try:
        found = catalogue.BY_ID.get(int(product_id))
    except ValueError:
        found = None
    if found is None:
        return error("Product not found", f"Product {product_id} does not exist")
    return 200, {"product": found, "success": True}


def webservers(family: str) -> Response:
    if family == "1":
        servers = ["Apache", "IIS", "Nginx", "Tomcat", "Other"]
    elif family == "2":
        servers = ["Apache 2", "Microsoft IIS 7", "Nginx", "Oracle", "Other"]
    else:
        return error("Invalid type", "webserver type must be 1 (Comodo/Sectigo) or 2 (GeoTrust/RapidSSL)")
    return 200, {"webservers": [{"id": str(i + 1 if family == "1" else 18 + i), "software": name}
                                for i, name in enumerate(servers)], "success": True}


def balance(sb: Sandbox) -> Response:
    sb.settle_reviews()  # a review that ended may have refunded an order nobody has loaded since
    return 200, {"balance": sb.store.get_meta("balance", "0.00"), "currency": sb.config.currency,
                 "success": True}


def account(sb: Sandbox) -> Response:
    return 200, {"first_name": "Sandbox", "last_name": "Reseller", "company_name": "GoGetSSL Sandbox",
                 "company_vat": "", "company_phone": "+371 0000000", "phone": "+371 0000000", "fax": "",
                 "address": "Sandbox street 1", "city": "Riga", "state": "", "postal_code": "LV-1000",
                 "country": "LV", "email": f"{sb.config.user}@sandbox.invalid", "reseller_plan": "Sandbox",
                 "currency": sb.config.currency, "success": True}


def invoices(sb: Sandbox) -> Response:
    out = [_invoice(sb, sb.advance(o)) for o in sb.store.list_orders()]
    return 200, {"invoices": out, "success": True}


def order_invoice(sb: Sandbox, order_id: str) -> Response:
    order = sb.load(order_id)
    if order is None:
        return error("Order not found", f"Order {order_id} was not found")
    return 200, {**_invoice(sb, order), "success": True}


def _invoice(sb: Sandbox, o: dict[str, Any]) -> dict[str, Any]:
    refunded = o["status"] == "cancelled" and o.get("refunded")
    amount = f"{float(o.get('amount', 0)):.2f}"
    return {"order_id": str(o["order_id"]), "number": str(o["invoice_id"]),
            "date": sb.date(o["created"]), "subtotal": amount, "tax": "0.00", "tax_rate": "0%",
            "total": amount, "status": "refunded" if refunded else "paid", "currency": sb.config.currency,
            "payment_method": "balance"}
