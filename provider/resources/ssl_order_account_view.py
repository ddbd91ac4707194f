"""A live, paged view of the account's orders, shared by the refreshes of gogetssl_ssl_order in one plugin process.

A plan refreshes every order in state. One status call per order makes the vendor answer N requests and
the plan wait for them; instead, the first refresh reads the order listing (getAllSSLOrders: ids and
statuses, paged) and the bulk status of each page's issued orders (getOrdersStatus: their expiry), and
every refresh in the process looks there first. A settled order (issued, its certificate in state) that
the vendor still reports active with the same expiry keeps its state without a call of its own; anything
else (another status, another expiry after an out-of-band reissue, an order not in the view) is read in
full, as before. This is `refresh_mode = "listing"`; the default, `full`, reads every order.

The listing is read on demand, one page at a time, only while a refresh is waiting for an order it has
not seen. A refresh waits PAGES_PER_WAIT pages from its arrival (plus one for every HITS_PER_PAGE refreshes
the view answered: when the state is the account, the listing keeps paying for itself); then the orders
whose refreshes stopped waiting are asked for together, in one bulk status call. An account far larger than
the state costs a few calls more than the state's own orders would, never a scan of the whole account.
The view is kept on the provider (services.account_view): it lives VIEW_TTL seconds, and any change this
process makes to an order drops it.

The calls are made by a thread of the view's own, never by a refresh: a refresh waits at most one request
deadline of the client (capped at WAIT_LIMIT seconds) for the view, and not at all once Terraform asked the
provider to stop; then it reads its order itself, as in full mode. A listing that hangs (retried, each try
up to the deadline) costs the plan one deadline, not its retries; the view is then left to the orders it
has already seen.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from provider.client import errors
from provider.client.paging import LISTING_MAX_PAGES, LISTING_PAGE
from provider.common.services import ProviderServices

if TYPE_CHECKING:
    from provider.client import GoGetSSLClient

log = logging.getLogger("gogetssl.provider")

#: how many listing pages a refresh waits for (counted from its arrival) before reading its order itself,
#: plus one for every HITS_PER_PAGE refreshes the view answered (a page costs two calls: listing, bulk status)
PAGES_PER_WAIT = 3
HITS_PER_PAGE = 10
#: a view older than this is read again: a long apply must not decide from a listing read minutes ago
VIEW_TTL = 120.0
#: the longest a refresh waits for the view (less when the client's request deadline is shorter)
WAIT_LIMIT = 10.0


@dataclass(frozen=True)
class Seen:
    """What the vendor's listing and bulk status say of one order."""

    status: str
    expires: str | None


class AccountView:
    """The listing, read page by page on demand by whichever refresh needs the next page (one at a time)."""

    def __init__(self, client: GoGetSSLClient, clock: Any = time.monotonic):
        self._client = client
        self._clock = clock
        self._patience = min(WAIT_LIMIT, client.settings.deadline)
        self._slow = False  # a refresh gave up waiting: later ones do not wait either
        self.born = clock()
        self._cond = threading.Condition()
        self._seen: dict[int, Seen] = {}
        self._pages = 0
        self._hits = 0  # refreshes answered from the view
        self._wanted: set[int] = set()  # orders whose refreshes stopped waiting for the listing
        self._unanswered: set[int] = set()  # orders the bulk status did not answer
        self._offset = 0
        self._reading = False
        self._ended = False  # the listing was read to its end, or cannot be read further

    def stale(self, client: GoGetSSLClient) -> bool:
        """Whether this view is too old to decide from (a long apply must not decide from a listing read minutes
        ago), or was read through another client than `client`."""
        return client is not self._client or self._clock() - self.born > VIEW_TTL

    def lookup(self, order_id: int, stopping: threading.Event | None = None) -> Seen | None:
        """What the vendor says of `order_id`, or None when the view cannot tell (read the order itself then):
        also when the view took longer than the client's request deadline, or `stopping` is set."""
        wait_until = time.monotonic() + self._patience
        with self._cond:
            arrived = self._pages
            while True:
                if order_id in self._seen:
                    self._hits += 1
                    return self._seen[order_id]
                if order_id in self._unanswered or self._slow or (stopping is not None and stopping.is_set()):
                    return None
                budget = arrived + PAGES_PER_WAIT + self._hits // HITS_PER_PAGE
                if self._ended or self._pages >= min(budget, LISTING_MAX_PAGES):
                    self._wanted.add(order_id)  # asked together, in one bulk status call
                if not self._reading:
                    self._reading = True  # the view's reader makes the next call; every refresh waits for it
                    wanted, self._wanted = self._wanted, set()
                    threading.Thread(target=self._read, args=(wanted,), name="gogetssl-listing", daemon=True).start()
                left = wait_until - time.monotonic()
                if left <= 0:
                    self._slow = True
                    return None
                self._cond.wait(min(left, 0.1))

    def _read(self, wanted: set[int]) -> None:
        """The reader's one call: the bulk status of `wanted`, else the next listing page."""
        try:
            if wanted:
                self._read_statuses(wanted)
            else:
                self._read_page()
        except Exception:  # a defect: end the view; every refresh then reads its own order
            log.exception("reading the account's order listing failed; each order is read on its own")
            with self._cond:
                self._ended = True
                self._unanswered.update(wanted)
        finally:
            with self._cond:
                self._reading = False
                self._cond.notify_all()

    def _read_statuses(self, wanted: set[int]) -> None:
        """The bulk status of orders the listing has not shown (yet): one call for every refresh that gave
        up waiting, instead of one call each. What it does not answer is read by each refresh itself."""
        try:
            found = {int(e.order_id): e for e in self._client.orders.statuses(sorted(wanted))
                     if e.order_id is not None}
        except errors.GoGetSSLError:
            found = {}
        with self._cond:
            for oid in wanted:
                entry = found.get(oid)
                if entry is None:
                    self._unanswered.add(oid)
                else:
                    self._seen[oid] = Seen(entry.status, entry.expires if entry.status == "active" else None)

    def _read_page(self) -> None:
        """One listing page and the bulk status of its active orders; any failure ends the view (refreshes
        then read their orders themselves, and report errors as they always did)."""
        try:
            entries, _count = self._client.orders.list_all(limit=LISTING_PAGE, offset=self._offset)
        except errors.GoGetSSLError:
            entries = None
        if not entries:  # the end of the listing, or a listing that cannot be read
            with self._cond:
                self._pages += 1
                self._ended = True
            return
        page = {int(e.order_id): e.status for e in entries if e.order_id is not None}
        active = [oid for oid, status in page.items() if status == "active"]
        expires: dict[int, str | None] = {}
        if active:
            try:
                expires = {int(e.order_id): e.expires for e in self._client.orders.statuses(active)
                           if e.order_id is not None and e.status == "active"}
            except errors.GoGetSSLError:
                expires = {}
        with self._cond:
            new = {oid for oid in page if oid not in self._seen}
            for oid, status in page.items():
                if status == "active" and oid not in expires:
                    continue  # no expiry known: the refresh reads the order itself
                self._seen[oid] = Seen(status, expires.get(oid))
            self._pages += 1
            self._offset += len(entries)
            if not new:  # a server that ignores offset repeats its first page: nothing more to learn
                self._ended = True


def view_of(services: ProviderServices, client: GoGetSSLClient) -> AccountView:
    """This process's view of the account, kept on the provider (services.account_view): a new one once the
    kept one is older than VIEW_TTL seconds, or was read through another client."""
    return services.account_view.get(lambda: AccountView(client), stale=lambda view: view.stale(client))


def forget(services: ProviderServices) -> None:
    """This process changed an order: later refreshes must not decide from the view read before."""
    services.account_view.forget()


def settled_and_unchanged(services: ProviderServices, client: GoGetSSLClient, state: dict[str, Any],
                          order_id: int) -> bool:
    """True when the order is settled in state (issued, certificate held, no cancellation pending) and the
    vendor's listing still reports it active with the expiry state holds: its state needs no call. False
    (read the order) when the view cannot tell in time, or once Terraform asked the provider to stop."""
    if (state.get("order_status") != "active" or not state.get("certificate_pem")
            or not state.get("valid_till") or state.get("cancel_requested_at")):
        return False
    seen = view_of(services, client).lookup(order_id, services.stopping)
    return seen is not None and seen.status == "active" and seen.expires == state.get("valid_till")
