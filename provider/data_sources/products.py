"""gogetssl_products: the SSL product catalogue, optionally filtered by brand, validation type, wildcard, SANs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tf.iface import ReadDataContext
from tf.schema import Attribute, Schema
from tf.types import Bool, List, Map, Number, String

from provider.data_sources._base import BaseDataSource
from provider.tfext.types import Object

if TYPE_CHECKING:
    from provider.client.models import Product, ProductDetails

VALIDATION = {"domain": "DV", "business": "OV", "extended": "EV"}
PRODUCT_FIELDS: list[tuple[str, Any, str]] = [
    ("id", Number(), "Product id, the `product_id` of an order."),
    ("name", String(), "Product name."),
    ("brand", String(), "Brand, e.g. `sectigo`, `rapidssl`, `geotrust`."),
    ("validation", String(), "Validation type: `DV`, `OV` or `EV`."),
    ("periods", List(Number()), "Orderable terms in months."),
    ("wildcard", Bool(), "Whether the common name may be a wildcard."),
    ("multi_domain", Bool(), "Whether `dns_names` (SANs) may be ordered."),
    ("san_included", Number(), "SANs included in the price. From the product's details: null in "
                               "`gogetssl_products`, whose list the vendor sends without it; see `gogetssl_product`."),
    ("san_max", Number(), "Most SANs an order may have."),
    ("dcv_methods", List(String()), "DCV methods the product accepts (`email`, `http`, `https`, `dns`)."),
    ("prices", Map(String()), "The account's price per term, keyed by months (the CA's price only where the "
                              "catalogue gives no account price)."),
    ("refund_days", Number(), "Days after issuance within which a cancellation is refunded. From the product's "
                              "details: null in `gogetssl_products`, whose list the vendor sends without it; see "
                              "`gogetssl_product`."),
]
PRODUCT_TYPE = Object({name: t for name, t, _d in PRODUCT_FIELDS})


def _account_prices(p: Product) -> dict[str, str]:
    """Price per term: the top-level keys are the account's, `vendor` the CA's (docs/vendor-api.md §9.3)."""
    vendor = p.prices.get("vendor") if isinstance(p.prices.get("vendor"), dict) else {}
    out = {str(k): str(v) for k, v in (vendor or {}).items() if str(k).isdigit()}
    out.update({str(k): str(v) for k, v in p.prices.items() if str(k).isdigit() and v not in (None, "")})
    return out


def product_values(p: Product, details: ProductDetails | None = None) -> dict[str, Any]:
    """A product's attributes; `details` (getProductDetails) give the SANs included and the refund days."""
    return {
        "id": p.id,
        "name": p.product,
        "brand": p.brand,
        "validation": VALIDATION.get(p.product_type, p.product_type.upper()),
        "periods": p.periods,
        "wildcard": p.wildcard_enabled,
        "multi_domain": p.san_enabled,
        "san_included": details.product_multidomains_included if details is not None else None,
        "san_max": p.san_max or 0,
        "dcv_methods": [m for m in ("email", "http", "https", "dns") if getattr(p, f"dcv_{m}")],
        "prices": _account_prices(p),
        "refund_days": details.refund_days if details is not None else None,
    }


class ProductsDataSource(BaseDataSource):
    @classmethod
    def get_name(cls) -> str:
        return "products"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(
            version=1,
            description="The SSL products this account can order, with their terms, SAN limits, DCV methods and "
                        "the account's prices (refund days and included SANs are on `gogetssl_product`: the "
                        "vendor's list does not carry them). Filters are optional and combine.",
            attributes=[
                Attribute("brand", String(), optional=True, description="Only this brand (case-insensitive)."),
                Attribute("validation", String(), optional=True, description="Only `DV`, `OV` or `EV` products."),
                Attribute("wildcard", Bool(), optional=True, description="Only wildcard (true) or non-wildcard "
                                                                         "(false) products."),
                Attribute("multi_domain", Bool(), optional=True, description="Only multi-domain (true) or "
                                                                             "single-domain (false) products."),
                Attribute("products", List(PRODUCT_TYPE), computed=True, description="The matching products."),
            ],
        )

    def fetch(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any]:
        brand, validation = config.get("brand"), config.get("validation")
        wildcard, multi = config.get("wildcard"), config.get("multi_domain")
        out = []
        for p in sorted(self.provider.catalogue().values(), key=lambda p: int(p.id or 0)):
            v = product_values(p)
            if brand and v["brand"].lower() != str(brand).lower():
                continue
            if validation and v["validation"] != str(validation).upper():
                continue
            if wildcard is not None and v["wildcard"] != wildcard:
                continue
            if multi is not None and v["multi_domain"] != multi:
                continue
            out.append(v)
        return {"brand": brand, "validation": validation, "wildcard": wildcard, "multi_domain": multi,
                "products": out}
