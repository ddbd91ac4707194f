"""Never someone else's order: adoption, uncertain answers, listings, unreadable answers, reissue, refresh,
secrets, deadlines and transport rules, each through real Terraform against a sandbox at least as strict
and as uncertain as the vendor. The sandbox's own records decide: which orders exist, how many requests
of each kind arrived, and what each order holds."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import (
    PROVIDER_BLOCK,
    Sandbox,
    issued_auth_keys,
    live_orders,
    make_csr,
    order_hcl,
    planned_changes,
    state_orders,
)

pytestmark = pytest.mark.e2e

Start = Callable[..., Sandbox]


def _single(wd: TerraformWorkdir, name: str = "site", **args: object) -> str:
    pem = make_csr().csr_pem
    wd.write(f"{name}.csr", pem)
    wd.write("main.tf", PROVIDER_BLOCK + order_hcl(name, **args))
    wd.init()
    return pem


# -- 1. adoption matches everything, and only orders placed by this create --
def test_same_csr_and_product_for_two_terms_is_a_conflict_not_an_adoption(own_sandbox: Start,
                                                                          workdir: TerraformWorkdir):
    sb = own_sandbox()
    pem = make_csr().csr_pem
    workdir.write("site.csr", pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("year", "site", period=12)
                  + order_hcl("two_years", "site", period=24))
    workdir.init()
    out = workdir.apply(ok=(1,)).text
    (order,) = live_orders(sb, pem)  # one order: the vendor refused the second as a duplicate
    in_state = state_orders(workdir.state())
    assert list(in_state.values()) == [order["order_id"]], "the refused resource must not hold the other's order"
    assert f"GoGetSSL already has order {order['order_id']}" in out
    assert "Give this resource its own CSR" in out and f"Do not import order {order['order_id']}" in out
    assert sb.count("add_ssl_order") == 2


def test_an_order_from_before_the_apply_is_never_adopted(own_sandbox: Start, workdir: TerraformWorkdir):
    sb = own_sandbox()
    pem = _single(workdir)
    earlier = sb.place(pem, period=24)  # same CSR and product, placed by some other tool
    out = workdir.apply(ok=(1,)).text
    assert state_orders(workdir.state()) == {}
    assert f"GoGetSSL already has order {earlier}" in out and "existed before" in out
    sb.clear_faults()
    workdir.destroy()
    assert not sb.order(earlier).get("cancel_requested"), "destroying the refused resource cancels nothing"


def test_a_pending_order_is_not_replaced_by_one_the_vendor_would_refuse(own_sandbox: Start,
                                                                       workdir: TerraformWorkdir):
    sb = own_sandbox()
    _single(workdir)
    workdir.apply()
    order_id = state_orders(workdir.state())["site"]
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", admin_phone="+44 20 7946 9999"))
    out = workdir.apply(ok=(1,)).text
    assert f"Order {order_id} cannot be replaced while it is processing" in out
    assert not sb.order(order_id)["cancel_requested"], "the pending order was cancelled"
    assert state_orders(workdir.state()) == {"site": order_id}


# -- 2. uncertain answers that are not timeouts --
@pytest.mark.parametrize("mode", ["http_502_then_process", "reset_then_process"])
def test_a_request_processed_after_its_error_answer_is_found_not_placed_again(own_sandbox: Start,
                                                                              workdir: TerraformWorkdir, mode: str):
    sb = own_sandbox()
    pem = _single(workdir)
    sb.faults({"match": "add_ssl_order", "mode": mode, "delay_ms": 700})
    out = workdir.apply().text
    (order,) = live_orders(sb, pem)
    assert state_orders(workdir.state()) == {"site": order["order_id"]}
    assert sb.count("add_ssl_order") == 1, "placed again before the first request had time to land"
    assert "Adopted order" in out
    assert workdir.plan().rc == 0


# -- 3. the listing: count per page, page caps, offset ceilings, either sort order --
@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_a_placed_order_is_found_whatever_the_listing_order_and_page_cap(own_sandbox: Start,
                                                                         workdir: TerraformWorkdir, order: str):
    sb = own_sandbox("--list-order", order, "--list-page-cap", "5")
    for _ in range(12):
        sb.place(make_csr().csr_pem)
    pem = _single(workdir)
    sb.faults({"match": "add_ssl_order", "mode": "commit_then_reset"})
    workdir.apply()
    (placed,) = live_orders(sb, pem)
    assert state_orders(workdir.state()) == {"site": placed["order_id"]}
    assert sb.count("add_ssl_order") == 1 + 12, "the order was found, so nothing was placed again"


def test_a_listing_that_cannot_be_read_to_its_end_proves_nothing(own_sandbox: Start, workdir: TerraformWorkdir):
    sb = own_sandbox("--list-order", "oldest", "--list-page-cap", "5", "--list-offset-cap", "5")
    for _ in range(12):
        sb.place(make_csr().csr_pem)
    pem = _single(workdir)
    sb.faults({"match": "add_ssl_order", "mode": "commit_then_reset"})
    out = workdir.apply(ok=(1,)).text
    assert "The order may have been placed" in out
    assert sb.count("add_ssl_order") == 1 + 12, "a partial listing must not lead to a second order"
    assert len(live_orders(sb, pem)) == 1


# -- 4. an accepted order is kept whatever its answer looks like --
@pytest.mark.parametrize("fault", [
    {"mode": "patch_body", "patch": {"invoice_id": "1e400"}},
    {"mode": "nest_body"},
])
def test_an_order_whose_answer_cannot_be_read_still_reaches_state(own_sandbox: Start, workdir: TerraformWorkdir,
                                                                  fault: dict[str, object]):
    sb = own_sandbox()
    pem = _single(workdir)
    sb.faults({"match": "add_ssl_order", **fault})
    workdir.apply(ok=(0, 1))
    (order,) = live_orders(sb, pem)
    assert state_orders(workdir.state()) == {"site": order["order_id"]}
    assert sb.count("add_ssl_order") == 1
    sb.clear_faults()
    assert workdir.plan().rc == 0


# -- 5. reissue decided from what the vendor holds --
def test_a_reissue_that_did_not_happen_is_not_recorded_as_done(own_sandbox: Start, workdir: TerraformWorkdir):
    sb = own_sandbox()
    pem = _single(workdir)
    workdir.apply()
    order_id = state_orders(workdir.state())["site"]
    sb.set_status(order_id, "active")
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", webserver_type=2))
    sb.faults({"match": "/orders/ssl/reissue/", "mode": "http_500"})  # refused before it was processed
    workdir.apply()
    held = sb.order(order_id)
    assert int(held["webserver_type"]) == 2, "state says webserver_type 2: so must the vendor"
    assert "".join(held["csr"].split()) == "".join(pem.split())
    sb.clear_faults()
    assert workdir.plan().rc == 0


# -- 6. "not found" only from the vendor's unknown-order answer --
def test_an_error_mentioning_not_found_does_not_drop_a_paid_order(own_sandbox: Start, workdir: TerraformWorkdir):
    sb = own_sandbox()
    _single(workdir)
    workdir.apply()
    order_id = state_orders(workdir.state())["site"]
    sb.faults({"match": "/orders/status/", "mode": "vendor_error", "times": 10, "message": "API user not found",
               "description": "The API user was not found"})
    out = workdir.plan(ok=(1,)).text
    assert "API user not found" in out
    assert state_orders(workdir.state()) == {"site": order_id}, "the order stays in state"
    sb.clear_faults()
    assert workdir.plan().rc == 0
    assert sb.count("add_ssl_order") == 1


# -- 7. secrets echoed by a proxy never reach the user --
@pytest.mark.parametrize("match", ["/auth", "/orders/status/"])
def test_an_answer_echoing_the_request_leaks_no_secret(own_sandbox: Start, workdir: TerraformWorkdir, match: str):
    sb = own_sandbox(retries=0)
    _single(workdir)
    workdir.apply()
    sb.faults({"match": match, "mode": "echo_error", "times": 10}, {"match": "/products/ssl", "mode": "echo",
                                                                    "times": 10})
    out = workdir.plan(ok=(1,)).text
    assert "Bad request" in out, out
    for secret in [sb.password, *issued_auth_keys(sb)]:
        assert secret not in out


# -- 8. deadlines --
@pytest.mark.timeout(180)
def test_a_trickling_server_cannot_stretch_a_request_beyond_its_timeout(own_sandbox: Start,
                                                                         workdir: TerraformWorkdir):
    sb = own_sandbox(retries=0)
    _single(workdir)
    workdir.apply()
    sb.faults({"match": "/orders/status/", "mode": "trickle", "delay_ms": 100, "times": 5})
    started = time.monotonic()
    out = workdir.plan(ok=(1,)).text
    assert "within 2" in out, out
    assert time.monotonic() - started < 60, "a 2 s request timeout must bound a trickled answer"


def test_the_waiter_honours_its_timeout_between_rechecks(own_sandbox: Start, workdir: TerraformWorkdir):
    sb = own_sandbox()
    names = [f"d{i}.{make_csr().common_name}" for i in range(12)]
    pem = make_csr().csr_pem
    workdir.write("site.csr", pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", product_id=67, dns_names=names) + """
resource "gogetssl_ssl_order_validation" "site" {
  order_id = gogetssl_ssl_order.site.order_id
  timeouts {
    create = "2s"
  }
}
""")
    workdir.init()
    sb.faults({"match": "/orders/ssl/revalidate/", "mode": "slow", "delay_ms": 500, "times": 100})
    out = workdir.apply(ok=(1,)).text
    assert "Timed out waiting for order" in out
    assert sb.count("/orders/ssl/revalidate/") <= 6, "rechecks went on past the 2 s timeout"


# -- 10. transport hygiene --
def test_a_redirect_is_not_followed_with_a_paid_request(own_sandbox: Start, workdir: TerraformWorkdir):
    sb = own_sandbox()
    _single(workdir)
    sb.faults({"match": "add_ssl_order", "mode": "redirect_307"})
    out = workdir.apply(ok=(1,)).text
    assert "redirect" in out.lower()
    assert sb.count("add_ssl_order") == 1 and sb.orders() == []


def test_plain_http_to_a_remote_host_is_refused(workdir: TerraformWorkdir):
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK.replace('provider "gogetssl" {}',
                                                    'provider "gogetssl" {\n  api_url = "http://api.example.com/api"\n}')
                  + order_hcl("site"))
    workdir.init()
    out = workdir.plan(ok=(1,)).text
    assert "api_url" in out and "clear text" in out


def test_an_import_id_with_unicode_digits_is_a_clear_error(workdir: TerraformWorkdir):
    _single(workdir)
    out = workdir.import_("gogetssl_ssl_order.site", "18³", ok=(1,)).text
    assert "Invalid import id" in out and "Traceback" not in out


def test_importing_a_cancelled_order_says_so(own_sandbox: Start, workdir: TerraformWorkdir):
    sb = own_sandbox()
    _single(workdir)
    order_id = sb.place(make_csr().csr_pem)
    sb.set_status(order_id, "cancelled")
    # Imported with a warning rather than refused (Issue 20, item 4: Terraform fails every import of a run when one
    # returns nothing); the resource then holds it inert: no plan orders it again.
    out = " ".join(workdir.import_("gogetssl_ssl_order.site", str(order_id)).text.split())
    assert f"Order {order_id} is cancelled" in out and "Delete its resource block" in out
    plan = " ".join(workdir.plan().text.split())
    assert f"Order {order_id} is cancelled" in plan and "0 to add" in plan and "0 to destroy" in plan
    workdir.write("main.tf", PROVIDER_BLOCK)  # the block deleted, as the warning says: forgotten without a call
    workdir.apply()
    assert sb.count("cancel_ssl_order") == 0 and sb.count("/orders/add_ssl_order") == 1


def test_a_second_destroy_sends_no_second_cancellation_during_the_review(own_sandbox: Start,
                                                                         workdir: TerraformWorkdir):
    sb = own_sandbox("--cancel-review-seconds", "600")
    _single(workdir)
    workdir.apply()
    order_id = state_orders(workdir.state())["site"]
    # Both the request and the one resend it gets after an uncertain answer lose their answers.
    sb.faults({"match": "cancel_ssl_order", "mode": "commit_then_reset", "times": 2})
    first = workdir.run("destroy", "-auto-approve", "-no-color", ok=(1,)).text
    assert "may have been requested" in first
    assert state_orders(workdir.state()) == {"site": order_id}
    assert sb.order(order_id)["cancel_requested"]
    second = workdir.run("destroy", "-auto-approve", "-no-color", ok=(1,)).text
    assert "may be under review" in second
    assert sb.count("cancel_ssl_order") == 2, "a further cancellation request was sent during the review"
    assert state_orders(workdir.state()) == {"site": order_id}
    assert f"A cancellation of order {order_id} may be under review" in workdir.plan().text


# -- 12. SAN orders always carry approver_emails --
def test_a_san_order_sends_one_approver_entry_per_san(own_sandbox: Start, workdir: TerraformWorkdir):
    sb = own_sandbox()
    pem = make_csr().csr_pem
    cn = make_csr().common_name
    workdir.write("site.csr", pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", product_id=67, dns_names=[f"a.{cn}", f"b.{cn}"]))
    workdir.init()
    workdir.apply()
    (order,) = live_orders(sb, pem)
    assert order["approver_emails"] == "dns,dns"
    assert workdir.plan().rc == 0
    workdir.run("state", "rm", "gogetssl_ssl_order.site")
    workdir.import_("gogetssl_ssl_order.site", str(order["order_id"]))
    # an import renews nothing (renew_before_days = 0); the configuration's default turns it back on, in state only
    actions, changed = planned_changes(workdir.plan_json(), "gogetssl_ssl_order.site")
    assert actions == ["update"] and changed == {"renew_before_days", "reissue_before_days"}, changed
