"""provider/common/pricing.py: the catalogue price a plan shows, and when it cannot be known."""

from __future__ import annotations

from typing import Any

import pytest

from provider.client.models import Product
from provider.common.pricing import order_price


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
