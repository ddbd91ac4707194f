"""Never someone else's order, never a lost one: adoption, uncertain answers, unreadable answers, reissue, refresh,
secrets, deadlines, transport rules and imports of closed orders, each under a sandbox fault or condition at least
as strict and as uncertain as the vendor. The sandbox's own records decide: which orders exist, how many requests of
each kind arrived, and what each order holds.

In-process, as Terraform calls the provider: one provider object per plugin process (a "walk": a plan, an apply),
configured as Terraform configures it, with the short request timeout (2 s) and the 2 retries the e2e ring used, so
that faults play out quickly; creates of one apply share their walk, as they share a plugin process. What
Terraform itself adds (an import id error printed by `terraform import`, the state a failed destroy leaves) stays in
tests/e2e/test_never_wrong_order.py; the listing's page caps and offset ceilings are in test_listing_reach.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from tf.iface import CreateContext, DeleteContext, ImportContext, ReadContext, UpdateContext
from tf.utils import Diagnostics

from provider.provider import GoGetSSLProvider
from provider.resources.ssl_order import SslOrderResource
from provider.resources.ssl_order_validation import SslOrderValidationResource
from tests.support import (
    Sandbox,
    configured_provider,
    created,
    errors_of,
    in_parallel,
    issued_auth_keys,
    issued_order,
    live_orders,
    make_csr,
    minimal_order,
    new_provider,
    plan_change,
    plan_create,
    plan_diff,
    plan_order,
    texts_of,
)

Start = Callable[..., Sandbox]
TIMEOUT_S = 2


def _walk(box: Sandbox, retries: int = 2) -> GoGetSSLProvider:
    """The provider of one Terraform walk (a plugin process): a 2 s request timeout, `retries` retries."""
    return configured_provider(box, request_timeout=TIMEOUT_S, max_retries=retries)


def _read(provider: GoGetSSLProvider, state: dict[str, Any]) -> tuple[dict[str, Any] | None, Diagnostics]:
    diags = Diagnostics()
    return SslOrderResource(provider).read(ReadContext(diags, "gogetssl_ssl_order"), state), diags


def _applied(box: Sandbox, **args: Any) -> dict[str, Any]:
    """`terraform apply` of one new order of minimal_order(**args): planned in a plan walk, created in an apply
    walk; its state (no error allowed)."""
    _planned, diags = plan_create(_walk(box), **args)
    assert not errors_of(diags), texts_of(diags)
    state, diags = created(_walk(box), **args)
    assert state is not None and not errors_of(diags), texts_of(diags)
    return state


# -- adoption matches everything, and only orders placed by this create --
def test_same_csr_and_product_for_two_terms_is_a_conflict_not_an_adoption(new_sandbox: Start):
    box = new_sandbox()
    csr = make_csr().csr_pem
    terms = [12, 24]
    plan = _walk(box)
    for period in terms:
        assert not errors_of(plan_create(plan, csr=csr, period=period)[1])
    apply = _walk(box)  # both creates in one apply: one plugin process, in parallel
    results = in_parallel(lambda period: created(apply, csr=csr, period=period), terms)
    (order,) = live_orders(box, csr)  # one order: the vendor refused the second as a duplicate
    states = [state for state, _diags in results if state is not None]
    assert [s["order_id"] for s in states] == [order["order_id"]], "the refused resource must not hold the other's"
    (refused,) = [texts_of(diags) for state, diags in results if state is None]
    assert f"GoGetSSL already has order {order['order_id']}" in refused
    assert "Give this resource its own CSR" in refused and f"Do not import order {order['order_id']}" in refused
    assert box.count("add_ssl_order") == 2


def test_an_order_from_before_the_apply_is_never_adopted(new_sandbox: Start):
    box = new_sandbox()
    csr = make_csr().csr_pem
    earlier = box.place(csr, period=24)  # same CSR and product, placed by some other tool
    assert not errors_of(plan_create(_walk(box), csr=csr)[1])
    state, diags = created(_walk(box), csr=csr)
    assert state is None, "a failed create leaves nothing in state, so nothing for a destroy to cancel"
    text = texts_of(diags)
    assert f"GoGetSSL already has order {earlier}" in text and "existed before" in text
    assert [o["order_id"] for o in live_orders(box, csr)] == [earlier]
    assert not box.order(earlier).get("cancel_requested") and box.count("cancel_ssl_order") == 0


def test_a_pending_order_is_not_replaced_by_one_the_vendor_would_refuse(new_sandbox: Start):
    box = new_sandbox()
    state = _applied(box)
    walk = _walk(box)
    read, _diags = _read(walk, state)
    assert read is not None and read["order_status"] == "processing"
    _planned, diags = plan_change(walk, read, admin_phone="+44 20 7946 9999")  # forces a new order
    assert errors_of(diags) == [f"Order {state['order_id']} cannot be replaced while it is processing"]
    assert not box.order(state["order_id"])["cancel_requested"], "the pending order was cancelled"
    assert box.count("cancel_ssl_order") == 0 and box.count("add_ssl_order") == 1


# -- uncertain answers that are not timeouts --
@pytest.mark.parametrize("mode", ["http_502_then_process", "reset_then_process"])
def test_a_request_processed_after_its_error_answer_is_found_not_placed_again(new_sandbox: Start, mode: str):
    box = new_sandbox()
    csr = make_csr().csr_pem
    box.faults({"match": "add_ssl_order", "mode": mode, "delay_ms": 700})
    state, diags = created(_walk(box), csr=csr)
    (order,) = live_orders(box, csr)
    assert state is not None and state["order_id"] == order["order_id"], texts_of(diags)
    assert box.count("add_ssl_order") == 1, "placed again before the first request had time to land"
    assert "Adopted order" in texts_of(diags) and not errors_of(diags)
    assert plan_diff(box, state, request_timeout=TIMEOUT_S) == set()


# -- an accepted order is kept whatever its answer looks like --
@pytest.mark.parametrize("fault", [
    {"mode": "patch_body", "patch": {"invoice_id": "1e400"}},
    {"mode": "nest_body"},
], ids=["number-too-large", "nested-too-deep"])
def test_an_order_whose_answer_cannot_be_read_still_reaches_state(new_sandbox: Start, fault: dict[str, object]):
    box = new_sandbox()
    csr = make_csr().csr_pem
    box.faults({"match": "add_ssl_order", **fault})
    state, diags = created(_walk(box), csr=csr)
    (order,) = live_orders(box, csr)
    assert state is not None and state["order_id"] == order["order_id"], texts_of(diags)
    assert not errors_of(diags), "an error would taint the order: the next plan would replace it"
    assert box.count("add_ssl_order") == 1
    box.clear_faults()
    assert plan_diff(box, state, request_timeout=TIMEOUT_S) == set(), "a state Terraform would not taint"


# -- reissue decided from what the vendor holds --
def test_a_reissue_that_did_not_happen_is_not_recorded_as_done(new_sandbox: Start):
    box = new_sandbox()
    state = issued_order(box)
    walk = _walk(box)
    read, _diags = _read(walk, state)
    assert read is not None
    planned, diags = plan_change(walk, read, webserver_type=2)
    assert planned["planned_action"] == "reissue" and not errors_of(diags), texts_of(diags)
    box.faults({"match": "/orders/ssl/reissue/", "mode": "http_500"})  # refused before it was processed
    diags = Diagnostics()
    after = SslOrderResource(walk).update(UpdateContext(diags, "gogetssl_ssl_order"), read, planned)
    assert after is not None and after["webserver_type"] == 2 and not errors_of(diags), texts_of(diags)
    held = box.order(state["order_id"])
    assert int(held["webserver_type"]) == 2, "state says webserver_type 2: so must the vendor"
    assert "".join(held["csr"].split()) == "".join(state["csr"].split())
    box.clear_faults()
    assert plan_diff(box, after, request_timeout=TIMEOUT_S) == set()


# -- "not found" only from the vendor's unknown-order answer --
def test_an_error_mentioning_not_found_does_not_drop_a_paid_order(new_sandbox: Start):
    box = new_sandbox()
    state = _applied(box)
    box.faults({"match": "/orders/status/", "mode": "vendor_error", "times": 10, "message": "API user not found",
                "description": "The API user was not found"})
    read, diags = _read(_walk(box), state)
    assert read == state, "the order stays in state, unchanged"
    assert errors_of(diags) and "API user not found" in texts_of(diags)
    box.clear_faults()
    assert plan_diff(box, state, request_timeout=TIMEOUT_S) == set()
    assert box.count("add_ssl_order") == 1


# -- secrets echoed by a proxy never reach the user --
@pytest.mark.parametrize("match", ["/auth", "/orders/status/"])
def test_an_answer_echoing_the_request_leaks_no_secret(new_sandbox: Start, match: str):
    box = new_sandbox()
    state = _applied(box)
    box.faults({"match": match, "mode": "echo_error", "times": 10}, {"match": "/products/ssl", "mode": "echo",
                                                                     "times": 10})
    provider = GoGetSSLProvider()  # `terraform plan`: configure, refresh, plan, as far as each gets
    diags = Diagnostics()
    provider.configure_provider(diags, {"api_url": box.url, "username": box.user, "password": box.password,
                                        "request_timeout": TIMEOUT_S, "max_retries": 0, "refresh_mode": None})
    if not diags.has_errors():
        read = SslOrderResource(provider).read(ReadContext(diags, "gogetssl_ssl_order"), state)
        if not diags.has_errors():
            assert read is not None
            _planned, plan = plan_change(provider, read)
            diags.diagnostics.extend(plan.diagnostics)
    shown = texts_of(diags)
    assert errors_of(diags) and "Bad request" in shown, shown
    secrets = [box.password, *issued_auth_keys(box)]
    assert box.count(match) >= 1 and len(secrets) >= 2
    for secret in secrets:
        assert secret not in shown


# -- deadlines --
@pytest.mark.timeout(30)  # without the deadline the trickled answer takes minutes
def test_a_trickling_server_cannot_stretch_a_request_beyond_its_timeout(new_sandbox: Start):
    box = new_sandbox()
    state = _applied(box)
    walk = _walk(box, retries=0)
    box.faults({"match": "/orders/status/", "mode": "trickle", "delay_ms": 100, "times": 5})
    started = time.monotonic()
    read, diags = _read(walk, state)
    took = time.monotonic() - started
    assert read == state and errors_of(diags)
    assert f"within {TIMEOUT_S}" in texts_of(diags), texts_of(diags)
    assert took < 3 * TIMEOUT_S, f"a {TIMEOUT_S} s request timeout must bound a trickled answer: {took:.1f} s"


def test_the_waiter_honours_its_timeout_between_rechecks(new_sandbox: Start):
    box = new_sandbox()
    cn = make_csr().common_name
    order = _applied(box, product_id=67, dns_names=[f"d{i}.{cn}" for i in range(12)])
    box.faults({"match": "/orders/ssl/revalidate/", "mode": "slow", "delay_ms": 500, "times": 100})
    waiter = {a.name: None for a in SslOrderValidationResource.get_schema().attributes}
    waiter.update(order_id=order["order_id"], timeouts={"create": "2s"})
    diags = Diagnostics()
    started = time.monotonic()
    assert SslOrderValidationResource(_walk(box)).create(
        CreateContext(diags, "gogetssl_ssl_order_validation"), waiter) is None
    assert [s for s in errors_of(diags) if s.startswith("Timed out waiting for order")], texts_of(diags)
    assert box.count("/orders/ssl/revalidate/") <= 6, "rechecks went on past the 2 s timeout"
    assert time.monotonic() - started < 10


# -- transport hygiene --
def test_a_redirect_is_not_followed_with_a_paid_request(new_sandbox: Start):
    box = new_sandbox()
    box.faults({"match": "add_ssl_order", "mode": "redirect_307"})
    state, diags = created(_walk(box))
    assert state is None and "redirect" in texts_of(diags).lower(), texts_of(diags)
    assert box.count("add_ssl_order") == 1 and box.orders() == []


# -- closed orders and cancellations in doubt --
def test_importing_a_cancelled_order_says_so_and_its_removal_cancels_nothing(new_sandbox: Start):
    box = new_sandbox()
    order_id = box.place(make_csr().csr_pem)
    box.set_status(order_id, "cancelled")
    # `terraform import`: imported with a warning rather than refused (Issue 20, item 4: Terraform fails every import
    # of a run when one returns nothing, or when the refresh after it does), then refreshed
    importing = new_provider(box)
    diags = Diagnostics()
    imported = SslOrderResource(importing).import_(ImportContext(diags, "gogetssl_ssl_order"), str(order_id))
    assert imported is not None and not errors_of(diags)
    said = " ".join(texts_of(diags).split())
    assert f"Order {order_id} is cancelled" in said and "Delete its resource block" in said
    imported, diags = _read(importing, imported)
    assert imported is not None and not errors_of(diags)
    # `terraform plan` with the block as written (another CSR than the order's): nothing to add or destroy
    walk = _walk(box)
    read, _diags = _read(walk, imported)
    assert read is not None
    plan = plan_order(walk, read, minimal_order(csr=make_csr().csr_pem))
    assert not plan.errors and plan.replace_paths == [], texts_of(plan.diags)
    assert f"Order {order_id} is cancelled" in texts_of(plan.diags)
    assert plan.planned["planned_price"] == 0
    # the block deleted, as the warning says: Terraform plans and applies its destroy, which forgets it without a call
    walk = _walk(box)
    diags = Diagnostics()
    SslOrderResource(walk).plan_destroy(diags, read)
    assert not errors_of(diags), texts_of(diags)
    assert SslOrderResource(walk).delete(DeleteContext(diags, "gogetssl_ssl_order"), read) is None
    assert not errors_of(diags), texts_of(diags)
    assert box.count("cancel_ssl_order") == 0 and box.count("/orders/add_ssl_order") == 1


def test_a_second_destroy_during_the_review_sends_no_second_cancellation(new_sandbox: Start):
    """The provider's half: what each destroy answers and the state it returns. That Terraform keeps the state a
    failed destroy returns, so that the second destroy sees the mark, is tested through Terraform in
    tests/e2e/test_never_wrong_order.py."""
    box = new_sandbox("--cancel-review-seconds", "600")
    state = _applied(box)
    order_id = state["order_id"]
    # Both the request and the one resend it gets after an uncertain answer lose their answers.
    box.faults({"match": "cancel_ssl_order", "mode": "commit_then_reset", "times": 2})
    diags = Diagnostics()
    kept = SslOrderResource(_walk(box)).delete(DeleteContext(diags, "gogetssl_ssl_order"), state)
    assert errors_of(diags) == [f"The cancellation of order {order_id} may have been requested"], texts_of(diags)
    assert kept is not None and kept["order_id"] == order_id and kept["cancel_requested_at"]
    assert box.order(order_id)["cancel_requested"]
    diags = Diagnostics()
    again = SslOrderResource(_walk(box)).delete(DeleteContext(diags, "gogetssl_ssl_order"), kept)
    assert errors_of(diags) == [f"The cancellation of order {order_id} may be under review"], texts_of(diags)
    assert again == kept
    assert box.count("cancel_ssl_order") == 2, "a further cancellation request was sent during the review"
    read, diags = _read(_walk(box), kept)
    assert read is not None and not errors_of(diags)
    assert f"A cancellation of order {order_id} may be under review" in texts_of(diags)


# -- SAN orders always carry approver_emails --
def test_a_san_order_sends_one_approver_entry_per_san(new_sandbox: Start):
    box = new_sandbox()
    csr = make_csr().csr_pem
    cn = make_csr().common_name
    config = minimal_order(csr=csr, product_id=67, dns_names=[f"a.{cn}", f"b.{cn}"])  # no approver_emails
    state = _applied(box, **config)
    (order,) = live_orders(box, csr)
    assert order["approver_emails"] == "dns,dns"
    assert plan_diff(box, state, request_timeout=TIMEOUT_S) == set()
    # `terraform state rm`, then `terraform import` of the order, then a plan of the same block
    importing = _walk(box)
    diags = Diagnostics()
    imported = SslOrderResource(importing).import_(ImportContext(diags, "gogetssl_ssl_order"), str(order["order_id"]))
    assert imported is not None
    imported, diags = _read(importing, imported)
    assert imported is not None and not errors_of(diags)
    walk = _walk(box)
    read, _diags = _read(walk, imported)
    assert read is not None
    plan = plan_order(walk, read, config)
    assert not plan.errors and plan.replace_paths == [], texts_of(plan.diags)
    # an import renews nothing (renew_before_days = 0); the configuration's default turns it back on, in state only
    changed = {k for k, v in plan.planned.items() if v != read.get(k)}
    assert changed == {"renew_before_days", "reissue_before_days"}, changed
