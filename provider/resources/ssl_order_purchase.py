"""What a plan of gogetssl_ssl_order buys, known at plan time: `planned_action`, `planned_price`,
`planned_currency` and `planned_tax`, a warning naming each purchase, and a check that the account's balance
covers everything the plans of this process buy, tax included (docs/guides/ci.md); and what a destroy plan will
do to the order.

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
from provider.common.order_schema import DEFAULT_ON_DESTROY, PLANNED_NAMES
from provider.common.order_state import common_name, order_id_of
from provider.common.services import NotConfigured, ProviderServices, refund_today
from provider.common.vendor import FAILED_STATUSES
from provider.resources import ssl_order_policy as policy

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
            "balance check does not "
            "count it. Apply prices it again and checks it against the balance before buying; nothing is bought "
            "without a price.", path=["product_id"])
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


def destroy_decision(services: ProviderServices, on_destroy: Any, cancel_requested_at: Any, status: Any,
                     begin_date: Any, valid_from: Any, product_id: Any) -> tuple[str, str]:
    """What destroying an order does, decided once for the destroy plan (from state) and the destroy (from the
    order's status read then): ("gone", status) nothing to cancel (cancelled, expired, rejected); ("wait", "")
    an uncertain cancellation may still be under review; ("forget", why); ("cancel", "") on_destroy = "cancel";
    ("refund", "") cancel, inside the refund window (or before issuance)."""
    on_destroy = on_destroy or DEFAULT_ON_DESTROY
    if on_destroy == "forget":
        return "forget", "on_destroy = \"forget\""
    if status in FAILED_STATUSES:
        return "gone", str(status)
    if policy.cancel_review_ends(cancel_requested_at) is not None:
        return "wait", ""
    if on_destroy == "cancel":
        return "cancel", ""
    issued = policy.first_issued(begin_date, valid_from)
    if issued is not None:  # issued once: also while a reissue of it is pending
        open_, why = policy.refund_window(issued, refund_days(services, product_id), refund_today(services))
        if not open_:
            return "forget", f"{why}: its refund window is closed"
    return "refund", ""


def destroy_outcome(services: ProviderServices, current: dict[str, Any]) -> tuple[str, str] | None:
    """What destroying the order will do, from state (destroy_decision): ("forget", why), ("cancel", "") or
    ("refund", ""); None when there is nothing to cancel or delete() will explain why it waits."""
    if order_id_of(current) is None:
        return None
    kind, why = destroy_decision(services, current.get("on_destroy"), current.get("cancel_requested_at"),
                                 current.get("order_status"), current.get("begin_date"), current.get("valid_from"),
                                 current.get("product_id"))
    return None if kind in ("gone", "wait") else (kind, why)


#: destroy_decision's kind -> the `destroy_outcome` attribute ("wait": a cancellation may be under review)
_OUTCOMES = {"gone": "nothing", "wait": "cancel", "forget": "forget", "cancel": "cancel", "refund": "cancel_for_refund"}


def set_destroy_outcome(services: ProviderServices, state: dict[str, Any],
                        planned: dict[str, Any] | None = None) -> dict[str, Any]:
    """Set `destroy_outcome` in a state about to be returned: what the plan said when it knew (apply keeps what
    its plan showed), else what destroying the order would do now (destroy_decision)."""
    if planned is not None and planned.get("destroy_outcome", Unknown) is not Unknown:
        state["destroy_outcome"] = planned["destroy_outcome"]  # null too: a state upgraded, not yet refreshed
    else:
        state["destroy_outcome"] = destroy_outcome_of(services, state)
    return state


def destroy_outcome_of(services: ProviderServices, state: dict[str, Any]) -> str | None:
    """The `destroy_outcome` of an order's state (destroy_decision), None without an order."""
    if order_id_of(state) is None:
        return None
    kind, _why = destroy_decision(services, state.get("on_destroy"), state.get("cancel_requested_at"),
                                  state.get("order_status"), state.get("begin_date"), state.get("valid_from"),
                                  state.get("product_id"))
    return _OUTCOMES[kind]


def refund_days(services: ProviderServices, product_id: Any) -> int | None:
    """The product's refund days, from its details (the only place the vendor documents them), read once per
    process; None when they cannot be read or give none. Never a guess: taking the usual 30 for a product whose
    window is shorter (0: no refund once issued) would cancel a certificate without a refund."""
    try:
        days = services.product_details(int(product_id or 0)).refund_days
    except (NotConfigured, errors.GoGetSSLError, TypeError, ValueError):
        return None
    return int(days) if days is not None and days >= 0 else None


def plan_destroy(services: ProviderServices, diags: Diagnostics, current: dict[str, Any]) -> None:
    """Say in a destroy plan what destroying the order will do at GoGetSSL."""
    outcome = destroy_outcome(services, current)
    if outcome is None:
        return
    kind, why = outcome
    order_id, status = order_id_of(current), current.get("order_status")
    ends = " Its issued certificate stops working once GoGetSSL cancels the order." if status == "active" else ""
    if kind == "forget":
        diags.add_warning(f"Destroying order {order_id} only forgets it",
                          f"{why}: the order is removed from state and stays valid at GoGetSSL; nothing is "
                          "cancelled or refunded." + (" Set on_destroy = \"cancel\" to cancel it anyway."
                                                      if "refund window" in why else ""))
    elif kind == "cancel":
        diags.add_warning(f"Destroying order {order_id} cancels it",
                          f"on_destroy = \"cancel\": GoGetSSL is asked to cancel order {order_id} (it is "
                          f"{status}); a refund is due only within its refund window.{ends}")
    else:
        diags.add_warning(f"Destroying order {order_id} cancels it for a refund",
                          f"Order {order_id} is {status} and within its refund window: GoGetSSL is asked to "
                          f"cancel it, and the refund goes to the account balance.{ends}")


def warn_replacement(services: ProviderServices, diags: Diagnostics, current: dict[str, Any],
                     replace: list[str]) -> None:
    """A replacement of an issued order whose destroy cancels it: say so, and how to keep the site up."""
    outcome = destroy_outcome(services, current)
    if outcome is None:
        return
    order_id = order_id_of(current)
    if outcome[0] == "forget":
        diags.add_warning(f"Replacing order {order_id} only forgets it",
                          f"Changing {', '.join(replace)} needs a new order; {outcome[1]}, so order {order_id} is "
                          "removed from state and stays valid at GoGetSSL: nothing is cancelled or refunded.",
                          path=[replace[0]])
        return
    if current.get("order_status") != "active":
        diags.add_warning(f"Replacing order {order_id} cancels it",
                          f"Changing {', '.join(replace)} needs a new order; destroying order {order_id} (it is "
                          f"{current.get('order_status')}) asks GoGetSSL to cancel it"
                          + (", for a refund." if outcome[0] == "refund" else "."), path=[replace[0]])
        return
    diags.add_warning(
        f"Replacing order {order_id} cancels its issued certificate",
        f"Changing {', '.join(replace)} needs a new order, and destroying order {order_id} cancels it. Unless "
        "this resource and the gogetssl_ssl_order_validation that waits for it set lifecycle { "
        "create_before_destroy = true }, Terraform destroys first: the certificate stops working while the new "
        "order still waits for validation. With it, the old order is cancelled only once the new certificate "
        "is issued (docs/resources/ssl_order.md).", path=[replace[0]])


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
