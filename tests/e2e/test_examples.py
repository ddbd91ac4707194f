"""The examples, applied as a user would against a sandbox that checks DCV for real: from CSR to an issued
certificate in one `terraform apply`, with the validation data published by Terraform itself."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, make_csr, order_hcl, unique_domain

pytestmark = pytest.mark.e2e
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def dcv_sandbox(tmp_path: Path, own_sandbox: Callable[..., Sandbox]) -> tuple[Sandbox, Path, Path]:
    """A sandbox that issues only when the published validation data is right; the provider points at it."""
    www, zone = tmp_path / "www", tmp_path / "zone.json"
    sb = own_sandbox("--dcv-http-root", str(www), "--dcv-dns-zone", str(zone), timeout=None, retries=None)
    return sb, www, zone


def _copy_example(name: str, dest: Path) -> TerraformWorkdir:
    wd = TerraformWorkdir(dest)
    for f in (EXAMPLES / name).glob("*.tf"):
        shutil.copy(f, dest / f.name)
    return wd


def _names(pem: str) -> tuple[list[str], bytes]:
    cert = x509.load_pem_x509_certificate(pem.encode())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName)
    key = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return names, key


def _apply_and_check(wd: TerraformWorkdir, expected_names: list[str], public_key: bytes) -> None:
    wd.init()
    wd.apply()
    validation = wd.resource("gogetssl_ssl_order_validation.site")
    names, key = _names(validation["certificate_pem"])
    assert key == public_key, "the certificate must carry exactly the CSR's key"
    assert names == expected_names
    assert "BEGIN CERTIFICATE" in validation["ca_bundle_pem"] and validation["valid_till"]
    assert wd.plan().rc == 0, "a second plan must be empty"
    wd.run("apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
    order = wd.resource("gogetssl_ssl_order.site")
    assert order["order_status"] == "active" and order["certificate_pem"] == validation["certificate_pem"]


def _reissue_and_check(wd: TerraformWorkdir, sb: Sandbox, common_name: str) -> None:
    """A new key for the same name: one apply reissues the order, publishes the new validation data, waits for
    the new certificate, and leaves a plan that is empty."""
    order_id = wd.resource("gogetssl_ssl_order.site")["order_id"]
    kc = make_csr(common_name, key="ec256")
    wd.write("site.csr", kc.csr_pem)
    wd.apply()
    validation = wd.resource("gogetssl_ssl_order_validation.site")
    assert wd.resource("gogetssl_ssl_order.site")["order_id"] == order_id, "reissued in place"
    assert _names(validation["certificate_pem"])[1] == kc.public_key_der, "the waiter waited for the new certificate"
    assert sb.order(order_id)["status"] == "active"
    assert wd.plan().rc == 0, "the plan after the reissue is empty"


def test_single_domain_http_example(dcv_sandbox, tmp_path: Path):
    sb, www, _zone = dcv_sandbox
    kc = make_csr()
    wd = _copy_example("single-domain-http", tmp_path / "tf")
    wd.write("site.csr", kc.csr_pem)
    wd.write("terraform.tfvars", f'dcv_http_root = "{www}"\n')
    _apply_and_check(wd, [kc.common_name], kc.public_key_der)
    record = wd.resource("gogetssl_ssl_order.site")["validation_records"][0]
    assert record["domain"] == kc.common_name and record["method"] == "http"
    assert (www / kc.common_name / record["file_path"].lstrip("/")).read_text().split() == \
        record["file_content"].split()
    assert record["record_name"] is None and record["email"] is None
    _reissue_and_check(wd, sb, kc.common_name)


def test_multi_domain_dns_example(dcv_sandbox, tmp_path: Path):
    sb, _www, zone = dcv_sandbox
    kc = make_csr()
    sans = ["www." + kc.common_name, "api." + kc.common_name]
    wd = _copy_example("multi-domain-dns", tmp_path / "tf")
    wd.write("site.csr", kc.csr_pem)
    wd.write("terraform.tfvars", f'dcv_dns_zone = "{zone}"\ndns_names = {json.dumps(sans)}\n')
    _apply_and_check(wd, [kc.common_name, *sans], kc.public_key_der)
    records = wd.resource("gogetssl_ssl_order.site")["validation_records"]
    assert [r["domain"] for r in records] == [kc.common_name, *sans]
    assert {r["record_type"] for r in records} == {"CNAME"}
    assert json.loads(zone.read_text()) == {r["record_name"]: r["record_value"] for r in records}
    san = wd.resource("gogetssl_ssl_order.site")["san"]
    assert [(s["san_name"], s["status"]) for s in san] == [(n, "2") for n in sans]
    _reissue_and_check(wd, sb, kc.common_name)


def test_wildcard_dns_example(dcv_sandbox, tmp_path: Path):
    sb, _www, zone = dcv_sandbox
    base = unique_domain("wild")
    kc = make_csr("*." + base)
    wd = _copy_example("wildcard-dns", tmp_path / "tf")
    wd.write("site.csr", kc.csr_pem)
    wd.write("terraform.tfvars", f'dcv_dns_zone = "{zone}"\n')
    _apply_and_check(wd, ["*." + base], kc.public_key_der)
    (record,) = wd.resource("gogetssl_ssl_order.site")["validation_records"]
    assert record["domain"] == "*." + base and record["record_name"].endswith("." + base)


def test_the_dns_examples_publish_a_wildcard_and_its_apex_that_share_one_record(dcv_sandbox, tmp_path: Path):
    """`*.example.com` with `example.com` beside it (a multi-domain wildcard product) validate by one DNS record:
    two validation_records with one record_name. The examples' zone map, keyed by record_name, failed on the
    duplicate key (issue 20). The example's HCL runs as shipped; only the product changes."""
    sb, _www, zone = dcv_sandbox
    base = unique_domain("apex")
    kc = make_csr("*." + base)
    wd = _copy_example("multi-domain-dns", tmp_path / "tf")
    main = (tmp_path / "tf" / "main.tf").read_text()
    assert main.count("product_id      = 67 ") == 1
    wd.write("main.tf", main.replace("product_id      = 67 ", "product_id      = 70 "))  # multi-domain wildcard
    wd.write("site.csr", kc.csr_pem)
    wd.write("terraform.tfvars", f'dcv_dns_zone = "{zone}"\ndns_names = {json.dumps([base])}\n')
    _apply_and_check(wd, ["*." + base, base], kc.public_key_der)
    records = wd.resource("gogetssl_ssl_order.site")["validation_records"]
    assert [r["domain"] for r in records] == ["*." + base, base]
    assert len({(r["record_name"], r["record_value"]) for r in records}) == 1, "one record validates both"
    assert json.loads(zone.read_text()) == {r["record_name"]: r["record_value"] for r in records}
    _reissue_and_check(wd, sb, "*." + base)


def _order_and_wait(extra: str) -> str:
    """A dns-validated order "site" and a waiter for it, with `extra` lines in the waiter's block."""
    return (PROVIDER_BLOCK + order_hcl("site", dcv_method="dns") + 'resource "gogetssl_ssl_order_validation" "site" {\n'
            "  order_id = gogetssl_ssl_order.site.order_id\n" + extra + "}\n")


def test_waiter_times_out_cleanly_listing_pending_domains(workdir: TerraformWorkdir, sandbox: Sandbox):
    kc = make_csr()
    workdir.write("site.csr", kc.csr_pem)
    workdir.write("main.tf", _order_and_wait('  timeouts {\n    create = "3s"\n  }\n'))
    workdir.init()
    result = workdir.apply(ok=(1,))
    assert "Timed out waiting for order" in result.text
    assert f"{kc.common_name} (dns): waiting for the CNAME record _" in result.text
    assert "Traceback" not in result.text
    addresses = [r["address"] for r in workdir.state()["values"]["root_module"]["resources"]]
    assert addresses == ["gogetssl_ssl_order.site"], "the paid order stays in state; the waiter does not"
    order_id = workdir.resource("gogetssl_ssl_order.site")["order_id"]
    assert sandbox.order(order_id)["status"] == "processing"
    assert sandbox.count(f"/orders/ssl/revalidate/{order_id}") >= 1


def test_waiter_fails_fast_on_missing_dns_records(workdir: TerraformWorkdir):
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", _order_and_wait('  validation_record_fqdns = ["wrong.example.com"]\n'))
    workdir.init()
    result = workdir.apply(ok=(1,))
    assert "Missing DNS validation records" in result.text
    record = workdir.resource("gogetssl_ssl_order.site")["validation_records"][0]["record_name"]
    assert record in result.text


def test_validation_records_plan_at_first_apply_with_for_each(workdir: TerraformWorkdir, sandbox: Sandbox):
    kc = make_csr()
    workdir.write("site.csr", kc.csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", product_id=67, dcv_method="dns",
                                                        dns_names=["a." + kc.common_name], approver_emails=["http"])
                  + """
resource "terraform_data" "per_domain" {
  for_each = { for r in gogetssl_ssl_order.site.validation_records : r.domain => r.method }
  input    = each.value
}
""")
    workdir.init()
    plan = workdir.plan_json()
    planned = sorted(c["address"] for c in plan["resource_changes"] if c["type"] == "terraform_data")
    assert planned == sorted([f'terraform_data.per_domain["{kc.common_name}"]',
                              f'terraform_data.per_domain["a.{kc.common_name}"]'])
    workdir.apply()
    methods = {k: v["input"] for k, v in
               {r["index"]: r["values"] for r in workdir.state()["values"]["root_module"]["resources"]
                if r["type"] == "terraform_data"}.items()}
    assert methods == {kc.common_name: "dns", "a." + kc.common_name: "http"}
    assert workdir.plan().rc == 0


# Folders whose configuration needs a provider a test machine cannot install (no network): named, with why.
NOT_OFFLINE = {"resources/gogetssl_ssl_order_validation": "publishes records with hashicorp/aws (Route 53)"}
EXAMPLE_DIRS = sorted({p.parent.relative_to(EXAMPLES).as_posix() for pattern in ("*.tf", "*.tfquery.hcl")
                       for p in EXAMPLES.rglob(pattern)})


@pytest.mark.parametrize("folder", [d for d in EXAMPLE_DIRS if d not in NOT_OFFLINE])
def test_every_example_validates_as_shipped(terraform_env: None, tmp_path: Path, folder: str):
    wd = TerraformWorkdir(tmp_path / "tf")
    shutil.copytree(EXAMPLES / folder, wd.path, dirs_exist_ok=True)
    if "required_providers" not in "".join(p.read_text() for p in wd.path.glob("*.tf")):
        wd.write("versions.tf", 'terraform {\n  required_providers {\n    gogetssl = { source = "gogetssl/gogetssl" }\n'
                 "  }\n}\n")  # a snippet of a page whose provider block is on the provider's page
    wd.init()
    query = ("-query",) if any(wd.path.glob("*.tfquery.hcl")) else ()  # list blocks are validated with -query
    assert "Success! The configuration is valid." in wd.run("validate", "-no-color", *query).text


def test_dns_planned_example_plans_its_records_and_issues_with_the_triggered_recheck(dcv_sandbox, tmp_path: Path):
    """Issue 23: examples/dns-planned, as shipped: the first plan holds every DNS record's value (from
    dcv_records), one apply issues the certificate (the action_trigger's recheck), and a reissue with a new key
    publishes the new records and is issued in the same way."""
    sb, _www, zone = dcv_sandbox
    base = unique_domain("dnsplan")
    kc = make_csr(base, key="ec256", sans=[base, f"www.{base}"])
    wd = _copy_example("dns-planned", tmp_path / "tf")
    wd.write("site.csr", kc.csr_pem)
    wd.write("terraform.tfvars", f'dcv_dns_zone = "{zone}"\n')
    wd.init()
    first, plan = wd.saved_plan()
    (zone_change,) = [c for c in plan["resource_changes"] if c["address"] == "terraform_data.dns_zone"]
    planned = zone_change["change"]["after"]["input"]
    assert len(planned) == 2 and all(".PlannedDcv000001.sectigo.com" in v for v in planned.values()), planned
    assert "Actions: 1 to invoke" in first.text, first.text

    applied = wd.run("apply", "-input=false", "-no-color", "tfplan").text

    order_id = wd.resource("gogetssl_ssl_order.site")["order_id"]
    assert f"order {order_id} is issued (active)" in applied, applied
    assert json.loads(zone.read_text()) == planned
    names, key = _names(wd.resource("gogetssl_ssl_order_validation.site")["certificate_pem"])
    assert names == [base, f"www.{base}"] and key == kc.public_key_der
    assert wd.plan().rc == 0, "a second plan must be empty"

    new = make_csr(base, key="ec256", sans=[base, f"www.{base}"])
    wd.write("site.csr", new.csr_pem)
    reissued = wd.apply().text
    assert wd.resource("gogetssl_ssl_order.site")["order_id"] == order_id, "reissued in place"
    assert f"order {order_id} is issued (active)" in reissued, reissued
    assert _names(wd.resource("gogetssl_ssl_order_validation.site")["certificate_pem"])[1] == new.public_key_der
    assert wd.plan().rc == 0, "the plan after the reissue is empty"
