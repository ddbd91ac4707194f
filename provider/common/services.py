"""The interface a resource or data source sees of the configured provider, so no type imports provider.py, and
the helpers built on it: GoGetSSL's date, the client or the "not configured" diagnostic."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from tf.utils import Diagnostics

if TYPE_CHECKING:
    from provider.client import GoGetSSLClient
    from provider.client.models import Balance, Product, ProductDetails
    from provider.common.claims import ClaimBook
    from provider.common.pricing import ApplySpending, PlanBudget


T = TypeVar("T")


class NotConfigured(Exception):
    """A type asked for the client before the provider had a usable configuration."""


class Slot:
    """One object a resource module keeps on the provider for the rest of the plugin process, made on first use.

    The provider holds it without knowing its type (common/ does not import resources/): the module whose job it is
    makes it and reads it back. So it lives as long as its provider, a new provider (a new plugin process, a test's
    own) starts without it, and no module global outlives either."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: Any = None

    def get(self, make: Callable[[], T], stale: Callable[[T], bool] | None = None) -> T:
        """The object kept, or a new one from `make()` when there is none yet or `stale(kept)` is true."""
        with self._lock:
            if self._value is None or (stale is not None and stale(self._value)):
                self._value = make()
            return cast(T, self._value)

    def forget(self) -> None:
        """Drop the object kept: the next get() makes a new one."""
        with self._lock:
            self._value = None


class ProviderServices(Protocol):
    """What GoGetSSLProvider hands to every resource and data source it creates."""

    #: set when Terraform asks the provider to stop (Ctrl-C): long waits end early
    stopping: threading.Event
    #: "full" (a status call per order at refresh) or "listing" (one view of the account per process)
    refresh_mode: str

    @property
    def client(self) -> GoGetSSLClient:
        """The API client; raises NotConfigured before a usable configuration."""
        ...

    #: what the plans made in this process buy (checked against the balance)
    budget: PlanBudget

    #: which order each gogetssl_ssl_order planned in this process holds (one owner per order), and which orders
    #: it imported (Terraform imports, refreshes and plans them in one run: ssl_order_adoption.py)
    claims: ClaimBook

    #: what this (apply) process has bought, each purchase checked against the balance just before it
    spending: ApplySpending

    #: what this process knows of the orders its resources place, for reconciling an uncertain answer: the
    #: account's highest order id before the first, the orders claimed, the requests sent (a Ledger,
    #: provider/resources/ssl_order_reconcile.py)
    ledger: Slot

    #: the account's orders as the refreshes of this process share them with refresh_mode = "listing" (an
    #: AccountView, provider/resources/ssl_order_account_view.py): renewed once stale, dropped whenever this
    #: process changes an order
    account_view: Slot

    def catalogue(self) -> dict[int, Product]:
        """The SSL product catalogue by id, fetched once per process; raises the client's errors or NotConfigured."""
        ...

    def balance(self) -> Balance:
        """The account's balance and currency, read once per process; raises like catalogue()."""
        ...

    def product_details(self, product_id: int) -> ProductDetails:
        """The product's details (getProductDetails: the SANs it includes, its refund days), read once per process;
        raises like catalogue()."""
        ...

    def tax_percent(self) -> float | None:
        """The account's tax rate in percent, from its latest invoice, read once per process; None when it is not
        known (no invoice, an unreadable rate or invoice list). Raises nothing."""
        ...


def vendor_today(services: ProviderServices, order_id: int | None = None) -> dt.date | None:
    """Today by GoGetSSL's clock (what its answers stated; provider/client/clock.py), or None (the local date)
    before the provider is configured. When no answer of this process stated the time yet (an apply's re-plan
    runs in a process that refreshed nothing), `order_id`'s status is read for it, so that apply decides by the
    same day as its plan did."""
    try:
        client = services.client
    except NotConfigured:
        return None
    if not client.clock.observed and order_id is not None:
        try:
            client.orders.status(order_id)
        except Exception:  # noqa: BLE001 - the local date then; the plan's own calls report API errors
            pass
    return client.clock.today()


def refund_today(services: ProviderServices) -> dt.date:
    """The day a refund window is judged by: the later of this machine's date and GoGetSSL's. A window either
    clock says is closed is closed: cancelling after it ends the certificate with no refund (KB 19), while
    forgetting the order instead keeps the certificate and says so."""
    local = dt.datetime.now(dt.UTC).date()
    vendor = vendor_today(services)
    return max(local, vendor) if vendor is not None else local


def report_not_configured(diags: Diagnostics, exc: NotConfigured) -> None:
    diags.add_error("Provider not configured", str(exc))


def configured_client(services: ProviderServices, diags: Diagnostics) -> GoGetSSLClient | None:
    """The client, or None with the "not configured" diagnostic added."""
    try:
        return services.client
    except NotConfigured as exc:
        report_not_configured(diags, exc)
        return None
