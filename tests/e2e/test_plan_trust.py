"""What a reviewer approving a plan sees of its cost: `planned_action`, `planned_price` and `planned_currency`
in `terraform show -json`, a warning per purchase, and a plan that fails when the balance does not cover it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, make_csr, order_hcl, state_orders

pytestmark = pytest.mark.e2e
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _changes(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["address"]: c["change"] for c in plan.get("resource_changes", [])}


def test_a_saved_plan_says_what_each_order_costs_and_the_plan_after_apply_is_empty(workdir: TerraformWorkdir,
                                                                                   sb: Sandbox):
    single, multi = make_csr(key="ec256"), make_csr(key="ec256")
    sans = [f"{p}.{multi.common_name}" for p in ("a", "b", "c", "d")]
    workdir.write("single.csr", single.csr_pem)
    workdir.write("multi.csr", multi.csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("single") + order_hcl(
        "multi", product_id=67, dns_names=sans, approver_emails=["dns"] * len(sans)))
    workdir.init()

    printed, plan = workdir.saved_plan()
    text, changes = printed.text, _changes(plan)

    assert f"This plan buys a certificate for {single.common_name}" in text
    assert f"This plan buys a certificate for {multi.common_name}" in text and "Multi-Domain" in text
    for address in ("gogetssl_ssl_order.single", "gogetssl_ssl_order.multi"):
        change = changes[address]
        assert change["actions"] == ["create"]
        assert change["after"]["planned_action"] == "order" and change["after"]["planned_currency"] == "EUR"
    planned = {a: c["after"]["planned_price"] for a, c in changes.items()}
    assert sb.count("add_ssl_order") == 0, "planning bought nothing"
    # The CI guide's script (docs/guides/ci.md) counts the purchases of that saved plan.
    plan_file = workdir.path / "plan.json"
    plan_file.write_text(workdir.run("show", "-json", "tfplan").out)
    script = [sys.executable, str(EXAMPLES / "ci" / "purchases.py"), str(plan_file)]
    counted = subprocess.run(script, capture_output=True, text=True, check=True).stdout
    assert f"2 purchases: {sum(planned.values()):.2f} EUR" in counted, counted
    assert subprocess.run([*script, "--max-total", "20"], capture_output=True).returncode == 1

    workdir.apply()

    for address, price in planned.items():
        state = workdir.resource(address)
        # What the plan said is what GoGetSSL charged: product 67 includes 2 SANs and charges the other 2.
        assert price == state["order_amount"] == sb.order(state["order_id"])["amount"]
    assert planned["gogetssl_ssl_order.multi"] > planned["gogetssl_ssl_order.single"] > 0
    printed, plan = workdir.saved_plan()
    assert printed.rc == 0, "the plan after apply is empty"
    after = _changes(plan)
    assert {c["actions"][0] for c in after.values()} == {"no-op"}
    assert {c["after"]["planned_action"] for c in after.values()} == {"none"}
    assert {c["after"]["planned_price"] for c in after.values()} == {0}
    assert {c["after"]["planned_tax"] for c in after.values()} == {0}


def test_a_plan_that_buys_more_than_the_balance_fails_before_anything_is_ordered(
        workdir: TerraformWorkdir, own_sandbox: Callable[..., Sandbox]):
    box = own_sandbox("--balance", "10")  # one PositiveSSL costs 6.90: two do not fit
    for name in ("one", "two"):
        workdir.write(f"{name}.csr", make_csr(key="ec256").csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("one") + order_hcl("two"))
    workdir.init()

    result = workdir.plan(ok=(1,))

    text = result.text
    assert "Account balance too low for this plan" in text
    assert "13.80 EUR" in text and "10.00 EUR" in text, text
    assert box.count("add_ssl_order") == 0
    workdir.apply(ok=(1,))
    assert box.count("add_ssl_order") == 0, "apply refuses the same plan before it spends"


def test_a_destroy_plan_says_whether_it_cancels_or_forgets(workdir: TerraformWorkdir, sb: Sandbox):
    for name in ("refunded", "kept"):
        workdir.write(f"{name}.csr", make_csr(key="ec256").csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("refunded") + order_hcl("kept", on_destroy="forget"))
    workdir.init()
    workdir.apply()
    ids = {n: workdir.resource(f"gogetssl_ssl_order.{n}")["order_id"] for n in ("refunded", "kept")}

    text = workdir.run("plan", "-destroy", "-input=false", "-no-color").text

    assert f"Destroying order {ids['refunded']} cancels it for a refund" in text
    assert f"Destroying order {ids['kept']} only forgets it" in text
    assert sb.count("cancel_ssl_order") == 0


def test_a_reissue_plans_as_free_and_a_due_renewal_as_paid(workdir: TerraformWorkdir, sb: Sandbox):
    kc = make_csr(key="ec256")
    workdir.write("site.csr", kc.csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site"))
    workdir.init()
    sb.clock(-340)  # issued 340 days ago: 25 days left of a 12-month certificate
    workdir.apply()
    order_id = workdir.resource("gogetssl_ssl_order.site")["order_id"]
    sb.set_status(order_id, "active")
    sb.clock(340)

    renewal = _changes(workdir.plan_json())["gogetssl_ssl_order.site"]
    assert renewal["actions"] == ["update"]
    assert renewal["after"]["planned_action"] == "renew" and renewal["after"]["planned_price"] == 6.90

    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", renew_before_days=0))
    workdir.write("site.csr", make_csr(kc.common_name, key="ec256").csr_pem)
    reissue = _changes(workdir.plan_json())["gogetssl_ssl_order.site"]
    assert reissue["actions"] == ["update"]
    assert (reissue["after"]["planned_action"], reissue["after"]["planned_price"]) == ("reissue", 0)


def _cbd_config(period: int) -> str:
    """One order, its DNS records published by Terraform (again whenever they change), and the waiter; the
    order and the waiter replaced create-before-destroy, the way docs/resources/ssl_order.md shows."""
    order = order_hcl("site", period=period).rstrip().removesuffix("}")
    return PROVIDER_BLOCK + order + "  lifecycle {\n    create_before_destroy = true\n  }\n}\n" + """
variable "dcv_dns_zone" { type = string }

resource "terraform_data" "dns_zone" {
  input            = { for r in gogetssl_ssl_order.site.validation_records : r.record_name => r.record_value }
  triggers_replace = [for r in gogetssl_ssl_order.site.validation_records : r.record_value]

  provisioner "local-exec" {
    command     = "printf '%s' \\"$ZONE\\" > \\"$ZONE_FILE\\""
    environment = { ZONE = jsonencode(self.input), ZONE_FILE = var.dcv_dns_zone }
  }
}

resource "gogetssl_ssl_order_validation" "site" {
  order_id                = gogetssl_ssl_order.site.order_id
  validation_record_fqdns = keys(terraform_data.dns_zone.output)
  timeouts {
    create = "5m"
  }
  lifecycle {
    create_before_destroy = true
  }
}
"""


def test_a_replacement_warns_and_create_before_destroy_keeps_the_old_certificate_until_the_new_is_issued(
        workdir: TerraformWorkdir, own_sandbox: Callable[..., Sandbox], tmp_path: Path):
    zone = tmp_path / "zone.json"
    box = own_sandbox("--dcv-dns-zone", str(zone), timeout=None, retries=None)
    workdir.write("site.csr", make_csr(key="ec256").csr_pem)
    workdir.write("terraform.tfvars", f'dcv_dns_zone = "{zone}"\n')
    workdir.write("main.tf", _cbd_config(12))
    workdir.init()
    workdir.apply()
    old = workdir.resource("gogetssl_ssl_order.site")["order_id"]
    assert box.order(old)["status"] == "active"

    workdir.write("main.tf", _cbd_config(24))  # a new term: a new order
    plan = workdir.plan().text
    assert f"Replacing order {old} cancels its issued certificate" in plan
    assert "create_before_destroy" in plan
    # Terraform shows the warnings of a replacement's first plan only: the purchase is named there too.
    assert "This plan buys a certificate for" in plan and "for 24 months" in plan, plan

    applied = workdir.apply().text

    new = workdir.resource("gogetssl_ssl_order.site")["order_id"]
    assert new != old and box.order(new)["status"] == "active"
    lines = applied.splitlines()
    issued = next(i for i, line in enumerate(lines) if line.startswith("gogetssl_ssl_order_validation.site:")
                  and "Creation complete" in line)
    cancelled = next(i for i, line in enumerate(lines) if line.startswith("gogetssl_ssl_order.site (deposed")
                     and "Destroying..." in line)
    assert issued < cancelled, "the old order is cancelled only after the new certificate is issued"
    assert box.wait_status(old, "cancelled")["status"] == "cancelled"


def test_an_unreadable_balance_stops_the_plan_and_a_saved_plans_apply_with_its_own_error(
        workdir: TerraformWorkdir, own_sandbox: Callable[..., Sandbox]):
    box = own_sandbox(retries=0)
    workdir.write("site.csr", make_csr(key="ec256").csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site"))
    workdir.init()
    workdir.run("plan", "-input=false", "-no-color", "-out=tfplan")
    box.faults({"match": "/account/balance", "mode": "http_500", "times": 1000})

    applied = workdir.run("apply", "-input=false", "-no-color", "tfplan", ok=(1,)).text
    planned = workdir.plan(ok=(1,)).text

    for text in (applied, planned):
        assert "Account balance could not be read" in text, text
        assert "inconsistent final plan" not in text
    assert box.count("add_ssl_order") == 0


def test_two_provider_blocks_on_one_account_share_the_balance_check(workdir: TerraformWorkdir,
                                                                     own_sandbox: Callable[..., Sandbox]):
    """Each provider block is a plugin process of its own; the plans of one Terraform run on one account are
    checked against its balance together."""
    box = own_sandbox("--balance", "10")  # one PositiveSSL (6.90) fits, two do not
    for name in ("one", "two"):
        workdir.write(f"{name}.csr", make_csr(key="ec256").csr_pem)
    second = 'provider "gogetssl" {\n  alias = "second"\n}\n'
    two = order_hcl("two").replace("{\n", "{\n  provider = gogetssl.second\n", 1)
    workdir.write("main.tf", PROVIDER_BLOCK + second + order_hcl("one") + two)
    workdir.init()

    result = workdir.plan(ok=(1,))

    assert "Account balance too low for this plan" in result.text, result.text
    assert "13.80 EUR" in result.text and "10.00 EUR" in result.text
    workdir.apply(ok=(1,))
    assert box.count("add_ssl_order") == 0


def test_a_saved_plan_applied_after_the_balance_dropped_names_what_it_bought(workdir: TerraformWorkdir,
                                                                             own_sandbox: Callable[..., Sandbox]):
    box = own_sandbox("--balance", "20.90")
    box.place(make_csr(key="ec256").csr_pem)  # an invoice states the tax rate; 14.00 left: both orders fit
    for name in ("one", "two"):
        workdir.write(f"{name}.csr", make_csr(key="ec256").csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("one") + order_hcl("two"))
    workdir.init()
    workdir.run("plan", "-input=false", "-no-color", "-out=tfplan")
    box.place(make_csr(key="ec256").csr_pem)  # the balance drops to 7.10 before the apply

    result = workdir.run("apply", "-input=false", "-no-color", "tfplan", ok=(1,))

    assert box.count("add_ssl_order") == 3, result.text
    assert len(state_orders(workdir.state())) == 1
    # whichever check stopped the second (the re-plan's or the purchase's), it does not say the apply bought nothing
    assert "Nothing was ordered for this resource" in result.text and "Nothing was ordered." not in result.text


def test_an_order_whose_csr_is_made_in_the_same_run_is_counted_once(workdir: TerraformWorkdir,
                                                                     own_sandbox: Callable[..., Sandbox]):
    """The plan walk prices it with its CSR unknown, the apply walk with it known: two keys for one purchase,
    which the apply walk must not add up."""
    own_sandbox("--balance", "10")  # one PositiveSSL (6.90) fits
    workdir.write("site.csr", make_csr(key="ec256").csr_pem)
    csr_in_run = 'resource "terraform_data" "csr" {\n  input = file("${path.module}/site.csr")\n}\n'
    workdir.write("main.tf", PROVIDER_BLOCK + csr_in_run + order_hcl("site", csr_expr="terraform_data.csr.output"))
    workdir.init()
    assert "Account balance too low" not in workdir.plan().text
    workdir.apply()
    assert len(state_orders(workdir.state())) == 1


def test_a_second_provider_block_buys_after_the_first_within_the_balance(workdir: TerraformWorkdir,
                                                                          own_sandbox: Callable[..., Sandbox]):
    """What the first block bought is out of the balance the second reads: it is not counted twice."""
    box = own_sandbox("--balance", "20.90")
    box.place(make_csr(key="ec256").csr_pem)  # an invoice states the tax rate; 14.00 left: both (13.80) fit
    for name in ("one", "two"):
        workdir.write(f"{name}.csr", make_csr(key="ec256").csr_pem)
    second = 'provider "gogetssl" {\n  alias = "second"\n}\n'
    two = order_hcl("two").replace("{\n", "{\n  provider = gogetssl.second\n  depends_on = [gogetssl_ssl_order.one]\n",
                                   1)
    workdir.write("main.tf", PROVIDER_BLOCK + second + order_hcl("one") + two)
    workdir.init()
    workdir.apply()
    assert len(state_orders(workdir.state())) == 2 and round(box.balance(), 2) == 0.20
