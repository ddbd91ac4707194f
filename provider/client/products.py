"""Product catalogue calls (getSslProducts, getSslProduct, getProductDetails)."""

from __future__ import annotations

from ._parse import parse
from .errors import ResponseFormatError
from .models import Product, ProductDetails
from .transport import Transport


class ProductsAPI:
    def __init__(self, transport: Transport):
        self._t = transport

    def list_ssl(self) -> list[Product]:
        body = self._t.get("/products/ssl/")
        products = body.get("products", [])
        if not isinstance(products, list):
            raise ResponseFormatError("getSslProducts: 'products' is not a list")
        return [parse(Product, p, "getSslProducts") for p in products]

    def get_ssl(self, product_id: int) -> Product:
        body = self._t.get(f"/products/ssl/{int(product_id)}")
        return parse(Product, body.get("product"), "getSslProduct")

    def details(self, product_id: int) -> ProductDetails:
        """getProductDetails: the SANs the product includes, its refund days (docs/vendor-api.md §9.3). The
        vendor's PHP client marks it deprecated, yet it is the one place these are documented."""
        details = parse(ProductDetails, self._t.get(f"/products/details/{int(product_id)}"), "getProductDetails")
        if details.product_id is not None and details.product_id != int(product_id):
            # Included SANs of another product would misprice the order.
            raise ResponseFormatError(f"getProductDetails: asked for product {int(product_id)}, the answer is "
                                      f"about product {details.product_id}")
        return details
