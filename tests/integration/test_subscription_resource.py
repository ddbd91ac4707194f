"""gogetssl_ssl_order inside a subscription, in-process against a sandbox whose clock moves: the plan decides by
GoGetSSL's clock, a free reissue keeps the certificate in state until its successor is issued, apply does no
more than its plan said, and a destroy never cancels unrefunded what a reissue made look recently issued.

Terraform adds nothing here but rendering (tests/e2e/test_subscription.py runs the whole story through it)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from tf.iface import CreateContext, DeleteContext, ReadContext, UpdateContext
from tf.types import Unknown
from tf.utils import Diagnostics

from provider.resources.ssl_order import SslOrderResource
from tests.support import Sandbox, errors_of, issued_order, new_provider, plan_change, plan_create

Start = Callable[..., Sandbox]


def _ordered(box: Sandbox, ago_days: int, **args: Any) -> dict[str, Any]:
    return issued_order(box, ago_days, **args)


def _refresh(box: Sandbox, state: dict[str, Any], provider: Any = None) -> dict[str, Any]:
    diags = Diagnostics()
    new = SslOrderResource(provider or new_provider(box)).read(ReadContext(diags, "gogetssl_ssl_order"), state)
    assert new is not None and not errors_of(diags), diags.diagnostics
    return new


def _apply(box: Sandbox, current: dict[str, Any], planned: dict[str, Any]) -> tuple[dict[str, Any], Diagnostics]:
    diags = Diagnostics()
    state = SslOrderResource(new_provider(box)).update(UpdateContext(diags, "gogetssl_ssl_order"), current, planned)
    assert state is not None
    return state, diags


def test_a_certificate_due_inside_its_subscription_plans_a_free_reissue_by_the_vendors_clock(new_sandbox: Start):
    box = new_sandbox()
    state = _ordered(box, ago_days=100, period=24)  # 100 days left of a 200-day certificate: not due
    planned, _ = plan_change(new_provider(box), state)
    assert planned["planned_action"] == "none"
    box.clock(50)  # GoGetSSL's today is 50 days later than this machine's: 50 days left
    planned, diags = plan_change(new_provider(box), state)
    assert (planned["planned_action"], planned["planned_price"]) == ("reissue", 0)
    assert not any(d.summary.startswith("This plan buys") for d in diags.diagnostics), "nothing is bought"


def test_the_state_keeps_the_certificate_until_the_reissued_one_is_issued(new_sandbox: Start):
    box = new_sandbox()
    state = _ordered(box, ago_days=210, period=36)  # validated 210 days ago: the reissue validates again
    old = {k: state[k] for k in ("certificate_pem", "ca_bundle_pem", "valid_from", "valid_till")}
    planned, _ = plan_change(new_provider(box), state)
    assert planned["planned_action"] == "reissue"
    after, diags = _apply(box, state, planned)
    assert not errors_of(diags) and after["order_status"] == "processing"
    assert {k: after[k] for k in old} == old, "the certificate and its dates stay until the successor is issued"
    assert after["certificate_requested_at"] and after["certificate_requested_at"] != state["certificate_requested_at"]
    refreshed = _refresh(box, after)
    assert {k: refreshed[k] for k in old} == old and refreshed["end_date"] == state["end_date"]
    box.set_status(state["order_id"], "active")  # the CA issues the successor
    issued = _refresh(box, refreshed)
    assert issued["certificate_pem"] != old["certificate_pem"] and issued["valid_till"] > old["valid_till"]


def test_apply_does_no_more_than_its_plan_said(new_sandbox: Start):
    """A plan shows a free reissue; by the time it is applied the subscription is within renew_before_days.
    Apply reissues as planned and buys no renewal the plan did not show."""
    box = new_sandbox()
    state = _ordered(box, ago_days=170, period=12)  # 30-day certificate left, subscription ends in ~195 days
    planned, _ = plan_change(new_provider(box), state)
    assert planned["planned_action"] == "reissue"
    box.clock(170)  # applied (much) later: the subscription now ends within 30 days
    paid = box.count("add_ssl_renew_order") + box.count("add_ssl_order")
    _apply(box, state, planned)
    assert box.count("add_ssl_renew_order") + box.count("add_ssl_order") == paid
    assert box.count(f"/orders/ssl/reissue/{state['order_id']}") == 1


def test_a_destroy_after_a_reissue_goes_by_the_first_issuance_for_its_refund(new_sandbox: Start):
    """valid_from is the reissue's date, days ago; the order was first issued 40 days ago, past its refund
    window. Cancelling would end it as expired with no refund: cancel_if_refundable forgets it instead."""
    box = new_sandbox("--cancel-review-seconds", "0")
    state = _ordered(box, ago_days=40, period=24, dcv_method="dns")
    box.api(f"/orders/ssl/reissue/{state['order_id']}", {"csr": state["csr"], "webserver_type": "1",
                                                        "dcv_method": "dns"})
    box.set_status(state["order_id"], "active")
    state = _refresh(box, state)
    assert state["valid_from"] > state["begin_date"]
    diags = Diagnostics()
    assert SslOrderResource(new_provider(box)).delete(DeleteContext(diags, "gogetssl_ssl_order"), state) is None
    assert "refund window is closed" in " ".join(d.summary for d in diags.diagnostics)
    assert box.order(state["order_id"])["status"] == "active" and box.count("cancel_ssl_order") == 0


def _stamped(box: Sandbox, when: dt.datetime) -> None:
    """Every status answer states `when` as GoGetSSL's time (a vendor whose clock is broken, or a hostile one)."""
    box.faults({"match": "/orders/status", "mode": "patch_body", "patch": {"time_stamp": int(when.timestamp())},
                "times": 1000})


def _destroy(box: Sandbox, state: dict[str, Any], provider: Any) -> Diagnostics:
    diags = Diagnostics()
    SslOrderResource(provider).delete(DeleteContext(diags, "gogetssl_ssl_order"), state)
    return diags


def test_an_absurd_vendor_time_decides_nothing(new_sandbox: Start):
    """Answers stamped in 2099 would make a fresh order due for a paid renewal, and answers stamped in 2021 would
    reopen a closed refund window (cancelling unrefunded): a time further from this machine's than any
    certificate lasts is not a clock."""
    box = new_sandbox("--cancel-review-seconds", "0")
    fresh = _ordered(box, ago_days=0, period=12)
    past_window = _ordered(box, ago_days=40, period=12)
    _stamped(box, dt.datetime(2099, 6, 1, tzinfo=dt.UTC))
    provider = new_provider(box)
    planned, _ = plan_change(provider, _refresh(box, fresh, provider))
    assert planned["planned_action"] == "none"
    box.clear_faults()
    _stamped(box, dt.datetime(2021, 1, 4, tzinfo=dt.UTC))
    provider = new_provider(box)
    diags = _destroy(box, _refresh(box, past_window, provider), provider)
    assert box.count("cancel_ssl_order") == 0, [d.summary for d in diags.diagnostics]


def test_a_refund_window_closed_by_either_clock_is_closed(new_sandbox: Start):
    """GoGetSSL's stated date 20 days behind this machine's: the order issued 40 days ago looks 20 days old to
    it. Cancelling on that word risks ending the certificate without a refund, so it is only forgotten."""
    box = new_sandbox("--cancel-review-seconds", "0")
    state = _ordered(box, ago_days=40, period=12)
    _stamped(box, dt.datetime.now(dt.UTC) - dt.timedelta(days=20))
    provider = new_provider(box)
    diags = _destroy(box, _refresh(box, state, provider), provider)
    assert box.count("cancel_ssl_order") == 0
    assert "refund window is closed" in " ".join(d.summary for d in diags.diagnostics)


def test_a_reissue_window_as_long_as_a_certificate_fails_the_plan(new_sandbox: Start):
    box = new_sandbox()
    state = _ordered(box, ago_days=100, period=24)
    _planned, diags = plan_change(new_provider(box), state, reissue_before_days=250)
    assert errors_of(diags) == ["reissue_before_days is too long"]
    _planned, diags = plan_create(new_provider(box), reissue_before_days=250)
    assert errors_of(diags) == ["reissue_before_days is too long"] and box.count("add_ssl_order") == 1


def test_an_issued_order_past_its_subscription_expires_even_with_a_reissue_pending(new_sandbox: Start):
    """A reissue whose validation never completes must not keep the order open past the end of what was paid
    for: the sandbox expires it, and the provider then plans the renewal."""
    box = new_sandbox()
    state = _ordered(box, ago_days=300, period=12)  # its subscription ends in about 65 days
    box.clock(-100)  # a reissue 100 days ago whose validation never passed
    assert box.api(f"/orders/ssl/reissue/{state['order_id']}", {"csr": state["csr"], "webserver_type": "1",
                                                               "dcv_method": "dns"})["order_status"] == "processing"
    box.clock(100 + 70)  # past the subscription's end
    assert box.order(state["order_id"])["status"] == "expired"


def _waiter_state(box: Sandbox, order: dict[str, Any]) -> dict[str, Any]:
    """The gogetssl_ssl_order_validation of `order`, created (its certificate issued already)."""
    from provider.resources.ssl_order_validation import SslOrderValidationResource

    diags = Diagnostics()
    planned = {"order_id": order["order_id"], "csr": order["csr"], "validation_record_fqdns": None,
               "certificate_requested_at": order["certificate_requested_at"], "timeouts": {"create": "5s"},
               "id": Unknown, "certificate_pem": Unknown, "ca_bundle_pem": Unknown, "valid_till": Unknown}
    state = SslOrderValidationResource(new_provider(box)).create(CreateContext(diags, "x"), planned)
    assert state is not None and not errors_of(diags), diags.diagnostics
    return state


def test_the_waiter_keeps_its_certificate_while_a_reissue_is_pending(new_sandbox: Start):
    """Consumers of the waiter's certificate_pem must not see it go (and be replaced) while the order's next
    certificate waits for validation: the current one is still valid."""
    from provider.resources.ssl_order_validation import SslOrderValidationResource

    box = new_sandbox()
    order = _ordered(box, ago_days=210, period=36)
    waiter = _waiter_state(box, order)
    box.api(f"/orders/ssl/reissue/{order['order_id']}", {"csr": order["csr"], "webserver_type": "1",
                                                        "dcv_method": "dns"})
    diags = Diagnostics()
    kept = SslOrderValidationResource(new_provider(box)).read(ReadContext(diags, "x"), waiter)
    assert kept is not None and kept["certificate_pem"] == waiter["certificate_pem"], diags.diagnostics


def test_a_certificate_request_with_nothing_pending_does_not_wait_out_the_timeout(new_sandbox: Start):
    """certificate_requested_at changed by hand (no reissue, no renewal): the order is active with the
    certificate the waiter holds and nothing pending, so the update records the value and returns at once."""
    from provider.resources.ssl_order_validation import SslOrderValidationResource

    box = new_sandbox()
    order = _ordered(box, ago_days=10, period=12)
    waiter = _waiter_state(box, order)
    planned = {**waiter, "certificate_requested_at": "by hand", "certificate_pem": Unknown,
               "ca_bundle_pem": Unknown, "valid_till": Unknown}
    diags = Diagnostics()
    started = time.monotonic()
    after = SslOrderValidationResource(new_provider(box)).update(UpdateContext(diags, "x"), waiter, planned)
    assert time.monotonic() - started < 4 and not errors_of(diags), [d.summary for d in diags.diagnostics]
    assert after["certificate_requested_at"] == "by hand" and after["certificate_pem"] == waiter["certificate_pem"]


def test_a_stale_status_right_after_a_reissue_is_not_taken_for_nothing_pending(new_sandbox: Start):
    """The first status read after the reissue call still shows the order active with its old certificate (a
    vendor lagging behind its own reissue answer): the waiter reads again, sees the reissue, and waits for the
    new certificate instead of handing out the old one."""
    from provider.resources.ssl_order_validation import SslOrderValidationResource

    box = new_sandbox()
    order = _ordered(box, ago_days=150, period=36)  # validation reusable: issued at the next recheck
    waiter = _waiter_state(box, order)
    planned, _ = plan_change(new_provider(box), order)
    after, diags = _apply(box, order, planned)
    assert planned["planned_action"] == "reissue" and not errors_of(diags)
    box.faults({"match": "/orders/status", "mode": "patch_body", "times": 1,
                "patch": {"status": "active", "crt_code": waiter["certificate_pem"], "reissue_now": "0"}})
    wanted = {**waiter, "certificate_requested_at": after["certificate_requested_at"], "certificate_pem": Unknown,
              "ca_bundle_pem": Unknown, "valid_till": Unknown}
    diags = Diagnostics()
    new = SslOrderValidationResource(new_provider(box)).update(UpdateContext(diags, "x"), waiter, wanted)
    assert new["certificate_pem"] != waiter["certificate_pem"], [d.summary for d in diags.diagnostics]


def test_the_destroy_plan_of_a_fresh_renewal_says_what_the_destroy_does(new_sandbox: Start):
    """After a renewal the state holds the new, unissued order (with the renewed order's certificate until its
    own is issued): its destroy plan must say "cancel for a refund", as the destroy then does."""
    box = new_sandbox("--cancel-review-seconds", "0")
    order = _ordered(box, ago_days=340, period=12)  # issued 2026-01: its subscription ends in about 25 days
    planned, _ = plan_change(new_provider(box), order)
    assert planned["planned_action"] == "renew"
    renewed, diags = _apply(box, order, planned)
    assert not errors_of(diags) and renewed["order_id"] != order["order_id"]
    assert renewed["certificate_pem"] == order["certificate_pem"], "the renewed order's certificate is kept"
    said = Diagnostics()
    SslOrderResource(new_provider(box)).plan_destroy(said, renewed)
    assert [d.summary for d in said.diagnostics] == [f"Destroying order {renewed['order_id']} cancels it for a "
                                                     "refund"]
    _destroy(box, renewed, new_provider(box))
    assert box.order(renewed["order_id"])["status"] == "cancelled"


def test_a_pending_reissue_of_an_order_past_its_refund_window_is_not_cancelled_even_without_a_begin_date(
        new_sandbox: Start):
    """A vendor that reports no begin_date: the order's first issuance is its certificate's valid_from, also while
    a reissue of it is pending (cancelling then would end it without a refund)."""
    box = new_sandbox("--cancel-review-seconds", "0")
    order = _ordered(box, ago_days=150, period=36)
    box.api(f"/orders/ssl/reissue/{order['order_id']}", {"csr": order["csr"], "webserver_type": "1",
                                                        "dcv_method": "dns"})
    box.faults({"match": "/orders/status", "mode": "patch_body", "patch": {"begin_date": ""}, "times": 100})
    provider = new_provider(box)
    state = _refresh(box, order, provider)
    said = Diagnostics()
    SslOrderResource(provider).plan_destroy(said, state)
    assert "only forgets it" in " ".join(d.summary for d in said.diagnostics)
    _destroy(box, state, provider)
    assert box.count("cancel_ssl_order") == 0
