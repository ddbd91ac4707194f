"""gogetssl_product: one product of the catalogue by id."""

from __future__ import annotations

from typing import Any

from tf.iface import ReadDataContext
from tf.schema import Attribute, Schema

from provider.client import errors
from provider.data_sources._base import BaseDataSource
from provider.data_sources.products import PRODUCT_FIELDS, product_values


class ProductDataSource(BaseDataSource):
    @classmethod
    def get_name(cls) -> str:
        return "product"

    @classmethod
    def get_schema(cls) -> Schema:
        attrs = [Attribute("id", PRODUCT_FIELDS[0][1], required=True, description="Product id.")]
        attrs += [Attribute(n, t, computed=True, description=d) for n, t, d in PRODUCT_FIELDS[1:]]
        return Schema(version=1, description="One SSL product by id: terms, SAN limits, DCV methods, prices, "
                                             "refund window.", attributes=attrs)

    def fetch(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        pid = config.get("id")
        product = self.provider.catalogue().get(int(pid)) if isinstance(pid, (int, float)) else None
        if product is None:
            ids = ", ".join(str(i) for i in sorted(self.provider.catalogue()))
            ctx.diagnostics.add_error("Unknown product", f"Product {pid} is not in this account's catalogue. "
                                                         f"Available ids: {ids}.", path=["id"])
            return None
        page = self.provider.client.products.get_ssl(int(product.id or 0))
        # Refund days and included SANs are documented only on getProductDetails (docs/vendor-api.md §9.3),
        # which the vendor marks deprecated: without it they are null, and the rest still reads.
        try:
            details = self.provider.product_details(int(product.id or 0))
        except errors.GoGetSSLError as exc:
            ctx.diagnostics.add_warning("Product details not read",
                                        f"Reading the details of product {product.id} failed ({exc}): its "
                                        "san_included and refund_days are null.", path=["id"])
            details = None
        return product_values(page, details)
