"""DCV records and the waiter's pure parts: record parsing, plan-time records, durations, pending domains."""

from __future__ import annotations

import pytest
from tf.types import Unknown

from provider.client.models import OrderStatus
from provider.common import dcv
from provider.resources.ssl_order_waiting import parse_duration, pending_domains


@pytest.mark.parametrize("record, expected", [
    ("_abc.example.com CNAME 1234.5678.c0de.sectigo.com", ("_abc.example.com", "CNAME", "1234.5678.c0de.sectigo.com")),
    ('_dnsauth.example.com IN   TXT "tok123"', ("_dnsauth.example.com", "TXT", "tok123")),
    ("_abc.example.com. cname target.example.net.", ("_abc.example.com", "CNAME", "target.example.net.")),
])
def test_vendor_dns_record_strings_are_split_into_fields(record, expected):
    assert dcv.split_dns_record(record) == expected


def test_planned_records_know_domains_and_methods_only():
    cfg = {"dcv_method": "dns", "dns_names": ["a.example.com", "b.example.com"],
           "approver_emails": ["http", "admin@b.example.com"]}
    recs = dcv.planned_records(cfg, "example.com")
    assert [(r["domain"], r["method"]) for r in recs] == [("example.com", "dns"), ("a.example.com", "http"),
                                                          ("b.example.com", "email")]
    assert recs[0]["record_name"] is Unknown and recs[2]["email"] == "admin@b.example.com"
    assert recs[0]["email"] is None


def test_planned_records_unknown_when_domains_are():
    assert dcv.planned_records({"dcv_method": "dns"}, None) is Unknown
    assert dcv.planned_records({"dcv_method": "dns", "dns_names": [Unknown]}, "example.com") is Unknown
    assert dcv.planned_records({"dcv_method": Unknown}, "example.com") is Unknown


def test_built_records_parse_the_vendor_shapes():
    status = OrderStatus.model_validate({
        "order_id": "1", "domain": "example.com", "dcv_method": "http",
        "approver_method": {"http": {"link": "http://example.com/.well-known/pki-validation/AB.txt",
                                     "filename": "AB.txt", "content": "X\r\nsectigo.com\r\nu"}},
        "san": [{"san_name": "a.example.com", "validation_method": "dns", "status": "1",
                 "validation": {"dns": {"record": "_m.a.example.com CNAME v.sectigo.com"}}}],
    })
    cfg = {"dcv_method": "http", "dns_names": ["a.example.com"], "approver_emails": ["dns"]}
    primary, san = dcv.build_records(cfg, "example.com", status.approver_method, status.san)
    assert primary["file_path"] == "/.well-known/pki-validation/AB.txt" and primary["file_name"] == "AB.txt"
    assert primary["url"].startswith("http://example.com/") and primary["record_name"] is None
    assert (san["record_name"], san["record_type"], san["record_value"]) == ("_m.a.example.com", "CNAME",
                                                                             "v.sectigo.com")
    (pending,) = [p for p in pending_domains(status) if p.domain == "a.example.com"]
    assert "CNAME record _m.a.example.com = v.sectigo.com" in pending.waiting_for


@pytest.mark.parametrize("text, seconds", [("45m", 2700), ("1h30m", 5400), ("90s", 90), ("1.5h", 5400),
                                           ("250ms", 0.25)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "45", "m", "45 minutes", "-5m", "5m junk"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)
