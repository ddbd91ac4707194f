"""The plan policy of gogetssl_ssl_order, in-process: what each change of an existing order costs, when a
renewal is due, when a cancellation refunds, and that the request model and the schema name the same
arguments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tf.types import Unknown

from provider.client.models import AddSSLOrderRequest, ReissueRequest
from provider.common.order_schema import (
    ARGUMENT_NAMES,
    REISSUE_FIELDS,
    REISSUE_REQUEST_FIELDS,
    REQUIRED,
    UNREPORTED,
    resource_schema,
)
from provider.resources import ssl_order_policy as policy
from provider.resources import ssl_order_spend as spend
from tests.support import make_csr

TODAY = dt.date(2026, 11, 28)


def _issued_state(**over: Any) -> dict[str, Any]:
    """An issued order's state as the policy sees it (only the keys it reads)."""
    state = {"order_id": 1800001, "order_status": "active", "csr": make_csr("a.example.com").csr_pem,
             "dns_names": ["b.example.com"], "dcv_method": "dns", "signature_hash": None,
             "valid_till": "2027-11-28", "renew_before_days": 30}
    return {**state, **over}


def test_a_new_csr_on_an_issued_order_is_a_free_reissue_that_keeps_the_order() -> None:
    current = _issued_state()
    planned = {**current, "csr": make_csr("a.example.com").csr_pem}
    change = policy.plan_update(current, planned, {"csr"}, [], TODAY)
    assert change.action == "reissue" and change.replace == [] and change.notices == []
    assert planned["certificate_pem"] is Unknown and planned["order_id"] == 1800001


def test_a_new_csr_on_an_order_still_processing_needs_a_new_order() -> None:
    current = _issued_state(order_status="processing")
    planned = {**current, "csr": make_csr("a.example.com").csr_pem}
    change = policy.plan_update(current, planned, {"csr"}, [], TODAY)
    assert change.action == "replace" and change.replace == ["csr"]
    assert change.notices == []  # a new CSR means a new key: the vendor takes the new order


def test_more_sans_than_were_paid_for_need_a_new_order() -> None:
    current = _issued_state()
    planned = {**current, "dns_names": ["b.example.com", "c.example.com"]}
    change = policy.plan_update(current, planned, {"dns_names"}, [], TODAY)
    assert (change.action, change.replace) == ("replace", ["dns_names"])


@pytest.mark.parametrize("bought, names, action", [
    ({"single": 3, "wildcard": 0}, ["b.example.com", "c.example.com", "d.example.com"], "reissue"),
    ({"single": 3, "wildcard": 0}, ["b.example.com", "*.b.example.com"], "replace"),  # wildcard SANs count apart
    ({"single": 1, "wildcard": 1}, ["*.c.example.com", "c.example.com"], "reissue"),
    ({"single": 1, "wildcard": 1}, ["*.c.example.com", "*.d.example.com"], "replace"),
    (None, ["b.example.com", "c.example.com"], "replace"),  # not reported: the SANs held count as bought
])
def test_sans_count_against_what_the_order_was_bought_with(bought: Any, names: list[str], action: str) -> None:
    current = _issued_state(sans_purchased=bought)
    change = policy.plan_update(current, {**current, "dns_names": names}, {"dns_names"}, [], TODAY)
    assert change.action == action and change.replace == ([] if action == "reissue" else ["dns_names"])


def test_replacing_an_open_order_without_a_new_csr_is_refused_at_plan() -> None:
    current = _issued_state(order_status="processing")
    change = policy.plan_update(current, {**current, "period": 24}, {"period"}, ["period"], TODAY)
    assert change.replace == ["period"]
    [notice] = change.notices
    assert notice.error and notice.path == ["period"] and "cannot be replaced while it is processing" in notice.summary


def test_a_dcv_change_while_validation_is_pending_calls_the_vendor_and_keeps_the_order() -> None:
    current = _issued_state(order_status="processing")
    planned = {**current, "dcv_method": "http"}
    change = policy.plan_update(current, planned, {"dcv_method"}, [], TODAY)
    assert change.action == "change_validation" and change.replace == []
    assert planned["approver_method"] is Unknown and "certificate_pem" not in planned


@pytest.mark.parametrize(("end_date", "days", "due"), [
    ("2026-12-27", 30, True),   # 29 days left of the subscription
    ("2026-12-29", 30, False),
    ("2028-12-29", 30, False),  # the certificate ends in 29 days (below), the subscription in two years
])
def test_renewal_goes_by_the_end_of_the_subscription(end_date: str, days: int, due: bool) -> None:
    state = _issued_state(valid_till="2026-12-27", end_date=end_date)
    assert bool(policy.renewal_due(state, days, TODAY)) is due


@pytest.mark.parametrize(("valid_till", "days", "due"), [
    ("2026-12-27", 30, True),   # 29 days left
    ("2026-12-28", 30, True),   # exactly 30
    ("2026-12-29", 30, False),  # 31
    ("2026-11-01", 30, True),   # already expired
    ("2026-12-01", 0, False),   # renewals disabled
    ("", 30, False),            # not issued
])
def test_renewal_is_due_within_renew_before_days(valid_till: str, days: int, due: bool) -> None:
    assert bool(policy.renewal_due(_issued_state(valid_till=valid_till), days, TODAY)) is due


def test_a_due_renewal_is_planned_as_a_new_paid_order_with_a_warning() -> None:
    current = _issued_state(valid_till="2026-12-10")
    planned = dict(current)
    change = policy.plan_update(current, planned, set(), [], TODAY)
    assert change.action == "renew" and planned["order_id"] is Unknown
    [notice] = change.notices
    assert not notice.error and "due for renewal" in notice.summary
    assert "Its certificate ends on 2026-12-10, in 12 days" in notice.detail


def test_no_renewal_rides_along_with_a_replacement() -> None:
    current = _issued_state(valid_till="2026-12-10")
    change = policy.plan_update(current, {**current, "period": 24}, {"period"}, ["period"], TODAY)
    assert change.action == "replace" and change.notices == []


@pytest.mark.parametrize(("issued_on", "days", "refundable"), [
    ("", 30, True),             # never issued
    ("2026-10-30", 30, True),    # 29 days ago
    # 30 days ago: issued at some hour of that day, so the window may close at any moment today, before
    # the vendor reviews the request; cancelling then ends the certificate without a refund
    ("2026-10-29", 30, False),
    ("2026-10-28", 30, False),   # 31 days ago
    ("2026-10-28", 45, True),    # the product's own window
])
def test_a_cancellation_refunds_before_issuance_and_within_the_refund_days(
        issued_on: str, days: int, refundable: bool) -> None:
    open_, why = policy.refund_window(issued_on, days, TODAY)
    assert open_ is refundable
    assert (why == "") is refundable


def test_the_refund_window_runs_from_the_first_issuance_not_from_a_reissue() -> None:
    """A reissue gives the order a new valid_from, but the vendor refunds only within the refund days of the
    order's first issuance (begin_date); cancelling later ends it as expired with no refund."""
    issued = policy.first_issued(begin_date="2026-06-01", valid_from="2026-11-20")
    assert issued == "2026-06-01"
    assert policy.refund_window(issued, 30, TODAY)[0] is False
    assert policy.first_issued("0000-00-00", "") is None and policy.first_issued("", "2026-11-20") == "2026-11-20"


SUBSCRIPTION = {"valid_from": "2026-06-15", "valid_till": "2026-12-31", "begin_date": "2026-06-15",
                "end_date": "2028-06-15"}


@pytest.mark.parametrize(("over", "reissue_before_days", "action"), [
    ({}, None, "reissue"),                                  # 33 days left of a 199-day certificate: window 66
    ({"valid_from": "2026-07-17", "valid_till": "2027-02-02"}, None, "reissue"),  # 200-day cert: 66 days left
    ({"valid_from": "2026-07-18", "valid_till": "2027-02-03"}, None, "state"),    # 67 days left
    ({}, 20, "state"),                                      # the user's window: 20 days
    ({}, 0, "state"),                                       # disabled
    ({"end_date": "2026-12-31"}, None, "state"),            # ends with the certificate, 33 days away: neither
    ({"valid_till": "2026-12-20", "end_date": "2026-12-20"}, None, "renew"),  # within renew_before_days
    ({"end_date": "2027-03-01"}, None, "reissue"),          # the subscription outlasts the certificate
    ({"end_date": ""}, None, "state"),                      # no subscription end known: renew by valid_till
    ({"order_status": "reissue"}, None, "state"),           # a reissue is already under way
    ({"order_status": "processing"}, None, "state"),
    ({"valid_till": "2026-11-01"}, None, "reissue"),        # the certificate already expired
])
def test_a_certificate_ending_inside_its_subscription_is_reissued_and_the_subscription_renewed(
        over: dict[str, Any], reissue_before_days: Any, action: str) -> None:
    state = _issued_state(**{**SUBSCRIPTION, **over})
    planned = {**state, "reissue_before_days": reissue_before_days}
    assert policy.update_action(state, planned, set(), TODAY) == action


def test_the_default_reissue_window_follows_the_certificate_lifetime_of_the_day() -> None:
    assert policy.reissue_window(None, dt.date(2026, 3, 14)) == 132  # 398 days
    assert policy.reissue_window(None, dt.date(2026, 3, 15)) == 66
    assert policy.reissue_window(None, dt.date(2027, 3, 15)) == 33
    assert policy.reissue_window(None, dt.date(2029, 3, 15)) == 15
    assert policy.reissue_window(10, dt.date(2029, 3, 15)) == 10


def test_a_due_reissue_is_planned_free_with_the_outputs_it_changes_unknown() -> None:
    current = _issued_state(**SUBSCRIPTION)
    planned = {**current, "reissue_before_days": None}
    change = policy.plan_update(current, planned, set(), [], TODAY)
    assert change.action == "reissue" and change.replace == []
    [notice] = change.notices
    assert not notice.error and "due for a free reissue" in notice.summary
    assert "2026-12-31, in 33 days" in notice.detail and "runs until 2028-06-15" in notice.detail
    assert planned["certificate_pem"] is Unknown and planned["valid_till"] is Unknown
    assert planned["order_id"] == current["order_id"], "a reissue keeps the order"


def test_an_uncertain_cancellation_blocks_a_second_one_for_the_review_period() -> None:
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    ends = policy.cancel_review_ends("2026-11-27T13:00:00Z", now)
    assert ends == dt.datetime(2026, 11, 29, 13, 0, tzinfo=dt.UTC)
    assert policy.cancel_review_ends("2026-11-26T11:59:00Z", now) is None
    assert policy.cancel_review_ends(None, now) is None


def test_the_request_model_and_the_schema_name_the_same_arguments() -> None:
    fields = AddSSLOrderRequest.model_fields
    assert set(fields) == set(ARGUMENT_NAMES)
    assert {n for n, f in fields.items() if f.is_required()} == set(REQUIRED)
    schema = {a.name: a for a in resource_schema().attributes}
    assert {n for n in ARGUMENT_NAMES if schema[n].required} == set(REQUIRED)


def test_a_reissue_sends_and_compares_every_field_it_changes() -> None:
    """REISSUE_FIELDS is the one list of what a reissue changes: the reissue request carries each (its model
    forbids extra fields, so one it lacks would fail every reissue), and after an uncertain answer each one
    GoGetSSL reports is compared with what it holds (one left out would take a half-done reissue for done)."""
    assert set(ReissueRequest.model_fields) == REISSUE_REQUEST_FIELDS and REISSUE_FIELDS <= REISSUE_REQUEST_FIELDS
    assert set(spend._reissue_view_of({})) == REISSUE_FIELDS - UNREPORTED
    assert policy.reissue_changes(_issued_state(), set(REISSUE_FIELDS)) == REISSUE_FIELDS - UNREPORTED
    assert policy.reissue_changes(_issued_state(signature_hash="SHA2"), set(REISSUE_FIELDS)) == REISSUE_FIELDS


def test_san_names_unknown_until_apply_plan_an_in_place_reissue_without_crashing() -> None:
    """dns_names computed from another resource: the plan cannot count them, so it plans the free reissue;
    GoGetSSL refuses a reissue beyond the SANs paid for, and nothing is bought or cancelled."""
    current = _issued_state()
    planned = {**current, "dns_names": Unknown}
    change = policy.plan_update(current, planned, {"dns_names"}, [], TODAY)
    assert (change.action, change.replace) == ("reissue", [])
    assert planned["validation_records"] is Unknown



def test_each_certificate_request_gets_a_stamp_of_its_own() -> None:
    """The waiter waits again only when certificate_requested_at changes: a reissue in the same clock tick as
    the request before it must still change it."""
    now = dt.datetime(2026, 12, 6, 12, 0, 0, 5, tzinfo=dt.UTC)
    first = policy.request_stamp(None, now)
    assert first == "2026-12-06T12:00:00.000005Z"
    assert policy.request_stamp(first, now) not in (first, "")
    assert policy.parse_time(policy.request_stamp(first, now)) > policy.parse_time(first)


def test_a_new_csr_while_a_reissue_is_pending_is_refused_at_plan_not_bought_as_a_new_order() -> None:
    """The order was issued and is being reissued (validation asked for again: `processing`). A key rotation now
    cannot be a reissue (GoGetSSL reissues active orders only), and a replacement would buy a new order and
    forget this paid one: the plan fails, saying to wait."""
    current = _issued_state(**SUBSCRIPTION, order_status="processing")
    planned = {**current, "csr": make_csr("a.example.com").csr_pem}
    change = policy.plan_update(current, planned, {"csr"}, [], TODAY)
    assert change.action != "replace" and change.replace == []
    [notice] = change.notices
    assert notice.error and notice.path == ["csr"] and "reissue is pending" in notice.summary


def test_the_first_issuance_is_the_subscriptions_start_else_the_certificates() -> None:
    assert policy.first_issued("", "", ) is None and policy.first_issued("0000-00-00", "") is None
    assert policy.first_issued("2026-05-01", "2026-11-20") == "2026-05-01"
    assert policy.first_issued("", "2026-11-20") == "2026-11-20"


@pytest.mark.parametrize(("valid_from", "valid_till", "window"), [
    ("2026-12-06", "2027-06-24", 66),  # a 200-day certificate: a third of it
    ("2027-04-01", "2027-07-10", 33),  # a 100-day one
    ("2029-04-01", "2029-05-18", 15),  # a 47-day one
])
def test_the_default_reissue_window_is_a_third_of_the_certificates_own_life(valid_from: str, valid_till: str,
                                                                            window: int) -> None:
    state = _issued_state(valid_from=valid_from, valid_till=valid_till, end_date="2030-01-01")
    assert policy.reissue_window(None, dt.date(2027, 5, 1), state) == window


def test_renewals_switched_off_leave_free_reissues_on() -> None:
    """renew_before_days = 0 stops paid renewals only: a certificate ending inside its subscription is still
    reissued (adopted orders switch both off, with reissue_before_days = 0)."""
    state = _issued_state(**SUBSCRIPTION, renew_before_days=0)
    assert policy.update_action(state, {**state, "reissue_before_days": None}, set(), TODAY) == "reissue"
    assert policy.update_action(state, {**state, "reissue_before_days": 0}, set(), TODAY) == "state"


def test_a_reissue_window_as_long_as_a_certificate_is_refused_at_plan() -> None:
    """With 100-day certificates, reissue_before_days = 120 would make every new certificate due at once: one
    reissue per apply, forever."""
    notice = policy.reissue_window_problem(120, dt.date(2027, 5, 1))
    assert notice is not None and notice.error and notice.path == ["reissue_before_days"]
    assert "100 days" in notice.detail
    assert policy.reissue_window_problem(99, dt.date(2027, 5, 1)) is None
    assert policy.reissue_window_problem(None, dt.date(2027, 5, 1)) is None


@pytest.mark.parametrize(("setting", "value", "accepted"), [
    ("renew_before_days", 30, True),
    ("renew_before_days", 0, True),
    ("renew_before_days", 31, False),  # GoGetSSL refuses a renewal earlier than 30 days before the end
    ("renew_before_days", 400, False),
    ("reissue_before_days", 0, True),
    ("reissue_before_days", 40, True),
    ("reissue_before_days", -5, False),
    ("reissue_before_days", 2.5, False),
])
def test_lifecycle_settings_are_checked_at_validate(setting: str, value: Any, accepted: bool) -> None:
    from tf.utils import Diagnostics

    from provider.resources.ssl_order import SslOrderResource
    from tests.support import planned_order

    config = planned_order(SslOrderResource.get_schema(), csr=make_csr("a.example.com").csr_pem,
                           **{setting: value})
    diags = Diagnostics()
    SslOrderResource(None).validate(diags, "gogetssl_ssl_order", config)  # type: ignore[arg-type]
    errors = [d for d in diags.diagnostics if d.severity == "error"]
    assert (not errors) is accepted, [d.summary for d in errors]
    if not accepted:
        assert errors[0].summary == f"Invalid {setting}" and setting in errors[0].detail
