"""provider/common/pricing.py: the catalogue price a plan shows, and when it cannot be known."""

from __future__ import annotations

from typing import Any

import pytest

from provider.client.models import Invoice, Product, ProductDetails
from provider.common.pricing import latest_invoice, order_price, parse_tax_rate, tax_on, tax_percent


def product(prices: dict[str, Any], **fields: Any) -> Product:
    return Product.model_validate({"id": 99, "product": "Test", "san_enabled": True, "prices": prices, **fields})


@pytest.mark.parametrize("bad", ["NaN", "inf", "-Infinity", 1e400, "-6.90", -1])
def test_a_price_that_is_not_a_finite_amount_of_money_is_unknown(bad: Any):
    """Terraform itself crashes on a NaN number, and a negative price would lower the total checked against
    the balance: such a catalogue entry gives no price at plan time."""
    assert order_price(product({"vendor": {"12": bad}}), 12, []) is None
    assert order_price(product({"vendor": {"12": "10"}, "san": {"12": bad}}), 12, ["a.example.com"], 0) is None


def test_the_same_names_cost_the_same_in_any_order_and_wildcards_are_never_included():
    p = product({"vendor": {"12": "100"}, "san": {"12": "10"}, "wildcard_san": {"12": "50"}})
    names = ["a.example.com", "b.example.com", "*.example.com"]

    prices = {order_price(p, 12, order, 2) for order in (names, names[::-1], [names[2], *names[:2]])}

    assert prices == {150.0}  # two single SANs included, the wildcard SAN at its own price


# -- the account's price, not the CA's (docs/vendor-api.md §9.3) --
def test_the_top_level_price_is_the_accounts_and_the_vendor_table_is_the_cas():
    """`prices.vendor` is the CA's price; the account pays the top-level "base price for each period"."""
    p = product({"12": "6.90", "24": "12.90", "vendor": {"12": "49.00", "24": "89.00"}})
    assert (order_price(p, 12, []), order_price(p, 24, [])) == (6.90, 12.90)


@pytest.mark.parametrize("top", [None, ""])
def test_the_vendor_price_stands_in_only_where_the_accounts_is_missing(top: Any):
    prices: dict[str, Any] = {"vendor": {"12": "49.00"}}
    if top is not None:
        prices["12"] = top
    assert order_price(product(prices), 12, []) == 49.00


def test_an_unreadable_account_price_is_unknown_not_the_cas():
    assert order_price(product({"12": "NaN", "vendor": {"12": "49.00"}}), 12, []) is None


def test_the_orderable_periods_come_from_the_top_level_keys_without_a_vendor_table():
    assert product({"12": "6.90", "24": "12.90", "san": {"12": "1"}}, max_period=24).periods == [12, 24]
    assert product({"12": "6.90", "vendor": {"12": "9", "36": "20"}}, max_period=24).periods == [12]


# -- included SANs, single and wildcard apart --
MULTI = {"12": "100", "vendor": {"12": "300"}, "san": {"12": "10"}, "wildcard_san": {"12": "50"}}
SINGLES = ["a.example.com", "b.example.com", "c.example.com"]
WILDCARDS = ["*.a.example.com", "*.b.example.com"]


def test_included_single_and_wildcard_sans_are_free_each_up_to_its_own_count():
    p = product(MULTI)
    assert order_price(p, 12, SINGLES + WILDCARDS, 2, 1) == 100 + 10 + 50
    assert order_price(p, 12, SINGLES + WILDCARDS, 3, 2) == 100
    # An included wildcard SAN does not cover a single name, nor the other way round.
    assert order_price(p, 12, SINGLES, 0, 5) == 130
    assert order_price(p, 12, WILDCARDS, 5, 0) == 200


def test_a_wildcard_san_costs_a_single_sans_price_where_the_product_lists_no_wildcard_table():
    p = product({"12": "100", "san": {"12": "10"}})
    assert order_price(p, 12, ["a.example.com", *WILDCARDS], 1, 1) == 110


def test_details_split_the_included_sans_and_an_unsplit_total_counts_as_single_names():
    def details(**fields: Any) -> ProductDetails:
        return ProductDetails.model_validate(fields)

    split = details(product_multidomains_included="3", product_single_san_included="2",
                    product_wildcard_san_included="1")
    assert (split.single_san_included, split.wildcard_san_included) == (2, 1)
    assert (details(product_multidomains_included=3).single_san_included,
            details(product_multidomains_included=3).wildcard_san_included) == (3, 0)
    assert (details(product_multidomains_included=3, product_wildcard_san_included=1).single_san_included) == 2
    assert (details().single_san_included, details().wildcard_san_included) == (0, 0)
    assert details(product_single_san_included=-4).single_san_included == 0


def test_details_read_the_price_lists_they_can_and_drop_the_rest():
    d = ProductDetails.model_validate({"product_prices": [{"period": "12", "price": "6.90"}, {"price": "lots"}, 7],
                                       "product_san_prices": "none", "refund_days": "30"})
    assert [(e.period, e.price) for e in d.product_prices] == [(12, 6.90)]
    assert d.product_san_prices == [] and d.refund_days == 30


# -- tax on top --
@pytest.mark.parametrize(("price", "percent", "tax"), [
    (6.90, 21, 1.45),  # 1.449
    (100.5, 1, 1.01),  # 1.005: half up, where a binary float rounds down
    (24.00, 0, 0.0),
    (10.00, 5.5, 0.55),
])
def test_tax_is_rounded_half_up_to_the_cent(price: float, percent: float, tax: float):
    assert tax_on(price, percent) == tax


@pytest.mark.parametrize(("text", "subtotal", "tax", "percent"), [
    ("21%", None, None, 21.0), ("21", None, None, 21.0), (" 21.5 % ", None, None, 21.5), ("0%", None, None, 0.0),
    ("0", None, None, 0.0), (21, None, None, 21.0), ("0.5%", None, None, 0.5),
    ("0.21", 10.0, 2.10, 21.0),  # the invoice's own amounts say it is a fraction
    ("0.21", 100.0, 0.21, 0.21),  # ... or a percentage
    ("0.21", None, None, None),  # ambiguous without them
    ("", None, None, None), (None, None, None, None), ("VAT", None, None, None), ("-5%", None, None, None),
    ("NaN", None, None, None), ("150%", None, None, None),
])
def test_a_tax_rate_is_read_as_a_percentage_or_not_at_all(text: Any, subtotal: Any, tax: Any, percent: Any):
    assert parse_tax_rate(text, subtotal, tax) == percent


def invoice(number: str, date: str, rate: str) -> Invoice:
    return Invoice.model_validate({"number": number, "date": date, "tax_rate": rate, "subtotal": "10", "tax": "0"})


def test_the_accounts_tax_rate_is_that_of_its_newest_invoice():
    invoices = [invoice("7", "2026-03-01", "19%"), invoice("12", "2026-05-02 10:00:00", "21%"),
                invoice("9", "2026-05-02", "20%"), invoice("10", "2026-05-02 09:00:00", "18%")]
    assert latest_invoice(invoices) is invoices[1] and tax_percent(invoices) == 21.0
    same_day = [invoice("9", "2026-05-02", "20%"), invoice("11", "2026-05-02", "21%")]
    assert tax_percent(same_day) == 21.0  # the higher number is the later one
    assert tax_percent([]) is None
    assert tax_percent([invoice("1", "2026-01-01", "21%"), invoice("2", "2026-02-01", "n/a")]) is None
