"""Order calls: place (addSSLOrder), read (getOrderStatus, getOrdersStatus), cancel (cancelSSLOrder)."""

from __future__ import annotations

from collections.abc import Iterable

from ._parse import parse
from .errors import ResponseFormatError
from .models import (
    AddSSLOrderRequest,
    AddSSLOrderResult,
    CancelResult,
    Invoice,
    OrderStatus,
    OrderStatusEntry,
    ReissueRequest,
    ReissueResult,
)
from .transport import Transport


class OrdersAPI:
    def __init__(self, transport: Transport):
        self._t = transport

    def add_ssl_order(self, request: AddSSLOrderRequest) -> AddSSLOrderResult:
        """Place a new order. Spends money: never call this twice for one intent."""
        body = self._t.post("/orders/add_ssl_order/", request.to_form())
        return parse(AddSSLOrderResult, body, "addSSLOrder")

    def add_ssl_renew_order(self, request: AddSSLOrderRequest) -> AddSSLOrderResult:
        """Place a renewal (a new order with a new id, continuing an expiring one). Spends money: never repeat."""
        body = self._t.post("/orders/add_ssl_renew_order/", request.to_form())
        return parse(AddSSLOrderResult, body, "addSSLRenewOrder")

    def reissue(self, order_id: int, request: ReissueRequest) -> ReissueResult:
        """Reissue an active order (new CSR, SANs within those purchased, ...); the order id stays."""
        body = self._t.post(f"/orders/ssl/reissue/{int(order_id)}", request.to_form())
        return parse(ReissueResult, body, "reissueSSLOrder")

    def change_validation_email(self, order_id: int, approver: str) -> None:
        """Change the primary domain's DCV: an approver address, or http/https/dns."""
        self._t.post(f"/orders/ssl/change_validation_email/{int(order_id)}", {"approver_email": approver},
                     idempotent=True)  # setting the same method twice is harmless

    def change_validation_method(self, order_id: int, domain: str, new_method: str) -> None:
        self._t.post(f"/orders/ssl/change_validation_method/{int(order_id)}",
                     {"domain": domain, "new_method": new_method}, idempotent=True)

    def change_domains_validation_method(self, order_id: int, domains: list[str], new_methods: list[str]) -> None:
        self._t.post(f"/orders/ssl/change_domains_validation_method/{int(order_id)}",
                     {"domains": ",".join(domains), "new_methods": ",".join(new_methods)}, idempotent=True)

    def list_all(self, limit: int = 100, offset: int = 0) -> tuple[list[OrderStatusEntry], int]:
        """A page of the account's orders (getAllSSLOrders): ([(order_id, status)], total count)."""
        body = self._t.get("/orders/ssl/all", {"limit": int(limit), "offset": int(offset)})
        orders = body.get("orders", [])
        if not isinstance(orders, list):
            raise ResponseFormatError("getAllSSLOrders: 'orders' is not a list")
        try:
            count = int(body.get("count", len(orders)))
        except (TypeError, ValueError):
            count = len(orders)
        return [parse(OrderStatusEntry, o, "getAllSSLOrders") for o in orders], count

    def invoice(self, order_id: int) -> Invoice:
        return parse(Invoice, self._t.get(f"/orders/invoice/{int(order_id)}"), "getOrderInvoice")

    def status(self, order_id: int) -> OrderStatus:
        body = self._t.get(f"/orders/status/{int(order_id)}")
        return parse(OrderStatus, body, "getOrderStatus")

    def statuses(self, order_ids: Iterable[int]) -> list[OrderStatusEntry]:
        """Bulk status of many orders in one call (getOrdersStatus)."""
        ids = [str(int(i)) for i in order_ids]
        if not ids:
            return []
        body = self._t.post("/orders/statuses/", {"cids": ",".join(ids)}, idempotent=True)
        certs = body.get("certificates", [])
        if not isinstance(certs, list):
            raise ResponseFormatError("getOrdersStatus: 'certificates' is not a list")
        return [parse(OrderStatusEntry, c, "getOrdersStatus") for c in certs]

    def revalidate(self, order_id: int, domain: str) -> str:
        """Ask the CA to check one domain's DCV now (revalidate). Spends nothing; safe to repeat."""
        body = self._t.post(f"/orders/ssl/revalidate/{int(order_id)}", {"domain": domain}, idempotent=True)
        return str(body.get("message") or "")

    def cancel(self, order_id: int, reason: str) -> CancelResult:
        """Ask the vendor to cancel an order (a request the vendor reviews)."""
        body = self._t.post("/orders/cancel_ssl_order/", {"order_id": str(int(order_id)), "reason": reason})
        return parse(CancelResult, body, "cancelSSLOrder")
