"""Product catalogue calls (getSslProducts, getSslProduct)."""

from __future__ import annotations

from ._parse import parse
from .errors import ResponseFormatError
from .models import Product
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
