"""gogetssl_ssl_order through real Terraform against the sandbox, for what Terraform itself adds: the lifecycle
(apply, a clean plan, destroy), its two import paths (`terraform import`, an `import` block), a state of an older
schema version upgraded, and a credential error printed without the password's configuration line.

The provider's answers at each step (an issued order, changes the API cannot make, an order unknown to the API, a
vendor refusal, missing or refused credentials, a bad import id) are tested in-process: tests/integration/
test_day2.py, test_ssl_order_import.py and test_refusals.py (issue 21)."""

from __future__ import annotations

import json

import pytest

from provider.client import ClientSettings, GoGetSSLClient
from provider.client.models import AddSSLOrderRequest
from tests.e2e.harness import TerraformWorkdir
from tests.support import CONTACTS, PROVIDER_BLOCK, Sandbox, make_csr, minimal_order, order_hcl, planned_changes

pytestmark = pytest.mark.e2e


def test_apply_places_the_order_then_plan_is_clean_then_destroy_cancels(workdir: TerraformWorkdir,
                                                                        sandbox: Sandbox):
    kc = make_csr()
    workdir.write("site.csr", kc.csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http") + """
output "dcv" { value = gogetssl_ssl_order.site.approver_method.http }
output "link" { value = gogetssl_ssl_order.site.approver_method.http.link }
""")
    workdir.init()
    workdir.apply()

    state = workdir.resource("gogetssl_ssl_order.site")
    order = sandbox.order(state["order_id"])
    assert state["id"] == str(state["order_id"])
    assert (order["product_id"], order["period"], order["dcv_method"], order["domain"]) == (65, 12, "http",
                                                                                           kc.common_name)
    assert {k: order[k] for k in CONTACTS} == CONTACTS
    assert order["server_count"] == "-1" and order["webserver_type"] == "1"
    assert state["order_status"] == "processing" and state["invoice_id"] == order["invoice_id"]
    assert state["order_amount"] == order["amount"] and state["currency"] == "EUR"
    http = state["approver_method"]["http"]
    assert http["link"].startswith(f"http://{kc.common_name}/.well-known/pki-validation/")
    assert state["approver_method"]["dns"] is None and state["approver_method"]["email"] is None
    outputs = json.loads(workdir.run("output", "-json").out)
    assert outputs["link"]["value"] == http["link"]

    adds = sandbox.count("add_ssl_order")
    assert workdir.plan().rc == 0, "a plan right after apply must show no changes"
    assert sandbox.count("add_ssl_order") == adds

    assert sandbox.password not in workdir.state_file()
    workdir.destroy()
    assert sandbox.wait_status(state["order_id"], "cancelled")["status"] == "cancelled"  # after the review
    assert sandbox.order(state["order_id"])["cancel_reason"]


def _order_through_api(sandbox: Sandbox, csr: str, **args: object) -> int:
    """Place minimal_order(csr=csr, **args) with the provider's client, as another tool would; its id."""
    client = GoGetSSLClient(ClientSettings(sandbox.url, sandbox.user, sandbox.password))
    return int(client.orders.add_ssl_order(AddSSLOrderRequest(**minimal_order(csr=csr, **args))).order_id)


def test_terraform_import_of_an_api_order_plans_turning_its_renewal_on_and_buys_nothing(
        workdir: TerraformWorkdir, sandbox: Sandbox):
    """An import renews nothing (Issue 20, item 3): the order comes with renew_before_days = 0 and
    reissue_before_days = 0; a configuration that leaves them unset turns them on knowingly, in a plan that shows
    exactly that change (state only) and buys nothing."""
    kc = make_csr()
    order_id = _order_through_api(sandbox, kc.csr_pem, product_id=67, period=24, dcv_method="dns",
                                  dns_names=["a." + kc.common_name, "b." + kc.common_name],
                                  approver_emails=["dns", "dns"])
    # The file differs from the vendor's copy in line endings only: not a change.
    workdir.write("site.csr", kc.csr_pem.replace("\n", "\r\n"))
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl(
        "site", product_id=67, period=24, dcv_method="dns",
        dns_names=["a." + kc.common_name, "b." + kc.common_name], approver_emails=["dns", "dns"]))
    workdir.init()
    # the session's sandbox: other tests of this worker ordered, renewed and reissued in it before
    adds, renews, reissues = (sandbox.count(k) for k in ("add_ssl_order", "add_ssl_renew_order", "reissue"))
    workdir.import_("gogetssl_ssl_order.site", str(order_id))
    state = workdir.resource("gogetssl_ssl_order.site")
    assert state["order_id"] == order_id and state["dns_names"] == ["a." + kc.common_name, "b." + kc.common_name]
    assert (state["renew_before_days"], state["reissue_before_days"]) == (0, 0)
    plan = workdir.plan_json()
    actions, changed = planned_changes(plan, "gogetssl_ssl_order.site")
    # approver_emails written out where the vendor's form implies them: a free change-validation call at most
    assert actions == ["update"] and {"renew_before_days", "reissue_before_days"} <= changed, changed
    after = next(c["change"]["after"] for c in plan["resource_changes"])
    assert (after["renew_before_days"], after["reissue_before_days"], after["planned_price"]) == (30, None, 0)
    assert after["planned_action"] in ("none", "change_validation")
    workdir.apply()  # records the settings and the CSR text as written in the file; no API call that spends
    assert workdir.plan().rc == 0
    assert sandbox.count("add_ssl_order") == adds and sandbox.count("add_ssl_renew_order") == renews
    assert sandbox.count("reissue") == reissues


def test_import_block_with_adoption_settings_plans_clean(workdir: TerraformWorkdir, sandbox: Sandbox):
    kc = make_csr()
    order_id = _order_through_api(sandbox, kc.csr_pem, dcv_method="http")
    workdir.write("site.csr", kc.csr_pem)
    # what docs/guides/adopt.md says an adopted order is configured with, to be adopted as it is
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http", renew_before_days=0,
                                                        reissue_before_days=0) + f"""
import {{
  to = gogetssl_ssl_order.site
  id = "{order_id}"
}}
""")
    workdir.init()
    plan = workdir.plan()
    assert "1 to import, 0 to add, 0 to change, 0 to destroy" in plan.text
    workdir.apply()
    assert workdir.plan().rc == 0
    assert workdir.resource("gogetssl_ssl_order.site")["order_id"] == order_id


def test_state_from_schema_version_1_upgrades_and_plans_clean(workdir: TerraformWorkdir, sandbox: Sandbox):
    """States written before the DCV and certificate outputs existed (schema v1) upgrade without a diff."""
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http"))
    workdir.init()
    workdir.apply()
    state = json.loads(workdir.run("state", "pull").out)
    instance = state["resources"][0]["instances"][0]
    instance["schema_version"] = 1
    for gone in ("validation_records", "status_description", "dcv_status", "valid_from", "valid_till",
                 "begin_date", "end_date", "partner_order_id", "domain", "certificate_pem", "ca_bundle_pem", "san"):
        del instance["attributes"][gone]
    state["serial"] += 1
    workdir.write("v1.tfstate", json.dumps(state))
    workdir.run("state", "push", "v1.tfstate")
    assert workdir.plan().rc == 0
    workdir.run("apply", "-refresh-only", "-auto-approve", "-no-color")
    upgraded = workdir.resource("gogetssl_ssl_order.site")
    assert upgraded["validation_records"][0]["method"] == "http" and upgraded["valid_till"] == ""


def test_a_refused_password_written_in_the_configuration_is_not_printed(workdir: TerraformWorkdir, sandbox: Sandbox):
    """Terraform prints the configuration line an error is attached to: a credential error attached to the
    sensitive `password` would print `password = "..."`. It is attached to the provider block instead."""
    workdir.write("main.tf", PROVIDER_BLOCK.replace('provider "gogetssl" {}', f'''provider "gogetssl" {{
  username = "{sandbox.user}"
  password = "Wr0ng-Secret-123"
}}''') + 'data "gogetssl_account_balance" "b" {}\n')
    workdir.init()
    result = workdir.plan(ok=(1,))
    assert "GoGetSSL refused the credentials" in result.text
    assert "Wr0ng-Secret-123" not in result.text, result.text
