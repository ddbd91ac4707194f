"""`terraform destroy` of a gogetssl_ssl_order, in-process against a sandbox of the test's own (tests/support.py
destroy_run: the refresh, the destroy plan, then the delete in the apply walk's own provider): what the user is
told, what GoGetSSL records, and that the order leaves state. How the destroy decides is tested in
test_destroy_decision.py; moved from tests/e2e/test_day2.py (issue 21): Terraform adds nothing here but printing."""

from __future__ import annotations

from collections.abc import Callable

from tests.support import Sandbox, apply_run, destroy_run, errors_of, issued_order, make_csr, order_config

Start = Callable[..., Sandbox]


def _summaries(diags: object) -> list[str]:
    return [d.summary for d in diags.diagnostics]  # type: ignore[attr-defined]


def test_a_destroy_outside_the_refund_window_forgets_the_order_with_a_warning(new_sandbox: Start):
    box = new_sandbox()
    state = issued_order(box, ago_days=40, dcv_method="http")
    left, diags = destroy_run(box, state)
    assert left is None and not errors_of(diags), diags.diagnostics
    assert any("its refund window is closed" in s for s in _summaries(diags)), _summaries(diags)
    assert box.order(state["order_id"])["status"] == "active" and box.count("cancel_ssl_order") == 0


def test_on_destroy_cancel_cancels_past_the_refund_window_and_forget_only_forgets(new_sandbox: Start):
    box = new_sandbox("--cancel-review-seconds", "0")
    state = issued_order(box, ago_days=40, dcv_method="http", on_destroy="cancel")
    left, diags = destroy_run(box, state)
    assert left is None and not errors_of(diags), diags.diagnostics
    # Past the refund window a cancellation ends the certificate as expired, unrefunded.
    assert box.order(state["order_id"])["status"] == "expired"

    kept, _plan, _ = apply_run(box, None, order_config(csr=make_csr().csr_pem, dcv_method="http",
                                                       on_destroy="forget"))
    assert kept is not None
    cancels = box.count("cancel_ssl_order")
    left, diags = destroy_run(box, kept)
    assert left is None and not errors_of(diags), diags.diagnostics
    assert any("forgotten, not cancelled" in s for s in _summaries(diags)), _summaries(diags)
    assert box.order(kept["order_id"])["status"] == "processing" and box.count("cancel_ssl_order") == cancels


def test_a_destroy_of_an_order_already_cancelled_succeeds(new_sandbox: Start):
    box = new_sandbox()
    state, _plan, _ = apply_run(box, None, order_config(csr=make_csr().csr_pem, dcv_method="http"))
    assert state is not None
    box.set_status(state["order_id"], "cancelled")
    left, diags = destroy_run(box, state)
    assert left is None and not errors_of(diags), diags.diagnostics
    assert box.count("cancel_ssl_order") == 0
