"""Order calls: place and renew, reissue, change and recheck DCV, read (status, statuses, listing), cancel.

Placing an order spends money, so once the vendor accepted one its id must reach the caller even when
the rest of the answer is unreadable: the id is taken from the answer first, and the rest parsed after
(`AddSSLOrderResult.complete` says whether that worked).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from ._parse import parse
from .clock import VendorClock
from .errors import APIError, AuthError, GoGetSSLError, NotFoundError, ResponseFormatError
from .models import (
    AddSSLOrderRequest,
    AddSSLOrderResult,
    CancelResult,
    OrderScan,
    OrderStatus,
    OrderStatusEntry,
    ReissueRequest,
    ReissueResult,
)
from .paging import LISTING_MAX_PAGES, LISTING_OFFSET_CEILING, LISTING_PAGE, LISTING_REACH
from .safety import printable
from .transport import Transport

log = logging.getLogger("gogetssl.client")

# An order id in an answer that is not a JSON object (cut short, or with a PHP warning before it): a quoted
# number, or a bare number followed by a delimiter, so a number cut in the middle ("12" of "1234") is not
# taken for an id.
_ORDER_ID_IN_TEXT = re.compile(r'"order_id"\s*:\s*(?:"\s*(\d+)\s*"|(\d+)(?=\s*[,}\]]))')
_ERROR_IN_TEXT = re.compile(r'"error"\s*:\s*(?:true\b|1\b|"1"|"true")', re.IGNORECASE)


def _order_id_in_body(body: dict[str, Any]) -> int | None:
    value = body.get("order_id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and value > 0:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,18}\s*", value):
        return int(value) or None
    return None


def _order_id_in_text(text: str) -> int | None:
    """The one order id an unreadable answer names; None when it names none, several, or is an error."""
    if not text or _ERROR_IN_TEXT.search(text):
        return None
    ids = {int(quoted or bare) for quoted, bare in _ORDER_ID_IN_TEXT.findall(text) if len(quoted or bare) <= 18}
    ids.discard(0)
    return ids.pop() if len(ids) == 1 else None


def _direction(entries: list[OrderStatusEntry]) -> bool | None:
    ids = [int(e.order_id or 0) for e in entries]
    if len(ids) < 2:
        return None
    pairs = list(zip(ids, ids[1:], strict=False))
    if all(a > b for a, b in pairs):
        return True
    if all(a < b for a, b in pairs):
        return False
    return None


MAX_ORDER_ID = 10**18  # ids have at most 18 digits (what an import accepts)


class OrdersAPI:
    def __init__(self, transport: Transport, clock: VendorClock | None = None):
        self._t = transport
        self._clock = clock or VendorClock()

    def add_ssl_order(self, request: AddSSLOrderRequest) -> AddSSLOrderResult:
        """Place a new order. Spends money: never call this twice for one intent.

        When the vendor accepted the order but the rest of its answer is unreadable, the result carries the
        order id with `complete=False` (other fields at their defaults) instead of raising."""
        return self._place("/orders/add_ssl_order/", request, "addSSLOrder")

    def add_ssl_renew_order(self, request: AddSSLOrderRequest) -> AddSSLOrderResult:
        """Place a renewal (a new order with a new id, continuing an expiring one). Spends money: never repeat.
        An unreadable answer that names the new order is handled as in `add_ssl_order`."""
        return self._place("/orders/add_ssl_renew_order/", request, "addSSLRenewOrder")

    def _place(self, path: str, request: AddSSLOrderRequest, what: str) -> AddSSLOrderResult:
        try:
            body = self._t.post(path, request.to_form())
        except ResponseFormatError as exc:
            order_id = _order_id_in_text(exc.body_text)
            if order_id is None:
                raise
            log.warning("%s accepted order %d, but its answer is unreadable (%s)", what, order_id, exc)
            return AddSSLOrderResult.partial(order_id)
        order_id = _order_id_in_body(body)
        try:
            return parse(AddSSLOrderResult, body, what)
        except ResponseFormatError as exc:
            if order_id is None:
                raise
            log.warning("%s accepted order %d, but the rest of its answer is unreadable (%s)", what, order_id, exc)
            return AddSSLOrderResult.partial(order_id)

    def reissue(self, order_id: int, request: ReissueRequest) -> ReissueResult:
        """Reissue an active order (new CSR, SANs within those purchased, ...); the order id stays."""
        body = self._t.post(f"/orders/ssl/reissue/{int(order_id)}", request.to_form())
        return parse(ReissueResult, body, "reissueSSLOrder")

    def change_validation_email(self, order_id: int, approver: str) -> None:
        """Change the primary domain's DCV: an approver address, or http/https/dns."""
        self._t.post(f"/orders/ssl/change_validation_email/{int(order_id)}", {"approver_email": approver},
                     idempotent=True)  # setting the same method twice is harmless

    def change_domains_validation_method(self, order_id: int, domains: list[str], new_methods: list[str]) -> None:
        self._t.post(f"/orders/ssl/change_domains_validation_method/{int(order_id)}",
                     {"domains": ",".join(domains), "new_methods": ",".join(new_methods)}, idempotent=True)

    def list_all(self, limit: int = LISTING_PAGE, offset: int = 0) -> tuple[list[OrderStatusEntry], int]:
        """One page of the account's orders (getAllSSLOrders): (entries, the answer's `count`).

        `count` may be the page's record count rather than the account's total (docs/vendor-api.md §8), and a
        page may be shorter than `limit` while more orders exist: to read every order, use `scan`."""
        body = self._t.get("/orders/ssl/all", {"limit": int(limit), "offset": int(offset)})
        orders = body.get("orders", [])
        if not isinstance(orders, list):
            raise ResponseFormatError("getAllSSLOrders: 'orders' is not a list")
        try:
            count = int(body.get("count", len(orders)))
        except (TypeError, ValueError, OverflowError):
            count = len(orders)
        return [parse(OrderStatusEntry, o, "getAllSSLOrders") for o in orders], count

    def scan(self, *, page_size: int = LISTING_PAGE, max_pages: int = LISTING_MAX_PAGES,
             stop: Callable[[OrderStatusEntry], bool] | None = None) -> OrderScan:
        """Read the account's order listing page by page, coping with what is uncertain about it.

        Pages are asked for at offsets 0, then the number of records received so far (a server may return
        fewer than `page_size` while more exist, and `count` may describe only the page). The scan is
        complete when a page comes back empty. A short page (fewer than `page_size` records) is no proof
        of the end: a server's page size may vary, and a reconciliation takes a complete scan as proof that
        an order was not placed. One exception, at the vendor's offset ceiling: when the page after a page
        shorter than both `page_size` and the largest page already received is refused, the short page was
        the last, when that page's offset is past the vendor's ceiling (LISTING_OFFSET_CEILING): an account of
        1,999 orders lists whole under a ceiling of 1000 with pages of 1000.

        The scan ends incomplete, with `reason` saying why, on an error answer, after `max_pages` pages, on a
        page that repeats orders already seen (a server ignoring offset), or when `stop(entry)` returns True
        for a newly seen entry (reason "stopped"; that entry is included). When the vendor refuses a later
        page with its error answer, `refused_offset` is that offset: the vendor lists no further than an
        offset ceiling (LISTING_OFFSET_CEILING on the live API), so the account holds at least that many
        orders and the rest cannot be listed. Records that cannot be read are skipped, and the scan is then
        not complete either. An error on the first page raises the client's error; a later one never does.
        Exceptions raised by `stop` are the caller's and propagate.
        """
        page_size, max_pages = max(1, int(page_size)), max(1, int(max_pages))
        entries: list[OrderStatusEntry] = []
        seen: set[int] = set()
        unreadable = 0

        def ended(complete: bool, reason: str, refused_offset: int | None = None) -> OrderScan:
            if unreadable:
                complete = False
                reason = f"{reason}; {unreadable} unreadable records were skipped"
            return OrderScan(entries, complete, _direction(entries), reason, refused_offset)

        offset = 0
        largest = 0  # the longest page received so far: the server gives pages at least this long
        after_short = 0  # the length of the page before, when it was shorter than page_size and `largest`
        for page in range(max_pages):
            try:
                records = self._listing_page(page_size, offset)
            except GoGetSSLError as exc:
                if page == 0:
                    raise
                log.info("order scan ended at offset %d: %s", offset, exc)
                # The vendor's own refusal (not a gateway's 5xx, not a login or not-found answer). It confirms a
                # short page as the last only past the known ceiling: below it, a lock or a hiccup proves nothing.
                refused = (isinstance(exc, APIError) and not isinstance(exc, (AuthError, NotFoundError))
                           and exc.status_code < 500)
                if refused and after_short and offset > LISTING_OFFSET_CEILING:
                    return ended(True, f"the listing ended at offset {offset} (a page of {after_short} after "
                                       f"pages of {largest}, and no page is listed past the offset ceiling)")
                if refused:
                    return ended(False, f"GoGetSSL refused the listing page at offset {offset} ({exc}): it "
                                        f"lists no further than an offset ceiling (at most offset "
                                        f"{LISTING_OFFSET_CEILING} plus one page of {LISTING_PAGE}, i.e. "
                                        f"{LISTING_REACH:,} orders), and this account holds {offset} orders "
                                        "or more", offset)
                return ended(False, f"the page at offset {offset} failed: {exc}")
            if not records:
                return ended(True, f"the listing ended at offset {offset}")
            repeated = False
            for record in records:
                try:
                    entry = parse(OrderStatusEntry, record, "getAllSSLOrders")
                except ResponseFormatError:
                    entry = None
                if entry is None or not entry.order_id or not 0 < entry.order_id < MAX_ORDER_ID:
                    unreadable += 1  # (an id no order can have: negative, or longer than an import accepts)
                    continue
                if entry.order_id in seen:
                    repeated = True
                    continue
                seen.add(entry.order_id)
                entries.append(entry)
                if stop is not None and stop(entry):
                    return ended(False, "stopped")
            if repeated:
                return ended(False, f"the page at offset {offset} repeated orders already seen "
                                    "(the server may ignore offset)")
            offset += len(records)
            after_short = len(records) if len(records) < min(page_size, largest) else 0
            largest = max(largest, len(records))
        return ended(False, f"stopped after {max_pages} pages (max_pages)")

    def _listing_page(self, limit: int, offset: int) -> list[Any]:
        body = self._t.get("/orders/ssl/all", {"limit": limit, "offset": offset})
        orders = body.get("orders")
        if orders is None and str(body.get("count", "")).strip() == "0":
            return []  # an empty listing may come without the list itself
        if not isinstance(orders, list):
            raise ResponseFormatError("getAllSSLOrders: the answer has no 'orders' list")
        return orders

    def status(self, order_id: int) -> OrderStatus:
        """getOrderStatus. An answer about another order (or none) is refused: taken for the order asked
        about, it would put one order's data into another's state or results."""
        body = self._t.get(f"/orders/status/{int(order_id)}")
        status = parse(OrderStatus, body, "getOrderStatus")
        self._clock.observe(body)
        if status.order_id != int(order_id):
            about = "no order" if status.order_id is None else f"order {status.order_id}"
            raise ResponseFormatError(f"getOrderStatus: the answer for order {int(order_id)} is about {about}")
        return status

    def statuses(self, order_ids: Iterable[int]) -> list[OrderStatusEntry]:
        """Bulk status of many orders in one call (getOrdersStatus)."""
        ids = [str(int(i)) for i in order_ids]
        if not ids:
            return []
        body = self._t.post("/orders/statuses/", {"cids": ",".join(ids)}, idempotent=True)
        self._clock.observe(body)
        certs = body.get("certificates", [])
        if not isinstance(certs, list):
            raise ResponseFormatError("getOrdersStatus: 'certificates' is not a list")
        return [parse(OrderStatusEntry, c, "getOrdersStatus") for c in certs]

    def revalidate(self, order_id: int, domain: str) -> str:
        """Ask the CA to check one domain's DCV now (revalidate). Spends nothing; safe to repeat."""
        body = self._t.post(f"/orders/ssl/revalidate/{int(order_id)}", {"domain": domain}, idempotent=True)
        return _message(body)

    def resend_validation_email(self, order_id: int, domain: str | None = None) -> str:
        """Ask the vendor to mail the approver address(es) again: one domain's (resend) or every e-mail-validated
        domain's (resendValidationEmail). Spends nothing, but each call sends mail: never retried after an
        uncertain answer."""
        if domain:
            body = self._t.post(f"/orders/ssl/resend/{int(order_id)}", {"domain": domain})
        else:
            body = self._t.call("GET", f"/orders/ssl/resend_validation_email/{int(order_id)}", idempotent=False)
        return _message(body)

    def cancel(self, order_id: int, reason: str) -> CancelResult:
        """Ask the vendor to cancel an order (a request the vendor reviews)."""
        body = self._t.post("/orders/cancel_ssl_order/", {"order_id": str(int(order_id)), "reason": reason})
        return parse(CancelResult, body, "cancelSSLOrder")


#: the most of a vendor's success message the provider shows (its error texts are cut the same way)
MAX_MESSAGE = 1000


def _message(body: dict[str, Any]) -> str:
    """A success answer's `message`, fit to print: one line of plain text (no escape sequence, no line break that
    could forge a line of Terraform's output), at most MAX_MESSAGE characters; "" when it is not text."""
    message = body.get("message")
    if not isinstance(message, str):
        return ""
    flat = " ".join(printable(message, lines=False).split())
    return flat[:MAX_MESSAGE] + ("…" if len(flat) > MAX_MESSAGE else "")
