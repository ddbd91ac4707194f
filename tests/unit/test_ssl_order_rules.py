"""The order rules as pure functions: specific rules, and property-based checks that no input crashes them."""

from __future__ import annotations

import math
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tf.types import Unknown

from provider.client.models import Product
from provider.common import order_rules as rules
from provider.common.order_schema import ARGUMENT_NAMES
from tests.support import make_csr, minimal_order

CSR = make_csr("shop.example.com")
GOOD = minimal_order(csr=CSR.csr_pem, dcv_method="http")
SAN = Product.model_validate({"id": 67, "product": "Multi", "product_type": "domain", "san_enabled": 1,
                              "san_max": 3, "max_period": 24, "dcv_http": 1, "dcv_dns": 1, "dcv_email": 1,
                              "prices": {"vendor": {"12": "1", "24": "2"}}})


def problems(**over):
    return rules.check_static({**GOOD, **over})[0]


def test_a_good_order_has_no_problems():
    found, csr = rules.check_static(GOOD)
    assert found == [] and csr is not None and csr.common_name == "shop.example.com"
    assert rules.check_product(GOOD, SAN, csr) == []


def test_unknown_values_are_skipped():
    assert problems(csr=Unknown, dcv_method=Unknown, admin_email=Unknown, dns_names=[Unknown, "a.example.com"],
                    approver_emails=Unknown, period=Unknown) == []


def test_each_problem_names_its_attribute_and_element():
    found = problems(dns_names=["a.example.com", "shop.example.com", "a.example.com"], approver_emails=["x", "dns"])
    paths = {(p.path[0], p.path[1][0] if len(p.path) > 1 else None) for p in found}
    assert ("dns_names", 1) in paths and ("dns_names", 2) in paths
    assert ("approver_emails", 0) in paths and ("approver_emails", None) in paths


def test_count_mismatch_message_says_what_to_do():
    (p,) = problems(dns_names=["a.example.com", "b.example.com"], approver_emails=["dns"])
    assert p.detail == ("approver_emails has 1 entry but dns_names has 2: give one approver per additional domain, "
                        "in the same order.")


def test_product_rules():
    csr = rules.check_static(GOOD)[1]
    assert [p.path for p in rules.check_product({**GOOD, "period": 36}, SAN, csr)] == [["period"]]
    too_many = {**GOOD, "dns_names": [f"h{i}.example.com" for i in range(4)]}
    assert [p.summary for p in rules.check_product(too_many, SAN, csr)] == ["Too many dns_names"]
    ev = SAN.model_copy(update={"product_type": "extended", "san_enabled": False})
    missing = {p.path[0] for p in rules.check_product(GOOD, ev, csr)}
    assert missing == set(rules.REQUIRED_EV)


# -- flags of the catalogue (docs/vendor-api.md §2.4) that decide what an order may be --
WILDCARD = Product.model_validate({"id": 66, "product": "Sectigo PositiveSSL Wildcard", "product_type": "domain",
                                   "wildcard_enabled": 1, "max_period": 24, "dcv_dns": 1, "dcv_email": 1,
                                   "prices": {"vendor": {"12": "59.00"}}})
WILD_CSR = make_csr("*.shop.example.com")


def _product_problems(product: Product, **over: Any) -> list[rules.Problem]:
    """The product rules of GOOD with `over`, for the CSR the configuration holds."""
    cfg = {**GOOD, **over}
    return rules.check_product(cfg, product, rules.check_static(cfg)[1])


def test_a_wildcard_product_with_a_plain_csr_is_refused_naming_product_id_and_csr():
    (p,) = _product_problems(WILDCARD, dcv_method="dns")
    assert p.path == ["product_id"] and p.summary == "A wildcard product needs a wildcard CSR"
    assert "product_id 66" in p.detail and "csr" in p.detail and "shop.example.com" in p.detail
    assert "*.example.com" in p.detail, "the detail says what is accepted"
    assert _product_problems(WILDCARD, csr=WILD_CSR.csr_pem, dcv_method="dns") == []


def test_a_multi_domain_wildcard_product_is_held_to_a_wildcard_csr_too():
    multi_wild = SAN.model_copy(update={"wildcard_enabled": True, "wildcard_san_enabled": True})
    found = _product_problems(multi_wild, dns_names=["a.example.com"], approver_emails=["dns"])
    assert [p.summary for p in found] == ["A wildcard product needs a wildcard CSR"]


def test_a_wildcard_csr_needs_wildcard_enabled_even_where_wildcard_sans_are():
    wild_sans = SAN.model_copy(update={"wildcard_san_enabled": True})
    cfg = {"csr": WILD_CSR.csr_pem, "dcv_method": "dns", "dns_names": ["*.shop.example.org"],
           "approver_emails": ["dns"]}
    assert [(p.path, p.summary) for p in _product_problems(wild_sans, **cfg)] == [
        (["csr"], "Wildcard CSR needs a wildcard product")]
    assert sorted(p.path[0] for p in _product_problems(SAN, **cfg)) == ["csr", "dns_names"]


def test_a_wildcard_san_validated_by_file_through_dcv_method_is_refused():
    names = ["a.example.com", "*.example.org"]
    (p,) = problems(dcv_method="http", dns_names=names)  # every SAN validated by http: the provider sends it
    assert p.path == ["dns_names", (1,)] and "wildcard" in p.summary and "approver_emails" in p.detail
    assert problems(dcv_method="https", dns_names=names, approver_emails=["https", "dns"]) == []
    assert [q.path for q in problems(dcv_method="http", dns_names=names, approver_emails=["http", "http"])] == [
        ["approver_emails", (1,)]]
    assert problems(dcv_method="dns", dns_names=names) == []


def test_each_sans_method_must_be_offered_by_the_product():
    no_files = SAN.model_copy(update={"dcv_http": False, "dcv_https": False})
    found = _product_problems(no_files, dcv_method="dns", dns_names=["a.example.com", "b.example.com"],
                              approver_emails=["http", "admin@b.example.com"])
    assert [(p.path, p.summary) for p in found] == [(["approver_emails", (0,)],
                                                    "'http' validation is not offered for this product")]
    assert "dns, email" in found[0].detail or "email, dns" in found[0].detail
    no_email = SAN.model_copy(update={"dcv_email": False})
    assert [p.path for p in _product_problems(no_email, dcv_method="dns", dns_names=["a.example.com"],
                                              approver_emails=["admin@a.example.com"])] == [["approver_emails", (0,)]]


def test_unlimited_server_licences_only_where_the_product_has_them():
    counted = SAN.model_copy(update={"unlimited_licencing": False})
    (p,) = _product_problems(counted, server_count=-1)
    assert p.path == ["server_count"] and "positive whole number" in p.detail
    assert _product_problems(counted, server_count=1) == []
    assert _product_problems(SAN.model_copy(update={"unlimited_licencing": True}), server_count=-1) == []
    assert SAN.unlimited_licencing is None and _product_problems(SAN, server_count=-1) == [], \
        "a catalogue that does not say is not read as a refusal"


def test_validators():
    assert rules.is_phone("+44 20 7946 0000") and rules.is_phone("(202) 555-0100")
    assert not rules.is_phone("12") and not rules.is_phone("phone") and not rules.is_phone("+44 ２０ ７９４６")
    assert rules.is_country("LV") and not rules.is_country("UK") and not rules.is_country("lv")
    assert rules.is_email("ops@example.com") and not rules.is_email("ops@") and not rules.is_email("@x.io")
    assert rules.is_hostname("*.example.com") and not rules.is_hostname("-bad-.example.com")
    assert not rules.is_hostname("localhost") and not rules.is_hostname("a b.example.com")


values = st.one_of(
    st.none(), st.just(Unknown), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(max_size=300), st.lists(st.one_of(st.text(max_size=40), st.none(), st.just(Unknown)), max_size=5),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(ARGUMENT_NAMES), values, max_size=12))
@example({"dns_names": [f"h{i}.example.com" for i in range(3)], "period": 24})  # at the limits
@example({"dns_names": [f"h{i}.example.com" for i in range(4)], "period": 36})  # just past them
def test_no_configuration_crashes_the_rules_and_problems_point_at_arguments(cfg):
    found, _ = rules.check_static({**GOOD, **cfg})
    for p in found:
        assert p.path[0] in ARGUMENT_NAMES
        assert p.summary and p.detail
    order = {**GOOD, **cfg}
    for_product = rules.check_product(order, SAN, None)
    for p in for_product:
        assert p.path[0] in ARGUMENT_NAMES
        assert p.summary and p.detail
    # SAN is sold for 12 or 24 months, with at most 3 dns_names: exactly those limits are reported.
    period, names = order.get("period"), order.get("dns_names")
    whole_period = (isinstance(period, (int, float)) and not isinstance(period, bool) and math.isfinite(period)
                    and period == int(period))
    assert (["period"] in [p.path for p in for_product]) == (whole_period and int(period) not in (12, 24))
    too_many = [p for p in for_product if p.summary == "Too many dns_names"]
    assert bool(too_many) == (isinstance(names, list) and len(names) > 3)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_as_csr_is_an_error_not_a_crash(text):
    found, _ = rules.check_static({**GOOD, "csr": text})
    assert any(p.path == ["csr"] for p in found)


def test_a_csr_of_a_key_type_nobody_knows_is_a_csr_error_not_a_crash():
    """rsaEncryption's OID with its last arc changed: cryptography raises UnsupportedAlgorithm (not a ValueError)
    for the key; the order's csr is refused as the functions refuse it (dcv_records feeds the same CSR)."""
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    der = x509.load_pem_x509_csr(CSR.csr_pem.encode()).public_bytes(serialization.Encoding.DER)
    oid = bytes.fromhex("06092A864886F70D010101")
    at = der.find(oid)
    der = der[:at] + oid[:-1] + b"\x7e" + der[at + len(oid):]
    pem = ("-----BEGIN CERTIFICATE REQUEST-----\n" + base64.encodebytes(der).decode()
           + "-----END CERTIFICATE REQUEST-----\n")
    found, csr = rules.check_static({**GOOD, "csr": pem})
    assert csr is None and [p.summary for p in found if p.path == ["csr"]] == ["Invalid csr"], found


VERDICTS: list[tuple[Any, str, bool]] = [
    (rules.is_email, "ops@example.com", True),
    (rules.is_email, "ada.lovelace+tf@example.co.uk", True),
    (rules.is_email, "ops@", False),
    (rules.is_email, "@x.io", False),
    (rules.is_email, "ops@example", False),
    (rules.is_email, "ops@@example.com", False),
    (rules.is_email, "ops example@example.com", False),
    (rules.is_email, "ops@example..com", False),
    (rules.is_email, "ops@-example.com", False),
    (rules.is_email, "ops@example.com\x00", False),
    (rules.is_email, "", False),
    (rules.is_email, " ", False),
    (rules.is_phone, "+44 20 7946 0000", True),
    (rules.is_phone, "(202) 555-0100", True),
    (rules.is_phone, "+1.202.555.0100", True),
    (rules.is_phone, "020/7946 0000", True),
    (rules.is_phone, " +44 20 7946 0000 ", True),
    (rules.is_phone, "12345", True),
    (rules.is_phone, "1234", False),
    (rules.is_phone, "12", False),
    (rules.is_phone, "phone", False),
    (rules.is_phone, "+44 ２０ ７９４６ ００００", False),
    (rules.is_phone, "++44 20 7946 0000", False),
    (rules.is_phone, "+44 20 7946 0000 ext 5", False),
    (rules.is_phone, "-12345", False),
    (rules.is_phone, "+", False),
    (rules.is_phone, "", False),
    (rules.is_phone, "   ", False),
    (rules.is_country, "LV", True),
    (rules.is_country, "GB", True),
    (rules.is_country, "US", True),
    (rules.is_country, "UK", False),
    (rules.is_country, "lv", False),
    (rules.is_country, "Lv", False),
    (rules.is_country, "USA", False),
    (rules.is_country, "XX", False),
    (rules.is_country, " GB", False),
    (rules.is_country, "ＧＢ", False),
    (rules.is_country, "", False),
    (rules.is_hostname, "example.com", True),
    (rules.is_hostname, "*.example.com", True),
    (rules.is_hostname, "a-b.example.com", True),
    (rules.is_hostname, "xn--bcher-kva.example", True),
    (rules.is_hostname, "EXAMPLE.COM", True),
    (rules.is_hostname, "a" * 63 + ".com", True),
    (rules.is_hostname, "a" * 64 + ".com", False),
    (rules.is_hostname, "-bad-.example.com", False),
    (rules.is_hostname, "bad-.example.com", False),
    (rules.is_hostname, "localhost", False),
    (rules.is_hostname, "a b.example.com", False),
    (rules.is_hostname, "a..b.com", False),
    (rules.is_hostname, "example.com.", False),
    (rules.is_hostname, "*.*.example.com", False),
    (rules.is_hostname, "a.*.example.com", False),
    (rules.is_hostname, "*.com", False),
    (rules.is_hostname, "_acme.example.com", False),
    (rules.is_hostname, "äöü.example.com", False),
    (rules.is_hostname, ".", False),
    (rules.is_hostname, "", False),
]


@pytest.mark.parametrize("check, text, expected", VERDICTS,
                         ids=[f"{c.__name__}-{t!r}-{e}" for c, t, e in VERDICTS])
def test_field_validators_accept_or_refuse_without_raising(check, text: str, expected: bool):
    assert check(text) is expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "äöü２０@.+", max_size=60))
def test_field_validators_never_raise_nor_accept_what_cannot_be_valid(text):
    if rules.is_email(text):
        assert "@" in text and "." in text.rsplit("@", 1)[1]
    if rules.is_phone(text):
        assert set(text.strip()) <= set("+0123456789 ().-/") and sum(c in "0123456789" for c in text) >= 5
    if rules.is_country(text):
        assert len(text) == 2 and text.isascii() and text.isupper()
    if rules.is_hostname(text):
        assert text.isascii() and "." in text and not text.startswith(".") and not text.endswith(".")
