"""The sandbox speaks the vendor's protocol: paths, encodings, error shapes, lifecycle, persistence."""

from __future__ import annotations

import time
from collections.abc import Callable

import requests
from cryptography import x509

from tests.support import Sandbox, make_csr, order_form


def test_auth_without_credentials_matches_the_vendor_answer(sandbox: Sandbox):
    r = requests.post(f"{sandbox.url}/auth/", data={}, timeout=10)
    assert r.status_code == 200
    assert r.json() == {"error": True, "message": "Username and/or password not supplied",
                        "description": "This request requires username and password"}


def test_bad_auth_key_is_http_403_in_error_shape(sandbox: Sandbox):
    r = requests.get(f"{sandbox.url}/products/ssl/", params={"auth_key": "nope"}, timeout=10)
    assert r.status_code == 403
    assert r.json()["error"] is True and r.json()["message"]


def test_trailing_slash_is_optional_and_json_content_type(sandbox: Sandbox):
    key = sandbox.auth_key()
    a = requests.get(f"{sandbox.url}/products/ssl/", params={"auth_key": key}, timeout=10)
    b = requests.get(f"{sandbox.url}/products/ssl", params={"auth_key": key}, timeout=10)
    assert a.json() == b.json()
    assert a.headers["Content-Type"].startswith("application/json")
    brands = {p["brand"] for p in a.json()["products"]}
    types = {p["product_type"] for p in a.json()["products"]}
    assert len(brands) >= 2 and {"domain", "business", "extended"} <= types


def test_business_errors_come_with_http_200(sandbox: Sandbox):
    key = sandbox.auth_key()
    r = requests.post(f"{sandbox.url}/orders/add_ssl_order/", params={"auth_key": key},
                      data=order_form(make_csr().csr_pem, dcv_method="http", period=7), timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["error"] is True and body["message"] == "Invalid period" and "12" in body["description"]


def test_order_lifecycle_and_certificate_for_the_csr_key(sandbox: Sandbox):
    key = sandbox.auth_key()
    kc = make_csr()
    r = requests.post(f"{sandbox.url}/orders/add_ssl_order/", params={"auth_key": key},
                      data=order_form(kc.csr_pem, dcv_method="http"), timeout=10).json()
    assert r["success"] is True and r["order_status"] == "processing"
    http = r["approver_method"]["http"]
    assert http["link"] == f"http://{kc.common_name}/.well-known/pki-validation/{http['filename']}"
    order_id = r["order_id"]

    status = requests.get(f"{sandbox.url}/orders/status/{order_id}", params={"auth_key": key}, timeout=10).json()
    assert status["status"] == "processing" and status["crt_code"] == "" and status["valid_till"] == "0000-00-00"
    assert status["order_id"] == str(order_id)  # numbers as strings, as the vendor sends them

    sandbox.set_status(order_id, "active")
    status = requests.get(f"{sandbox.url}/orders/status/{order_id}", params={"auth_key": key}, timeout=10).json()
    cert = x509.load_pem_x509_certificate(status["crt_code"].encode())
    from cryptography.hazmat.primitives import serialization
    assert cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo) == kc.public_key_der
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName) == [kc.common_name]
    bulk = requests.post(f"{sandbox.url}/orders/statuses/", params={"auth_key": key},
                         data={"cids": f"{order_id},999"}, timeout=10).json()
    assert bulk["certificates"] == [{"order_id": str(order_id), "status": "active", "expires": status["valid_till"]}]

    cancel = requests.post(f"{sandbox.url}/orders/cancel_ssl_order/", params={"auth_key": key},
                           data={"order_id": order_id, "reason": "test"}, timeout=10).json()
    assert cancel == {"order_id": str(order_id), "success": True}
    # A request under review (--cancel-review-seconds; tests/support.py shortens it): the order keeps its
    # status meanwhile, then is cancelled. Waiting here keeps the refund out of later tests' balances.
    record = sandbox.order(order_id)
    assert record["status"] == "active" and record["cancel_requested"] and record["cancel_reason"] == "test"
    deadline = time.monotonic() + 10
    while sandbox.order(order_id)["status"] != "cancelled" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sandbox.order(order_id)["status"] == "cancelled"


def test_orders_draw_on_the_balance(sandbox: Sandbox):
    key = sandbox.auth_key()
    before = float(requests.get(f"{sandbox.url}/account/balance/", params={"auth_key": key}, timeout=10)
                   .json()["balance"])
    r = requests.post(f"{sandbox.url}/orders/add_ssl_order/", params={"auth_key": key},
                      data=order_form(make_csr().csr_pem, dcv_method="http"), timeout=10).json()
    after = float(requests.get(f"{sandbox.url}/account/balance/", params={"auth_key": key}, timeout=10)
                  .json()["balance"])
    assert round(before - after, 2) == r["order_amount"] > 0


def test_orders_survive_a_restart(tmp_path):
    db = tmp_path / "s.db"
    first = Sandbox(db)
    try:
        r = requests.post(f"{first.url}/orders/add_ssl_order/", params={"auth_key": first.auth_key()},
                          data=order_form(make_csr().csr_pem, dcv_method="http"), timeout=10).json()
        key = first.auth_key()
    finally:
        first.stop()
    second = Sandbox(db)
    try:
        status = requests.get(f"{second.url}/orders/status/{r['order_id']}", params={"auth_key": key},
                              timeout=10).json()
        assert status["status"] == "processing"
    finally:
        second.stop()


def test_issue_after_makes_orders_active(new_sandbox: Callable[..., Sandbox]):
    sb = new_sandbox("--issue-after", "0")
    key = sb.auth_key()
    r = requests.post(f"{sb.url}/orders/add_ssl_order/", params={"auth_key": key},
                      data=order_form(make_csr().csr_pem, dcv_method="http"), timeout=10).json()
    status = requests.get(f"{sb.url}/orders/status/{r['order_id']}", params={"auth_key": key}, timeout=10)
    assert status.json()["status"] == "active" and "BEGIN CERTIFICATE" in status.json()["crt_code"]


def test_request_counts_are_keyed_by_method_and_path(sandbox: Sandbox):
    before = sandbox.count("/orders/status/12345", "GET")
    requests.get(f"{sandbox.url}/orders/status/12345", params={"auth_key": sandbox.auth_key()}, timeout=10)
    assert sandbox.count("/orders/status/12345", "GET") == before + 1
