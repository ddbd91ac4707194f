"""Everything of gogetssl_ssl_order that may spend money or end a certificate, with its verification: place
(or renew), reissue, change validation, cancel. No paid request is repeated blindly: after an
uncertain answer the vendor's records decide (ssl_order_reconcile)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from tf.types import Unknown
from tf.utils import Diagnostics

from provider import logs
from provider.client import errors
from provider.common import dcv
from provider.common.diagnostics import add_api_error
from provider.common.order_rules import is_whole
from provider.common.order_schema import ARGUMENT_NAMES, REISSUE_FIELDS, REISSUE_REQUEST_FIELDS, UNREPORTED
from provider.common.order_state import (
    approver_method,
    arguments_from_status,
    build_state,
    common_name,
    refresh,
    vendor_sans,
)
from provider.common.vendor import CANCEL_REVIEW_HOURS, VALIDATING_STATUSES
from provider.resources import ssl_order_reconcile as reconcile
from provider.tfext.types import normalize_pem

if TYPE_CHECKING:
    from provider.client import GoGetSSLClient
    from provider.client.models import AddSSLOrderRequest, AddSSLOrderResult, OrderStatus

CANCEL_REASON = "Cancelled by Terraform: the gogetssl_ssl_order resource was destroyed"
# The vendor's answer to a second cancellation during its review is not public; the sandbox says
# "Cancellation already requested". Only a clear statement of that kind is read as "under review".
_UNDER_REVIEW = re.compile(r"cancell?ation\s+(?:is\s+)?already\s+(?:requested|under\s+review|pending)"
                           r"|already\s+(?:requested|submitted)\s+(?:a\s+)?cancell?ation", re.IGNORECASE)


class CancelUnknown(Exception):
    """Two cancellation requests answered uncertainly: one may be under review."""


class ReissueUnknown(Exception):
    """A reissue answered uncertainly and the vendor's records do not show whether it happened."""

    def __init__(self, cause: Exception, status: OrderStatus | None, why: str):
        super().__init__(f"{cause}; {why}")
        self.status = status
        self.why = why


def with_san_approvers(fields: dict[str, Any]) -> dict[str, Any]:
    """The vendor wants one approver_emails entry per dns_names entry on every SAN order (docs/vendor-api.md §8; its
    own modules send the method name for http/https/dns): derive them from dcv_method when not configured."""
    names = fields.get("dns_names") or []
    if names and not fields.get("approver_emails") and fields.get("dcv_method") in ("http", "https", "dns"):
        return {**fields, "approver_emails": [fields["dcv_method"]] * len(names)}
    return fields


# -- placing an order (addSSLOrder / addSSLRenewOrder) --

def order_request(diags: Diagnostics, planned: dict[str, Any], brand: str) -> AddSSLOrderRequest | None:
    """The request for `planned`, with this create's marker where the vendor will show it; None if invalid."""
    from provider.client.models import AddSSLOrderRequest  # deferred: pydantic is heavy at start-up

    fields = {name: planned.get(name) for name in ARGUMENT_NAMES}
    try:
        request = AddSSLOrderRequest.model_validate(
            {k: v for k, v in with_san_approvers(fields).items() if v is not None})
        if request.unique_code is None and reconcile.marker_shows(request) and brand in reconcile.MARKED_BRANDS:
            request.unique_code = reconcile.marker()  # tells this create's order from any look-alike
    except ValueError as exc:
        diags.add_error("Invalid order arguments", f"Nothing was ordered: {exc}")
        return None
    return request


def place_order(diags: Diagnostics, client: GoGetSSLClient, ledger: reconcile.Ledger, planned: dict[str, Any],
                request: AddSSLOrderRequest, cn: str | None, *, renewal: bool) -> dict[str, Any] | None:
    """Place an order (or a renewal order) with one paid call, then its id goes to state whatever follows.
    `ledger` is this process's (reconcile.ledger_of): what it knows of the orders its resources place."""
    call = "addSSLRenewOrder" if renewal else "addSSLOrder"
    mark = ledger.begin(client, request)
    sent = _send(diags, client, request, ledger, mark, call, renewal)
    if sent is None:
        return None
    result, adopted = sent
    if result is not None and not ledger.claim(int(cast(int, result.order_id))):
        diags.add_warning(f"Order {result.order_id} is claimed twice in this apply",
                          "GoGetSSL answered with an order id another resource of this apply already holds.")
    # From here on an order exists and is paid for: whatever fails, its id goes to state.
    fields = {name: planned.get(name) for name in ARGUMENT_NAMES}
    arguments = {**fields, "renew_before_days": planned.get("renew_before_days"),
                 "on_destroy": planned.get("on_destroy"), "reissue_before_days": planned.get("reissue_before_days")}
    if adopted is not None:
        logs.event(f"{call}: adopted order {adopted}, placed by an earlier attempt", order_id=adopted)
        return _adopted_state(diags, client, arguments, adopted, cn)
    assert result is not None
    logs.event(f"{call}: placed order {result.order_id}", order_id=result.order_id, amount=result.order_amount,
               currency=result.currency, invoice_id=result.invoice_id, product_id=planned.get("product_id"))
    return _placed_state(diags, client, arguments, result, cn, call)


def _send(diags: Diagnostics, client: GoGetSSLClient, request: AddSSLOrderRequest, ledger: reconcile.Ledger,
          mark: int | None, call: str, renewal: bool) -> tuple[AddSSLOrderResult | None, int | None] | None:
    """Send the paid request, at most twice: (result, None) when placed, (None, id) when an order this create
    placed was found instead, None (with diagnostics) when nothing may be assumed."""
    place = client.orders.add_ssl_renew_order if renewal else client.orders.add_ssl_order
    uncertain: Exception | None = None  # an earlier attempt of this create may have placed the order
    for attempt in (1, 2):
        try:
            return place(request), None
        except Exception as raised:  # noqa: BLE001 - anything but a clear refusal may have placed the order
            failure = raised if isinstance(raised, errors.GoGetSSLError) else errors.ResponseFormatError(
                f"{call}: unreadable answer ({type(raised).__name__})")
            named = reconcile.duplicate_order_id(failure)
            if named is not None:
                adopted = adopt_named(diags, client, ledger, mark, request, named, failure, uncertain, call)
                return None if adopted is None else (None, adopted)
            if not failure.outcome_unknown:
                add_api_error(diags, failure, f"placing the {'renewal ' if renewal else ''}order (nothing was ordered)",
                              frozenset(ARGUMENT_NAMES))
                return None
            # The request may land a moment later (a gateway answered for a vendor still working on
            # it): give it as long as a timed-out request before reading the account's orders.
            uncertain = failure
            reconcile.let_it_land(client)
            search = reconcile.find_placed_order(client, request, ledger, mark)
            if search.order_id is not None and ledger.claim(search.order_id):
                diags.add_warning(f"Adopted order {search.order_id} after an uncertain answer",
                                  f"{call} did not answer clearly ({failure}), but the order it placed was found "
                                  "in the account (everything GoGetSSL reports about it matches this resource) "
                                  "and is now in state. Nothing was ordered twice.")
                return None, search.order_id
            if not search.certain or attempt == 2:
                diags.add_error(
                    "The order may have been placed",
                    f"{call} did not complete: {failure}. GoGetSSL may have created and charged the order without "
                    f"Terraform learning its id, and it could not be proven otherwise: "
                    f"{search.why or 'a second attempt was also uncertain'}. Nothing more was ordered. Before "
                    "applying again, look for the order in the GoGetSSL client area and, if it exists, import "
                    "it: terraform import <address> <order_id>.",
                )
                return None
            # The account's records prove that nothing was ordered: placing again is safe.
    return None  # not reached: the second attempt returns above


def _adopted_state(diags: Diagnostics, client: GoGetSSLClient, arguments: dict[str, Any], adopted: int,
                   cn: str | None) -> dict[str, Any]:
    state = build_state(arguments, order_id=adopted, invoice_id=None, order_status=None, order_amount=None,
                        currency=None, tax=None, tax_rate=None, approver_method=None)
    try:
        refresh(state, client.orders.status(adopted))
    except Exception as exc:  # noqa: BLE001 - the adopted order must reach state whatever happens
        # The domains and methods were known at plan: keep them; the DCV data comes with the next refresh.
        state["validation_records"] = _no_unknowns(dcv.planned_records(arguments, cn))
        diags.add_warning(f"Order {adopted} was adopted, but reading it failed",
                          f"{exc}. It is saved in state; its status, DCV data and certificate fill in on the "
                          "next refresh (terraform plan or apply).")
    return state


def _placed_state(diags: Diagnostics, client: GoGetSSLClient, arguments: dict[str, Any], result: AddSSLOrderResult,
                  cn: str | None, call: str) -> dict[str, Any]:
    if not getattr(result, "complete", True):
        diags.add_warning(f"Order {result.order_id} was placed; part of the answer was unreadable",
                          f"{call} accepted the order, but only its id could be read from the answer; the "
                          "rest was read back from the order itself.")
    state = build_state(
        arguments,
        order_id=result.order_id,
        invoice_id=result.invoice_id,
        order_status=result.order_status or None,
        order_amount=result.order_amount,
        currency=result.currency or None,
        tax=result.tax,
        tax_rate=result.tax_rate or None,
        approver_method=approver_method(result.approver_method),
    )
    state["validation_records"] = dcv.build_records(arguments, cn or "", result.approver_method, result.san)
    try:
        refresh(state, client.orders.status(int(result.order_id or 0)))
    except Exception as exc:  # noqa: BLE001 - any failure here must still return the paid order
        # A warning, not an error: with an error Terraform would taint the order, and the next apply would
        # cancel it and buy another. The order was placed and its id is in state; the rest can wait.
        diags.add_warning(
            f"Order {result.order_id} was placed, but reading it back failed",
            f"{exc}. The order is saved in state with what addSSLOrder answered; its status and certificate "
            "fill in on the next refresh (terraform plan or apply).",
        )
    return state


def adopt_named(diags: Diagnostics, client: GoGetSSLClient, ledger: reconcile.Ledger, mark: int | None,
                request: AddSSLOrderRequest, named: int, exc: Exception, uncertain: Exception | None,
                call: str) -> int | None:
    """The vendor refused the order as a duplicate of order `named`: adopt it only when it is this
    resource's own order (placed by an earlier, uncertain attempt of this create); otherwise fail."""
    if uncertain is None:
        why = "it existed before this resource asked for an order"
    else:
        try:
            why = ledger.adoptable(client.orders.status(named), request, mark) or ""
        except errors.GoGetSSLError as read_exc:
            why = f"it could not be read ({read_exc})"
        if not why and ledger.claim(named):
            diags.add_warning(f"Adopted order {named} after an uncertain answer",
                              f"{call} did not answer clearly ({uncertain}); GoGetSSL then named order {named} "
                              "as this certificate's order, and everything it reports about it matches this "
                              "resource. It is now in state. Nothing was ordered twice.")
            return named
        why = why or "another resource of this apply holds it"
    summary = f"GoGetSSL already has order {named} for this CSR and product"
    if ledger.holds(named) or ledger.shared_certificate(request):
        diags.add_error(summary, (
            f"{call} was refused: {exc}. Another resource of this configuration asked for an order with the "
            f"same CSR and product, and GoGetSSL allows only one open order per CSR and product: order {named} "
            "is that resource's. Nothing was ordered. Give this resource its own CSR (a new key): the same "
            "domain bought for two terms needs two keys. Do not import order "
            f"{named} here: two resources would then manage one order, and either destroy would cancel it."),
            path=["csr"])
        return None
    diags.add_error(summary, (
        f"{call} was refused: {exc}. Order {named} is not adopted because {why}: it may belong to another "
        "resource or configuration, and adopting it would let this resource's destroy cancel it. Nothing was "
        "ordered. Either give this resource its own CSR (a new key); or wait until order "
        f"{named} is issued (GoGetSSL refuses a second open order for one CSR and product; an order whose "
        f"cancellation is under review still counts, for up to {CANCEL_REVIEW_HOURS} hours); or, if order "
        f"{named} is meant to be managed by this resource and by no other, import it: terraform import "
        f"<address> {named} (or an import block with id = \"{named}\")."), path=["csr"])
    return None


# -- changing an order in place --

def reissue(client: GoGetSSLClient, order_id: int, current: dict[str, Any], planned: dict[str, Any]) -> None:
    """Reissue. After an uncertain answer, decide from what the vendor holds: the new values mean it went
    through; the old ones mean it did not, and it is sent once more; anything else raises ReissueUnknown."""
    from provider.client.models import ReissueRequest

    wanted = with_san_approvers({k: planned.get(k) for k in sorted(REISSUE_REQUEST_FIELDS)})
    request = ReissueRequest.model_validate(
        {k: v for k, v in wanted.items() if v is not None} | {"dns_names": planned.get("dns_names") or []})
    for attempt in (1, 2):
        try:
            client.orders.reissue(order_id, request)
            logs.event(f"reissue of order {order_id} requested", order_id=order_id)
            return
        except errors.GoGetSSLError as exc:
            if not exc.outcome_unknown:
                raise
            reconcile.let_it_land(client)
            try:
                status = client.orders.status(order_id)
            except errors.GoGetSSLError as read_exc:
                raise ReissueUnknown(exc, None, f"the order could not be read back ({read_exc})") from None
            held = _reissue_view(status)
            if _reissue_view_of(planned) == _reissue_view_of(current):
                # A reissue of the same values (the certificate is due): only the order's state tells.
                if status.status in VALIDATING_STATUSES or (status.valid_till or "") != (
                        current.get("valid_till") or ""):
                    return  # it went through: a reissue is pending, or its certificate was issued already
                if status.status != "active" or attempt == 2:
                    held_status = status.status or "without a status"
                    raise ReissueUnknown(exc, status, f"GoGetSSL reports the order {held_status}") from None
                continue  # still active with the same certificate: the reissue did not happen; send it again
            if held == _reissue_view_of(planned):
                return  # it went through
            if held != _reissue_view_of(current) or attempt == 2:
                raise ReissueUnknown(exc, status, "GoGetSSL holds neither the old nor the new values") from None
            # The vendor still holds exactly the old values: the reissue did not happen; send it again.


def state_after_unknown_reissue(diags: Diagnostics, order_id: int, current: dict[str, Any], planned: dict[str, Any],
                                exc: ReissueUnknown) -> dict[str, Any]:
    """State after a reissue whose outcome is unknown: what the vendor holds, so the next plan shows
    whatever still differs from the configuration, and never values the vendor does not hold."""
    state = dict(current)
    status = exc.status
    if status is not None:
        if same_pem(status.csr_code, planned.get("csr")):
            state["csr"], which = planned.get("csr"), "the new csr"
        elif same_pem(status.csr_code, current.get("csr")) or not status.csr_code:
            which = "the old csr"
        else:
            state["csr"], which = status.csr_code, "a csr that is neither the old nor the new one"
        state["webserver_type"] = status.webserver_type
        sans = vendor_sans(status)
        state["dns_names"] = sans if sans or current.get("dns_names") else current.get("dns_names")
        refresh(state, status)
        held = (f"GoGetSSL holds {which}, webserver_type {status.webserver_type} and dns_names {sans}; state "
                "now records exactly that.")
    else:
        held = "State keeps the values from before this apply."
    diags.add_error(
        f"The reissue of order {order_id} may not have happened",
        f"reissueSSLOrder did not answer clearly and {exc.why}. {held} Run terraform plan: it shows what "
        "still differs from the configuration, and apply reissues it again.",
    )
    return state


def change_validation(client: GoGetSSLClient, order_id: int, current: dict[str, Any], planned: dict[str, Any],
                      changed: set[str]) -> None:
    """Change DCV methods in ONE call: the vendor locks validation changes of an order for a while after
    each one ("Function is locked for ..."), so a second call right after the first would fail."""
    method = planned.get("dcv_method")
    primary = planned.get("approver_email") if method == "email" else method
    names = list(planned.get("dns_names") or [])
    sans = with_san_approvers(planned).get("approver_emails") or []
    primary_changed = bool({"dcv_method", "approver_email"} & changed)
    sans_changed = bool(names) and bool({"approver_emails", "dcv_method"} & changed)
    if primary_changed and not sans_changed:
        client.orders.change_validation_email(order_id, cast(str, primary))
    elif sans_changed:
        domains, methods = names, list(sans)
        if primary_changed:
            cn = current.get("domain") or common_name(planned.get("csr")) or ""
            domains, methods = [cn, *names], [str(primary), *sans]
        client.orders.change_domains_validation_method(order_id, domains, methods)
    logs.event(f"validation of order {order_id} changed", order_id=order_id, dcv_method=method)


# -- reading before a destructive call, and cancelling --

def read_confirmed(client: GoGetSSLClient, order_id: int) -> OrderStatus | None:
    """The order's status; None only when the vendor twice gives its unknown-order answer (dropping a paid
    order from state makes the next apply buy it again)."""
    try:
        return client.orders.status(order_id)
    except errors.NotFoundError:
        try:
            return client.orders.status(order_id)
        except errors.NotFoundError:
            return None


def cancel(client: GoGetSSLClient, order_id: int) -> str:
    """Ask to cancel: "requested", or "under_review" when the vendor says a cancellation is already being
    reviewed. The order keeps its status during the review, so a re-read cannot tell whether an uncertain
    request landed: after an uncertain answer the request goes once more, and the vendor either takes it
    or refuses it as already under review; two uncertain answers raise CancelUnknown."""
    last: errors.GoGetSSLError | None = None
    for _attempt in (1, 2):
        try:
            client.orders.cancel(order_id, CANCEL_REASON)
            logs.event(f"cancellation of order {order_id} requested", order_id=order_id)
            return "requested"
        except errors.APIError as exc:
            if _UNDER_REVIEW.search(f"{exc.message} {exc.description}"):
                return "under_review"
            if not exc.outcome_unknown:
                raise
            last = exc
        except errors.GoGetSSLError as exc:
            if not exc.outcome_unknown:
                if last is not None and isinstance(exc, errors.TransportError):
                    raise CancelUnknown(str(last)) from None  # not sent again (a stop): the first is still in doubt
                raise
            last = exc
        reconcile.let_it_land(client)
        try:
            if client.orders.status(order_id).status == "cancelled":
                return "requested"  # where the vendor cancels at once, a re-read settles it
        except errors.GoGetSSLError:
            pass
    raise CancelUnknown(str(last))


# -- helpers --

def same_pem(a: str | None, b: str | None) -> bool:
    return normalize_pem(a or "") == normalize_pem(b or "")


#: how each field a reissue changes and GoGetSSL reports back (REISSUE_FIELDS less UNREPORTED) is compared
_COMPARABLE: dict[str, Callable[[Any], Any]] = {
    "csr": lambda pem: normalize_pem(str(pem or "")),
    "webserver_type": lambda wt: int(wt) if is_whole(wt) else None,
    "dns_names": lambda names: tuple(sorted(str(n).lower() for n in names or [])),
}


def _reissue_view(status: OrderStatus) -> dict[str, Any]:
    """What a reissue changes, as the vendor reports it (the arguments an import reads from its status)."""
    return _reissue_view_of(arguments_from_status(status))


def _reissue_view_of(state: dict[str, Any]) -> dict[str, Any]:
    """What a reissue changes and GoGetSSL reports back, comparable across the vendor's spelling and state's."""
    return {name: _COMPARABLE[name](state.get(name)) for name in sorted(REISSUE_FIELDS - UNREPORTED)}


def _no_unknowns(value: Any) -> Any:
    """`value` with every Unknown (at any depth) replaced by null: what a state may hold."""
    if value is Unknown:
        return None
    if isinstance(value, list):
        return [_no_unknowns(v) for v in value]
    if isinstance(value, dict):
        return {k: _no_unknowns(v) for k, v in value.items()}
    return value
