"""The order rules as pure functions: specific rules, and property-based checks that no input crashes them."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tf.types import Unknown

from provider.client.models import Product
from provider.resources import ssl_order_rules as rules
from provider.resources.ssl_order import ARGUMENT_NAMES
from tests.support import CONTACTS, make_csr

CSR = make_csr("shop.example.com")
GOOD = {"product_id": 65, "period": 12, "csr": CSR.csr_pem, "server_count": -1, "webserver_type": 1,
        "dcv_method": "http", **CONTACTS}
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
def test_no_configuration_crashes_the_rules_and_problems_point_at_arguments(cfg):
    found, _ = rules.check_static({**GOOD, **cfg})
    for p in found:
        assert p.path[0] in ARGUMENT_NAMES
        assert p.summary and p.detail
    rules.check_product({**GOOD, **cfg}, SAN, None)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_as_csr_is_an_error_not_a_crash(text):
    found, _ = rules.check_static({**GOOD, "csr": text})
    assert any(p.path == ["csr"] for p in found)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "äöü２０@.+", max_size=60))
def test_field_validators_accept_or_refuse_without_raising(text):
    for check in (rules.is_email, rules.is_phone, rules.is_country, rules.is_hostname):
        assert check(text) in (True, False)
