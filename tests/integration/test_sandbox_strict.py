"""The sandbox is never kinder than the vendor, and it has the fault modes client tests need.

Each test talks HTTP to its own sandbox process (the new_sandbox fixture, starting tests/support.py's Sandbox,
which shortens the cancellation review and the validation lock: a test that needs either passes its own flag,
which wins) and asserts on the vendor-shaped JSON and on the sandbox's records (GET /_sandbox/orders).
Docs: docs/sandbox.md.
"""

from __future__ import annotations

import json
import math
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from provider.sandbox.main import build_parser
from provider.sandbox.server import FAULT_MODES
from tests.support import Sandbox, issued_auth_keys, make_csr, order_form

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sandbox.md"
APPROVER_COUNT = "Quantity of items in approver_emails must be always equal to quantity of items in dns_names"

Start = Callable[..., Sandbox]


# -- helpers --
class Api:
    """The vendor API of one sandbox, with an auth key."""

    def __init__(self, box: Sandbox):
        self.box = box
        self.key = box.auth_key()

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(f"{self.box.url}{path}", params={"auth_key": self.key, **params}, timeout=10)

    def post(self, path: str, data: dict[str, Any], **kw: Any) -> requests.Response:
        return requests.post(f"{self.box.url}{path}", params={"auth_key": self.key}, data=data, timeout=10, **kw)

    def order(self, csr: str | None = None, **over: Any) -> dict[str, Any]:
        return self.post("/orders/add_ssl_order/", order_form(csr, **over)).json()

    def balance(self) -> float:
        return float(self.get("/account/balance/").json()["balance"])

    def status(self, order_id: int | str) -> dict[str, Any]:
        return self.get(f"/orders/status/{order_id}").json()

    def listing(self, **params: Any) -> dict[str, Any]:
        r = self.get("/orders/ssl/all", **params)
        assert r.status_code == 200
        return r.json()


def faults(box: Sandbox, body: Any) -> requests.Response:
    return requests.post(f"{box.root}/_sandbox/faults", json=body, timeout=10)


def vendor_error(message: str, description: str) -> dict[str, Any]:
    return {"error": True, "message": message, "description": description}


def wait_for(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# -- defaults follow the evidence (docs/vendor-api.md §8) --
def test_cli_defaults_match_the_evidence():
    args = build_parser().parse_args([])
    assert (args.list_order, args.list_page_cap, args.list_offset_cap) == ("oldest", 1000, 1000)
    assert args.cancel_review_seconds == 7200 and args.dcv_lock_seconds == 60
    assert args.host == "127.0.0.1"


def test_docs_describe_every_flag_and_fault_mode():
    text = DOCS.read_text()
    flags = [o for a in build_parser()._actions for o in a.option_strings if o.startswith("--") and o != "--help"]
    assert not [f for f in flags if f"`{f}" not in text]
    assert not [m for m in FAULT_MODES if f"`{m}`" not in text]
    for endpoint in ("/_sandbox/orders", "/_sandbox/faults", "/_sandbox/clock", "/_sandbox/requests", "/_sandbox/ca"):
        assert endpoint in text


# -- 1. order listing --
def test_listing_count_is_the_page_and_a_larger_limit_is_capped_silently(new_sandbox: Start):
    box = new_sandbox("--list-page-cap", "3")
    api = Api(box)
    ids = [api.order()["order_id"] for _ in range(5)]
    first = api.listing(limit=10, offset=0)
    assert first == {"orders": [{"order_id": str(i), "status": "processing"} for i in ids[:3]],
                     "limit": 10, "offset": 0, "count": 3, "success": True}
    second = api.listing(limit=10, offset=3)
    assert [o["order_id"] for o in second["orders"]] == [str(i) for i in ids[3:]] and second["count"] == 2
    assert api.listing(limit=2, offset=1)["count"] == 2  # a limit under the cap is honoured
    for offset in (5, 900):  # beyond the end: an empty page
        assert api.listing(limit=10, offset=offset) | {"offset": 0} == {
            "orders": [], "limit": 10, "offset": 0, "count": 0, "success": True}


def test_listing_offset_cap_answers_the_vendor_error(new_sandbox: Start):
    api = Api(new_sandbox())
    api.order()
    assert api.listing(offset=1000)["orders"] == []
    r = api.get("/orders/ssl/all", limit=10, offset=1001)
    assert r.status_code == 200
    assert r.json() == vendor_error("Invalid offset", "offset must not exceed 1000")


def test_listing_order_and_caps_from_the_cli(new_sandbox: Start):
    box = new_sandbox("--list-order", "newest", "--list-offset-cap", "2")
    api = Api(box)
    ids = [str(api.order()["order_id"]) for _ in range(3)]
    assert [o["order_id"] for o in api.listing()["orders"]] == ids[::-1]
    assert api.listing(offset=2)["orders"] == [{"order_id": ids[0], "status": "processing"}]
    assert api.get("/orders/ssl/all", offset=3).json() == vendor_error("Invalid offset", "offset must not exceed 2")


def test_listing_settings_change_at_run_time_and_delete_restores_the_cli(new_sandbox: Start):
    box = new_sandbox("--list-page-cap", "4", "--latency-ms", "1")
    api = Api(box)
    ids = [str(api.order()["order_id"]) for _ in range(3)]
    r = faults(box, {"list_order": "newest", "list_page_cap": 2, "list_offset_cap": 1})
    assert r.status_code == 200
    assert (r.json()["list_order"], r.json()["list_page_cap"], r.json()["list_offset_cap"]) == ("newest", 2, 1)
    assert [o["order_id"] for o in api.listing(limit=50)["orders"]] == ids[:0:-1]
    assert api.listing(limit=50)["limit"] == 50
    assert api.get("/orders/ssl/all", offset=2).json()["message"] == "Invalid offset"
    for bad in ({"list_order": "random"}, {"list_page_cap": 0}, {"list_page_cap": "5"}, {"list_offset_cap": -1},
                {"list_page_cap": True}):
        r = faults(box, bad)
        assert r.status_code == 400 and r.json()["error"] is True, bad
    assert api.listing()["count"] == 2, "a refused change leaves the settings as they were"
    # Each POST describes the whole set: a key left out takes the CLI's value.
    assert faults(box, {"rules": []}).json()["list_page_cap"] == 4
    faults(box, {"list_page_cap": 1, "latency_ms": 0})
    state = requests.delete(f"{box.root}/_sandbox/faults", timeout=10).json()
    assert (state["list_order"], state["list_page_cap"], state["list_offset_cap"], state["latency_ms"]) == (
        "oldest", 4, 1000, 1)
    assert [o["order_id"] for o in api.listing()["orders"]] == ids


# -- 2. one approver per SAN --
def _san_form(csr: str, cn: str, **over: Any) -> dict[str, str]:
    return order_form(csr, product_id=67, dns_names=f"a.{cn},b.{cn}", **over)


@pytest.mark.parametrize("over", [
    {},  # dns validation, no approver_emails at all
    {"dcv_method": "http", "approver_emails": "http"},
    {"approver_emails": "dns,dns,dns"},
    {"approver_emails": "dns,"},
], ids=["missing", "short", "long", "empty-entry"])
def test_a_san_order_needs_one_approver_per_name(new_sandbox: Start, over: dict[str, str]):
    box = new_sandbox()
    api = Api(box)
    kc = make_csr(key="ec256")
    before = api.balance()
    body = api.post("/orders/add_ssl_order/", _san_form(kc.csr_pem, kc.common_name, **over)).json()
    assert body == vendor_error("Invalid approver_emails", APPROVER_COUNT)
    assert box.orders() == [] and api.balance() == before
    renewal = api.post("/orders/add_ssl_renew_order/", _san_form(kc.csr_pem, kc.common_name, **over)).json()
    assert renewal == vendor_error("Invalid approver_emails", APPROVER_COUNT)
    ok = api.post("/orders/add_ssl_order/", _san_form(kc.csr_pem, kc.common_name, approver_emails="dns,http"))
    assert ok.json()["success"] is True
    assert [s["validation_method"] for s in ok.json()["san"]] == ["dns", "http"]


def test_a_reissue_needs_one_approver_per_name(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    kc = make_csr(key="ec256")
    order_id = api.post("/orders/add_ssl_order/",
                        _san_form(kc.csr_pem, kc.common_name, approver_emails="dns,dns")).json()["order_id"]
    box.set_status(order_id, "active")
    new = make_csr(kc.common_name, key="ec256")
    reissue = {"csr": new.csr_pem, "dns_names": f"a.{kc.common_name},b.{kc.common_name}", "approver_emails": ""}
    body = api.post(f"/orders/ssl/reissue/{order_id}", reissue).json()
    assert body == vendor_error("Invalid approver_emails", APPROVER_COUNT)
    assert box.order(order_id)["status"] == "active" and box.order(order_id)["csr"] == kc.csr_pem
    body = api.post(f"/orders/ssl/reissue/{order_id}", {**reissue, "approver_emails": "dns,dns"}).json()
    assert body["success"] is True and body["order_status"] == "reissue"


# -- 3. cancellation is a request under review --
def test_a_cancellation_waits_for_its_review_and_ends_with_the_clock(new_sandbox: Start):
    box = new_sandbox("--cancel-review-seconds", "7200")
    api = Api(box)
    before = api.balance()
    order_id = api.order()["order_id"]
    paid = api.balance()
    assert paid < before
    answer = api.post("/orders/cancel_ssl_order/", {"order_id": order_id, "reason": "not needed"})
    assert answer.json() == {"order_id": str(order_id), "success": True}
    record = box.order(order_id)
    assert record["status"] == "processing" and record["cancel_reason"] == "not needed"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", record["cancel_requested"])
    assert api.status(order_id)["status"] == "processing" and api.balance() == paid
    again = api.post("/orders/cancel_ssl_order/", {"order_id": order_id, "reason": "really"}).json()
    assert again == vendor_error("Cancellation already requested",
                                 f"A cancellation request for order {order_id} is under review")
    assert box.order(order_id)["cancel_reason"] == "not needed"

    box.clock(0.05)  # 1.2 h: still under review
    assert api.status(order_id)["status"] == "processing"
    box.clock(0.05)  # 2.4 h: the review is over
    assert api.balance() == before, "the refund shows before anyone loads the order"
    assert box.order(order_id)["status"] == "cancelled" and api.status(order_id)["status"] == "cancelled"
    assert api.get(f"/orders/invoice/{order_id}").json()["status"] == "refunded"
    third = api.post("/orders/cancel_ssl_order/", {"order_id": order_id, "reason": "x"}).json()
    assert third["error"] is True and third["message"] == "Order already cancelled"
    assert api.balance() == before, "refunded once"


def test_a_review_ends_by_itself_when_its_time_is_up(new_sandbox: Start):
    box = new_sandbox("--cancel-review-seconds", "1")
    api = Api(box)
    order_id = api.order()["order_id"]
    api.post("/orders/cancel_ssl_order/", {"order_id": order_id, "reason": "x"})
    assert api.status(order_id)["status"] == "processing"
    assert wait_for(lambda: api.status(order_id)["status"] == "cancelled", timeout=3)
    assert box.order(order_id)["cancel_requested"]


def test_a_zero_review_cancels_at_once(new_sandbox: Start):
    box = new_sandbox("--cancel-review-seconds", "0")
    api = Api(box)
    before = api.balance()
    order_id = api.order()["order_id"]
    assert api.post("/orders/cancel_ssl_order/", {"order_id": order_id, "reason": "x"}).json()["success"] is True
    assert box.order(order_id)["status"] == "cancelled" and api.balance() == before


def test_the_refund_is_decided_by_the_state_at_request_time(new_sandbox: Start):
    box = new_sandbox("--cancel-review-seconds", "172800")  # 48 h
    api = Api(box)
    order_id = api.order()["order_id"]
    box.set_status(order_id, "active")
    paid = api.balance()
    box.clock(29)  # requested 29 days after issue: within the 30-day refund window
    api.post("/orders/cancel_ssl_order/", {"order_id": order_id, "reason": "x"})
    box.clock(2)  # the review ends on day 31, outside the window
    record = box.order(order_id)
    assert record["status"] == "cancelled"
    assert api.balance() > paid, "refunded: the request came in time"


def test_concurrent_cancellations_record_one_request(new_sandbox: Start):
    box = new_sandbox("--cancel-review-seconds", "0")
    api = Api(box)
    order_id = api.order()["order_id"]
    paid = api.balance()
    answers = _together(8, lambda: api.post("/orders/cancel_ssl_order/", {"order_id": order_id, "reason": "x"}))
    assert sum(a.json().get("success") is True for a in answers) == 1
    assert box.order(order_id)["status"] == "cancelled"
    assert round(api.balance() - paid, 2) == 6.90, "refunded once"


# -- 4. "Function is locked" --
def test_validation_changes_are_locked_for_a_while_after_one(new_sandbox: Start):
    box = new_sandbox("--dcv-lock-seconds", "60")
    api = Api(box)
    kc = make_csr(key="ec256")
    order_id = api.post("/orders/add_ssl_order/",
                        _san_form(kc.csr_pem, kc.common_name, approver_emails="dns,dns")).json()["order_id"]
    other = api.order()["order_id"]
    first = api.post(f"/orders/ssl/change_validation_method/{order_id}", {"domain": kc.common_name,
                                                                         "new_method": "http"}).json()
    assert first["success"] is True
    locked = vendor_error("Function is locked for 60 seconds",
                          f"Validation changes of order {order_id} are locked; try again later")
    calls = [
        ("change_validation_method", {"domain": f"a.{kc.common_name}", "new_method": "http"}),
        ("change_validation_email", {"approver_email": "dns"}),
        ("change_domains_validation_method", {"domains": f"b.{kc.common_name}", "new_methods": "http"}),
    ]
    for name, form in calls:
        assert api.post(f"/orders/ssl/{name}/{order_id}", form).json() == locked, name
    record = box.order(order_id)
    assert record["dcv_method"] == "http" and record["approver_emails"] == "dns,dns"
    # The lock is per order, and a refused change does not start one.
    assert api.post(f"/orders/ssl/change_validation_email/{other}", {"approver_email": "nobody"}).json()["error"]
    assert api.post(f"/orders/ssl/change_validation_email/{other}", {"approver_email": "http"}).json()["success"]
    box.clock(61 / 86400)
    for name, form in calls:
        assert api.post(f"/orders/ssl/{name}/{order_id}", form).json()["success"] is True, name
        box.clock(61 / 86400)
    assert box.order(order_id)["approver_emails"] == "http,http"


def test_a_zero_lock_allows_changes_back_to_back(new_sandbox: Start):
    box = new_sandbox("--dcv-lock-seconds", "0")
    api = Api(box)
    order_id = api.order()["order_id"]
    for method in ("http", "dns", "https"):
        assert api.post(f"/orders/ssl/change_validation_email/{order_id}",
                        {"approver_email": method}).json()["success"] is True


# -- 5. each catalogue endpoint shows only what the vendor documents for it (docs/vendor-api.md §9.3) --
DETAILS_ONLY = {"refund_days", "multidomains_included", "single_san_included", "wildcard_san_included"}


def test_ssl_products_carry_the_accounts_and_the_cas_prices_and_no_included_sans(new_sandbox: Start):
    api = Api(new_sandbox())
    products = api.get("/products/ssl/").json()["products"]
    assert products and not [p for p in products if DETAILS_ONLY & set(p)]
    page = api.get("/products/ssl/67").json()["product"]
    assert page == next(p for p in products if p["id"] == 67)
    # The top-level period keys are the account's price, `vendor` the CA's: higher, and never charged.
    assert float(page["prices"]["vendor"]["12"]) > float(page["prices"]["12"]) == 24.00


def test_all_products_and_product_details_carry_the_included_sans_and_refund_days(new_sandbox: Start):
    api = Api(new_sandbox())
    listed = {int(p["id"]): p for p in api.get("/products/").json()["products"]}
    multi = listed[67]
    assert (multi["is_multidomain"], multi["organization"], multi["wildcard_san_enabled"]) == ("yes", "no", "no")
    assert (multi["multidomains_included"], multi["single_san_included"], multi["wildcard_san_included"],
            multi["multidomains_maximum"], multi["periods"]) == ("2", "2", "0", "250", ["12", "24"])
    details = api.get("/products/details/67").json()
    assert details["success"] is True and details["product_id"] == "67" and details["product_type"] == "DV"
    assert (details["product_multidomains_included"], details["product_single_san_included"],
            details["product_wildcard_san_included"], details["refund_days"]) == ("2", "2", "0", "30")
    assert details["product_prices"] == [{"id": "67", "period": "12", "price": "24.00"},
                                         {"id": "67", "period": "24", "price": "46.00"}]  # the account's
    assert [p["price"] for p in details["product_san_prices"]] == ["8.00", "15.00"]
    assert api.get("/products/details/999").json()["message"] == "Product not found"


def test_an_order_is_charged_the_accounts_price_with_the_included_sans_free(new_sandbox: Start):
    api = Api(new_sandbox())
    kc = make_csr(key="ec256")
    names = [f"{x}.{kc.common_name}" for x in "abc"]
    body = api.order(kc.csr_pem, product_id=67, dns_names=",".join(names), approver_emails="dns,dns,dns")
    assert body["order_amount"] == 32.0  # 24.00 + one SAN over the two included at 8.00
    assert (body["tax"], body["tax_rate"]) == ("0.00", "0%")


def test_tax_is_charged_on_top_invoiced_and_refunded_with_the_order(new_sandbox: Start):
    box = new_sandbox("--tax-rate", "21", "--balance", "8.35", "--cancel-review-seconds", "0")
    api = Api(box)
    placed = api.order()  # PositiveSSL: 6.90 + 1.45 tax (1.449 rounded half up)
    assert (placed["order_amount"], placed["tax"], placed["tax_rate"]) == (6.90, "1.45", "21%")
    assert api.balance() == 0.0 and box.order(placed["order_id"])["amount"] == 8.35
    (invoice,) = api.get("/account/invoices/").json()["invoices"]
    assert (invoice["subtotal"], invoice["tax"], invoice["tax_rate"], invoice["total"]) == (
        "6.90", "1.45", "21%", "8.35")
    assert api.get(f"/orders/invoice/{placed['order_id']}").json()["total"] == "8.35"
    assert api.post("/orders/cancel_ssl_order/", {"order_id": placed["order_id"],
                                                  "reason": "test"}).json()["success"] is True
    assert api.balance() == 8.35  # a refund credits what was debited, tax included


def test_an_order_whose_tax_the_balance_does_not_cover_is_refused(new_sandbox: Start):
    box = new_sandbox("--tax-rate", "21", "--balance", "8.34")
    body = Api(box).order()
    assert body["error"] is True and body["message"] == "Insufficient funds" and "8.35" in body["description"]
    assert box.orders() == []


@pytest.mark.parametrize("bad", ["-1", "101", "nan", "lots"])
def test_a_tax_rate_outside_0_to_100_percent_is_refused(bad: str):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--tax-rate", bad])


# -- 6. one order and one debit for concurrent identical requests --
def _together(n: int, call: Callable[[], requests.Response]) -> list[requests.Response]:
    barrier = threading.Barrier(n)
    answers: list[requests.Response] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        r = call()
        with lock:
            answers.append(r)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(answers) == n
    return answers


def test_concurrent_identical_orders_make_one_order_and_one_debit(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    before = api.balance()
    form = order_form()
    answers = [r.json() for r in _together(10, lambda: api.post("/orders/add_ssl_order/", form))]
    placed = [a for a in answers if a.get("success")]
    assert len(placed) == 1
    order_id = placed[0]["order_id"]
    duplicate = vendor_error("Duplicate order", f"Such certificate already exists (Order ID: {order_id})")
    assert [a for a in answers if not a.get("success")] == [duplicate] * 9
    assert [o["order_id"] for o in box.orders()] == [order_id]
    assert round(before - api.balance(), 2) == placed[0]["order_amount"]


# -- 7. names are host names; the http root cannot be left --
@pytest.mark.parametrize("name", [
    "../../etc", "a..b.example.com", "a/b.example.com", "a\\b.example.com", "exa mple.com", "a.*.example.com",
    "x" * 64 + ".example.com", ".".join(["abcdefghi"] * 26), "example.com.", "_acme.example.com",
])
def test_san_names_must_be_host_names(new_sandbox: Start, name: str):
    box = new_sandbox()
    api = Api(box)
    body = api.order(product_id=67, dns_names=name, approver_emails="dns")
    assert body["error"] is True and body["message"] == "Invalid dns_names" and name in body["description"]
    assert box.orders() == []


@pytest.mark.parametrize("cn", ["../../etc/passwd", "a..b.example.com", "x/y.example.com", "x\\y.example.com"])
def test_the_common_name_must_be_a_host_name(new_sandbox: Start, cn: str):
    box = new_sandbox()
    body = Api(box).order(make_csr(cn, key="ec256").csr_pem)
    assert body["error"] is True and body["message"] == "Invalid CSR" and "common name" in body["description"]
    assert box.orders() == []


def test_host_names_that_pass(new_sandbox: Start):
    api = Api(new_sandbox())
    assert api.order(make_csr("*.w-1.example.com", key="ec256").csr_pem, product_id=66)["success"] is True
    kc = make_csr(key="ec256")
    body = api.order(kc.csr_pem, product_id=67, dns_names=f"a1-b.{kc.common_name},x-{'y' * 61}.{kc.common_name}",
                     approver_emails="dns,dns")
    assert body["success"] is True


def test_http_validation_never_reads_outside_its_root(new_sandbox: Start, tmp_path: Path):
    root, outside = tmp_path / "webroot", tmp_path / "outside"
    root.mkdir()
    box = new_sandbox("--dcv-http-root", str(root))
    api = Api(box)

    def http_order() -> tuple[int, str, dict[str, str]]:
        kc = make_csr(key="ec256")
        body = api.order(kc.csr_pem, dcv_method="http")
        return body["order_id"], kc.common_name, body["approver_method"]["http"]

    # A file where it belongs passes (so the refusal below is the containment check, not a broken setup).
    good_id, good_cn, good = http_order()
    (root / good_cn / ".well-known" / "pki-validation").mkdir(parents=True)
    (root / good_cn / ".well-known" / "pki-validation" / good["filename"]).write_text(good["content"])
    api.post(f"/orders/ssl/revalidate/{good_id}", {"domain": good_cn})
    assert box.order(good_id)["status"] == "active"

    # The domain's directory is a symlink out of the root: the resolved path is outside, so it fails.
    bad_id, bad_cn, bad = http_order()
    (outside / ".well-known" / "pki-validation").mkdir(parents=True)
    (outside / ".well-known" / "pki-validation" / bad["filename"]).write_text(bad["content"])
    (root / bad_cn).symlink_to(outside, target_is_directory=True)
    answer = api.post(f"/orders/ssl/revalidate/{bad_id}", {"domain": bad_cn}).json()
    assert answer["success"] is True and "pending" in answer["message"]
    assert box.order(bad_id)["status"] == "processing"


# -- 8. malformed requests --
def _raw(box: Sandbox, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes on a fresh connection; (status, headers, body) of the answer."""
    url = urlsplit(box.root)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(data)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        head, _, body = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
    return int(lines[0].split()[1]), headers, body


def _still_serving(api: Api) -> None:
    r = api.get("/account/balance/")
    assert r.status_code == 200 and r.json()["success"] is True


@pytest.mark.parametrize("header, status", [
    (b"Content-Length: abc\r\n", 400),
    (b"Content-Length: -5\r\n", 400),
    (b"Content-Length: 4\r\nContent-Length: 5\r\n", 400),
    (b"Transfer-Encoding: chunked\r\n", 411),
    (b"Content-Length: 99999999999\r\n", 413),
], ids=["not-a-number", "negative", "two-values", "chunked", "too-large"])
def test_a_bad_body_length_is_refused_and_the_server_keeps_serving(new_sandbox: Start, header: bytes, status: int):
    box = new_sandbox()
    api = Api(box)
    request = b"POST /api/auth/ HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n"
    got, headers, body = _raw(box, request)
    assert got == status and headers["connection"].lower() == "close"
    assert json.loads(body)["error"] is True
    _still_serving(api)


def test_over_long_request_lines_and_headers_get_the_stdlib_answers(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    # Each request ends exactly where the server stops reading, so no unread byte turns the close into a reset.
    line = b"GET /api/" + b"a" * (65537 - len(b"GET /api/"))
    assert _raw(box, line)[0] == 414
    _still_serving(api)
    head = b"GET /api/account/balance/ HTTP/1.1\r\n"
    assert _raw(box, head + b"X-Long: " + b"a" * (65537 - len(b"X-Long: ")))[0] == 431
    _still_serving(api)
    assert _raw(box, head + b"X-Many: 1\r\n" * 101)[0] == 431
    _still_serving(api)


@pytest.mark.parametrize("path", ["/_sandbox/faults", "/_sandbox/clock", "/_sandbox/orders/1800001"])
def test_control_endpoints_refuse_a_body_that_is_not_a_json_object(new_sandbox: Start, path: str):
    box = new_sandbox()
    api = Api(box)
    assert api.order()["order_id"] == 1800001
    faults(box, {"rules": [{"match": "/account/invoices", "mode": "http_503", "times": 20}]}).raise_for_status()
    for body in (b"{bad json", b"[1, 2]", b'"text"', b"3", b"null", b"\xff\xfe"):
        r = requests.post(f"{box.root}{path}", data=body, headers={"Content-Type": "application/json"}, timeout=10)
        assert r.status_code == 400 and r.json()["error"] is True and r.json()["message"] == "Invalid JSON", body
        assert api.get("/account/invoices/").status_code == 503, "the fault rules are unchanged"
        assert box.orders()[0]["status"] == "processing"
        assert api.status(1800001)["valid_till"] == "0000-00-00"
        _still_serving(api)


_DEEP = 100_000  # deeper than CPython's recursion limit
_HUGE = b"1" + b"0" * 400  # a JSON integer too large for a float
_CONTROL_PATHS = ("/_sandbox/faults", "/_sandbox/clock", "/_sandbox/orders/1800001")
_MALFORMED_BODIES = [
    *((path, "deeply nested list", b"[" * _DEEP + b"]" * _DEEP) for path in _CONTROL_PATHS),
    *((path, "deeply nested object", b'{"a": ' * _DEEP + b"1" + b"}" * _DEEP) for path in _CONTROL_PATHS),
    *((path, "deeply nested value", b'{"status": ' + b"[" * _DEEP + b"]" * _DEEP + b"}") for path in _CONTROL_PATHS),
    ("/_sandbox/clock", "number too large", b'{"advance_days": ' + _HUGE + b"}"),
    ("/_sandbox/faults", "number too large", b'{"latency_ms": ' + _HUGE + b"}"),
    ("/_sandbox/faults", "rule number too large",
     b'{"rules": [{"match": "x", "mode": "http_500", "times": ' + _HUGE + b"}]}"),
    ("/_sandbox/clock", "misspelt key", b'{"advanse_days": 3}'),
    ("/_sandbox/orders/1800001", "misspelt key", b'{"status": "active", "reason": "x"}'),
]


@pytest.mark.parametrize("path, kind, body", _MALFORMED_BODIES, ids=[f"{p}-{k}" for p, k, _ in _MALFORMED_BODIES])
def test_every_malformed_control_body_is_a_400_that_says_what_is_wrong(new_sandbox: Start, path: str, kind: str,
                                                                       body: bytes):
    """Issue 20: a deeply nested body answered 500 (RecursionError), a number too large for a float 500
    (OverflowError), and a misspelt key was ignored with a 200 that changed nothing."""
    box = new_sandbox()
    api = Api(box)
    assert api.order()["order_id"] == 1800001
    r = requests.post(f"{box.root}{path}", data=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400, (r.status_code, r.text[:200])
    answer = r.json()
    assert answer["error"] is True and answer["message"].startswith("Invalid") and answer["description"]
    assert "Error" not in answer["description"], "a clear message, not an exception's name"
    assert box.orders()[0]["status"] == "processing" and api.status(1800001)["valid_till"] == "0000-00-00"
    _still_serving(api)


# -- 9. only loopback by default; a warning otherwise --
def test_a_non_loopback_host_draws_a_warning(tmp_path: Path):
    # 192.0.2.1 (TEST-NET-1) is on no interface: the sandbox warns, then cannot listen, and nothing is exposed.
    done = subprocess.run([sys.executable, "-m", "provider.sandbox.main", "--host", "192.0.2.1", "--port", "0",
                           "--db", str(tmp_path / "w.db")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "not a loopback address" in done.stderr and "no real authentication" in done.stderr


@pytest.mark.parametrize("host", ["localhost", "127.0.0.2"])
def test_a_loopback_host_draws_no_warning(tmp_path: Path, host: str):
    box = Sandbox(tmp_path / "l.db", "--host", host)
    try:
        Api(box)
    finally:
        box.stop()
    assert box.proc.stderr is not None
    assert "warning" not in box.proc.stderr.read()


# -- 10. fault modes --
def test_http_502_then_process_answers_a_gateway_page_and_places_the_order_later(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    faults(box, {"rules": [{"match": "add_ssl_order", "mode": "http_502_then_process", "delay_ms": 800}]})
    r = api.post("/orders/add_ssl_order/", order_form())
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html") and "502" in r.text
    assert box.orders() == [], "not yet: the vendor gets it late"
    assert wait_for(lambda: len(box.orders()) == 1)
    time.sleep(0.3)
    assert len(box.orders()) == 1 and box.count("add_ssl_order") == 1


def test_reset_then_process_closes_the_connection_and_places_the_order_later(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    faults(box, {"rules": [{"match": "add_ssl_order", "mode": "reset_then_process", "delay_ms": 800}]})
    with pytest.raises(requests.ConnectionError):
        api.post("/orders/add_ssl_order/", order_form())
    assert box.orders() == []
    assert wait_for(lambda: len(box.orders()) == 1)


def test_vendor_error_answers_in_place_of_the_vendor(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    faults(box, {"rules": [{"match": "add_ssl_order", "mode": "vendor_error", "message": "API user not found",
                            "description": "The API user was not found"}]})
    r = api.post("/orders/add_ssl_order/", order_form())
    assert r.status_code == 200 and r.json() == vendor_error("API user not found", "The API user was not found")
    assert box.orders() == []
    assert api.order()["success"] is True, "times defaults to 1"


def test_echo_quotes_the_secrets_of_the_request(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    keys = issued_auth_keys(box)
    faults(box, {"rules": [{"match": "/auth", "mode": "echo"}, {"match": "/products/ssl", "mode": "echo"}]})
    r = requests.post(f"{box.url}/auth/", data={"user": box.user, "pass": box.password}, timeout=10)
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html")
    assert f"pass={box.password}" in r.text and "POST /api/auth/" in r.text
    assert issued_auth_keys(box) == keys, "nothing processed: no key issued"
    r = api.get("/products/ssl/")
    assert r.status_code == 502 and f"auth_key={api.key}" in r.text


def test_echo_error_quotes_query_and_body_in_a_vendor_error(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    faults(box, {"rules": [{"match": "add_ssl_order", "mode": "echo_error"}]})
    r = api.post("/orders/add_ssl_order/", {"product_id": "65", "secret": "s3cr3t"})
    body = r.json()
    assert r.status_code == 200 and set(body) == {"error", "message", "description"}
    assert body["error"] is True and body["message"] == "Bad request"
    assert f"auth_key={api.key}" in body["description"] and "secret=s3cr3t" in body["description"]
    assert box.orders() == []


def test_trickle_sends_the_real_answer_byte_by_byte(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    normal = api.get("/account/balance/").json()
    faults(box, {"rules": [{"match": "/account/balance", "mode": "trickle", "delay_ms": 8, "times": 2}]})
    started = time.monotonic()
    r = requests.get(f"{box.url}/account/balance/", params={"auth_key": api.key}, timeout=(5, 0.5))
    assert r.json() == normal
    assert time.monotonic() - started > 0.5, "longer than the per-read timeout, which never fired"
    # The status line and headers trickle too.
    url = urlsplit(box.root)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(f"GET /api/account/balance/?auth_key={api.key} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert len(s.recv(65536)) < 10


def test_patch_body_merges_members_into_the_real_answer(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    faults(box, {"rules": [{"match": "add_ssl_order", "mode": "patch_body", "patch": {"invoice_id": "1e400"},
                            "patch_raw": '"order_amount": 1e400'}]})
    r = api.post("/orders/add_ssl_order/", order_form())
    assert '"order_amount": 1e400' in r.text
    body = r.json()
    assert body["invoice_id"] == "1e400" and math.isinf(body["order_amount"]) and body["success"] is True
    (record,) = box.orders()
    assert record["order_id"] == body["order_id"], "processed"


def test_nest_body_defeats_a_recursive_json_parser(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    faults(box, {"rules": [{"match": "add_ssl_order", "mode": "nest_body"}]})
    r = api.post("/orders/add_ssl_order/", order_form())
    assert r.status_code == 200 and r.text.startswith('{"product_id"') and '"extra": [[[[' in r.text
    assert r.text.count("[") >= 100_000
    with pytest.raises(RecursionError):
        json.loads(r.text)
    assert len(box.orders()) == 1, "processed"


def test_redirect_307_points_back_at_the_same_request(new_sandbox: Start):
    box = new_sandbox()
    api = Api(box)
    faults(box, {"rules": [{"match": "add_ssl_order", "mode": "redirect_307", "times": 1}]})
    r = api.post("/orders/add_ssl_order/", order_form(), allow_redirects=False)
    assert r.status_code == 307
    assert r.headers["Location"] == f"{box.url}/orders/add_ssl_order/?auth_key={api.key}"
    assert box.orders() == [], "nothing processed"
    faults(box, {"rules": [{"match": "add_ssl_order", "mode": "redirect_307", "times": 1}]})
    followed = api.post("/orders/add_ssl_order/", order_form())  # requests re-sends method and body on a 307
    assert followed.json()["success"] is True and len(box.orders()) == 1
    assert box.count("add_ssl_order") == 3


@pytest.mark.parametrize("mode, status", [("http_500", 500), ("http_503", 503), ("http_429", 429),
                                          ("auth_expired", 403), ("garbage", 200)])
def test_the_older_fault_modes_still_answer(new_sandbox: Start, mode: str, status: int):
    box = new_sandbox()
    api = Api(box)
    faults(box, {"rules": [{"match": "add_ssl_order", "mode": mode}]})
    r = api.post("/orders/add_ssl_order/", order_form())
    assert r.status_code == status
    assert len(box.orders()) == (1 if mode == "garbage" else 0)


EXTRA = {"vendor_error": {"message": "m"}, "patch_body": {"patch": {"a": 1}}}


def test_every_mode_is_accepted(new_sandbox: Start):
    box = new_sandbox()
    rules = [{"match": "nothing-matches", "mode": m, **EXTRA.get(m, {})} for m in FAULT_MODES]
    r = faults(box, {"rules": rules})
    assert r.status_code == 200 and [x["mode"] for x in r.json()["rules"]] == list(FAULT_MODES)


@pytest.mark.parametrize("body", [
    {"rules": [{"match": "x", "mode": "nope"}]},
    {"rules": [{"mode": "http_500"}]},
    {"rules": [{"match": "x", "mode": "vendor_error"}]},
    {"rules": [{"match": "x", "mode": "vendor_error", "message": "m", "description": 5}]},
    {"rules": [{"match": "x", "mode": "patch_body"}]},
    {"rules": [{"match": "x", "mode": "patch_body", "patch": [1]}]},
    {"rules": [{"match": "x", "mode": "patch_body", "patch_raw": 5}]},
    {"rules": [{"match": "x", "mode": "nest_body", "depth": 0}]},
    {"rules": [{"match": "x", "mode": "http_500", "times": -1}]},
    {"rules": [{"match": "x", "mode": "http_500", "times": 1.5}]},
    {"rules": [{"match": "x", "mode": "slow", "delay_ms": "soon"}]},
    {"rules": [{"match": "x", "mode": "slow", "delay_ms": -1}]},
    {"rules": [{"match": "x", "mode": "http_500", "delay": 5}]},
    {"rules": [{"match": "x", "mode": "http_500", "message": "only for vendor_error"}]},
    {"rules": {"match": "x", "mode": "http_500"}},
    {"latency_ms": "fast"},
    {"rule": []},
], ids=lambda b: json.dumps(b)[:60])
def test_bad_fault_rules_are_refused_and_change_nothing(new_sandbox: Start, body: dict[str, Any]):
    box = new_sandbox()
    api = Api(box)
    faults(box, {"rules": [{"match": "/account/balance", "mode": "http_503", "times": 5}]}).raise_for_status()
    r = faults(box, body)
    assert r.status_code == 400 and r.json()["error"] is True and r.json()["message"] == "Invalid faults"
    assert api.get("/account/balance/").status_code == 503
