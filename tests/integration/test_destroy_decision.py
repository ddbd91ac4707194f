"""What destroying an order does at GoGetSSL, decided from what is known, never from a guess: an order past a
refund window that cannot be read is not cancelled (cancelling after the window ends the certificate with no
refund, KB 19), and the destroy plan says what the destroy then does.

In-process against a sandbox of the test's own (tests/support.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tf.iface import DeleteContext
from tf.utils import Diagnostics

from provider.resources.ssl_order import SslOrderResource
from tests.support import Sandbox, issued_order, new_provider

Start = Callable[..., Sandbox]


def _destroy(box: Sandbox, state: dict) -> tuple[list[str], list[str]]:
    """(the destroy plan's warnings, the destroy's), each from a provider of its own process."""
    planned = Diagnostics()
    SslOrderResource(new_provider(box)).plan_destroy(planned, state)
    done = Diagnostics()
    SslOrderResource(new_provider(box)).delete(DeleteContext(done, "gogetssl_ssl_order"), state)
    return [d.summary for d in planned.diagnostics], [d.summary for d in done.diagnostics]


@pytest.mark.parametrize("details", [
    {"mode": "http_500"},                                               # the product's details do not load
    {"mode": "patch_body", "patch": {"refund_days": ""}},               # ... or give no refund days
])
def test_an_unknown_refund_window_is_not_guessed_open(new_sandbox: Start, details: dict):
    """Issued 10 days ago: inside the vendor's usual 30 days, but this product's window is not known."""
    box = new_sandbox("--cancel-review-seconds", "0")
    state = issued_order(box, ago_days=10)
    box.faults({"match": "/products/details", "times": 1000, **details})
    planned, done = _destroy(box, state)
    assert planned == [f"Destroying order {state['order_id']} only forgets it"]
    assert box.count("cancel_ssl_order") == 0 and box.order(state["order_id"])["status"] == "active"
    assert any("refund window" in s for s in done)


def test_a_product_without_refunds_is_not_cancelled_after_issuance(new_sandbox: Start):
    """refund_days = 0 means no refund once issued, not "the usual 30"."""
    box = new_sandbox("--cancel-review-seconds", "0")
    state = issued_order(box, ago_days=2)
    box.faults({"match": "/products/details", "mode": "patch_body", "patch": {"refund_days": "0"}, "times": 1000})
    planned, _done = _destroy(box, state)
    assert planned == [f"Destroying order {state['order_id']} only forgets it"]
    assert box.count("cancel_ssl_order") == 0


def test_an_order_inside_a_known_refund_window_is_cancelled_for_its_refund(new_sandbox: Start):
    box = new_sandbox("--cancel-review-seconds", "0")
    state = issued_order(box, ago_days=10)
    planned, _done = _destroy(box, state)
    assert planned == [f"Destroying order {state['order_id']} cancels it for a refund"]
    assert box.order(state["order_id"])["status"] == "cancelled"
