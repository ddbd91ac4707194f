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


KINDS = {  # the order a destroy meets: (how it got there, days since its first issuance)
    "processing": ("processing", 0),
    "issued 5 days ago": ("active", 5),
    "issued 40 days ago": ("active", 40),
    "expired": ("expired", 40),
}


@pytest.mark.parametrize("on_destroy", ["cancel_if_refundable", "cancel", "forget"])
def test_the_destroy_plan_and_the_destroy_decide_alike(new_sandbox: Start, on_destroy: str):
    """For every kind of order and on_destroy, what the destroy plan says is what the destroy does."""
    box = new_sandbox("--cancel-review-seconds", "0")
    for kind, (status, age) in KINDS.items():
        if status == "processing":
            state = issued_order(box, 0, on_destroy=on_destroy)
            box.set_status(state["order_id"], "processing")
        else:
            state = issued_order(box, age, on_destroy=on_destroy)
            if status != "active":
                box.set_status(state["order_id"], status)
        state = {**state, "order_status": status}
        cancels = box.count("cancel_ssl_order")
        planned, done = _destroy(box, state)
        cancelled = box.count("cancel_ssl_order") > cancels
        said = " ".join(planned)
        if "cancels it" in said:
            assert cancelled, (kind, planned, done)
        else:
            assert not cancelled, (kind, planned, done)
            assert not planned or "only forgets it" in said, (kind, planned)


def test_a_replacement_plan_says_the_old_order_is_only_forgotten_past_its_refund_window(new_sandbox: Start):
    """A change that forces a new order: the plan says what happens to the old one, forgotten as well as cancelled,
    and the old order's destroy_outcome (in `terraform show -json`'s change.before) says the same."""
    from tests.support import plan_change

    box = new_sandbox()
    state = issued_order(box, ago_days=40)
    assert state["destroy_outcome"] == "forget"
    _planned, diags = plan_change(new_provider(box), state, period=24)
    assert [d.summary for d in diags.diagnostics if d.severity == "warning"][0] == \
        f"Replacing order {state['order_id']} only forgets it"
    fresh = issued_order(box, ago_days=3)
    assert fresh["destroy_outcome"] == "cancel_for_refund"


def test_changing_on_destroy_plans_the_destroy_outcome_it_gives(new_sandbox: Start):
    """The plan that sets on_destroy shows what a destroy then does, rather than "known after apply"."""
    from tests.support import plan_change

    box = new_sandbox()
    state = issued_order(box, ago_days=3)
    assert state["destroy_outcome"] == "cancel_for_refund"
    planned, diags = plan_change(new_provider(box), state, on_destroy="forget")
    assert not [d for d in diags.diagnostics if d.severity == "error"]
    assert planned["destroy_outcome"] == "forget"
