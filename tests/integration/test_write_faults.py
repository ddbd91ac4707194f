"""Never a lost or doubled order: every fault mode on every write endpoint, in-process through the resource as
Terraform calls it (plan, then create, update or delete), against a sandbox of the test's own.

After each change the sandbox's own records must show exactly one order per resource, the state must hold
it, and a refresh must find nothing to change. The provider runs configured as Terraform configures it, with
a short request timeout so that the `slow` fault times it out. What Terraform itself adds (the apply's
re-plan, the state it writes) is tested with one mode per endpoint in tests/e2e/test_faults.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tf.iface import CreateContext, DeleteContext, ReadContext, UpdateContext
from tf.utils import Diagnostics

from provider.resources.ssl_order import SslOrderResource
from tests.support import Sandbox, configured_provider, errors_of, live_orders, make_csr, plan_change, plan_create

MODES = ["http_500", "http_503", "http_429", "reset", "commit_then_reset", "slow", "garbage", "auth_expired"]
TIMEOUT_S = 2
SLOW_MS = 3500  # beyond the client's timeout; the request is processed afterwards

Start = Callable[..., Sandbox]


def _walk(box: Sandbox) -> Any:
    """The provider of one Terraform walk (a plugin process), configured with a short timeout and 2 retries."""
    return configured_provider(box, request_timeout=TIMEOUT_S, max_retries=2)


def _fault(box: Sandbox, match: str, mode: str) -> None:
    box.faults({"match": match, "mode": mode, "times": 1, "delay_ms": SLOW_MS})


def _create(box: Sandbox, csr: str, provider: Any | None = None) -> dict[str, Any]:
    provider = provider or _walk(box)
    planned, diags = plan_create(provider, csr=csr)
    state = SslOrderResource(provider).create(CreateContext(diags, "gogetssl_ssl_order"), planned)
    assert state is not None and not errors_of(diags), [d.detail for d in diags.diagnostics]
    return state


def _refreshed_unchanged(box: Sandbox, state: dict[str, Any]) -> None:
    """A refresh in a new walk keeps the order, and its plan changes nothing."""
    box.clear_faults()
    walk = _walk(box)
    diags = Diagnostics()
    read = SslOrderResource(walk).read(ReadContext(diags, "gogetssl_ssl_order"), state)
    assert read is not None and read["order_id"] == state["order_id"] and not errors_of(diags)
    planned, diags = plan_change(walk, read)
    assert not errors_of(diags) and planned["planned_action"] == "none"


@pytest.mark.parametrize("mode", MODES)
def test_add_ssl_order(new_sandbox: Start, mode: str):
    box = new_sandbox()
    csrs = [make_csr().csr_pem for _ in range(2)]
    _fault(box, "add_ssl_order", mode)
    walk = _walk(box)  # both creates in one apply
    states = [_create(box, pem, walk) for pem in csrs]
    for pem, state in zip(csrs, states, strict=True):
        (live,) = live_orders(box, pem)  # exactly one order per resource
        assert state["order_id"] == live["order_id"]
        _refreshed_unchanged(box, state)


@pytest.mark.parametrize("mode", MODES)
def test_add_ssl_renew_order(new_sandbox: Start, mode: str):
    box = new_sandbox()
    pem = make_csr().csr_pem
    box.clock(-340)
    first = _create(box, pem)
    box.set_status(first["order_id"], "active")
    box.clock(340)
    diags = Diagnostics()
    current = SslOrderResource(_walk(box)).read(ReadContext(diags, "gogetssl_ssl_order"), first)
    assert current is not None
    walk = _walk(box)
    planned, diags = plan_change(walk, current)
    assert planned["planned_action"] == "renew", [d.summary for d in diags.diagnostics]
    _fault(box, "add_ssl_renew_order", mode)
    renewed = SslOrderResource(walk).update(UpdateContext(diags, "gogetssl_ssl_order"), current, planned)
    assert renewed is not None and not errors_of(diags), [d.detail for d in diags.diagnostics]
    renewals = [o for o in box.orders() if o["order_id"] != first["order_id"]
                and "".join(o["csr"].split()) == "".join(pem.split())]
    assert [o["order_id"] for o in renewals] == [renewed["order_id"]], "exactly one renewal order, in state"
    assert box.order(first["order_id"])["status"] == "active"


@pytest.mark.parametrize("mode", MODES)
def test_reissue(new_sandbox: Start, mode: str):
    box = new_sandbox()
    first = make_csr()
    state = _create(box, first.csr_pem)
    box.set_status(state["order_id"], "active")
    diags = Diagnostics()
    current = SslOrderResource(_walk(box)).read(ReadContext(diags, "gogetssl_ssl_order"), state)
    assert current is not None
    second = make_csr(first.common_name)
    walk = _walk(box)
    planned, diags = plan_change(walk, current, csr=second.csr_pem)
    assert planned["planned_action"] == "reissue"
    _fault(box, "/orders/ssl/reissue/", mode)
    after = SslOrderResource(walk).update(UpdateContext(diags, "gogetssl_ssl_order"), current, planned)
    assert after is not None and after["order_id"] == state["order_id"], [d.detail for d in diags.diagnostics]
    order = box.order(state["order_id"])
    assert order["status"] == "reissue" and "".join(order["csr"].split()) == "".join(second.csr_pem.split())
    assert len(box.orders()) == 1


@pytest.mark.parametrize("mode", MODES)
def test_cancel_ssl_order(new_sandbox: Start, mode: str):
    box = new_sandbox()
    state = _create(box, make_csr().csr_pem)
    _fault(box, "cancel_ssl_order", mode)
    diags = Diagnostics()
    gone = SslOrderResource(_walk(box)).delete(DeleteContext(diags, "gogetssl_ssl_order"), state)
    assert gone is None and not errors_of(diags), [d.detail for d in diags.diagnostics]
    assert box.wait_status(state["order_id"], "cancelled")["status"] == "cancelled"  # after the vendor's review
