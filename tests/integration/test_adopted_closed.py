"""An order already closed when it was adopted stays inert: whatever closed status GoGetSSL moves it to, or if
it stops knowing it, a refresh keeps it and no plan buys it again. In-process against a sandbox."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tf.iface import ImportContext, ReadContext, ReadDataContext
from tf.utils import Diagnostics

from provider.data_sources.ssl_order import SslOrderDataSource
from provider.list_resources.ssl_order import SslOrderList
from provider.resources.ssl_order import SslOrderResource
from tests.support import Sandbox, make_csr, new_provider

Start = Callable[..., Sandbox]


@pytest.mark.parametrize("later", ["cancelled", "rejected", "gone"])
def test_an_order_closed_when_adopted_is_never_dropped_to_be_bought_again(new_sandbox: Start, later: str):
    box = new_sandbox()
    order_id = box.place(make_csr(key="ec256").csr_pem)
    box.set_status(order_id, "rejected")
    provider = new_provider(box)
    resource = SslOrderResource(provider)
    imported = resource.import_(ImportContext(Diagnostics(), "gogetssl_ssl_order"), str(order_id))
    assert imported is not None
    kept = resource.read(ReadContext(Diagnostics(), "gogetssl_ssl_order"), imported)
    assert kept is not None and kept["order_status"] == "rejected"
    if later == "gone":
        box.faults({"match": "/orders/status/", "mode": "patch_body", "times": 1000,
                    "patch": {"success": False, "error": True, "message": "Order not found",
                              "description": "Order not found"}})
    else:
        box.set_status(order_id, later)
    diags = Diagnostics()
    again = SslOrderResource(new_provider(box)).read(ReadContext(diags, "gogetssl_ssl_order"), kept)
    assert again is not None, [d.detail for d in diags.diagnostics]
    assert not any("orders it again" in (d.detail or "") for d in diags.diagnostics)


def test_a_managed_order_closed_outside_terraform_is_not_taken_for_an_adopted_one(new_sandbox: Start):
    """An in-place change applied after the order was cancelled in the client area stores the closed status;
    the next refresh must still treat it as a managed order closed outside Terraform, not as an adopted one."""
    from tests.support import applied, issued_order, plan_change

    box = new_sandbox()
    state = issued_order(box)
    planned, _diags = plan_change(new_provider(box), state, on_destroy="forget")
    box.set_status(state["order_id"], "cancelled")
    after, _diags = applied(box, state, planned)
    assert after is not None
    diags = Diagnostics()
    assert SslOrderResource(new_provider(box)).read(ReadContext(diags, "gogetssl_ssl_order"), after) is None
    assert [d.summary for d in diags.diagnostics] == [f"Order {state['order_id']} was cancelled outside Terraform"]


@pytest.mark.parametrize("status", ["rejected", "active"])
def test_the_list_resource_and_the_data_source_show_the_state_an_import_holds(new_sandbox: Start, status: str):
    """`terraform query` shows, and generates configuration from, the state an import of each order produces;
    the data source gives the resource's outputs: an order closed when adopted is marked so in all three.
    (destroy_outcome is the resource's own decision: import sets it, the other two leave it null.)"""
    box = new_sandbox()
    order_id = box.place(make_csr(key="ec256").csr_pem)
    box.set_status(order_id, status)
    provider = new_provider(box)
    imported = SslOrderResource(provider).import_(ImportContext(Diagnostics(), "gogetssl_ssl_order"), str(order_id))
    assert imported is not None and imported["adopted_closed"] is (status == "rejected")
    diags = Diagnostics()
    (found,) = SslOrderList(provider).list(diags, {"status": [status]}, True, None)
    assert not diags.has_errors() and found.state is not None
    read = SslOrderDataSource(provider).read(ReadDataContext(Diagnostics(), "gogetssl_ssl_order"),
                                             {"order_id": order_id})
    assert read is not None
    for shown in (found.state, read):
        assert {k: v for k, v in shown.items() if k != "destroy_outcome"} == {
            k: imported[k] for k in shown if k != "destroy_outcome"}
