"""The sandbox, standing for the vendor, refuses bad orders itself: the provider's checks are not the only line
of defence. Each case goes straight to the API (bypassing the provider) and must be refused, in the vendor's
error shape, with no order created and nothing charged."""

from __future__ import annotations

import pytest
import requests

from tests.support import ORGANIZATION, Sandbox, make_csr, order_form, tampered_csr

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
