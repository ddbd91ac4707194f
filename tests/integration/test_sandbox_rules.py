"""The sandbox, standing for the vendor, refuses bad orders itself: the provider's checks are not the only line
of defence. Each case goes straight to the API (bypassing the provider) and must be refused, in the vendor's
error shape, with no order created and nothing charged. Rules on catalogue flags no sandbox product has are
checked on the sandbox's rules directly, with such a product added; and the provider's plan must refuse what
the sandbox refuses before anything is ordered."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from tf.iface import CreateContext
from tf.utils import Diagnostics

from provider.client import ClientSettings, GoGetSSLClient
from provider.provider import GoGetSSLProvider
from provider.resources.ssl_order import SslOrderResource
from provider.sandbox import catalogue
from provider.sandbox.rules import RuleError, check_add_order
from provider.tfext.context import ResourcePlanContext
from tests.support import ORGANIZATION, Sandbox, make_csr, order_form, planned_order, tampered_csr

# (case id, overrides of an http-validated minimal order's form, the vendor's error message)
CASES = [
    ("missing-admin-email", {"admin_email": ""}, "Required parameters missing"),
    ("unknown-product", {"product_id": "999"}, "Invalid product_id"),
    ("bad-period", {"period": "7"}, "Invalid period"),
    ("server-count-zero", {"server_count": "0"}, "Invalid server_count"),
    ("csr-not-pem", {"csr": "hello"}, "Invalid CSR"),
    ("csr-tampered", {"csr": "TAMPERED"}, "Invalid CSR"),
    ("csr-no-cn", {"csr": "NOCN"}, "Invalid CSR"),
    ("csr-rsa-1024", {"csr": "RSA1024"}, "Invalid CSR"),
    ("dcv-unknown", {"dcv_method": "ftp"}, "Invalid dcv_method"),
    ("email-without-approver", {"dcv_method": "email"}, "Invalid approver_email"),
    ("approver-with-http", {"approver_email": "admin@example.com"}, "Invalid approver_email"),
    ("wildcard-on-single", {"csr": "WILDCARD", "dcv_method": "dns"}, "Invalid CSR"),
    ("wildcard-http", {"csr": "WILDCARD", "product_id": "66"}, "Invalid dcv_method"),
    ("wildcard-product-plain-cn", {"product_id": "66", "dcv_method": "dns"}, "Invalid CSR"),
    ("wildcard-san-not-offered", {"product_id": "67", "dcv_method": "dns", "dns_names": "*.example.com",
                                  "approver_emails": "dns"}, "Invalid dns_names"),
    ("san-on-single", {"dns_names": "a.example.com"}, "Invalid dns_names"),
    ("san-duplicates", {"product_id": "67", "dns_names": "a.example.com,a.example.com"}, "Invalid dns_names"),
    ("approvers-count", {"product_id": "67", "dns_names": "a.example.com,b.example.com", "approver_emails": "dns"},
     "Invalid approver_emails"),
    ("approvers-primary", {"product_id": "67", "dcv_method": "email", "approver_email": "admin@example.com",
                           "dns_names": "a.example.com", "approver_emails": "admin@example.com"},
     "Invalid approver_emails"),
    ("ov-missing-org", {"product_id": "68"}, "Required parameters missing"),
    ("ev-missing-division", {"product_id": "69", **{k: v for k, v in ORGANIZATION.items() if k != "org_division"}},
     "Required parameters missing"),
    ("bad-phone", {"tech_phone": "call me"}, "Invalid tech_phone"),
    ("bad-country", {**ORGANIZATION, "product_id": "68", "org_country": "UK"}, "Invalid org_country"),
    ("bad-signature-hash", {"signature_hash": "SHA1"}, "Invalid signature_hash"),
    ("bad-email", {"tech_email": "ops@"}, "Invalid tech_email"),
]


def _csr(marker: str) -> str:
    return {
        "TAMPERED": tampered_csr,
        "NOCN": lambda: make_csr(with_cn=False).csr_pem,
        "RSA1024": lambda: make_csr(key="rsa1024").csr_pem,
        "WILDCARD": lambda: make_csr("*." + make_csr().common_name).csr_pem,
    }[marker]()


@pytest.mark.parametrize("case_id, over, message", CASES, ids=[c[0] for c in CASES])
def test_sandbox_refuses_bad_orders_in_the_vendor_error_shape(sandbox: Sandbox, case_id, over, message):
    over = dict(over)
    if over.get("csr") in ("TAMPERED", "NOCN", "RSA1024", "WILDCARD"):
        over["csr"] = _csr(over["csr"])
    key = sandbox.auth_key()
    orders = len(sandbox.orders())
    balance = requests.get(f"{sandbox.url}/account/balance/", params={"auth_key": key}, timeout=10).json()
    r = requests.post(f"{sandbox.url}/orders/add_ssl_order/", params={"auth_key": key},
                      data=order_form(**{"csr": make_csr().csr_pem, "dcv_method": "http", **over}), timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"error", "message", "description"} and body["error"] is True
    assert body["message"] == message and body["description"]
    assert len(sandbox.orders()) == orders
    assert requests.get(f"{sandbox.url}/account/balance/", params={"auth_key": key}, timeout=10).json() == balance


def test_a_wildcard_product_is_not_reissued_for_a_plain_common_name(sandbox: Sandbox):
    key = sandbox.auth_key()
    wild = make_csr("*." + make_csr().common_name)
    order_id = sandbox.place(wild.csr_pem, product_id=66)
    sandbox.set_status(order_id, "active")
    r = requests.post(f"{sandbox.url}/orders/ssl/reissue/{order_id}", params={"auth_key": key}, timeout=10,
                      data={"csr": make_csr().csr_pem, "webserver_type": "1", "dcv_method": "dns"})
    assert r.json()["error"] is True and r.json()["message"] == "Invalid CSR"
    assert sandbox.order(order_id)["status"] == "active"


# -- catalogue flags no sandbox product has: a product made for the test, in the sandbox's own catalogue --
def _form(product: dict[str, Any], csr: str | None = None, **over: Any) -> dict[str, str]:
    return order_form(csr or make_csr(key="ec256").csr_pem, product_id=product["id"], **over)


@pytest.fixture
def product(monkeypatch: pytest.MonkeyPatch):
    """make(**flags): product 67 (multi-domain) with other flags, as product 900 of the sandbox's catalogue."""
    def make(**flags: Any) -> dict[str, Any]:
        made = {**catalogue.BY_ID[67], "id": 900, **flags}
        monkeypatch.setitem(catalogue.BY_ID, 900, made)
        return made
    return make


def _refused(form: dict[str, str]) -> str:
    with pytest.raises(RuleError) as info:
        check_add_order(form)
    return info.value.message


def test_wildcard_sans_only_where_offered_and_never_by_file(product):
    wild_sans = product(wildcard_san_enabled=1)
    cn = make_csr(key="ec256")
    names = f"a.{cn.common_name},*.{cn.common_name}"
    assert check_add_order(_form(wild_sans, cn.csr_pem, dcv_method="dns", dns_names=names,
                                 approver_emails="dns,dns"))[0]["id"] == 900
    for method in ("http", "https"):
        assert _refused(_form(wild_sans, cn.csr_pem, dcv_method="dns", dns_names=names,
                              approver_emails=f"dns,{method}")) == "Invalid approver_emails"
    assert _refused(_form(product(wildcard_san_enabled=0), cn.csr_pem, dcv_method="dns", dns_names=names,
                          approver_emails="dns,dns")) == "Invalid dns_names"


def test_a_wildcard_csr_needs_wildcard_enabled_even_where_wildcard_sans_are(product):
    wild = make_csr("*." + make_csr().common_name, key="ec256")
    assert _refused(_form(product(wildcard_san_enabled=1), wild.csr_pem, dcv_method="dns",
                          dns_names=f"a.{wild.common_name[2:]}", approver_emails="dns")) == "Invalid CSR"


def test_each_sans_method_must_be_offered_by_the_product(product):
    no_files = product(dcv_http=False, dcv_https=False)
    cn = make_csr(key="ec256")
    assert _refused(_form(no_files, cn.csr_pem, dcv_method="dns", dns_names=f"a.{cn.common_name}",
                          approver_emails="http")) == "Invalid approver_emails"
    assert check_add_order(_form(no_files, cn.csr_pem, dcv_method="dns", dns_names=f"a.{cn.common_name}",
                                 approver_emails=f"admin@a.{cn.common_name}"))


def test_unlimited_server_licences_only_where_the_product_has_them(product):
    counted = product(unlimited_licencing=0)
    assert _refused(_form(counted, dcv_method="dns", server_count=-1)) == "Invalid server_count"
    assert check_add_order(_form(counted, dcv_method="dns", server_count=1))


# -- the provider refuses the same at plan, before anything is ordered --
def test_a_wildcard_product_with_a_plain_csr_fails_at_plan_and_nothing_is_ordered(sandbox: Sandbox):
    """product_id 66 for 65 (a typo: a 59 EUR wildcard instead of a 6.90 EUR certificate) with a CSR for one name."""
    provider = GoGetSSLProvider(client=GoGetSSLClient(ClientSettings(sandbox.url, sandbox.user, sandbox.password)))
    resource = SslOrderResource(provider)
    planned = planned_order(SslOrderResource.get_schema(), csr=make_csr().csr_pem, product_id=66, dcv_method="dns")
    adds = sandbox.count("add_ssl_order")
    diags = Diagnostics()
    ctx = ResourcePlanContext(diags, "gogetssl_ssl_order", changed_fields=set(planned), config=dict(planned),
                              is_create=True)
    resource.plan(ctx, None, dict(planned))
    (error,) = [d for d in diags.diagnostics if d.severity == "error"]
    assert error.path == ["product_id"] and error.summary == "A wildcard product needs a wildcard CSR"
    assert "csr" in error.detail and "*." in error.detail
    diags = Diagnostics()  # and at apply, should a saved plan come from elsewhere
    assert resource.create(CreateContext(diags, "gogetssl_ssl_order"), dict(planned)) is None
    assert [d.path for d in diags.diagnostics if d.severity == "error"] == [["product_id"]]
    assert sandbox.count("add_ssl_order") == adds
