"""Day-2 stories of gogetssl_ssl_order, in-process against the sandbox, one Terraform command at a time
(tests/support.py plan_run, apply_run: a new provider per walk, Terraform's own rules for the proposed state, the
action it takes and what apply must return): an order cancelled outside Terraform or unknown to GoGetSSL, an
issued order, changes made in place (reissue, DCV change, values only recorded) or by a new order, and renewal
by GoGetSSL's clock.

Moved from tests/e2e/test_day2.py and tests/e2e/test_ssl_order.py (issue 21): their subject is the provider's
answer. What Terraform adds is kept there: a replacement's rendering (replace_paths), import, upgrade."""

from __future__ import annotations

from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.support import Sandbox, apply_run, make_csr, new_provider, order_config, plan_run, read_order

Start = Callable[..., Sandbox]


def _placed(box: Sandbox, **args: object) -> tuple[dict, dict]:
    """`terraform apply` of a new order of order_config(**args) (an http-validated one unless given): (its
    configuration, the state Terraform holds)."""
    config = order_config(**{"csr": make_csr().csr_pem, "dcv_method": "http", **args})
    state, plan, diags = apply_run(box, None, config)
    assert plan.actions == ["create"] and state is not None, diags.diagnostics
    return config, state


def test_an_order_cancelled_outside_terraform_is_planned_again_with_a_warning(sandbox: Sandbox):
    config, state = _placed(sandbox)
    order_id = state["order_id"]
    sandbox.set_status(order_id, "cancelled")
    first, second = plan_run(sandbox, state, config), plan_run(sandbox, state, config)  # a plan writes nothing
    assert first.actions == second.actions == ["create"]
    assert f"Order {order_id} was cancelled outside Terraform" in first.warnings
    again, plan, _ = apply_run(sandbox, state, config)
    assert plan.actions == ["create"] and again is not None and again["order_id"] != order_id
    assert plan_run(sandbox, again, config).actions == ["no-op"]


def test_a_csr_change_on_an_active_order_reissues_it_in_place(sandbox: Sandbox):
    first = make_csr()
    config, state = _placed(sandbox, csr=first.csr_pem)
    order_id = state["order_id"]
    sandbox.set_status(order_id, "active")
    assert plan_run(sandbox, state, config).actions == ["no-op"]
    second = make_csr(first.common_name)
    config = order_config(csr=second.csr_pem, dcv_method="http")
    adds = sandbox.count("add_ssl_order")
    after, plan, _ = apply_run(sandbox, state, config)
    assert plan.actions == ["update"] and after is not None
    assert after["order_id"] == order_id and after["order_status"] == "reissue"
    assert sandbox.count("add_ssl_order") == adds and sandbox.count(f"/orders/ssl/reissue/{order_id}") == 1
    sandbox.set_status(order_id, "active")  # the CA issues the reissued certificate
    issued, _ = read_order(new_provider(sandbox), after)
    assert issued is not None
    cert = x509.load_pem_x509_certificate(issued["certificate_pem"].encode())
    key = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert key == second.public_key_der
    assert plan_run(sandbox, issued, config).actions == ["no-op"]


def test_a_dcv_method_change_while_validation_is_pending_is_in_place(sandbox: Sandbox):
    config, state = _placed(sandbox)
    order_id = state["order_id"]
    config = {**config, "dcv_method": "dns"}
    after, plan, _ = apply_run(sandbox, state, config)
    assert plan.actions == ["update"] and after is not None and after["order_id"] == order_id
    assert sandbox.order(order_id)["dcv_method"] == "dns"
    assert after["validation_records"][0]["record_type"] == "CNAME"
    assert plan_run(sandbox, after, config).actions == ["no-op"]


def test_the_plan_stays_clean_when_the_order_is_issued(sandbox: Sandbox):
    config, state = _placed(sandbox, dcv_method="dns")
    sandbox.set_status(state["order_id"], "active")
    plan = plan_run(sandbox, state, config)
    assert plan.actions == ["no-op"], plan.changed
    assert plan.prior is not None and plan.prior["order_status"] == "active"  # what a refresh writes


def test_changes_the_api_cannot_make_force_a_new_order_and_say_why(sandbox: Sandbox):
    config, state = _placed(sandbox)
    # Issued: a pending order with the same CSR and product cannot be replaced (test_never_wrong_order).
    sandbox.set_status(state["order_id"], "active")
    plan = plan_run(sandbox, state, {**config, "admin_phone": "+44 20 7946 9999"})
    assert plan.actions == ["delete", "create"] and plan.replace_paths == [["admin_phone"]]

    config = {**config, "signature_hash": "SHA2"}
    adds = sandbox.count("add_ssl_order")
    after, plan, _ = apply_run(sandbox, state, config)
    assert plan.actions == ["update"] and after is not None and after["order_id"] == state["order_id"]
    assert sandbox.count("add_ssl_order") == adds
    assert plan_run(sandbox, after, config).actions == ["no-op"]


def test_an_order_unknown_to_the_api_leaves_state_and_is_planned_again(sandbox: Sandbox):
    config, state = _placed(sandbox)
    edited = {**state, "order_id": 7, "id": "7"}  # an id the vendor does not know (`terraform state push`)
    plan = plan_run(sandbox, edited, config)
    assert plan.actions == ["create"] and not plan.errors
    assert "Order 7 no longer exists at GoGetSSL" in plan.warnings


def test_a_renewal_inside_the_window_is_planned_with_a_warning_and_places_a_new_order(new_sandbox: Start):
    box = new_sandbox()
    box.clock(-340)  # issued 340 days ago: 25 days left of a 12-month certificate
    config, state = _placed(box)
    order_id = state["order_id"]
    box.set_status(order_id, "active")
    box.clock(340)
    plan = plan_run(box, state, config)
    assert plan.actions == ["update"] and f"Order {order_id} is due for renewal" in plan.warnings
    renewed, _plan, _ = apply_run(box, state, config)
    assert renewed is not None and renewed["order_id"] != order_id and renewed["order_status"] == "processing"
    assert box.count("add_ssl_renew_order") == 1
    assert box.order(order_id)["status"] == "active", "the old order is not cancelled"
    assert plan_run(box, renewed, config).actions == ["no-op"]


def test_renewal_can_be_disabled_and_expiry_is_not_an_error(new_sandbox: Start):
    box = new_sandbox()
    box.clock(-400)
    config, state = _placed(box, renew_before_days=0)
    box.set_status(state["order_id"], "active")
    box.clock(400)
    plan = plan_run(box, state, config)
    assert plan.actions == ["no-op"] and not plan.errors, plan.diags.diagnostics
    assert plan.prior is not None and plan.prior["order_status"] == "expired"
