"""The sandbox's product catalogue in the vendor's shapes, and what an order costs the account.

The ids and prices are illustrative (the real catalogue differs per reseller plan); the shapes and the
flags follow the vendor's documentation (docs/vendor-api.md §2.4, §9.3). Two brand families are covered
because they differ in DCV data: Sectigo answers DNS validation with a CNAME, DigiCert brands (RapidSSL,
GeoTrust) with a TXT record.

Each endpoint carries only what the vendor documents for it:
- getSslProducts / getSslProduct (`/products/ssl/`, `/products/ssl/{id}`, `ssl_shape`): `prices` holds the
  account's base price of each term under the top-level period keys and the CA's (higher) list price under
  `vendor`; no included SANs, no refund days.
- getAllProducts (`/products/`, `all_products_shape`): the included SANs, total, single and wildcard, with
  yes/no flags.
- getProductDetails (`/products/details/{id}`, `details_shape`): the `product_`-prefixed fields, the
  included SANs, `refund_days`, and the account's ("partner") prices as `product_prices[{period, price}]`.
An order is charged the account's price (`charge`), tax on top at `--tax-rate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

REFUND_DAYS = 30  # the vendor's standard refund window after issuance (docs/vendor-api.md §5)
SECTIGO_BRANDS = {"sectigo", "comodo", "gogetssl"}
DIGICERT_BRANDS = {"geotrust", "rapidssl", "thawte", "digicert"}
#: the CA's list price of a term, as a multiple of the account's (illustrative: a reseller buys below list)
LIST_PRICE_FACTOR = Decimal("2.5")
VALIDATION = {"domain": "DV", "business": "OV", "extended": "EV"}

# Fields of the sandbox's own product record that only getAllProducts and getProductDetails show.
DETAILS_ONLY_FIELDS = ("refund_days", "multidomains_included", "single_san_included", "wildcard_san_included")


def _list_price(account: str) -> str:
    return str((Decimal(account) * LIST_PRICE_FACTOR).quantize(Decimal("0.01")))


def _prices(base: dict[int, str], san: dict[int, str] | None = None,
            wildcard_san: dict[int, str] | None = None) -> dict[str, Any]:
    prices: dict[str, Any] = {str(k): v for k, v in base.items()}
    prices["vendor"] = {str(k): _list_price(v) for k, v in base.items()}
    if san:
        prices["san"] = {str(k): v for k, v in san.items()}
    if wildcard_san:
        prices["wildcard_san"] = {str(k): v for k, v in wildcard_san.items()}
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
    wildcard_san_prices: dict[int, str] | None = None,
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
        "wildcard_san_enabled": 1 if wildcard_san_prices else 0,
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
        "single_san_included": san_included,  # no sandbox product includes wildcard SANs
        "wildcard_san_included": 0,
        "refund_days": REFUND_DAYS,
        "prices": _prices(prices, san_prices, wildcard_san_prices),
    }


PRODUCTS: list[dict[str, Any]] = [
    _product(65, "sectigo", "Sectigo PositiveSSL", "domain", prices={12: "6.90", 24: "12.90", 36: "18.00"}),
    _product(66, "sectigo", "Sectigo PositiveSSL Wildcard", "domain", wildcard=True,
             prices={12: "59.00", 24: "112.00"}),
    _product(67, "sectigo", "Sectigo PositiveSSL Multi-Domain", "domain", san=True, san_max=250, san_included=2,
             prices={12: "24.00", 24: "46.00"}, san_prices={12: "8.00", 24: "15.00"}),
    # A wildcard common name plus single-name and wildcard SANs: `*.example.com` with `example.com` beside it.
    _product(70, "sectigo", "Sectigo PositiveSSL Multi-Domain Wildcard", "domain", wildcard=True, san=True,
             san_max=250, prices={12: "189.00"}, san_prices={12: "8.00"}, wildcard_san_prices={12: "55.00"}),
    _product(68, "sectigo", "Sectigo OV SSL", "business", prices={12: "39.00", 24: "75.00"}),
    _product(69, "sectigo", "Sectigo EV SSL", "extended", prices={12: "89.00", 24: "170.00"}),
    _product(71, "rapidssl", "RapidSSL Standard", "domain", prices={12: "9.50", 24: "18.00"}),
    _product(72, "rapidssl", "RapidSSL Wildcard", "domain", wildcard=True, prices={12: "79.00"}),
    _product(73, "geotrust", "GeoTrust True BusinessID", "business", prices={12: "99.00", 24: "190.00"}),
]

BY_ID: dict[int, dict[str, Any]] = {p["id"]: p for p in PRODUCTS}


def ssl_shape(product: dict[str, Any]) -> dict[str, Any]:
    """A product as getSslProducts lists it and getSslProduct shows it."""
    return {k: v for k, v in product.items() if k not in DETAILS_ONLY_FIELDS}


def _yes(flag: Any) -> str:
    return "yes" if flag else "no"


def all_products_shape(product: dict[str, Any]) -> dict[str, Any]:
    """A product as getAllProducts (`/products/`, deprecated) lists it: yes/no flags, the included SANs."""
    return {
        "id": str(product["id"]),
        "name": product["product"],
        "periods": [str(p) for p in orderable_periods(product)],
        "organization": _yes(product["org_required"]),
        "wildcard": _yes(product["wildcard_enabled"]),
        "unlimited_servers": _yes(product["unlimited_licencing"]),
        "is_multidomain": _yes(product["san_enabled"]),
        "wildcard_san_enabled": _yes(product["wildcard_san_enabled"]),
        "multidomains_included": str(product["multidomains_included"]),
        "single_san_included": str(product["single_san_included"]),
        "wildcard_san_included": str(product["wildcard_san_included"]),
        "multidomains_maximum": str(product["san_max"]),
        **{f"dcv_{m}": bool(product[f"dcv_{m}"]) for m in ("email", "dns", "http", "https")},
        "recheck_caa": str(product["recheck_caa"]),
    }


def _price_list(pid: int, table: dict[str, Any] | None) -> list[dict[str, str]]:
    return [{"id": str(pid), "period": k, "price": v}
            for k, v in sorted((table or {}).items(), key=lambda kv: int(kv[0]))]


def details_shape(product: dict[str, Any]) -> dict[str, Any]:
    """A product as getProductDetails (`/products/details/{id}`, deprecated) shows it."""
    prices = product["prices"]
    periods = orderable_periods(product)
    return {
        "product_id": str(product["id"]),
        "product_name": product["product"],
        "product_type": VALIDATION[product["product_type"]],
        "product_brand": product["brand"],
        "product_description": f"{product['product']} (sandbox)",
        "product_agreement": "Sandbox subscriber agreement: nothing issued here is trusted.",
        "product_organization": _yes(product["org_required"]),
        "product_wildcard": _yes(product["wildcard_enabled"]),
        "product_unlimited_servers": _yes(product["unlimited_licencing"]),
        "product_is_multidomain": _yes(product["san_enabled"]),
        "product_multidomains_included": str(product["multidomains_included"]),
        "product_single_san_included": str(product["single_san_included"]),
        "product_wildcard_san_included": str(product["wildcard_san_included"]),
        "product_multidomains_maximum": str(product["san_max"]),
        "product_san_wildcard": _yes(product["wildcard_san_enabled"]),
        **{f"product_dcv_{m}": bool(product[f"dcv_{m}"]) for m in ("email", "dns", "http", "https")},
        "recheck_caa": str(product["recheck_caa"]),
        "refund_days": str(product["refund_days"]),
        "terms": str(periods[-1]),
        "terms_min": str(periods[0]),
        "site_seal": "yes",
        "change_main_domain": _yes(product["brand"] in SECTIGO_BRANDS),
        "ssl_warranty": "10000",
        "estimate": "5 minutes" if product["product_type"] == "domain" else "1-3 days",
        "ip_allowed": "no",
        "free_reissues": "yes",
        "product_prices": _price_list(product["id"], {k: v for k, v in prices.items() if k.isdigit()}),
        "product_san_prices": _price_list(product["id"], prices.get("san")),
        "product_wildcard_san_prices": _price_list(product["id"], prices.get("wildcard_san")),
        "success": True,
    }


def orderable_periods(product: dict[str, Any]) -> list[int]:
    """Periods (months) a product can be ordered for: keys of prices.vendor up to max_period."""
    return sorted(int(k) for k in product["prices"]["vendor"] if int(k) <= int(product["max_period"]))


@dataclass(frozen=True)
class Charge:
    """What an order costs the account: `subtotal` (the vendor's `order_amount`), `tax` on top at `tax_rate`
    percent, and `total`, what the balance is debited (and a refund credits)."""

    subtotal: float
    tax: float
    tax_rate: float

    @property
    def total(self) -> float:
        return round(self.subtotal + self.tax, 2)

    @property
    def tax_rate_text(self) -> str:
        """As the vendor writes it: "21%"."""
        return f"{self.tax_rate:g}%"


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def charge(product: dict[str, Any], period: int, dns_names: list[str], tax_rate: float = 0.0) -> Charge:
    """The account's price of `period` months of `product` with `dns_names`: the top-level (account) price of
    the term, plus each single-name SAN beyond those included at `san`, each `*.` SAN beyond the included
    wildcard SANs at `wildcard_san` (`san` without that table); tax on top at `tax_rate` percent, to the cent."""
    prices = product["prices"]
    key = str(period)
    subtotal = Decimal(str(prices[key] if prices.get(key) not in (None, "") else prices["vendor"][key]))
    wildcards = sum(1 for n in dns_names if n.startswith("*."))
    extra_singles = max(0, len(dns_names) - wildcards - int(product.get("single_san_included", 0)))
    extra_wildcards = max(0, wildcards - int(product.get("wildcard_san_included", 0)))
    if extra_singles:
        subtotal += Decimal(str(prices["san"][key])) * extra_singles
    if extra_wildcards:
        subtotal += Decimal(str(prices.get("wildcard_san", prices.get("san", {}))[key])) * extra_wildcards
    tax = _cents(_cents(subtotal) * Decimal(str(tax_rate)) / 100)
    return Charge(float(_cents(subtotal)), float(tax), float(tax_rate))
