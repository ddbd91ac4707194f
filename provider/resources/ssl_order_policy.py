"""Plan policy of gogetssl_ssl_order, as pure functions: what a change costs (reissue, DCV change, renewal,
new order), when a free reissue or a paid renewal is due, whether a cancellation refunds, and when a replacement
cannot work.

An order is a subscription (`begin_date`..`end_date`, the months paid for) holding certificates of at most the
SC-081 lifetime (provider/common/vendor.py): a certificate ending inside the subscription is reissued (free),
and only the end of the subscription calls for a renewal (a new paid order)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tf.types import Unknown

from provider.common import dcv
from provider.common.order_rules import is_whole
from provider.common.order_schema import DCV_FIELDS, REISSUE_FIELDS, UNREPORTED
from provider.common.order_state import common_name, san_counts
from provider.common.vendor import (
    CANCEL_REVIEW,
    CANCEL_REVIEW_HOURS,
    ISSUED_STATUSES,
    OPEN_STATUSES,
    VALIDATING_STATUSES,
    longest_certificate,
)

# Outputs that a reissue or a renewal changes: planned unknown so the plan shows them changing.
# (A reissue changes no subscription: begin_date and end_date stay known.)
REISSUE_OUTPUTS = ("order_status", "status_description", "dcv_status", "valid_from", "valid_till",
                   "certificate_pem", "ca_bundle_pem", "san", "approver_method", "validation_records",
                   "partner_order_id", "domain", "certificate_requested_at")
DCV_OUTPUTS = ("approver_method", "validation_records", "san", "dcv_status", "status_description")
RENEWAL_OUTPUTS = REISSUE_OUTPUTS + ("begin_date", "end_date", "id", "order_id", "invoice_id", "order_amount",
                                     "currency", "tax", "tax_rate", "sans_purchased")


@dataclass(frozen=True)
class Notice:
    """Something the plan must tell the user: an error stops the plan, a warning does not."""

    summary: str
    detail: str
    path: list[str] | None = None
    error: bool = False


@dataclass
class Change:
    """What applying an update does: `action` is one of "reissue", "change_validation", "renew", "replace"
    or "state" (only state changes); `replace` names the attributes that force a new order."""

    action: str
    replace: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def reissue_changes(current: dict[str, Any], changed: set[str]) -> set[str]:
    """Changed arguments that need a reissue. One GoGetSSL never reports (UNREPORTED: signature_hash) set
    where state had none (an imported order) is only recorded."""
    return {f for f in REISSUE_FIELDS & changed if f not in UNREPORTED or current.get(f) is not None}


def plan_update(current: dict[str, Any], planned: dict[str, Any], changed: set[str], replace: list[str],
                today: dt.date | None = None) -> Change:
    """Decide an update of an existing order. `replace` holds the attributes the schema marks as forcing a
    new order; `planned` is adjusted in place (outputs the change will alter become unknown)."""
    replace = list(replace)
    notices: list[Notice] = []
    status = current.get("order_status")
    reissue = reissue_changes(current, changed)
    if reissue and not replace and reissue_pending(current):
        # GoGetSSL reissues active orders only, and a replacement would buy a new order and forget this paid
        # one: the change waits until the pending reissue is issued.
        fields = sorted(reissue)
        notices.append(Notice(
            f"Order {current.get('order_id')} cannot be reissued while a reissue is pending",
            f"Changing {', '.join(fields)} reissues the order, but its previous reissue is not issued yet (it is "
            f"{status}): GoGetSSL reissues only active orders. Nothing was planned. Complete the pending "
            "validation (gogetssl_ssl_order_validation waits for it) and apply, then change "
            f"{', '.join(fields)}; or revert the change for now.", path=[fields[0]], error=True))
        return Change("state", [], notices)
    if reissue:
        # SANs known only at apply cannot be counted: plan the free reissue; GoGetSSL refuses one beyond the
        # SANs paid for, so nothing is bought or cancelled by guessing wrong.
        names = planned.get("dns_names")
        grew = isinstance(names, list) and beyond_purchased(current, names)
        if status != "active" or (grew and "dns_names" in reissue):
            # Only an active order can be reissued, and only within the SANs paid for.
            replace.extend(sorted(reissue if status != "active" else {"dns_names"}))
        else:
            _mark_unknown(planned, REISSUE_OUTPUTS)
            planned["validation_records"] = dcv.planned_records(planned, common_name(planned.get("csr")))
    if replace and status in OPEN_STATUSES and not {"csr", "product_id"} & changed:
        notices.append(_open_replacement(current, sorted(set(replace))))
    if not reissue and changed & DCV_FIELDS and status in VALIDATING_STATUSES:
        # Only while validation is pending does a DCV change reach GoGetSSL; on an issued order it is recorded
        # for the next reissue, and the records keep describing the validation the order has.
        _mark_unknown(planned, DCV_OUTPUTS)
        planned["validation_records"] = dcv.planned_records(planned, common_name(planned.get("csr")))
    if replace:
        return Change("replace", replace, notices)
    action = update_action(current, planned, changed, today)
    if action == "reissue" and not reissue:
        _mark_unknown(planned, REISSUE_OUTPUTS)
        planned["validation_records"] = dcv.planned_records(planned, common_name(planned.get("csr")))
        notices.append(Notice(
            f"Order {current.get('order_id')}'s certificate is due for a free reissue",
            f"{reissue_due(current, planned.get('reissue_before_days'), today)}. "
            "Applying this plan reissues it with the order's CSR at no cost and publishes any new validation data "
            "through validation_records; a gogetssl_ssl_order_validation given certificate_requested_at waits "
            "for the new certificate. The current certificate stays in state until then. Set "
            "reissue_before_days = 0 to stop automatic reissues."))
    if action == "renew":
        _mark_unknown(planned, RENEWAL_OUTPUTS)
        planned["validation_records"] = dcv.planned_records(planned, common_name(planned.get("csr")))
        notices.append(Notice(
            f"Order {current.get('order_id')} is due for renewal",
            f"{renewal_due(current, planned.get('renew_before_days'), today)}. Applying this plan places a renewal "
            "order (a new paid order with a new order id, carrying the same arguments); the current order is left "
            "as it is. Set renew_before_days = 0 to stop renewals."))
    return Change(action, replace, notices)


def beyond_purchased(current: dict[str, Any], names: list[Any]) -> bool:
    """Whether `names` hold more SANs of a kind (single-name, `*.`) than the order was bought with: what GoGetSSL
    reports bought (`sans_purchased`, kept across reissues, so a reissue may grow back to it), else (not reported)
    what the order holds now."""
    bought = current.get("sans_purchased")
    if not isinstance(bought, dict) or not all(is_whole(bought.get(k)) for k in ("single", "wildcard")):
        bought = san_counts(list(current.get("dns_names") or []))
    wanted = san_counts(names)
    return any(wanted[k] > int(bought[k]) for k in ("single", "wildcard"))


def update_action(current: dict[str, Any], planned: dict[str, Any], changed: set[str],
                  today: dt.date | None = None) -> str:
    """What applying an in-place update does, decided the same way at plan and at apply: "reissue" (free, an
    active order), "renew" (a new paid order), "change_validation" (DCV calls while validation is pending)
    or "state" (only state changes: DCV settings of an issued order, values used only when placing). A renewal
    due wins over a reissue due: a certificate ending with its subscription is renewed, not reissued."""
    if reissue_changes(current, changed):
        return "reissue"
    if renewal_due(current, planned.get("renew_before_days"), today):
        return "renew"
    if reissue_due(current, planned.get("reissue_before_days"), today):
        return "reissue"
    if changed & DCV_FIELDS and current.get("order_status") in VALIDATING_STATUSES:
        return "change_validation"
    return "state"


def _open_replacement(current: dict[str, Any], replace: list[str]) -> Notice:
    # Destroy first cancels the old order, but cancelling is a request GoGetSSL reviews for hours while
    # the order stays open, and it refuses a second open order for one CSR and product: the new order
    # would be refused after the old one was cancelled.
    oid, status = current.get("order_id"), current.get("order_status")
    return Notice(
        f"Order {oid} cannot be replaced while it is {status}",
        f"Changing {', '.join(replace)} needs a new order, but order {oid} is still {status} "
        "and the new one would have the same CSR and product. GoGetSSL refuses a second open order for "
        f"one CSR and product, and cancelling order {oid} is a request it reviews for up to "
        f"{CANCEL_REVIEW_HOURS} hours, during which the order stays open: applying would cancel order "
        f"{oid} and then fail to place its replacement. Change the csr (a new key) together with this "
        f"change, or wait until order {oid} is issued, or revert the change.",
        path=[replace[0]], error=True)


def renewal_due(state: dict[str, Any], renew_before_days: Any, today: dt.date | None = None) -> str | None:
    """Why the order is due for a paid renewal (checked from state at plan time), or None: its subscription
    (`end_date`) ends within `renew_before_days`. An order whose end_date is not known goes by its certificate."""
    if not is_whole(renew_before_days) or renew_before_days <= 0:
        return None
    if state.get("order_status") not in ISSUED_STATUSES:
        return None
    end = parse_date(state.get("end_date"))
    till = end or parse_date(state.get("valid_till"))
    if till is None:
        return None
    left = (till - (today or utc_today())).days
    if left > renew_before_days:
        return None
    what = "subscription" if end is not None else "certificate"
    when = f"ended on {till}" if left < 0 else f"ends on {till}, in {left} days"
    return f"Its {what} {when}, within renew_before_days = {int(renew_before_days)}"


def reissue_window(reissue_before_days: Any, today: dt.date | None = None, state: dict[str, Any] | None = None) -> int:
    """Days before `valid_till` from which a free reissue is due: `reissue_before_days`; unset, a third of the
    certificate's own lifetime (66 days of a 200-day certificate, 33 of 100, 15 of 47: renewed at two thirds
    of its life, as ACME clients do), or of the longest certificate issued today when its dates are not known.
    (Renewals switched off, `renew_before_days = 0`, leave free reissues on: adopted orders switch both off.)"""
    if is_whole(reissue_before_days):
        return max(0, int(reissue_before_days))
    issued, till = parse_date((state or {}).get("valid_from")), parse_date((state or {}).get("valid_till"))
    if issued is not None and till is not None and till > issued:
        return (till - issued).days // 3
    return longest_certificate(today or utc_today()) // 3


def reissue_window_problem(reissue_before_days: Any, today: dt.date | None = None) -> Notice | None:
    """An error when `reissue_before_days` is at least the longest certificate issued today: every new
    certificate would be due at once, one reissue per apply."""
    longest = longest_certificate(today or utc_today())
    if not is_whole(reissue_before_days) or reissue_before_days < longest:
        return None
    return Notice("reissue_before_days is too long",
                  f"reissue_before_days is {int(reissue_before_days)}, but the longest certificate GoGetSSL issues "
                  f"today lasts {longest} days: every new certificate would be due for a reissue at once. Give "
                  f"fewer days than {longest}, or leave it unset (a third of each certificate's lifetime).",
                  path=["reissue_before_days"], error=True)


def reissue_pending(state: dict[str, Any]) -> bool:
    """Whether an issued order waits for a reissue (GoGetSSL reissues active orders only)."""
    return state.get("order_status") in VALIDATING_STATUSES and parse_date(state.get("begin_date")) is not None


def reissue_due(state: dict[str, Any], reissue_before_days: Any, today: dt.date | None = None) -> str | None:
    """Why the order's certificate is due for a free reissue (from state at plan time), or None: it is active,
    its certificate ends within the reissue window, and its subscription (`end_date`) outlasts the certificate,
    so a new one fits in what was paid for."""
    window = reissue_window(reissue_before_days, today, state)
    if window <= 0 or state.get("order_status") != "active":
        return None
    till, end = parse_date(state.get("valid_till")), parse_date(state.get("end_date"))
    if till is None or end is None or end <= till:
        return None
    left = (till - (today or utc_today())).days
    if left > window:
        return None
    when = f"ended on {till}" if left < 0 else f"ends on {till}, in {left} days"
    setting = (f"reissue_before_days = {int(reissue_before_days)}" if is_whole(reissue_before_days)
               else f"the reissue window of {window} days (a third of its lifetime)")
    return f"Its certificate {when}, within {setting}, and its subscription runs until {end}"


def refund_window(issued_on: str | None, refund_days: int | None,
                  today: dt.date | None = None) -> tuple[bool, str]:
    """Whether cancelling now surely refunds: before issuance always; after it, before the last day of the
    `refund_days` after the FIRST issuance (`begin_date`: a reissue does not restart the window, and a
    cancellation after it ends the order as `expired` with no refund). Returns (open, why it is closed)."""
    issued = parse_date(issued_on) if issued_on else None
    if issued is None:
        return True, ""
    if refund_days is None:
        return False, (f"It was issued on {issued_on}, and its product's refund window could not be read "
                       "(getProductDetails gave no refund days), so a refund cannot be counted on")
    age = ((today or utc_today()) - issued).days
    if age < refund_days:
        return True, ""
    if age == refund_days:
        # The date has no time of day: the window may close at any moment today, and the vendor takes
        # hours to review a cancellation. Cancelling now could end the certificate without a refund.
        return False, (f"It was issued on {issued_on}, {age} days ago: its refund window ({refund_days} days after "
                       "issuance) closes today, possibly before GoGetSSL reviews a cancellation")
    return False, f"It was issued on {issued_on}, {age} days ago; refunds end {refund_days} days after issuance"


def first_issued(begin_date: Any, valid_from: Any) -> str | None:
    """When the order was first issued: the subscription's start, else (an order that reports none) its
    certificate's, also while a reissue of it is pending. (A renewal's state carries the renewed order's
    certificate, not its dates, until its own is issued: the renewal is judged unissued, as it is.)"""
    for value in (begin_date, valid_from):
        if parse_date(value) is not None:
            return str(value)[:10]
    return None


def cancel_review_ends(cancel_requested_at: Any, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the vendor's review of an uncertain cancellation request may still run: its end; else None."""
    requested = parse_time(cancel_requested_at)
    if requested is None or (now or utc_now()) - requested >= CANCEL_REVIEW:
        return None
    return requested + CANCEL_REVIEW


def _mark_unknown(planned: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        planned[name] = Unknown


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc_today() -> dt.date:
    return utc_now().date()


def request_stamp(previous: Any, now: dt.datetime | None = None) -> str:
    """certificate_requested_at for a request made now: RFC 3339 to the microsecond, and never `previous` (the
    waiter waits again only when it changes, so two requests within one clock tick must still differ)."""
    when = now or utc_now()
    text = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if text == previous:
        text = (when + dt.timedelta(microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return text


def stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None
