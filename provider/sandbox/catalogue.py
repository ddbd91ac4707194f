"""The sandbox's product catalogue, in the vendor's classic `/products/ssl/` shape.

The ids and prices are illustrative (the real catalogue differs per reseller plan); the
shape and the flags follow the vendor's getSslProducts response (docs/vendor-api.md §2.4). Two brand
families are covered because they differ in DCV data: Sectigo answers DNS validation with a
CNAME, DigiCert brands (RapidSSL, GeoTrust) with a TXT record.

`refund_days` and `multidomains_included` are documented for getProductDetails and the deprecated lists,
not for `/products/ssl/` (docs/vendor-api.md §2.4, §8); public clients read them from the product's own
page `/products/ssl/{id}`, which the sandbox serves with them. So
`listed()` leaves them out of the list; `price_for` still reads them from the full record.
"""

from __future__ import annotations

from typing import Any

REFUND_DAYS = 30  # the vendor's standard refund window after issuance (docs/vendor-api.md §5)
SECTIGO_BRANDS = {"sectigo", "comodo", "gogetssl"}
DIGICERT_BRANDS = {"geotrust", "rapidssl", "thawte", "digicert"}


def _prices(base: dict[int, str], san: dict[int, str] | None = None) -> dict[str, Any]:
    prices: dict[str, Any] = {str(k): v for k, v in base.items()}
    prices["vendor"] = {str(k): v for k, v in base.items()}
    if san:
        prices["san"] = {str(k): v for k, v in san.items()}
    return prices


def _product(
    pid: int,
    brand: str,
    name: str,
    product_type: str,
    *,
    wildcard: bool = False,
    san: bool = False,
    san_max: int = 0,
    san_included: int = 0,
    prices: dict[int, str],
    san_prices: dict[int, str] | None = None,
) -> dict[str, Any]:
    periods = sorted(prices)
    return {
        "id": pid,
        "brand": brand,
        "product": name,
        "product_type": product_type,
        "max_period": periods[-1],
        "org_required": 1 if product_type in ("business", "extended") else 0,
        "san_enabled": 1 if san else 0,
        "wildcard_san_enabled": 0,
        "wildcard_enabled": 1 if wildcard else 0,
        "unlimited_licencing": 1,
        "claim_ev_enabled": 0,
        "trust_logo": 1,
        "dcv_email": True,
        "dcv_dns": True,
        "dcv_http": not wildcard,
        "dcv_https": not wildcard,
        "recheck_caa": 1,
        "san_max": san_max,
        "multidomains_included": san_included,
        "refund_days": REFUND_DAYS,
        "prices": _prices(prices, san_prices),
    }


PRODUCTS: list[dict[str, Any]] = [
    _product(65, "sectigo", "Sectigo PositiveSSL", "domain", prices={12: "6.90", 24: "12.90", 36: "18.00"}),
    _product(66, "sectigo", "Sectigo PositiveSSL Wildcard", "domain", wildcard=True,
             prices={12: "59.00", 24: "112.00"}),
    _product(67, "sectigo", "Sectigo PositiveSSL Multi-Domain", "domain", san=True, san_max=250, san_included=2,
             prices={12: "24.00", 24: "46.00"}, san_prices={12: "8.00", 24: "15.00"}),
    _product(68, "sectigo", "Sectigo OV SSL", "business", prices={12: "39.00", 24: "75.00"}),
    _product(69, "sectigo", "Sectigo EV SSL", "extended", prices={12: "89.00", 24: "170.00"}),
    _product(71, "rapidssl", "RapidSSL Standard", "domain", prices={12: "9.50", 24: "18.00"}),
    _product(72, "rapidssl", "RapidSSL Wildcard", "domain", wildcard=True, prices={12: "79.00"}),
    _product(73, "geotrust", "GeoTrust True BusinessID", "business", prices={12: "99.00", 24: "190.00"}),
]

BY_ID: dict[int, dict[str, Any]] = {p["id"]: p for p in PRODUCTS}

# Fields of the product page that public clients never see in the /products/ssl/ list.
PAGE_ONLY_FIELDS = ("refund_days", "multidomains_included")


def listed(product: dict[str, Any]) -> dict[str, Any]:
    """A product as the /products/ssl/ list shows it."""
    return {k: v for k, v in product.items() if k not in PAGE_ONLY_FIELDS}


def orderable_periods(product: dict[str, Any]) -> list[int]:
    """Periods (months) a product can be ordered for: keys of prices.vendor up to max_period."""
    return sorted(int(k) for k in product["prices"]["vendor"] if int(k) <= int(product["max_period"]))


def price_for(product: dict[str, Any], period: int, extra_sans: int = 0) -> float:
    base = float(product["prices"]["vendor"][str(period)])
    san_price = float(product["prices"].get("san", {}).get(str(period), 0) or 0)
    return round(base + san_price * max(0, extra_sans - int(product.get("multidomains_included", 0))), 2)
