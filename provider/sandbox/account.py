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
    """getSslProducts."""
    return 200, {"products": [catalogue.ssl_shape(p) for p in catalogue.PRODUCTS], "success": True}


def _find(product_id: str) -> dict[str, Any] | None:
    try:
        return catalogue.BY_ID.get(int(product_id))
    except ValueError:
        return None


def product(product_id: str) -> Response:
    """getSslProduct."""
    found = _find(product_id)
    if found is None:
        return error("Product not found", f"Product {product_id} does not exist")
    return 200, {"product": catalogue.ssl_shape(found), "success": True}


def all_products() -> Response:
    """getAllProducts (deprecated): where the included SANs are listed."""
    return 200, {"products": [catalogue.all_products_shape(p) for p in catalogue.PRODUCTS], "success": True}


def product_details(product_id: str) -> Response:
    """getProductDetails (deprecated): the included SANs, the refund days, the account's prices."""
    found = _find(product_id)
    if found is None:
        return error("Product not found", f"Product {product_id} does not exist")
    return 200, catalogue.details_shape(found)


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
    """An order's invoice: `total` is what the balance was debited (`amount`), `subtotal` the order's price and
    `tax` the tax on top (an order stored before tax was charged has neither: its amount is untaxed)."""
    refunded = o["status"] == "cancelled" and o.get("refunded")
    total = float(o.get("amount", 0))
    tax = float(o.get("tax", 0))
    subtotal = float(o.get("subtotal", total - tax))
    return {"order_id": str(o["order_id"]), "number": str(o["invoice_id"]),
            "date": sb.date(o["created"]), "subtotal": f"{subtotal:.2f}", "tax": f"{tax:.2f}",
            "tax_rate": o.get("tax_rate") or "0%", "total": f"{total:.2f}",
            "status": "refunded" if refunded else "paid", "currency": sb.config.currency,
            "payment_method": "balance"}
