"""The sandbox keeps the certificate world of 2026 (docs/vendor-api.md §9.1, §9.2, §9.5): an order is a
subscription of certificates no longer than the SC-081 lifetime of their issue date, reissued free inside it
(validating again once the domain validation is older than its reuse period), renewed only near its end, and
cancelled for a refund only within the refund window of its first issuance (later: expired, unrefunded).

Each test drives its own sandbox over HTTP, moving its clock, and asserts on the vendor-shaped answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import requests
from cryptography import x509

from tests.support import Sandbox, make_csr, order_form

Start = Callable[..., Sandbox]


def _today(box: Sandbox) -> dt.date:
    stamp = int(box.api(f"/orders/status/{_any_order(box)}")["time_stamp"])
    return dt.datetime.fromtimestamp(stamp, dt.UTC).date()


def _any_order(box: Sandbox) -> int:
    return int(box.orders()[0]["order_id"])


def _issued(box: Sandbox, period: int = 24, ago_days: int = 0, **args: Any) -> tuple[int, str]:
    """An order of `period` months issued `ago_days` ago (the clock is back at today afterwards): (id, csr)."""
    csr = make_csr(key="ec256").csr_pem
    box.clock(-ago_days)
    order_id = box.place(csr, period=period, **args)
    box.set_status(order_id, "active")
    box.clock(ago_days)
    return order_id, csr


def _lifetime(pem: str) -> int:
    cert = x509.load_pem_x509_certificate(pem.encode())
    return (cert.not_valid_after_utc - cert.not_valid_before_utc).days


def _reissue(box: Sandbox, order_id: int, csr: str) -> dict[str, Any]:
    return box.api(f"/orders/ssl/reissue/{order_id}", {"csr": csr, "webserver_type": "1", "dcv_method": "dns"})


def test_a_two_year_order_holds_a_certificate_of_at_most_200_days_and_a_two_year_subscription(new_sandbox: Start):
    box = new_sandbox()
    order_id, _csr = _issued(box, period=24)
    status = box.api(f"/orders/status/{order_id}")
    today = _today(box)
    assert status["begin_date"] == status["valid_from"] == today.isoformat()
    end = dt.date.fromisoformat(status["end_date"])
    assert end == dt.date(today.year + 2, today.month, today.day)
    assert _lifetime(status["crt_code"]) <= 200 and dt.date.fromisoformat(status["valid_till"]) < end


def test_certificates_follow_the_sc081_schedule_of_their_issue_date(new_sandbox: Start):
    box = new_sandbox()
    today = dt.datetime.now(dt.UTC).date()
    for issued_on, longest in ((dt.date(2026, 3, 14), 398), (dt.date(2026, 3, 15), 200),
                               (dt.date(2027, 3, 15), 100), (dt.date(2029, 3, 15), 47)):
        shift = (issued_on - today).days
        box.clock(shift)
        order_id = box.place(make_csr(key="ec256").csr_pem, period=24)
        box.set_status(order_id, "active")
        box.clock(-shift)
        status = box.api(f"/orders/status/{order_id}")
        assert _lifetime(status["crt_code"]) == longest, issued_on
        assert status["valid_from"] == issued_on.isoformat()


def test_a_reissue_inside_the_subscription_is_free_and_keeps_a_fresh_validation(new_sandbox: Start):
    box = new_sandbox()
    order_id, csr = _issued(box, period=24, ago_days=185)
    before = box.api(f"/orders/status/{order_id}")
    balance = box.balance()
    answer = _reissue(box, order_id, csr)
    assert answer["order_status"] == "reissue", "185 days of validation are within the 200 it may be reused"
    pending = box.api(f"/orders/status/{order_id}")
    assert pending["crt_code"] == "", "the certificate is filled only while the order is active"
    assert pending["valid_till"] == before["valid_till"] and pending["end_date"] == before["end_date"]
    box.api(f"/orders/ssl/revalidate/{order_id}", {"domain": before["domain"]})
    after = box.api(f"/orders/status/{order_id}")
    assert after["status"] == "active" and after["crt_code"] != before["crt_code"]
    assert after["valid_from"] == _today(box).isoformat() and after["end_date"] == before["end_date"]
    assert box.balance() == balance, "a reissue inside the subscription costs nothing"


def test_a_reissue_after_the_reuse_period_validates_again_like_a_new_order(new_sandbox: Start):
    box = new_sandbox()
    order_id, csr = _issued(box, period=36, ago_days=210)  # validated 210 days ago: more than 200
    before = box.api(f"/orders/status/{order_id}")
    assert before["status"] == "active", "the order lives as long as its subscription, past its certificate"
    answer = _reissue(box, order_id, csr)
    assert answer["order_status"] == "processing"
    after = box.api(f"/orders/status/{order_id}")
    assert after["approver_method"] != before["approver_method"], "new DCV data"
    message = box.api(f"/orders/ssl/revalidate/{order_id}", {"domain": before["domain"]})["message"]
    assert "pending" in message and box.api(f"/orders/status/{order_id}")["status"] == "processing"


def test_no_certificate_outlives_its_subscription(new_sandbox: Start):
    box = new_sandbox()
    order_id, csr = _issued(box, period=12, ago_days=300)  # the subscription ends in about 65 days
    end = box.api(f"/orders/status/{order_id}")["end_date"]
    _reissue(box, order_id, csr)
    box.api(f"/orders/ssl/revalidate/{order_id}", {"domain": box.order(order_id)["domain"]})
    assert box.api(f"/orders/status/{order_id}")["valid_till"] == end


def test_a_renewal_waits_for_the_end_of_the_subscription_not_of_the_certificate(new_sandbox: Start):
    box = new_sandbox()
    _order_id, csr = _issued(box, period=24, ago_days=185)  # the certificate ends in 15 days
    refused = box.api("/orders/add_ssl_renew_order/", order_form(csr, period=24))
    assert refused.get("error") is True and "at the earliest 30 days" in refused["description"]


def test_a_late_cancellation_ends_the_order_as_expired_without_a_refund(new_sandbox: Start):
    box = new_sandbox("--cancel-review-seconds", "0")
    late, _ = _issued(box, period=12, ago_days=40)
    recent, csr = _issued(box, period=12, ago_days=40)
    _reissue(box, recent, csr)  # a reissue 40 days after the first issuance does not reopen the window
    box.api(f"/orders/ssl/revalidate/{recent}", {"domain": box.order(recent)["domain"]})
    fresh, _ = _issued(box, period=12, ago_days=5)
    balance = box.balance()
    for order_id in (late, recent):
        assert box.api("/orders/cancel_ssl_order/", {"order_id": order_id, "reason": "test"})["success"] is True
        assert box.order(order_id)["status"] == "expired"
    assert box.balance() == balance, "no refund after the refund window"
    box.api("/orders/cancel_ssl_order/", {"order_id": fresh, "reason": "test"})
    assert box.order(fresh)["status"] == "cancelled" and box.balance() > balance


def test_a_pending_reissue_cannot_be_cancelled(new_sandbox: Start):
    box = new_sandbox("--cancel-review-seconds", "0")
    order_id, csr = _issued(box, period=24, ago_days=210)
    assert _reissue(box, order_id, csr)["order_status"] == "processing"
    refused = box.api("/orders/cancel_ssl_order/", {"order_id": order_id, "reason": "test"})
    assert refused.get("error") is True and "reissue" in refused["description"]


def test_a_clock_move_no_date_can_hold_is_refused_and_changes_nothing(new_sandbox: Start):
    """advance_days = 1e7 (27,000 years) used to answer 500 and keep the offset, breaking every later answer."""
    box = new_sandbox()
    order_id, _csr = _issued(box, period=12)
    before = box.api(f"/orders/status/{order_id}")["time_stamp"]
    answer = requests.post(f"{box.root}/_sandbox/clock", json={"advance_days": 1e7}, timeout=10)
    assert answer.status_code == 400 and "advance_days" in answer.json()["description"]
    assert abs(box.api(f"/orders/status/{order_id}")["time_stamp"] - before) < 60
