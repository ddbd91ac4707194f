"""One owner per order within a Terraform run, and no replacement Terraform plans without showing the provider
the old order (`-replace`, a tainted resource) that cancels it unannounced.

A Terraform run plans each resource instance once per plugin process (the plan walk and the apply walk each
start their own), so two plans of one order in one provider process are two resources holding it. In-process
against a sandbox of the test's own, one provider object per plugin process (tests/support.py)."""

from __future__ import annotations

from collections.abc import Callable

from tf.iface import CreateContext, ImportContext, ReadContext
from tf.utils import Diagnostics

from provider.resources.ssl_order import SslOrderResource
from tests.support import Sandbox, errors_of, issued_order, new_provider, plan_change, plan_create

Start = Callable[..., Sandbox]


def _warnings(diags: Diagnostics) -> list[str]:
    return [f"{d.summary}: {d.detail}" for d in diags.diagnostics if d.severity == "warning"]


def _processing_order(box: Sandbox) -> dict:
    """The state of an order created through the resource and still processing (not issued)."""
    provider = new_provider(box)
    planned, diags = plan_create(provider)
    state = SslOrderResource(provider).create(CreateContext(diags, "gogetssl_ssl_order"), planned)
    assert state is not None and state["order_status"] == "processing"
    return state


def test_two_resources_planning_one_order_fail_the_plan(new_sandbox: Start):
    box = new_sandbox()
    state = issued_order(box)
    provider = new_provider(box)  # one plan walk
    _planned, first = plan_change(provider, state)
    assert not errors_of(first)
    _planned, second = plan_change(provider, dict(state))  # a second resource holding the same order
    assert errors_of(second) == [f"Order {state['order_id']} is held by two gogetssl_ssl_order resources"]
    assert "removed" in second.diagnostics[0].detail and "destroy = false" in second.diagnostics[0].detail


def test_an_import_of_an_order_a_resource_already_holds_fails_the_plan(new_sandbox: Start):
    box = new_sandbox()
    state = issued_order(box)
    provider = new_provider(box)
    resource = SslOrderResource(provider)
    _planned, managed = plan_change(provider, state)  # the resource already in state
    diags = Diagnostics()
    imported = resource.import_(ImportContext(diags, "gogetssl_ssl_order"), str(state["order_id"]))
    assert imported is not None
    imported = resource.read(ReadContext(diags, "gogetssl_ssl_order"), imported)
    _planned, again = plan_change(provider, imported)  # what `terraform query` generated for it
    assert errors_of(again) == [f"Order {state['order_id']} is held by two gogetssl_ssl_order resources"]
    assert f"This plan imports order {state['order_id']}" in again.diagnostics[0].detail
    assert box.count("cancel_ssl_order") == 0


def test_a_destroy_of_an_order_another_resource_keeps_is_refused_at_plan(new_sandbox: Start):
    """Deleting the second block of a doubly held order must not cancel the certificate the first one keeps."""
    box = new_sandbox()
    state = issued_order(box)
    provider = new_provider(box)
    plan_change(provider, state)
    diags = Diagnostics()
    SslOrderResource(provider).plan_destroy(diags, dict(state))
    assert errors_of(diags) == [f"Order {state['order_id']} is held by two gogetssl_ssl_order resources"]
    assert not any("cancels it" in w for w in _warnings(diags))


def test_the_same_order_planned_by_two_runs_is_not_a_conflict(new_sandbox: Start):
    box = new_sandbox()
    state = issued_order(box)
    for _ in range(2):  # a plan walk, then an apply walk: two plugin processes
        _planned, diags = plan_change(new_provider(box), state)
        assert not errors_of(diags)


def test_a_replacement_with_the_same_csr_of_a_processing_order_fails_at_plan(new_sandbox: Start):
    """`terraform apply -replace` (or a tainted resource): Terraform plans the old order unchanged (or only reads
    it), then a create with its arguments. Cancelling a processing order is reviewed for hours, during which
    GoGetSSL refuses the new order as its duplicate."""
    box = new_sandbox()
    state = _processing_order(box)
    walk = new_provider(box)
    read = SslOrderResource(walk).read(ReadContext(Diagnostics(), "gogetssl_ssl_order"), state)  # refresh
    assert read is not None
    _planned, create = plan_create(walk, csr=state["csr"])  # the tainted resource's create
    assert errors_of(create) == [f"Order {state['order_id']} cannot be replaced while it is processing"]


def test_a_replacement_with_the_same_csr_of_an_issued_order_says_it_cancels_it(new_sandbox: Start):
    box = new_sandbox()
    state = issued_order(box, ago_days=3)
    walk = new_provider(box)
    plan_change(walk, state)  # -replace: the old order planned unchanged first
    _planned, create = plan_create(walk, csr=state["csr"])
    assert not errors_of(create)
    assert any(w.startswith(f"Replacing order {state['order_id']} cancels its issued certificate") and
               "refund" in w for w in _warnings(create)), _warnings(create)


def test_a_renamed_key_of_a_processing_order_fails_whichever_half_terraform_plans_first(new_sandbox: Start):
    """A renamed for_each key: Terraform plans the new key's create and the old key's destroy in parallel, in no
    set order. The create planned first must not let the destroy through (cancel, then refused as duplicate)."""
    box = new_sandbox()
    state = _processing_order(box)
    walk = new_provider(box)
    _planned, create = plan_create(walk, csr=state["csr"])  # the new key, planned first
    destroy = Diagnostics()
    SslOrderResource(walk).plan_destroy(destroy, state)  # then the old key
    assert errors_of(create) + errors_of(destroy) == \
        [f"Order {state['order_id']} cannot be replaced while it is processing"]
