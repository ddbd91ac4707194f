"""Vendor order ↔ Terraform state for gogetssl_ssl_order: the one place a state is built, refreshed, made from an
imported order and upgraded from an earlier schema version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tf.types import Unknown

from provider.common import dcv
from provider.common.order_rules import CSRProblem, parse_csr
from provider.common.order_schema import (
    ADOPTED_SETTINGS,
    ARGUMENT_NAMES,
    COMPUTED_NAMES,
    DEFAULT_ON_DESTROY,
    DEFAULT_RENEW_BEFORE_DAYS,
)
from provider.common.vendor import CLOSED_STATUSES, FAILED_STATUSES, ISSUED_STATUSES
from provider.tfext.types import normalize_pem

if TYPE_CHECKING:
    from provider.client.models import ApproverMethod, OrderStatus

#: planned_action of a state with no change pending
NOTHING = "none"


def settle(state: dict[str, Any]) -> None:
    """After a refresh nothing is pending: the planned_* attributes describe no change (the currency stays)."""
    state["planned_action"] = NOTHING
    state["planned_price"] = state["planned_tax"] = 0


def build_state(arguments: dict[str, Any], **computed: Any) -> dict[str, Any]:
    """The one place a state is built: every schema key, arguments as given, computed as passed."""
    state: dict[str, Any] = {name: arguments.get(name) for name in ARGUMENT_NAMES}
    state["renew_before_days"] = arguments.get("renew_before_days", DEFAULT_RENEW_BEFORE_DAYS)
    state["on_destroy"] = arguments.get("on_destroy", DEFAULT_ON_DESTROY)
    state["reissue_before_days"] = arguments.get("reissue_before_days")
    state.update({name: None for name in COMPUTED_NAMES})
    order_id = computed.pop("order_id")
    state.update(id=str(order_id), order_id=order_id, certificate_requested_at="", adopted_closed=False, **computed)
    missing = set(COMPUTED_NAMES) - set(state)
    assert not missing, f"state built without {missing}"
    return state


def refresh(state: dict[str, Any], status: OrderStatus) -> None:
    """Refresh what the API reports about an existing order. Of the user's arguments only `csr`: after a
    reissue made outside Terraform the certificate is for another key, and state says so (the plan then
    shows the configured CSR as a change: a free reissue back to it), rather than pair the configured CSR
    with a certificate it did not sign."""
    vendor_csr = status.csr_code
    if vendor_csr and normalize_pem(vendor_csr) != normalize_pem(str(state.get("csr") or "")):
        state["csr"] = vendor_csr
    if status.status:
        state["order_status"] = status.status
    method = approver_method(status.approver_method)
    if method is not None:
        state["approver_method"] = method
    state.update(
        status_description=status.status_description,
        dcv_status=status.dcv_status,
        begin_date=status.begin_date or "",
        end_date=status.end_date or "",
        partner_order_id=status.partner_order_id,
        domain=status.domain,
        san=dcv.san_status(status),
    )
    if status.single_san_count is not None or status.wildcard_san_count is not None:
        state["sans_purchased"] = {"single": status.single_san_count or 0, "wildcard": status.wildcard_san_count or 0}
    if status.crt_code or not state.get("certificate_pem") or status.status in FAILED_STATUSES:
        state.update(certificate_pem=status.crt_code, ca_bundle_pem=status.ca_code,
                     valid_from=status.valid_from or "", valid_till=status.valid_till or "")
    # else: a reissue is pending. The vendor fills the certificate only while the order is active, so it gives
    # none until the successor is issued; the state keeps serving the current one, with its own dates.
    cn = common_name(state.get("csr")) or (status.domain or "").lower()
    held = dcv.held_methods(state, status) if status.status in ISSUED_STATUSES else state
    records = dcv.build_records(held, cn, status.approver_method, status.san)
    if records is not None:
        state["validation_records"] = records


def adopted_state(status: OrderStatus) -> dict[str, Any]:
    """The state of an order adopted from its status alone, the one way an import, the list resource's results
    and the data source build it: its arguments as GoGetSSL holds them; ADOPTED_SETTINGS (an adopted order renews
    and reissues nothing until its configuration says so); `adopted_closed` when it is already closed (then it
    is kept inert, provider/resources/ssl_order_adoption.py); nothing pending. `destroy_outcome` is left null:
    the resource's import decides it."""
    state = build_state(
        {**arguments_from_status(status), **ADOPTED_SETTINGS, "on_destroy": DEFAULT_ON_DESTROY},
        order_id=status.order_id,
        invoice_id=None, order_status=None, order_amount=None, currency=None, tax=None, tax_rate=None,
        approver_method=None,
    )
    refresh(state, status)
    state["adopted_closed"] = status.status in CLOSED_STATUSES
    settle(state)
    return state


def order_id_of(state: dict[str, Any]) -> int | None:
    for key in ("order_id", "id"):
        value = state.get(key)
        if value in (None, Unknown, ""):
            continue
        try:
            return int(value)
        except (TypeError, ValueError):
            continue
    return None


def approver_method(m: ApproverMethod | None) -> dict[str, Any] | None:
    if m is None or not (m.http or m.https or m.dns or m.email):
        return None
    return {
        "http": m.http.model_dump() if m.http else None,
        "https": m.https.model_dump() if m.https else None,
        "dns": m.dns.model_dump() if m.dns else None,
        "email": m.email or None,
    }


def vendor_sans(status: OrderStatus) -> list[str]:
    """The SANs the vendor holds for an order: its `san` entries, else `domains` without the primary."""
    names = [e.san_name for e in status.san if e.san_name]
    if not names and status.domains:
        names = [d.strip() for d in status.domains.split(",") if d.strip() and d.strip() != status.domain]
    return names


def san_counts(names: list[Any]) -> dict[str, int]:
    """{"single": n, "wildcard": n}: `names` counted as GoGetSSL prices and counts SANs, `*.` names apart."""
    wildcards = sum(1 for n in names if str(n).startswith("*."))
    return {"single": len(names) - wildcards, "wildcard": wildcards}


def common_name(csr: Any) -> str | None:
    if not isinstance(csr, str):
        return None
    try:
        return parse_csr(csr).common_name
    except CSRProblem:
        return None


def arguments_from_status(s: OrderStatus) -> dict[str, Any]:
    """Rebuild the arguments of an order from getOrderStatus, for import."""
    def opt(value: str | None) -> str | None:
        return value if value not in (None, "") else None

    dns_names = vendor_sans(s)
    approvers = [a.strip() for a in (s.approver_emails or "").split(",") if a.strip()]
    if dns_names and approvers == [s.dcv_method] * len(dns_names):
        approvers = []  # what the provider derives when approver_emails is not configured
    args: dict[str, Any] = {
        "product_id": s.product_id,
        "period": s.validity_period,
        "csr": opt(s.csr_code),
        "server_count": s.server_count,
        "webserver_type": s.webserver_type,
        "dcv_method": opt(s.dcv_method),
        "approver_email": opt(s.approver_email) if s.dcv_method == "email" else None,
        "approver_emails": approvers or None,
        "dns_names": dns_names or None,
    }
    for name in ARGUMENT_NAMES:
        if name.startswith(("admin_", "tech_", "org_")):
            args[name] = opt(s.contacts.get(name))
    return args


def upgraded(old: dict[str, Any]) -> dict[str, Any]:
    """A state of an earlier schema version in the current one (every version upgrades in one step):
    v1 -> v2 added the certificate and DCV outputs: null, then read by the refresh after every upgrade.
    v2 -> v3 added renew_before_days and on_destroy: an old state gets their defaults.
    v3 -> v4 added cancel_requested_at: null (no uncertain cancellation is known).
    v4 -> v5 added planned_action, planned_price, planned_currency: null until the next plan sets them.
    v5 -> v6 added reissue_before_days (null: the automatic window), planned_tax (null until a plan) and
    certificate_requested_at ("": not known, so that a waiter given it waits at the next reissue).
    v6 -> v7 added destroy_outcome (null, then set by the refresh after every upgrade), sans_purchased
    (null, so the SANs held count as bought, until the refresh reads it) and adopted_closed (false: an order
    imported closed before v7 could not be imported)."""
    new = {name: old.get(name) for name in (*ARGUMENT_NAMES, "renew_before_days", "on_destroy",
                                            "reissue_before_days", *COMPUTED_NAMES)}
    if new["renew_before_days"] is None:
        new["renew_before_days"] = DEFAULT_RENEW_BEFORE_DAYS
    if new["on_destroy"] is None:
        new["on_destroy"] = DEFAULT_ON_DESTROY
    if new["certificate_requested_at"] is None:
        new["certificate_requested_at"] = ""  # not known: the next reissue or renewal sets it
    if new["adopted_closed"] is None:
        new["adopted_closed"] = False
    return new
