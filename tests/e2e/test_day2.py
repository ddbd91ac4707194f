"""Day-2 operations through real Terraform: drift, in-place changes, reissue, renewal, destroy policies,
import of every product type, and the data sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from provider.client import ClientSettings, GoGetSSLClient
from provider.client.models import AddSSLOrderRequest
from tests.e2e.harness import TerraformWorkdir
from tests.support import CONTACTS, ORGANIZATION, PROVIDER_BLOCK, Sandbox, make_csr, minimal_order, order_hcl

pytestmark = pytest.mark.e2e


def start(wd: TerraformWorkdir, csr: str, **args: Any) -> dict[str, Any]:
    """Apply an http-validated order "site" for `csr`; its state."""
    wd.write("site.csr", csr)
    wd.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http", **args))
    wd.init()
    wd.apply()
    return wd.resource("gogetssl_ssl_order.site")


def refresh(wd: TerraformWorkdir) -> dict[str, Any]:
    wd.run("apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
    return wd.resource("gogetssl_ssl_order.site")


def actions(wd: TerraformWorkdir) -> list[str]:
    (change,) = [c for c in wd.plan_json()["resource_changes"] if c["type"] == "gogetssl_ssl_order"]
    return change["change"]["actions"]


def test_out_of_band_cancel_is_planned_again_with_a_warning(workdir: TerraformWorkdir, sb: Sandbox):
    order = start(workdir, make_csr().csr_pem)
    sb.set_status(order["order_id"], "cancelled")
    first, second = workdir.plan(), workdir.plan()
    assert first.rc == second.rc == 2
    assert f"Order {order['order_id']} was cancelled outside Terraform" in first.text
    assert "1 to add, 0 to change, 0 to destroy" in first.text and "1 to add" in second.text
    workdir.apply()
    assert workdir.resource("gogetssl_ssl_order.site")["order_id"] != order["order_id"]
    assert workdir.plan().rc == 0


def test_csr_change_on_an_active_order_reissues_in_place(workdir: TerraformWorkdir, sb: Sandbox):
    first = make_csr()
    order = start(workdir, first.csr_pem)
    sb.set_status(order["order_id"], "active")
    assert workdir.plan().rc == 0
    second = make_csr(first.common_name)
    workdir.write("site.csr", second.csr_pem)
    assert actions(workdir) == ["update"]
    adds = sb.count("add_ssl_order")
    workdir.apply()
    after = workdir.resource("gogetssl_ssl_order.site")
    assert after["order_id"] == order["order_id"] and after["order_status"] == "reissue"
    assert sb.count("add_ssl_order") == adds and sb.count(f"/orders/ssl/reissue/{order['order_id']}") == 1
    sb.set_status(order["order_id"], "active")  # the CA issues the reissued certificate
    cert = x509.load_pem_x509_certificate(refresh(workdir)["certificate_pem"].encode())
    key = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert key == second.public_key_der
    assert workdir.plan().rc == 0


def test_csr_change_on_an_order_not_yet_issued_forces_a_new_order(workdir: TerraformWorkdir, sb: Sandbox):
    first = make_csr()
    start(workdir, first.csr_pem)
    workdir.write("site.csr", make_csr(first.common_name).csr_pem)
    (change,) = workdir.plan_json()["resource_changes"]
    assert change["change"]["actions"] == ["delete", "create"] and change["change"]["replace_paths"] == [["csr"]]


def test_dcv_method_change_while_pending_is_in_place(workdir: TerraformWorkdir, sb: Sandbox):
    order = start(workdir, make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="dns"))
    assert actions(workdir) == ["update"]
    workdir.apply()
    after = workdir.resource("gogetssl_ssl_order.site")
    assert after["order_id"] == order["order_id"]
    assert sb.order(order["order_id"])["dcv_method"] == "dns"
    assert after["validation_records"][0]["record_type"] == "CNAME"
    assert workdir.plan().rc == 0


def test_renewal_is_planned_inside_the_window_and_places_a_new_order(workdir: TerraformWorkdir, sb: Sandbox):
    sb.clock(-340)  # issued 340 days ago: 25 days left of a 12-month certificate
    order = start(workdir, make_csr().csr_pem)
    sb.set_status(order["order_id"], "active")
    sb.clock(340)
    plan = workdir.plan()
    assert plan.rc == 2 and f"Order {order['order_id']} is due for renewal" in plan.text
    assert actions(workdir) == ["update"]
    workdir.apply()
    renewed = workdir.resource("gogetssl_ssl_order.site")
    assert renewed["order_id"] != order["order_id"] and renewed["order_status"] == "processing"
    assert sb.count("add_ssl_renew_order") == 1
    assert sb.order(order["order_id"])["status"] == "active", "the old order is not cancelled"
    assert workdir.plan().rc == 0


def test_renewal_can_be_disabled_and_expiry_is_not_an_error(workdir: TerraformWorkdir, sb: Sandbox):
    sb.clock(-400)
    order = start(workdir, make_csr().csr_pem, renew_before_days=0)
    sb.set_status(order["order_id"], "active")
    sb.clock(400)
    assert workdir.plan().rc == 0
    assert refresh(workdir)["order_status"] == "expired"


def test_destroy_inside_the_refund_window_cancels(workdir: TerraformWorkdir, sb: Sandbox):
    order = start(workdir, make_csr().csr_pem)
    sb.set_status(order["order_id"], "active")
    workdir.destroy()
    assert sb.wait_status(order["order_id"], "cancelled")["status"] == "cancelled"  # after the vendor's review


def test_destroy_outside_the_refund_window_forgets_with_a_warning(workdir: TerraformWorkdir, sb: Sandbox):
    sb.clock(-40)
    order = start(workdir, make_csr().csr_pem)
    sb.set_status(order["order_id"], "active")
    sb.clock(40)
    result = workdir.destroy()
    assert "its refund window is closed" in result.text
    assert sb.order(order["order_id"])["status"] == "active"
    assert workdir.state().get("values") is None


def test_on_destroy_cancel_and_forget(workdir: TerraformWorkdir, sb: Sandbox, tmp_path: Path):
    sb.clock(-40)
    order = start(workdir, make_csr().csr_pem, on_destroy="cancel")
    sb.set_status(order["order_id"], "active")
    sb.clock(40)
    workdir.destroy()
    # After the vendor's review; past the refund window a cancellation ends the certificate as expired, unrefunded.
    assert sb.wait_status(order["order_id"], "expired")["status"] == "expired"

    other = TerraformWorkdir(tmp_path / "forget")
    kept = start(other, make_csr().csr_pem, on_destroy="forget")
    result = other.destroy()
    assert "forgotten, not cancelled" in result.text
    assert sb.order(kept["order_id"])["status"] == "processing"


def test_destroy_of_an_order_already_cancelled_succeeds(workdir: TerraformWorkdir, sb: Sandbox):
    order = start(workdir, make_csr().csr_pem)
    sb.set_status(order["order_id"], "cancelled")
    workdir.destroy()
    assert workdir.state().get("values") is None


@pytest.mark.parametrize("product_id, extra, wildcard", [
    (65, {}, False),
    (66, {"dcv_method": "dns"}, True),
    (67, {"dcv_method": "dns", "dns_names": ["a.{cn}", "b.{cn}"], "approver_emails": ["dns", "http"]}, False),
    (68, ORGANIZATION, False),
    (69, ORGANIZATION, False),
    (71, {"dcv_method": "email", "approver_email": "admin@{cn}"}, False),
], ids=["dv", "wildcard", "multi-domain", "ov", "ev", "rapidssl-email"])
def test_import_of_each_product_type_plans_clean(workdir: TerraformWorkdir, sb: Sandbox, product_id, extra,
                                                 wildcard):
    base = make_csr().common_name
    kc = make_csr(("*." if wildcard else "") + base)
    args = json.loads(json.dumps({**{"dcv_method": "http"}, **extra}).replace("{cn}", base))
    client = GoGetSSLClient(ClientSettings(sb.url, sb.user, sb.password))
    order_id = client.orders.add_ssl_order(AddSSLOrderRequest(
        **minimal_order(product_id=product_id, csr=kc.csr_pem, **args))).order_id
    workdir.write("site.csr", kc.csr_pem)
    # every import starts with renewal and reissue off (adopting buys nothing): the configuration says so too
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", product_id=product_id, renew_before_days=0,
                                                        reissue_before_days=0, **args)
                  + f'import {{\n  to = gogetssl_ssl_order.site\n  id = "{order_id}"\n}}\n')
    workdir.init()
    assert "1 to import, 0 to add, 0 to change, 0 to destroy" in workdir.plan().text
    workdir.apply()
    assert workdir.plan().rc == 0


def test_data_sources(workdir: TerraformWorkdir, sb: Sandbox):
    kc = make_csr()
    client = GoGetSSLClient(ClientSettings(sb.url, sb.user, sb.password))
    order_id = client.orders.add_ssl_order(AddSSLOrderRequest(
        **minimal_order(csr=kc.csr_pem, dcv_method="dns"))).order_id
    workdir.write("main.tf", PROVIDER_BLOCK + f"""
data "gogetssl_products" "ev" {{
  validation = "EV"
}}
data "gogetssl_products" "wildcard_sectigo" {{
  brand    = "sectigo"
  wildcard = true
}}
data "gogetssl_product" "multi" {{
  id = 67
}}
data "gogetssl_webservers" "rapidssl" {{
  brand = "rapidssl"
}}
data "gogetssl_domain_emails" "site" {{
  domain = "{kc.common_name}"
}}
data "gogetssl_ssl_order" "existing" {{
  order_id = {order_id}
}}
data "gogetssl_account_balance" "this" {{}}

output "ev" {{ value = [for p in data.gogetssl_products.ev.products : p.id] }}
output "wildcard_sectigo" {{ value = [for p in data.gogetssl_products.wildcard_sectigo.products : p.name] }}
output "multi" {{ value = data.gogetssl_product.multi }}
output "webservers" {{ value = data.gogetssl_webservers.rapidssl.webservers }}
output "emails" {{ value = data.gogetssl_domain_emails.site.emails }}
output "order" {{ value = data.gogetssl_ssl_order.existing }}
output "balance" {{ value = data.gogetssl_account_balance.this }}
""")
    workdir.init()
    workdir.apply()
    out = {k: v["value"] for k, v in json.loads(workdir.run("output", "-json").out).items()}
    assert out["ev"] == [69]
    assert out["wildcard_sectigo"] == ["Sectigo PositiveSSL Wildcard", "Sectigo PositiveSSL Multi-Domain Wildcard"]
    assert out["multi"]["multi_domain"] is True and out["multi"]["periods"] == [12, 24]
    assert out["multi"]["san_max"] == 250 and out["multi"]["refund_days"] == 30 and out["multi"]["prices"]["12"]
    assert {"id": 18, "software": "Apache 2"} in out["webservers"]
    assert f"admin@{kc.common_name}" in out["emails"]
    order = out["order"]
    assert order["order_id"] == order_id and order["product_id"] == 65 and order["dcv_method"] == "dns"
    assert order["admin_email"] == CONTACTS["admin_email"] and order["order_status"] == "processing"
    assert order["validation_records"][0]["record_type"] == "CNAME"
    assert out["balance"]["currency"] == "EUR" and out["balance"]["balance"] > 0
    assert workdir.plan().rc == 0
