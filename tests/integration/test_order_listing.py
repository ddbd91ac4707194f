"""gogetssl_ssl_orders against the sandbox, through the data source's read: a listing cut short is an error (a
warning when `allow_incomplete` accepts a partial answer), never a silent partial answer; the expiry filter reads
in full only the orders that expire soon; calls stay bounded."""

from __future__ import annotations

import json
import threading
from typing import Any

from tf.iface import ReadDataContext
from tf.types import Unknown
from tf.utils import Diagnostics

from provider.client import ClientSettings, GoGetSSLClient
from provider.common import order_listing as listing
from provider.common import vendor
from provider.data_sources.ssl_orders import SslOrdersDataSource
from provider.list_resources.ssl_order import SslOrderList
from provider.provider import GoGetSSLProvider
from tests.support import Sandbox, make_csr, seed_account

REACH = "The account has more orders than GoGetSSL's listing reaches"

def _read(box: Sandbox, **config: Any) -> tuple[dict[str, Any] | None, Diagnostics]:
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password))
    ds = SslOrdersDataSource(GoGetSSLProvider(client=client))
    diags = Diagnostics()
    full = {"status": None, "domain": None, "product_id": None, "expiring_within_days": None,
            "subscription_ending_within_days": None, "allow_incomplete": None, **config}
    return ds.read(ReadDataContext(diags, "gogetssl_ssl_orders"), full), diags


def _summaries(diags: Diagnostics) -> list[str]:
    return [d.summary for d in diags.to_pb()]


def test_a_listing_cut_short_by_an_offset_ceiling_is_reported(new_sandbox):
    box = new_sandbox()
    orders = seed_account(box, 30)
    box.faults(list_page_cap=10, list_offset_cap=10)  # pages at 0 and 10, then "Invalid offset"
    state, diags = _read(box, allow_incomplete=True)
    assert state is not None and len(state["ids"]) == 20
    assert REACH in _summaries(diags)
    box.faults(list_page_cap=10, list_offset_cap=1000)
    state, diags = _read(box)
    assert state["ids"] == sorted(o["order_id"] for o in orders) and _summaries(diags) == []


def test_an_account_of_two_pages_is_listed_whole_and_one_past_the_reach_is_reported(new_sandbox):
    """Pages of 10: 19 orders list whole (pages of 10 and 9, then an empty one). With the offset ceiling lowered
    to 10 the listing is refused at offset 20: 20 orders cannot be told from more, and 25 certainly are more;
    both are reported naming the ceiling."""
    box = new_sandbox()
    box.faults(list_page_cap=10)
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password))
    finder = SslOrderList(GoGetSSLProvider(client=client))
    orders = seed_account(box, 19)
    state, diags = _read(box)
    assert state is not None and state["ids"] == sorted(o["order_id"] for o in orders) and _summaries(diags) == []
    diags = Diagnostics()
    assert len(list(finder.list(diags, {"status": list(vendor.STATUSES)}, False, None))) == 19
    assert _summaries(diags) == []
    box.faults(list_page_cap=10, list_offset_cap=10)
    for total in (20, 25):
        orders = seed_account(box, total - len(orders))  # (the whole account, as the sandbox records it)
        state, diags = _read(box, allow_incomplete=True)
        assert state is not None and len(state["ids"]) == 20
        (warning,) = diags.to_pb()
        assert warning.summary == REACH
        assert "offset ceiling" in warning.detail and "2,000 orders" in warning.detail
        assert "terraform import" in warning.detail
        diags = Diagnostics()
        everything = {"status": list(vendor.STATUSES), "allow_incomplete": True}
        assert len(list(finder.list(diags, everything, False, None))) == 20
        assert _summaries(diags) == [REACH]


def test_the_expiry_filter_reads_only_orders_that_expire_soon(new_sandbox):
    box = new_sandbox()
    orders = seed_account(box, 25)
    active = [o["order_id"] for o in orders if o["status"] == "active"]
    before = box.count("/orders/status/")
    state, diags = _read(box, expiring_within_days=30)
    assert state is not None and state["ids"] == [] and _summaries(diags) == []
    assert box.count("/orders/status/") == before, "every active order expires in a year: none read in full"
    assert box.count("/orders/statuses") >= 1 and len(active) == 10


def test_certificates_to_reissue_and_subscriptions_to_renew_are_told_apart(new_sandbox):
    """A two-year order issued 185 days ago holds a certificate ending in 15 days (a free reissue) inside a
    subscription ending in a year and a half; a one-year order issued 355 days ago (398-day certificates then)
    ends both in 10 days (a paid renewal). Days count from GoGetSSL's date, not this machine's."""
    box = new_sandbox()
    issued = {}
    box.clock(30)  # GoGetSSL's date runs 30 days ahead of this machine's
    for period, ago in ((24, 185), (12, 355)):
        box.clock(-ago)
        issued[period] = box.place(make_csr(key="ec256").csr_pem, period=period)
        box.set_status(issued[period], "active")
        box.clock(ago)
    certificates, _ = _read(box, expiring_within_days=20)
    subscriptions, _ = _read(box, subscription_ending_within_days=20)
    # the one-year order's certificate ends with its subscription: it is renewed, not reissued
    assert certificates is not None and certificates["ids"] == [issued[24]]
    assert subscriptions is not None and subscriptions["ids"] == [issued[12]]
    two_year = next(o for o in certificates["orders"] if o["order_id"] == issued[24])
    assert two_year["end_date"] > two_year["valid_till"]
    bad, diags = _read(box, subscription_ending_within_days=-1)
    assert bad is None and "subscription_ending_within_days:" in " ".join(d.detail for d in diags.to_pb())


def test_bad_filters_are_errors_that_name_the_field_and_call_nothing(new_sandbox):
    box = new_sandbox()
    state, diags = _read(box, status=["live"], product_id=2.5, expiring_within_days=-3, domain="a b")
    assert state is None
    details = " ".join(d.detail for d in diags.to_pb())
    for field in ("status:", "product_id:", "expiring_within_days:", "domain:"):
        assert field in details
    assert box.count("/orders/ssl/all") == 0


def test_a_status_answer_about_another_order_is_an_error_not_a_duplicate(new_sandbox):
    box = new_sandbox()
    seed_account(box, 3)
    box.faults({"match": "/orders/status/1800002", "mode": "patch_body", "times": 1000,
                "patch": {"order_id": "1800001"}})
    state, diags = _read(box)
    assert state is None
    assert any("is about order 1800001" in d.detail for d in diags.to_pb())


def test_listing_records_with_impossible_ids_are_skipped_and_reported(new_sandbox):
    box = new_sandbox()
    seed_account(box, 2)
    raw = json.dumps([{"order_id": "1800001", "status": "active"}, {"order_id": "-5", "status": "active"},
                      {"order_id": "99999999999999999999999", "status": "active"}])
    box.faults({"match": "/orders/ssl/all", "mode": "patch_body", "times": 1, "patch_raw": f'"orders": {raw}'})
    state, diags = _read(box, allow_incomplete=True)
    assert state is not None and state["ids"] == [1800001]
    assert "The order listing was not read to its end" in _summaries(diags)
    assert box.count("/orders/status/-5") == 0


def test_numbers_too_large_for_a_filter_are_errors_naming_the_field(new_sandbox):
    box = new_sandbox()
    for config in ({"product_id": "10000000000000000000000000"}, {"expiring_within_days": "1e25"},
                   {"expiring_within_days": 3000000}, {"product_id": 10**40}):
        state, diags = _read(box, **config)
        (name,) = config
        assert state is None and [d.summary for d in diags.to_pb()] == [f"Invalid {name} filter"], config
    assert box.count("/orders/ssl/all") == 0


def test_a_read_stopped_by_terraform_is_not_taken_for_the_whole_account(new_sandbox):
    box = new_sandbox()
    seed_account(box, 5)
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password))
    stopping = threading.Event()
    stopping.set()
    found = listing.find_orders(client, listing.Filters(), stopping)
    assert found.orders == [] and not found.complete and "stop" in found.reason


def test_the_list_resource_leaves_out_what_cannot_or_need_not_be_adopted(new_sandbox):
    box = new_sandbox()
    orders = seed_account(box, 25)
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password))
    finder = SslOrderList(GoGetSSLProvider(client=client))
    diags = Diagnostics()
    found = list(finder.list(diags, {}, True, None))
    want = sorted(o["order_id"] for o in orders if o["status"] in ("active", "processing"))
    assert sorted(f.identity["order_id"] for f in found) == want and _summaries(diags) == []
    # the configuration Terraform generates from these states renews nothing until it is told to
    assert {f.state["renew_before_days"] for f in found} == {0}


def test_a_listed_order_the_vendor_then_does_not_know_is_reported(new_sandbox):
    box = new_sandbox()
    seed_account(box, 3)
    box.faults({"match": "/orders/status/1800002", "mode": "vendor_error", "times": 1000,
                "message": "Order not found", "description": "Order 1800002 was not found"})
    state, diags = _read(box, allow_incomplete=True)
    assert state is not None and state["ids"] == [1800001, 1800003]
    assert "The order listing was not read to its end" in _summaries(diags)
    assert any("1800002" in d.detail for d in diags.to_pb())


def test_a_listing_status_outside_the_documented_set_is_checked_not_dropped(new_sandbox):
    box = new_sandbox()
    orders = seed_account(box, 10)
    raw = json.dumps([{"order_id": str(o["order_id"]), "status": "Active" if o["status"] == "active" else o["status"]}
                      for o in orders])
    box.faults({"match": "/orders/ssl/all", "mode": "patch_body", "times": 1, "patch_raw": f'"orders": {raw}'})
    state, _ = _read(box, status=["active"])
    assert state["ids"] == sorted(o["order_id"] for o in orders if o["status"] == "active") != []


def test_the_list_resource_reports_a_listing_cut_short_even_when_nothing_matched(new_sandbox):
    box = new_sandbox()
    seed_account(box, 30)
    box.faults(list_page_cap=10, list_offset_cap=10)
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password))
    finder = SslOrderList(GoGetSSLProvider(client=client))
    diags = Diagnostics()
    assert list(finder.list(diags, {"product_id": 999}, False, None)) == []
    assert REACH in _summaries(diags)


def test_list_filters_still_unknown_at_validation_are_not_errors():
    diags = Diagnostics()
    SslOrderList(GoGetSSLProvider()).validate(diags, {"status": ["active", Unknown], "product_id": Unknown})
    assert _summaries(diags) == []



def test_an_incomplete_listing_fails_the_data_source_unless_a_partial_result_is_allowed(new_sandbox):
    """A `for_each` over a short listing forgets (or cancels) the orders that fell out: the data source fails,
    saying why the listing is short and what to do; `allow_incomplete = true` takes the partial result."""
    box = new_sandbox()
    orders = seed_account(box, 6)
    box.faults(list_page_cap=2, list_offset_cap=2)  # pages at 0 and 2, then "Invalid offset"
    state, diags = _read(box)
    assert state is None
    (error,) = diags.to_pb()
    assert error.severity == error.ERROR and error.summary == REACH
    assert "offset 4" in error.detail and "allow_incomplete" in error.detail and "for_each" in error.detail
    state, diags = _read(box, allow_incomplete=True)
    assert state is not None and state["ids"] == sorted(o["order_id"] for o in orders)[:4]
    (warning,) = diags.to_pb()
    assert warning.severity == warning.WARNING and warning.summary == REACH


def test_an_incomplete_listing_fails_the_list_resource_unless_a_partial_result_is_allowed(new_sandbox):
    box = new_sandbox()
    seed_account(box, 6)
    box.faults(list_page_cap=2, list_offset_cap=2)
    finder = SslOrderList(GoGetSSLProvider(client=GoGetSSLClient(ClientSettings(box.url, box.user, box.password))))
    diags = Diagnostics()
    assert list(finder.list(diags, {"status": list(vendor.STATUSES)}, True, None)) == []
    (error,) = diags.to_pb()
    assert error.severity == error.ERROR and error.summary == REACH and "allow_incomplete" in error.detail
    assert "generate blocks for the orders listed" in error.detail and "for_each" not in error.detail
    diags = Diagnostics()
    found = list(finder.list(diags, {"status": list(vendor.STATUSES), "allow_incomplete": True}, True, None))
    assert len(found) == 4 and [(d.summary, d.severity == d.WARNING) for d in diags.to_pb()] == [(REACH, True)]
