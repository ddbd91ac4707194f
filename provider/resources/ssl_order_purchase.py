"""What a plan or an apply of gogetssl_ssl_order buys: at plan time `planned_action`, `planned_price`,
`planned_currency` and `planned_tax`, a warning naming each purchase, and a check that the account's balance
covers everything the plans of this process buy, tax included (docs/guides/ci.md); at apply, the check of each
purchase against the balance read just before it. (What destroying an order does is decided in
ssl_order_destroy_decision.py.)

The four attributes describe the change being planned. Apply keeps what the plan said (Terraform requires
it); the next refresh sets `planned_action` back to `none` and `planned_price` and `planned_tax` to 0, so the
plan after an apply is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tf.types import Unknown
from tf.utils import Diagnostics

from provider.client import errors
from provider.common import pricing
from provider.common.order_rules import is_whole
from provider.common.order_schema import PLANNED_NAMES
from provider.common.order_state import common_name
from provider.common.services import NotConfigured, ProviderServices

PAID = ("order", "renew")


def plan_purchase(services: ProviderServices, diags: Diagnostics, planned: dict[str, Any], action: str,
                  key: str, *, count: bool = True) -> None:
    """Set the planned_* attributes of a paid `action` ("order" or "renew"), warn with its price, and fail the
    plan when this process's purchases, tax included, exceed the balance. `key` names the purchase
    (pricing.purchase_key); `count` False leaves it out of the balance check (its create plan counts it)."""
    planned["planned_action"] = action
    planned["planned_price"] = planned["planned_currency"] = planned["planned_tax"] = Unknown

    priced = _price(services, planned)
    if priced is None:
        name = common_name(planned.get("csr")) or f"product {planned.get('product_id')}"
        diags.add_warning(
            f"Price not known at plan time for {name}",
            "This plan buys a certificate whose price cannot be worked out now (the product's catalogue entry could "
            "not be read or has no price for this period, or its arguments are known only at apply), so the "
            "balance check does not count it. Apply prices it again and checks it against the balance before "
            "buying; nothing is bought without a price.", path=["product_id"])
        return
    price, product, included, exact = priced

    try:
        balance = services.balance()
    except (NotConfigured, errors.GoGetSSLError) as exc:
        # An error, not a warning: without the balance the plan can state neither what its purchases cost in
        # all against it nor their currency, and the re-plan of an apply must give what the plan gave.
        diags.add_error("Account balance could not be read",
                        f"Reading the account balance failed ({exc}), so this plan cannot check its purchases "
                        "against it nor state their currency. Nothing was ordered; plan (or apply) again.",
                        path=["product_id"])
        return
    currency = balance.currency or None

    # Read only once something is bought; unknown (no invoice yet, or unreadable) leaves the plan going, its
    # price marked as excluding tax.
    percent = services.tax_percent()
    tax = pricing.tax_on(price, percent) if percent is not None else None
    planned["planned_price"], planned["planned_currency"], planned["planned_tax"] = price, currency, tax
    total, bought = services.budget.add(key, round(price + (tax or 0), 2)) if count else (0.0, 0)

    what = "A renewal order" if action == "renew" else "A new order"
    sans = planned.get("dns_names") or []
    extra = (f" with {len(sans)} additional domain{'s' if len(sans) != 1 else ''}"
             + (f" ({included} included in the product)" if included else "")) if sans else ""
    cur = f" {currency}" if currency else ""
    cost = (f"{price:.2f}{cur} + {tax:.2f}{cur} tax ({pricing.rate_text(percent)})" if tax is not None and
            percent is not None else f"{price:.2f}{cur} excluding tax (the account's tax rate is not known: it is "
                                     "read from the account's latest invoice, and none could be read)")
    if not exact:
        cost = (f"at most {cost} (the SANs the product includes could not be read from its details, so every "
                "SAN is priced; GoGetSSL charges for those beyond the included ones only)")
    # A summary per certificate: Terraform folds warnings that share one into "N more similar warnings".
    name = common_name(planned.get("csr")) or f"product {planned.get('product_id')}"
    diags.add_warning(
        f"This plan buys a certificate for {name}",
        f"{what} of {product.product or 'product'} (product_id {planned.get('product_id')}) for "
        f"{int(planned['period'])} months{extra}: {cost}, at the account's price, charged to the account when "
        "applied.")

    if count and balance.balance is not None and total > float(balance.balance) + 1e-9:
        this = f"{price + (tax or 0):.2f}" + (" with tax" if tax else "")
        diags.add_error(
            "Account balance too low for this plan",
            f"This plan buys {bought} certificate{'s' if bought != 1 else ''} for {total:.2f}{cur} in all"
            f"{', tax included' if tax else ''} (this one {this}); the account's balance is "
            f"{float(balance.balance):.2f}{cur}. Top the account up or buy fewer at once. "
            + "Nothing was ordered for this resource"
            + (f".{_bought_note(services)}" if services.budget.purchases() else
               " (in an apply, others may have been: its output lists each one created)."),
            path=["product_id"])


def covered_purchase(services: ProviderServices, diags: Diagnostics, client: Any, planned: dict[str, Any],
                     key: str, place: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
    """Make the purchase `place()` at apply only if the balance, read just before it, covers what it costs
    (what the plan said, tax included) beside this process's purchases still on their way; once made, the
    purchase `key` (pricing.purchase_key) leaves the run's budget and is named in later refusals. GoGetSSL may
    accept an order it cannot charge and leave it unpaid; an apply of a saved plan made before the balance dropped
    must not buy half of it and say nothing of that half."""
    cost = _apply_cost(services, planned)
    if cost is None:
        diags.add_error(
            "Price not known: nothing was ordered",
            "The price of this order could not be worked out (the product's catalogue entry has no price for this "
            "period), so it cannot be checked against the balance, and GoGetSSL may accept an order it cannot "
            f"charge. GoGetSSL was not asked.{_bought_note(services)} Apply again once the product's details "
            "load.", path=["product_id"])
        return None

    # Read now, not at plan: a saved plan may be applied after the balance dropped.
    def read() -> float | None:
        stated = client.account.balance().balance
        return float(stated) if stated is not None else None

    try:
        reserved, balance = services.spending.reserve(cost, read)
    except (NotConfigured, errors.GoGetSSLError) as exc:
        diags.add_error("Account balance could not be read",
                        f"Reading the account balance before buying failed ({exc}); nothing was ordered for this "
                        f"resource.{_bought_note(services)}", path=["product_id"])
        return None
    if not reserved:
        name = common_name(planned.get("csr")) or f"product {planned.get('product_id')}"
        diags.add_error(
            "Account balance too low for this order",
            f"The order for {name} costs {cost:.2f}{_cur(planned)}"
            f"{' with tax' if planned.get('planned_tax') else ''}, but the account's balance is now "
            f"{float(balance or 0):.2f}{_cur(planned)}"
            f"{' less the purchases of this apply still under way' if balance and cost <= balance else ''}: "
            f"nothing was ordered for this resource, and GoGetSSL was not asked.{_bought_note(services)} Top the "
            "account up and apply again; the next plan shows what is left to buy.", path=["product_id"])
        return None

    new = None
    try:
        new = place()
        return new
    finally:
        services.spending.release(cost)
        if new is not None and new.get("order_id") is not None:
            name = common_name(new.get("csr")) or f"product {new.get('product_id')}"
            services.budget.bought(key, f"order {new['order_id']} for {name} ({cost:.2f}{_cur(planned)})")


def _apply_cost(services: ProviderServices, planned: dict[str, Any]) -> float | None:
    price, tax = planned.get("planned_price"), planned.get("planned_tax")
    if not isinstance(price, (int, float)) or isinstance(price, bool):
        priced = _price(services, planned)
        if priced is None:
            return None
        price = priced[0]
        percent = services.tax_percent()
        tax = pricing.tax_on(price, percent) if percent is not None else None
    extra = tax if isinstance(tax, (int, float)) and not isinstance(tax, bool) else 0
    return round(float(price) + float(extra), 2)


def _cur(planned: dict[str, Any]) -> str:
    currency = planned.get("planned_currency")
    return f" {currency}" if isinstance(currency, str) and currency else ""


def _bought_note(services: ProviderServices) -> str:
    bought = services.budget.purchases()
    return (" This apply did buy: " + "; ".join(bought) + ".") if bought else " This apply bought nothing before it."


def plan_free(planned: dict[str, Any], action: str) -> None:
    """A change that buys nothing ("reissue", "change_validation", "none"): its action and a price of 0."""
    planned["planned_action"] = action
    planned["planned_price"] = planned["planned_tax"] = 0


def carry_planned(new: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
    """The state an apply returns keeps what the plan said (values left unknown get what the order says)."""
    for name in PLANNED_NAMES:
        value = planned.get(name)
        new[name] = value if value is not Unknown else None
    if new.get("planned_action") in PAID:
        if new.get("planned_price") is None:
            new["planned_price"] = new.get("order_amount")
            new["planned_currency"] = new.get("planned_currency") or new.get("currency")
        if planned.get("planned_tax") is Unknown:  # a tax planned as null (rate unknown) stays null
            new["planned_tax"] = new.get("tax")
    return new


def _price(services: ProviderServices, planned: dict[str, Any]) -> tuple[float, Any, int, bool] | None:
    """(price, product, the SANs the product includes of those ordered, exact) at the account's price, tax
    excluded; None when it cannot be known at plan time. When the product's details (the SANs it includes) do
    not load (the vendor marks that endpoint deprecated), every SAN is priced: an upper bound (`exact` False)."""
    pid, period, sans = planned.get("product_id"), planned.get("period"), planned.get("dns_names")
    if not (is_whole(pid) and is_whole(period)) or sans is Unknown or (
            isinstance(sans, list) and not all(isinstance(n, str) for n in sans)):
        return None
    names = list(sans or [])
    try:
        product = services.catalogue().get(int(pid))
        if product is None:
            return None
    except (NotConfigured, errors.GoGetSSLError):
        return None
    details, exact = None, True
    if pricing.needs_details(product, names):
        try:
            details = services.product_details(int(pid))
        except (NotConfigured, errors.GoGetSSLError):
            exact = False
    singles = details.single_san_included if details is not None else 0
    wildcards = details.wildcard_san_included if details is not None else 0
    price = pricing.order_price(product, int(period), names, singles, wildcards)
    if price is None:
        return None
    wildcard_names = sum(1 for n in names if n.startswith("*."))
    included = min(len(names) - wildcard_names, singles) + min(wildcard_names, wildcards)
    return price, product, included, exact
