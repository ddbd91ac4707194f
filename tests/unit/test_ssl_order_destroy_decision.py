"""What destroying a gogetssl_ssl_order does is decided by one function for the destroy plan (from state) and for
delete() (from the order's status read at destroy): for the same order, both decide alike, and delete() reads
nothing when on_destroy = "forget" decides alone. In-process, with a stand-in for the provider's services (no
sockets); tests/integration/test_destroy_decision.py checks the same against the sandbox, warnings and all."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tf.utils import Diagnostics

from provider.client import errors
from provider.client.models import OrderStatus, ProductDetails
from provider.resources import ssl_order_destroy as destroy
from provider.resources import ssl_order_destroy_decision as destroy_decision

TODAY = dt.datetime.now(dt.UTC).date()
ORDER_ID = 1800001


class _Orders:
    def __init__(self, status: OrderStatus) -> None:
        self._status = status
        self.reads = 0

    def status(self, order_id: int) -> OrderStatus:
        assert order_id == ORDER_ID
        self.reads += 1
        return self._status


class _Clock:
    observed = True

    def today(self) -> dt.date:
        return TODAY


class _Client:
    def __init__(self, status: OrderStatus) -> None:
        self.orders = _Orders(status)
        self.clock = _Clock()


class _Services:
    """What the decision asks of the provider: the client (the order's status, GoGetSSL's date) and the product's
    refund days (None: its details cannot be read)."""

    def __init__(self, status: OrderStatus, refund_days: int | None = 30) -> None:
        self.client = _Client(status)
        self._refund_days = refund_days

    def product_details(self, product_id: int) -> ProductDetails:
        if self._refund_days is None:
            raise errors.TransportError("the product's details did not load")
        return ProductDetails.model_validate({"refund_days": self._refund_days})


def _days_ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


def _hours_ago(hours: int) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


# An order as its state holds it and GoGetSSL reports it: (status, issued days ago or None, cancel_requested_at),
# then the kind the default on_destroy ("cancel_if_refundable") decides.
ORDERS = {
    "processing": ("processing", None, None, "refund"),
    "issued 5 days ago": ("active", 5, None, "refund"),
    "issued 30 days ago, the window's last day": ("active", 30, None, "forget"),
    "issued 40 days ago": ("active", 40, None, "forget"),
    "a cancellation under review": ("active", 5, _hours_ago(1), "wait"),
    "a cancellation reviewed long ago": ("active", 5, _hours_ago(72), "refund"),
    "expired": ("expired", 400, None, "gone"),
    "cancelled": ("cancelled", 5, None, "gone"),
    "rejected": ("rejected", None, None, "gone"),
}


def _order(status: str, issued_ago: int | None, cancel_requested_at: str | None,
           on_destroy: str | None) -> tuple[dict[str, Any], OrderStatus]:
    issued = _days_ago(issued_ago) if issued_ago is not None else ""
    state = {"order_id": ORDER_ID, "order_status": status, "product_id": 65, "begin_date": issued or None,
             "valid_from": issued or None, "cancel_requested_at": cancel_requested_at, "on_destroy": on_destroy}
    vendor = OrderStatus.model_validate({"order_id": ORDER_ID, "status": status, "product_id": "65",
                                         "begin_date": issued, "valid_from": issued})
    return state, vendor


def _both(services: _Services, state: dict[str, Any]) -> tuple[Any, Any]:
    """(the destroy plan's decision, delete()'s)."""
    planned = destroy_decision.of_state(services, state)  # type: ignore[arg-type]
    diags = Diagnostics()
    deleted = destroy.decide(services, diags, state)  # type: ignore[arg-type]
    assert not diags.diagnostics
    return planned, deleted


@pytest.mark.parametrize("name", ORDERS)
@pytest.mark.parametrize("on_destroy", [None, "cancel_if_refundable", "cancel", "forget"])
def test_the_destroy_plan_and_delete_decide_alike(name: str, on_destroy: str | None) -> None:
    status, issued_ago, requested, default_kind = ORDERS[name]
    state, vendor = _order(status, issued_ago, requested, on_destroy)
    services = _Services(vendor)

    planned, deleted = _both(services, state)

    assert planned == deleted
    if on_destroy == "forget":
        wanted = "forget"
    elif on_destroy == "cancel" and default_kind in ("refund", "forget"):
        wanted = "cancel"  # whatever the refund window says
    else:
        wanted = default_kind
    assert planned.kind == wanted, (name, on_destroy, planned)
    # on_destroy = "forget" decides without asking GoGetSSL; otherwise delete() decides from what it reads now
    assert services.client.orders.reads == (0 if on_destroy == "forget" else 1)


def test_a_refund_window_that_cannot_be_read_forgets_in_the_plan_and_in_delete() -> None:
    state, vendor = _order("active", 10, None, None)
    planned, deleted = _both(_Services(vendor, refund_days=None), state)
    assert planned == deleted
    assert planned.kind == "forget" and planned.window_closed and "refund window" in planned.why


def test_the_destroy_outcome_attribute_is_the_plans_decision() -> None:
    outcomes = {}
    for name, (status, issued_ago, requested, _kind) in ORDERS.items():
        state, vendor = _order(status, issued_ago, requested, None)
        outcomes[name] = destroy_decision.destroy_outcome(_Services(vendor), state)  # type: ignore[arg-type]
    assert outcomes == {
        "processing": "cancel_for_refund", "issued 5 days ago": "cancel_for_refund",
        "issued 30 days ago, the window's last day": "forget", "issued 40 days ago": "forget",
        "a cancellation under review": "cancel", "a cancellation reviewed long ago": "cancel_for_refund",
        "expired": "nothing", "cancelled": "nothing", "rejected": "nothing"}


def test_delete_decides_from_the_status_read_at_destroy_not_the_one_in_state() -> None:
    """Issued (40 days ago) since the last refresh: the plan saw an order still processing and said "refund";
    delete() sees it issued past its refund window and only forgets it, as a plan made now would say."""
    state, _ = _order("processing", None, None, None)
    _, vendor = _order("active", 40, None, None)
    planned, deleted = _both(_Services(vendor), state)
    assert (planned.kind, deleted.kind) == ("refund", "forget")
    now_state, _ = _order("active", 40, None, None)
    assert destroy_decision.of_state(_Services(vendor), now_state) == deleted  # type: ignore[arg-type]
