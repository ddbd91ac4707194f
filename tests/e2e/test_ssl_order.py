"""gogetssl_ssl_order through real Terraform against the sandbox: what a user sees at each step."""

from __future__ import annotations

import json
from collections.abc import Callable

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


def test_plan_stays_clean_when_the_order_is_issued(workdir: TerraformWorkdir, sandbox: Sandbox):
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="dns"))
    workdir.init()
    workdir.apply()
    order_id = workdir.resource("gogetssl_ssl_order.site")["order_id"]
    sandbox.set_status(order_id, "active")
    assert workdir.plan().rc == 0
    workdir.run("apply", "-refresh-only", "-auto-approve", "-no-color")
    assert workdir.resource("gogetssl_ssl_order.site")["order_status"] == "active"


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
    adds = sandbox.count("add_ssl_order")
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
    assert sandbox.count("add_ssl_order") == adds and sandbox.count("add_ssl_renew_order") == 0
    assert sandbox.count("reissue") == 0


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


def test_import_of_unknown_or_malformed_id_is_a_clear_error(workdir: TerraformWorkdir):
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http"))
    workdir.init()
    bad = workdir.import_("gogetssl_ssl_order.site", "abc", ok=(1,))
    assert "Invalid import id" in bad.text and "Traceback" not in bad.text
    missing = workdir.import_("gogetssl_ssl_order.site", "42", ok=(1,))
    assert "Order 42 not found" in missing.text


def test_changes_the_api_cannot_make_force_a_new_order_and_say_why(workdir: TerraformWorkdir, sandbox: Sandbox):
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http"))
    workdir.init()
    workdir.apply()
    # Issued: a pending order with the same CSR and product cannot be replaced (test_never_wrong_order).
    sandbox.set_status(workdir.resource("gogetssl_ssl_order.site")["order_id"], "active")
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http", admin_phone="+44 20 7946 9999"))
    plan = workdir.plan_json()
    (change,) = plan["resource_changes"]
    assert change["change"]["actions"] == ["delete", "create"]
    assert change["change"]["replace_paths"] == [["admin_phone"]]

    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http", signature_hash="SHA2"))
    plan = workdir.plan_json()
    (change,) = plan["resource_changes"]
    assert change["change"]["actions"] == ["update"]
    adds = sandbox.count("add_ssl_order")
    workdir.apply()
    assert sandbox.count("add_ssl_order") == adds
    assert workdir.plan().rc == 0


def test_order_unknown_to_the_api_leaves_state_and_is_planned_again(workdir: TerraformWorkdir, sandbox: Sandbox):
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http"))
    workdir.init()
    workdir.apply()
    state = json.loads(workdir.run("state", "pull").out)
    attrs = state["resources"][0]["instances"][0]["attributes"]
    attrs["order_id"], attrs["id"] = 7, "7"  # an id the vendor does not know
    state["serial"] += 1
    workdir.write("edited.tfstate", json.dumps(state))
    workdir.run("state", "push", "edited.tfstate")
    plan = workdir.plan()
    assert plan.rc == 2
    assert "Order 7 no longer exists at GoGetSSL" in plan.text
    assert "1 to add, 0 to change, 0 to destroy" in plan.text


def test_vendor_refusal_is_a_clear_error_and_leaves_no_state(workdir: TerraformWorkdir,
                                                             new_sandbox: Callable[..., Sandbox]):
    """What only the vendor decides at the order itself (here: a refusal the plan could not foresee) fails
    cleanly, with nothing in state."""
    poor = new_sandbox()
    poor.faults({"match": "/orders/add_ssl_order", "mode": "echo_error", "times": 1000})
    workdir.write("site.csr", make_csr().csr_pem)
    provider = f'provider "gogetssl" {{\n  api_url = "{poor.url}"\n  max_retries = 0\n}}'
    workdir.write("main.tf", PROVIDER_BLOCK.replace('provider "gogetssl" {}', provider)
                  + order_hcl("site", dcv_method="http"))
    workdir.init()
    result = workdir.apply(ok=(1,))
    assert "GoGetSSL API error: Bad request" in result.text
    assert "nothing was ordered" in result.text
    assert "Traceback" not in result.text
    assert poor.orders() == []
    assert workdir.state().get("values") is None


def test_wrong_credentials_fail_clearly_without_echoing_the_password(workdir: TerraformWorkdir, sandbox: Sandbox,
                                                                      monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GOGETSSL_PASSWORD", "Wr0ng-Secret-123")
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http"))
    workdir.init()
    adds = sandbox.count("add_ssl_order")
    result = workdir.plan(ok=(1,))  # fails fast, at plan
    assert "GoGetSSL refused the credentials" in result.text
    assert "GOGETSSL_PASSWORD" in result.text
    assert "Wr0ng-Secret-123" not in result.text and "Traceback" not in result.text
    assert sandbox.count("add_ssl_order") == adds


def test_missing_credentials_name_the_setting(workdir: TerraformWorkdir, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GOGETSSL_USERNAME")
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http"))
    workdir.init()
    result = workdir.plan(ok=(1,))
    assert "Missing GoGetSSL username" in result.text and "GOGETSSL_USERNAME" in result.text


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
