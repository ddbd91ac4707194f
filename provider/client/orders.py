"""Order calls: place (addSSLOrder), read (getOrderStatus, getOrdersStatus), cancel (cancelSSLOrder)."""

from __future__ import annotations

from collections.abc import Iterable

from ._parse import parse
from .errors import ResponseFormatError
from .models import AddSSLOrderRequest, AddSSLOrderResult, CancelResult, OrderStatus, OrderStatusEntry
from .transport import Transport


class OrdersAPI:
    def __init__(self, transport: Transport):
        self._t = transport

    def add_ssl_order(self, request: AddSSLOrderRequest) -> AddSSLOrderResult:
        """Place a new order. Spends money: never call this twice for one intent."""
        body = self._t.post("/orders/add_ssl_order/", request.to_form())
        return parse(AddSSLOrderResult, body, "addSSLOrder")

    def status(self, order_id: int) -> OrderStatus:
        body = self._t.get(f"/orders/status/{int(order_id)}")
        return parse(OrderStatus, body, "getOrderStatus")

    def statuses(self, order_ids: Iterable[int]) -> list[OrderStatusEntry]:
        """Bulk status of many orders in one call (getOrdersStatus)."""
        ids = [str(int(i)) for i in order_ids]
        if not ids:
            return []
        body = self._t.post("/orders/statuses/", {"cids": ",".join(ids)})
        certs = body.get("certificates", [])
        if not isinstance(certs, list):
            raise ResponseFormatError("getOrdersStatus: 'certificates' is not a list")
        return [parse(OrderStatusEntry, c, "getOrdersStatus") for c in certs]

    def revalidate(self, order_id: int, domain: str) -> str:
        """Ask the CA to check one domain's DCV now (revalidate). Spends nothing; safe to repeat."""
        body = self._t.post(f"/orders/ssl/revalidate/{int(order_id)}", {"domain": domain})
        return str(body.get("message") or "")

    def cancel(self, order_id: int, reason: str) -> CancelResult:
        """Ask the vendor to cancel an order (a request the vendor reviews)."""
        body = self._t.post("/orders/cancel_ssl_order/", {"order_id": str(int(order_id)), "reason": reason})
        return parse(CancelResult, body, "cancelSSLOrder")
