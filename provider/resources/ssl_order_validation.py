"""gogetssl_ssl_order_validation: waits until an order's certificate is issued (like aws_acm_certificate_validation).

It stands for no object at GoGetSSL: create polls getOrderStatus (asking the CA to recheck pending
domains with revalidate on the way) until the order is `active`; read drops it when the order no
longer is; delete does nothing. The order itself is never changed: it is paid for.

Given the order's `certificate_requested_at`, it also waits for each later certificate of the order, in the apply
that asks for it: a reissue or renewal changes that value, and the update of this resource then waits like a
create, for a certificate other than the one it held.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tf.iface import (
    CreateContext,
    DeleteContext,
    PlanContext,
    ReadContext,
    Resource,
    UpdateContext,
    UpgradeContext,
)
from tf.schema import Attribute, Block, Schema
from tf.types import List, Number, String, Unknown
from tf.utils import Diagnostics

from provider import logs
from provider.client import errors
from provider.common.diagnostics import add_api_error
from provider.common.order_rules import CSRProblem, is_whole, parse_csr
from provider.common.services import ProviderServices, configured_client
from provider.common.vendor import FAILED_STATUSES, VALIDATING_STATUSES
from provider.resources import ssl_order_waiting as waiting
from provider.tfext.types import PemString, SingleNestedBlock, normalize_pem

if TYPE_CHECKING:
    from provider.client.models import OrderStatus

# 1 -> 2 added csr (null: waits for `active` only); 2 -> 3 made timeouts a block; 3 -> 4 added
# certificate_requested_at (null: waits once, as before)
SCHEMA_VERSION = 4


@dataclass(frozen=True)
class Backoff:
    """How the waiter polls: capped exponential backoff. Tunables in one place; sleep and clock injectable."""

    initial: float = 1.0
    factor: float = 2.0
    cap: float = 30.0
    #: None waits on the provider's stop event, so that Ctrl-C ends a wait at once
    sleep: Callable[[float], Any] | None = None
    clock: Callable[[], float] = time.monotonic


BACKOFF = Backoff()


class SslOrderValidationResource(Resource):
    def __init__(self, provider: ProviderServices):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "ssl_order_validation"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(
            version=SCHEMA_VERSION,
            description=(
                "Waits for a gogetssl_ssl_order to be issued, after its validation records were published. It "
                "represents no object at GoGetSSL: destroying it changes nothing. Reference its "
                "`certificate_pem` so that consumers only ever get an issued certificate."
            ),
            attributes=[
                Attribute("order_id", Number(), required=True, requires_replace=True,
                          description="The order to wait for (`gogetssl_ssl_order.x.order_id`)."),
                Attribute("csr", PemString(), optional=True, requires_replace=True,
                          description="The CSR the certificate must be issued for: `gogetssl_ssl_order.x.csr`. A "
                                      "reissue changes it, which replaces this resource: it waits again, until "
                                      "the order's certificate carries this CSR's public key. Without it, the "
                                      "wait ends at the first `active` status, which an order keeps while a "
                                      "reissue is pending."),
                Attribute("validation_record_fqdns", List(String()), optional=True, requires_replace=True,
                          description="Names of the DNS records published for validation. When set, they are "
                                      "checked against the order's DNS validation records before waiting, and "
                                      "create fails at once listing any that are missing."),
                Attribute("certificate_requested_at", String(), optional=True,
                          description="`gogetssl_ssl_order.x.certificate_requested_at`: when the order last asked "
                                      "for a certificate. An apply that reissues the order (a certificate due inside "
                                      "its subscription, or a new csr) or renews it changes it, and this resource "
                                      "then waits, in the same apply, for the new certificate. Without it, only the "
                                      "first certificate is waited for."),
                Attribute("id", String(), computed=True, description="The order id, as a string."),
                Attribute("certificate_pem", String(), computed=True, description="The issued certificate (PEM)."),
                Attribute("ca_bundle_pem", String(), computed=True, description="The CA chain (PEM)."),
                Attribute("valid_till", String(), computed=True,
                          description="End of the certificate's validity (YYYY-MM-DD)."),
            ],
            block_types=[SingleNestedBlock("timeouts", Block(
                description="How long create waits for issuance, as in other providers: `timeouts { create = "
                            "\"45m\" }`. On timeout the order is left as it is.",
                attributes=[Attribute("create", String(), optional=True,
                                      description="A Terraform duration (`45m`, `1h30m`, `90s`); 45 minutes "
                                                  "when unset.")]))],
        )

    def validate(self, diags: Diagnostics, type_name: str, config: dict[str, Any]) -> None:
        super().validate(diags, type_name, config)
        waiting.create_timeout(diags, config.get("timeouts"))
        csr = config.get("csr")
        if isinstance(csr, str):
            try:
                parse_csr(csr)
            except CSRProblem as exc:
                diags.add_error("Invalid csr", f"csr must be the order's CSR (`gogetssl_ssl_order.x.csr`): {exc}",
                                path=["csr"])
        oid = config.get("order_id")
        if isinstance(oid, (int, float)) and not isinstance(oid, bool) and (not is_whole(oid) or oid < 1):
            diags.add_error("Invalid order_id", f"order_id is {oid!r}; give an order id, a positive whole number.",
                            path=["order_id"])

    def plan(self, ctx: PlanContext, current: dict[str, Any] | None, planned: dict[str, Any]) -> dict[str, Any]:
        if current is not None and current.get("certificate_requested_at") is not None and (
                "certificate_requested_at" in ctx.changed_fields):
            # The order asked for a new certificate: this update waits for it, and its outputs change. (Set where
            # it was null, the value is only recorded: the order asked for nothing new.)
            for name in ("certificate_pem", "ca_bundle_pem", "valid_till"):
                planned[name] = Unknown
        return planned

    def create(self, ctx: CreateContext, planned: dict[str, Any]) -> dict[str, Any] | None:
        return self._wait(ctx.diagnostics, planned)

    def _wait(self, diags: Diagnostics, planned: dict[str, Any], previous: str | None = None) -> dict[str, Any] | None:
        """Wait until the order holds an issued certificate for csr, other than `previous` (the one held before
        this apply's reissue or renewal): the state then, or None (diagnosed)."""
        timeout = waiting.create_timeout(diags, planned.get("timeouts"))
        if timeout is None:
            return None
        order_id = int(planned["order_id"])
        client = configured_client(self.provider, diags)
        if client is None:
            return None
        try:
            status = client.orders.status(order_id)
        except errors.GoGetSSLError as exc:
            add_api_error(diags, exc, f"reading order {order_id}")
            return None

        fqdns = planned.get("validation_record_fqdns")
        if isinstance(fqdns, list):
            given = {str(f).lower().rstrip(".") for f in fqdns if isinstance(f, str)}
            expected = [p for p in waiting.dns_record_names(status) if p.lower().rstrip(".") not in given]
            if expected:
                diags.add_error(
                    "Missing DNS validation records",
                    f"Order {order_id} validates by DNS records that are not in validation_record_fqdns: "
                    f"{', '.join(expected)}. Publish them and list their names.",
                    path=["validation_record_fqdns"],
                )
                return None

        csr = planned.get("csr")
        if isinstance(csr, str) and status.csr_code and normalize_pem(csr) != normalize_pem(status.csr_code):
            # The order holds another CSR (the waiter is given another order's): no wait can help.
            diags.add_error(f"Order {order_id} is not for csr",
                            f"GoGetSSL holds another CSR for order {order_id} than the waiter's csr, so its "
                            "certificate cannot carry that key: either the waiter was given another order's csr "
                            "(give it `gogetssl_ssl_order.x.csr` of the order it waits for), or a reissue to "
                            "this CSR did not go through (apply again: the plan shows the order's csr change).",
                            path=["csr"])
            return None
        if previous and _nothing_pending(status, previous):
            # Read once more: the first answer after a reissue may lag behind it.
            try:
                status = client.orders.status(order_id)
            except errors.GoGetSSLError as exc:
                add_api_error(diags, exc, f"reading order {order_id}")
                return None
        if previous and _nothing_pending(status, previous):
            # Active with the certificate held before, nothing pending, twice: no reissue or renewal asked for
            # one (certificate_requested_at changed by hand); waiting could only time out.
            diags.add_warning(f"Order {order_id} has no new certificate to wait for",
                              "certificate_requested_at changed, but the order is active with the certificate "
                              "this resource holds and no reissue pending; the new value was recorded.")
            return _state(planned, status)
        deadline = BACKOFF.clock() + timeout
        delay = BACKOFF.initial
        while True:
            if status.status == "active" and issued_for(planned.get("csr"), status.crt_code) and not (
                    previous and same_certificate(previous, status.crt_code)):
                logs.event(f"order {order_id} is issued", order_id=order_id, valid_till=status.valid_till)
                return _state(planned, status)
            if status.status in FAILED_STATUSES:
                diags.add_error(
                    f"Order {order_id} is {status.status}: it will not be issued",
                    waiting.waiting_detail(status, "The order was left as it is.")
                    + (f" The vendor says: {status.status_description}." if status.status_description else ""),
                )
                return None
            for p in waiting.pending_domains(status):
                logs.event(f"order {order_id}: {p.domain} ({p.method}) is waiting for {p.waiting_for}",
                           order_id=order_id, domain=p.domain, method=p.method, status=status.status)
                # However many domains are pending, the timeout and Ctrl-C are honoured between rechecks.
                if BACKOFF.clock() >= deadline or self.provider.stopping.is_set():
                    break
                if p.method in ("dns", "http", "https"):
                    try:
                        client.orders.revalidate(order_id, p.domain)
                    except errors.GoGetSSLError:
                        pass  # a recheck that fails is retried on the next round; the status call decides
            if self.provider.stopping.is_set():
                _stopped(diags, order_id, status)
                return None
            remaining = deadline - BACKOFF.clock()
            if remaining <= 0:
                took = waiting.human(timeout)
                if status.status != "active":
                    still = f"Still {status.status} after {took}"
                elif not issued_for(planned.get("csr"), status.crt_code):
                    still = (f"After {took} the order is active with a certificate for another key than csr (its "
                             "reissue is not issued yet)")
                else:
                    still = (f"After {took} the order still holds the certificate it held before this apply asked "
                             "for a new one")
                diags.add_error(
                    f"Timed out waiting for order {order_id} to be issued",
                    waiting.waiting_detail(status, f"{still}. The order was left as it is (it is paid for): fix "
                                                   "what is pending and apply again, or raise timeouts.create."),
                )
                return None
            (BACKOFF.sleep or self.provider.stopping.wait)(min(delay, remaining))
            if self.provider.stopping.is_set():
                _stopped(diags, order_id, status)
                return None
            delay = min(delay * BACKOFF.factor, BACKOFF.cap)
            try:
                status = client.orders.status(order_id)
            except errors.GoGetSSLError as exc:
                if not exc.outcome_unknown and not isinstance(exc, errors.TransportError):
                    add_api_error(diags, exc, f"waiting for order {order_id}")
                    return None
                # A lost status read is harmless: keep waiting until the deadline.

    def read(self, ctx: ReadContext, current: dict[str, Any]) -> dict[str, Any] | None:
        order_id = current.get("order_id")
        if not isinstance(order_id, (int, float)):
            return current
        client = configured_client(self.provider, ctx.diagnostics)
        if client is None:
            return current
        try:
            status = client.orders.status(int(order_id))
        except errors.NotFoundError:
            return None
        except errors.GoGetSSLError as exc:
            add_api_error(ctx.diagnostics, exc, f"reading order {int(order_id)}")
            return current
        if status.status in VALIDATING_STATUSES and current.get("certificate_pem") and issued_for(
                current.get("csr"), current.get("certificate_pem")):
            # A reissue is pending: the certificate held is still the order's valid one, and consumers keep it
            # until the successor is issued (the next apply that asks for it waits).
            return current
        if status.status != "active":
            ctx.diagnostics.add_warning(
                f"Order {int(order_id)} is no longer active ({status.status})",
                "Its validation was removed from state; the next apply waits for issuance again.",
            )
            return None
        if not issued_for(current.get("csr"), status.crt_code):
            ctx.diagnostics.add_warning(
                f"Order {int(order_id)}'s certificate is not for csr",
                "The order was reissued for another key; its validation was removed from state, and the next "
                "apply waits for a certificate for csr again.")
            return None
        return _state(current, status)

    def update(self, ctx: UpdateContext, current: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        if planned.get("certificate_pem") is Unknown:  # plan(): the order asked for a new certificate
            # If the wait fails, the state stays as it was; read() drops it while the order is not active with a
            # certificate for csr, so the next apply waits again.
            return self._wait(ctx.diagnostics, planned, previous=current.get("certificate_pem")) or current
        return {**planned, **{k: current.get(k) for k in ("id", "certificate_pem", "ca_bundle_pem", "valid_till")}}

    def delete(self, ctx: DeleteContext, current: dict[str, Any]) -> None:
        return None

    def upgrade(self, ctx: UpgradeContext, version: int, old: dict[str, Any]) -> dict[str, Any]:
        new = {a.name: old.get(a.name) for a in self.get_schema().attributes}
        timeouts = old.get("timeouts")  # a map until version 3, then a block of the same shape
        new["timeouts"] = {"create": timeouts.get("create")} if isinstance(timeouts, dict) else None
        return new


def _state(base: dict[str, Any], status: OrderStatus) -> dict[str, Any]:
    return {
        "order_id": base["order_id"],
        "csr": base.get("csr"),
        "validation_record_fqdns": base.get("validation_record_fqdns"),
        "certificate_requested_at": base.get("certificate_requested_at"),
        "timeouts": base.get("timeouts"),
        "id": str(int(base["order_id"])),
        "certificate_pem": status.crt_code,
        "ca_bundle_pem": status.ca_code,
        "valid_till": status.valid_till or "",
    }


def _nothing_pending(status: OrderStatus, previous: str) -> bool:
    return status.status == "active" and not status.reissue_now and same_certificate(previous, status.crt_code)


def same_certificate(a: str | None, b: str | None) -> bool:
    return bool(a) and normalize_pem(a or "") == normalize_pem(b or "")


def issued_for(csr: Any, certificate_pem: str | None) -> bool:
    """Whether the certificate carries the CSR's public key (True when no CSR is given)."""
    if not isinstance(csr, str) or not csr.strip():
        return True
    if not certificate_pem:
        return False
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    try:
        wanted = x509.load_pem_x509_csr(csr.encode()).public_key()
        got = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    except ValueError:
        return False
    return bool(wanted.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
                == got.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


def _stopped(diags: Diagnostics, order_id: int, status: OrderStatus) -> None:
    diags.add_error(f"Stopped waiting for order {order_id}",
                    waiting.waiting_detail(status, "Terraform was interrupted; the order was left as it is. Apply "
                                                   "again to resume waiting."))


