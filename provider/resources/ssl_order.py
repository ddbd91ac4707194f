"""gogetssl_ssl_order: one GoGetSSL certificate order (create = addSSLOrder, read = getOrderStatus,
delete = cancelSSLOrder, import by order id).

Arguments carry the addSSLOrder parameters under the vendor's names. The vendor cannot change
an order's product, term, CSR, domains, contacts or DCV settings, so a change to any of those
plans a new order; `signature_hash` and `unique_code` only shape the order when it is placed
and are never returned by the API, so changing them updates state without a call.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from tf.iface import (
    CreateContext,
    DeleteContext,
    ImportContext,
    PlanContext,
    ReadContext,
    Resource,
    UpdateContext,
    UpgradeContext,
)
from tf.schema import Attribute, Schema
from tf.types import List, Number, String, TfType, Unknown
from tf.utils import Diagnostics

from provider.client import errors
from provider.provider import GoGetSSLProvider, NotConfigured
from provider.resources import _dcv, _reconcile
from provider.resources import ssl_order_rules as rules
from provider.resources._errors import add_api_error
from provider.tfext.types import Object, PemString

if TYPE_CHECKING:
    from provider.client.models import ApproverMethod, OrderStatus

SCHEMA_VERSION = 4
CANCEL_REASON = "Cancelled by Terraform: the gogetssl_ssl_order resource was destroyed"

_FILE_DCV = Object({"link": String(), "filename": String(), "content": String()})
APPROVER_METHOD_TYPE = Object({
    "http": _FILE_DCV,
    "https": _FILE_DCV,
    "dns": Object({"record": String()}),
    "email": String(),
})

# (name, type, description); every argument below is required unless listed in _OPTIONAL.
_ARGUMENTS: list[tuple[str, TfType, str]] = [
    ("product_id", Number(), "Product to order, an id from the vendor's product list (`/products/ssl/`)."),
    ("period", Number(), "Term in months, one of the product's periods (e.g. 12, 24)."),
    ("csr", PemString(), "Certificate signing request in PEM. Its common name is the order's primary domain. "
                         "Line endings are not significant."),
    ("server_count", Number(), "Number of server licences; `-1` for unlimited."),
    ("webserver_type", Number(), "Web server type id from the vendor's webserver list (`/tools/webservers/`)."),
    ("dcv_method", String(), "Domain control validation method: `email`, `http`, `https` or `dns`."),
    ("approver_email", String(), "Approver address for the primary domain; only with `dcv_method = \"email\"`."),
    ("approver_emails", List(String()), "One DCV entry per `dns_names` entry, in the same order: an approver "
                                        "address, or `http`, `https` or `dns`. Sent comma-separated. Left unset "
                                        "on a multi-domain order, every entry is `dcv_method` (required with "
                                        "`dcv_method = \"email\"`): the vendor wants one entry per SAN."),
    ("dns_names", List(String()), "Additional domains (SANs) for multi-domain products; must not repeat the "
                                  "primary domain. Sent comma-separated."),
    ("signature_hash", String(), "Signature hash algorithm (`SHA2`). The API never returns it, so an import leaves "
                                 "it null."),
    ("unique_code", String(), "Unique value for the DCV data (15-20 letters and digits; Sectigo products). Used "
                              "when the order is placed; the API never returns it, so a change updates state only."),
]
_CONTACT_REQUIRED = ("firstname", "lastname", "phone", "title", "email")
_CONTACT_OPTIONAL = ("organization", "addressline1", "city", "country", "fax", "postalcode", "region")
for _role in ("admin", "tech"):
    for _suffix in _CONTACT_REQUIRED + _CONTACT_OPTIONAL:
        _note = "" if _suffix in _CONTACT_REQUIRED else " Required for OV/EV products where the vendor says so."
        _ARGUMENTS.append((f"{_role}_{_suffix}", String(), f"{_role.capitalize()} contact: {_suffix}.{_note}"))
for _suffix in ("name", "division", "duns", "addressline1", "city", "country", "fax", "phone", "postalcode",
                "region"):
    _ARGUMENTS.append((f"org_{_suffix}", String(), f"Organisation: {_suffix}. Required for OV/EV products where "
                                                   "the vendor says so."))

REQUIRED = frozenset({
    "product_id", "period", "csr", "server_count", "webserver_type", "dcv_method",
    *(f"{r}_{s}" for r in ("admin", "tech") for s in _CONTACT_REQUIRED),
})
# What may change without a new order: DCV settings (change-validation calls while validation is
# pending), what a reissue can change on an active order, and values used only when placing.
DCV_FIELDS = frozenset({"dcv_method", "approver_email", "approver_emails"})
REISSUE_FIELDS = frozenset({"csr", "webserver_type", "dns_names", "signature_hash"})
STATE_ONLY = frozenset({"unique_code"})
IN_PLACE = DCV_FIELDS | REISSUE_FIELDS | STATE_ONLY
ON_DESTROY = ("cancel_if_refundable", "cancel", "forget")
DEFAULT_RENEW_BEFORE_DAYS = 30
DEFAULT_ON_DESTROY = "cancel_if_refundable"
REFUND_DAYS = 30
CANCEL_REVIEW_HOURS = 48  # the vendor reviews a cancellation request within 2-48 hours (reference §2.1, §5)
CANCEL_REVIEW = dt.timedelta(hours=CANCEL_REVIEW_HOURS)
# The vendor's answer to a second cancellation during its review is not public; the sandbox says
# "Cancellation already requested". Only a clear statement of that kind is read as "under review".
_UNDER_REVIEW = re.compile(r"cancell?ation\s+(?:is\s+)?already\s+(?:requested|under\s+review|pending)"
                           r"|already\s+(?:requested|submitted)\s+(?:a\s+)?cancell?ation", re.IGNORECASE)
# Outputs that a reissue or a renewal changes: planned unknown so the plan shows them changing.
_REISSUE_OUTPUTS = ("order_status", "status_description", "dcv_status", "valid_from", "valid_till", "begin_date",
                    "end_date", "certificate_pem", "ca_bundle_pem", "san", "approver_method", "validation_records",
                    "partner_order_id", "domain")
_DCV_OUTPUTS = ("approver_method", "validation_records", "san", "dcv_status", "status_description")
_RENEWAL_OUTPUTS = _REISSUE_OUTPUTS + ("id", "order_id", "invoice_id", "order_amount", "currency", "tax",
                                       "tax_rate")
ARGUMENT_NAMES = tuple(name for name, _t, _d in _ARGUMENTS)

_COMPUTED: list[tuple[str, TfType, str]] = [
    ("id", String(), "The order id, as a string."),
    ("order_id", Number(), "GoGetSSL order id."),
    ("invoice_id", Number(), "Invoice id of the order (null for imported orders: the status call does not "
                             "return it)."),
    ("order_status", String(), "Order status as the API reports it: `processing` until validation passes, then "
                               "`active`; also `cancelled`, `expired`, `rejected`. Refreshed on every plan."),
    ("order_amount", Number(), "Amount charged for the order (null for imported orders)."),
    ("currency", String(), "Currency of `order_amount` (null for imported orders)."),
    ("tax", Number(), "Tax charged, if applicable (null for imported orders)."),
    ("tax_rate", String(), "Tax rate as the vendor states it, e.g. `21%` (null for imported orders)."),
    ("approver_method", APPROVER_METHOD_TYPE,
     "Domain control validation data for the primary domain, in the vendor's shape: `http` and `https` "
     "(`link`, `filename`, `content`: publish `content` at `link`), `dns` (`record`: `name TYPE value`) or "
     "`email` (the approver address). Only the key of the order's `dcv_method` is set; the others are null."),
    ("validation_records", _dcv.VALIDATION_RECORDS_TYPE,
     "What to publish for domain control validation, one entry per domain: the CSR's common name first, then each "
     "`dns_names` entry. `domain` and `method` are known at plan time, so `for_each = { for r in "
     "gogetssl_ssl_order.x.validation_records : r.domain => r }` plans on a first apply. For `dns`: "
     "`record_name`, `record_type` (`CNAME` for Sectigo brands, `TXT` for DigiCert brands), `record_value`; for "
     "`http`/`https`: `url`, `file_path` (`/.well-known/pki-validation/...`), `file_name`, `file_content`; for "
     "`email`: `email`. Fields of other methods are null."),
    ("status_description", String(), "The vendor's description of the order status; empty until it has one."),
    ("dcv_status", String(), "Domain control validation status of the primary domain as the vendor reports it "
                             "(`1` pending, `2` validated)."),
    ("valid_from", String(), "Start of the issued certificate's validity (YYYY-MM-DD); empty until issued."),
    ("valid_till", String(), "End of the issued certificate's validity (YYYY-MM-DD); empty until issued."),
    ("begin_date", String(), "Start of the subscription (YYYY-MM-DD); empty until issued."),
    ("end_date", String(), "End of the subscription (YYYY-MM-DD); multi-year subscriptions outlive each "
                           "certificate. Empty until issued."),
    ("partner_order_id", String(), "The certificate authority's order number; empty until the CA has one."),
    ("domain", String(), "The order's primary domain (the CSR's common name) as the vendor holds it."),
    ("certificate_pem", String(), "The issued certificate in PEM (the vendor's `crt_code`); empty until issued."),
    ("ca_bundle_pem", String(), "The CA chain in PEM (the vendor's `ca_code`); empty until issued."),
    ("san", _dcv.SAN_TYPE, "Validation status of each additional domain, as the vendor reports it: `san_name`, "
                           "`validation_method`, `status` (`1` pending, `2` validated), `status_description`."),
    ("cancel_requested_at", String(), "When a destroy asked GoGetSSL to cancel the order but the answer was "
                                      "uncertain (UTC, RFC 3339); null otherwise. While the vendor's review may "
                                      f"still run ({CANCEL_REVIEW_HOURS} hours), a destroy sends no second request."),
]


class SslOrder(Resource):
    def __init__(self, provider: GoGetSSLProvider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "ssl_order"

    @classmethod
    def get_schema(cls) -> Schema:
        attributes = [
            Attribute(
                name, t, description=desc + _change_note(name),
                required=name in REQUIRED, optional=name not in REQUIRED,
                requires_replace=name not in IN_PLACE,
            )
            for name, t, desc in _ARGUMENTS
        ]
        attributes += [
            Attribute("renew_before_days", Number(), optional=True, computed=True, default=DEFAULT_RENEW_BEFORE_DAYS,
                      description="Renew the order when its certificate has this many days or fewer left "
                                  f"(default {DEFAULT_RENEW_BEFORE_DAYS}; 0 disables). `terraform plan` shows a due "
                                  "renewal as an update of this resource; apply places a renewal order "
                                  "(addSSLRenewOrder, a new paid order with a new `order_id`, carrying the same "
                                  "arguments) and leaves the old order as it is."),
            Attribute("on_destroy", String(), optional=True, computed=True, default=DEFAULT_ON_DESTROY,
                      description="What destroying the resource does at GoGetSSL: `cancel_if_refundable` (default: "
                                  "cancel while the refund window is open, i.e. before issuance or within the "
                                  "product's refund days of it; otherwise forget the order with a warning), `cancel` "
                                  "(always ask to cancel), or `forget` (only remove it from state)."),
        ]
        attributes += [Attribute(name, t, description=desc, computed=True) for name, t, desc in _COMPUTED]
        return Schema(
            version=SCHEMA_VERSION,
            description=(
                "A GoGetSSL SSL certificate order. Creating it places a paid order (addSSLOrder). Changing "
                "`dcv_method`, `approver_email` or `approver_emails` while validation is pending calls the "
                "vendor's change-validation endpoints; changing `csr`, `webserver_type`, `signature_hash` or "
                "`dns_names` (within the SANs purchased) on an active order reissues it; both keep the order id "
                "and show as an update. Any other change plans a new order, and the plan names the attribute "
                "that forces it. Renewal is planned `renew_before_days` before expiry; destroy follows "
                "`on_destroy`. Import with the order id: `terraform import gogetssl_ssl_order.example 1234567`."
            ),
            attributes=attributes,
        )

    # -- checks before anything is spent --
    def validate(self, diags: Diagnostics, type_name: str, config: dict[str, Any]) -> None:
        super().validate(diags, type_name, config)
        if not diags.has_errors():
            problems, _csr = rules.check_static(config)
            _report(diags, problems)
            days = config.get("renew_before_days")
            if rules.known(days) and (not rules.is_whole(days) or days < 0):
                diags.add_error("Invalid renew_before_days",
                                f"renew_before_days is {days!r}; give a whole number of days, or 0 to disable "
                                "renewal.", path=["renew_before_days"])
            policy = config.get("on_destroy")
            if isinstance(policy, str) and policy not in ON_DESTROY:
                diags.add_error("Invalid on_destroy",
                                f"on_destroy is {policy!r}; accepted values: {', '.join(ON_DESTROY)}.",
                                path=["on_destroy"])

    def plan(self, ctx: PlanContext, current: dict[str, Any] | None, planned: dict[str, Any]) -> dict[str, Any]:
        config = getattr(ctx, "config", None) or {}
        for name, default in (("renew_before_days", DEFAULT_RENEW_BEFORE_DAYS), ("on_destroy", DEFAULT_ON_DESTROY)):
            if config.get(name) is None:  # unset means the default, also after it was set once
                planned[name] = default
        if current is None:
            planned["cancel_requested_at"] = None
            # A new order (also the create half of a replacement): check the product's rules
            # now, so `terraform plan` fails rather than `apply`.
            _problems, csr = rules.check_static(planned)
            self._check_product(ctx.diagnostics, planned, csr, strict=False)
            planned["validation_records"] = _dcv.planned_records(planned, csr.common_name if csr else None)
            return planned

        replace: list[str] = getattr(ctx, "requires_replace", [])
        reissue = _reissue_changes(current, planned, ctx.changed_fields)
        if reissue:
            status = current.get("order_status")
            grew = len(planned.get("dns_names") or []) > len(current.get("dns_names") or [])
            if status != "active" or (grew and "dns_names" in reissue):
                # Only an active order can be reissued, and only within the SANs paid for.
                replace.extend(sorted(reissue if status != "active" else {"dns_names"}))
            else:
                _mark_unknown(planned, _REISSUE_OUTPUTS)
                planned["validation_records"] = _dcv.planned_records(planned, _common_name(planned.get("csr")))
        status = current.get("order_status")
        if replace and status in _reconcile.OPEN and not {"csr", "product_id"} & ctx.changed_fields:
            # Destroy first cancels the old order, but cancelling is a request GoGetSSL reviews for hours while
            # the order stays open, and it refuses a second open order for one CSR and product: the new order
            # would be refused after the old one was cancelled.
            oid = current.get("order_id")
            ctx.diagnostics.add_error(
                f"Order {oid} cannot be replaced while it is {status}",
                f"Changing {', '.join(sorted(set(replace)))} needs a new order, but order {oid} is still {status} "
                "and the new one would have the same CSR and product. GoGetSSL refuses a second open order for "
                f"one CSR and product, and cancelling order {oid} is a request it reviews for up to "
                f"{CANCEL_REVIEW_HOURS} hours, during which the order stays open: applying would cancel order "
                f"{oid} and then fail to place its replacement. Change the csr (a new key) together with this "
                f"change, or wait until order {oid} is issued, or revert the change.",
                path=[sorted(set(replace))[0]],
            )
        if not reissue and ctx.changed_fields & DCV_FIELDS:
            _mark_unknown(planned, _DCV_OUTPUTS)
            planned["validation_records"] = _dcv.planned_records(planned, _common_name(planned.get("csr")))
        if not replace and not reissue:
            due = _renewal_due(current, planned.get("renew_before_days"))
            if due:
                _mark_unknown(planned, _RENEWAL_OUTPUTS)
                planned["validation_records"] = _dcv.planned_records(planned, _common_name(planned.get("csr")))
                ctx.diagnostics.add_warning(
                    f"Order {current.get('order_id')} is due for renewal",
                    f"{due}. Applying this plan places a renewal order (a new paid order with a new order id, "
                    "carrying the same arguments); the current order is left as it is. Set renew_before_days = 0 "
                    "to stop renewals.",
                )
        return planned

    def _check_product(self, diags: Diagnostics, cfg: dict[str, Any], csr: rules.CSRInfo | None,
                       *, strict: bool) -> None:
        """Product rules; `strict` (at apply) turns "cannot check" into an error, so nothing is ordered blind."""
        pid = cfg.get("product_id")
        if not rules.is_whole(pid):
            return
        try:
            catalogue = self.provider.catalogue()
        except (NotConfigured, errors.GoGetSSLError) as exc:
            if isinstance(exc, errors.GoGetSSLError) and (strict or isinstance(exc, errors.AuthError)):
                # Wrong credentials fail the plan at once; at apply nothing is ordered unchecked.
                add_api_error(diags, exc, "reading the product catalogue to check the order (nothing was ordered)")
            elif strict:
                diags.add_error("Provider not configured", str(exc))
            else:
                diags.add_warning("Product rules not checked at plan time",
                                  f"Reading the product catalogue failed ({exc}); they will be checked before "
                                  "the order is placed.")
            return
        product = catalogue.get(int(pid))
        if product is None:
            ids = ", ".join(str(i) for i in sorted(catalogue)[:30])
            diags.add_error("Unknown product_id",
                            f"product_id {int(pid)} is not in this account's SSL catalogue. Available ids: {ids}.",
                            path=["product_id"])
            return
        _report(diags, rules.check_product(cfg, product, csr))

    # -- lifecycle --
    def create(self, ctx: CreateContext, planned: dict[str, Any]) -> dict[str, Any] | None:
        return self._place(ctx.diagnostics, planned, renewal=False)

    def _place(self, diags: Diagnostics, planned: dict[str, Any], *, renewal: bool) -> dict[str, Any] | None:
        """Place an order (or a renewal order): checks, one call that spends, then the id goes to state."""
        call = "addSSLRenewOrder" if renewal else "addSSLOrder"
        try:
            client = self.provider.client
        except NotConfigured as exc:
            diags.add_error("Provider not configured", str(exc))
            return None
        # Values unknown at plan time are known now: check everything again before spending.
        problems, csr = rules.check_static(planned)
        _report(diags, problems)
        if not diags.has_errors():
            self._check_product(diags, planned, csr, strict=True)
        if diags.has_errors():
            return None
        from provider.client.models import AddSSLOrderRequest  # deferred: pydantic is heavy at start-up

        fields = {name: planned.get(name) for name in ARGUMENT_NAMES}
        try:
            request = AddSSLOrderRequest.model_validate(
                {k: v for k, v in with_san_approvers(fields).items() if v is not None})
            if request.unique_code is None and _reconcile.marker_shows(request) \
                    and self._brand(planned) in _reconcile.MARKED_BRANDS:
                request.unique_code = _reconcile.marker()  # tells this create's order from any look-alike
        except ValueError as exc:
            diags.add_error("Invalid order arguments", f"Nothing was ordered: {exc}")
            return None
        place = client.orders.add_ssl_renew_order if renewal else client.orders.add_ssl_order
        ledger = _reconcile.ledger_for(client)
        mark = ledger.begin(client, request)
        result: Any = None
        adopted: int | None = None
        uncertain: Exception | None = None  # an earlier attempt of this create may have placed the order
        for attempt in (1, 2):
            try:
                result = place(request)
                break
            except Exception as raised:  # noqa: BLE001 - anything but a clear refusal may have placed the order
                failure = raised if isinstance(raised, errors.GoGetSSLError) else errors.ResponseFormatError(
                    f"{call}: unreadable answer ({type(raised).__name__})")
                named = _reconcile.duplicate_order_id(failure)
                if named is not None:
                    adopted = self._adopt_named(diags, client, ledger, mark, request, named, failure, uncertain, call)
                    if adopted is None:
                        return None
                    break
                if not failure.outcome_unknown:
                    add_api_error(diags, failure,
                                  f"placing the {'renewal ' if renewal else ''}order (nothing was ordered)",
                                  frozenset(ARGUMENT_NAMES))
                    return None
                # The request may land a moment later (a gateway answered for a vendor still working on
                # it): give it as long as a timed-out request before reading the account's orders.
                uncertain = failure
                _reconcile.let_it_land(client)
                search = _reconcile.find_placed_order(client, request, ledger, mark)
                if search.order_id is not None and ledger.claim(search.order_id):
                    adopted = search.order_id
                    diags.add_warning(f"Adopted order {adopted} after an uncertain answer",
                                      f"{call} did not answer clearly ({failure}), but the order it placed was found "
                                      "in the account (everything GoGetSSL reports about it matches this resource) "
                                      "and is now in state. Nothing was ordered twice.")
                    break
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
        if result is not None and not ledger.claim(int(result.order_id)):
            diags.add_warning(f"Order {result.order_id} is claimed twice in this apply",
                              "GoGetSSL answered with an order id another resource of this apply already holds.")

        # From here on an order exists and is paid for: whatever fails, its id goes to state.
        settings = {"renew_before_days": planned.get("renew_before_days"), "on_destroy": planned.get("on_destroy")}
        if adopted is not None:
            state = self._state({**fields, **settings}, order_id=adopted, invoice_id=None, order_status=None,
                                order_amount=None, currency=None, tax=None, tax_rate=None, approver_method=None)
            try:
                self._refresh(state, client.orders.status(adopted))
            except Exception as exc:  # noqa: BLE001 - the adopted order must reach state whatever happens
                # The domains and methods were known at plan: keep them; the DCV data comes with the next refresh.
                state["validation_records"] = _no_unknowns(
                    _dcv.planned_records(fields, csr.common_name if csr else None))
                diags.add_warning(f"Order {adopted} was adopted, but reading it failed",
                                  f"{exc}. It is saved in state; its status, DCV data and certificate fill in on the "
                                  "next refresh (terraform plan or apply).")
            return state
        if not getattr(result, "complete", True):
            diags.add_warning(f"Order {result.order_id} was placed; part of the answer was unreadable",
                              f"{call} accepted the order, but only its id could be read from the answer; the "
                              "rest was read back from the order itself.")
        state = self._state(
            {**fields, **settings},
            order_id=result.order_id,
            invoice_id=result.invoice_id,
            order_status=result.order_status or None,
            order_amount=result.order_amount,
            currency=result.currency or None,
            tax=result.tax,
            tax_rate=result.tax_rate or None,
            approver_method=_approver_method(result.approver_method),
        )
        state["validation_records"] = _dcv.build_records(fields, csr.common_name if csr else "",
                                                         result.approver_method, result.san)
        try:
            status = client.orders.status(int(result.order_id or 0))
            self._refresh(state, status)
        except Exception as exc:  # noqa: BLE001 - any failure here must still return the paid order
            # A warning, not an error: with an error Terraform would taint the order, and the next apply would
            # cancel it and buy another. The order was placed and its id is in state; the rest can wait.
            diags.add_warning(
                f"Order {result.order_id} was placed, but reading it back failed",
                f"{exc}. The order is saved in state with what addSSLOrder answered; its status and certificate "
                "fill in on the next refresh (terraform plan or apply).",
            )
        return state

    def _brand(self, planned: dict[str, Any]) -> str:
        try:
            product = self.provider.catalogue().get(int(planned.get("product_id") or 0))
        except (NotConfigured, errors.GoGetSSLError, TypeError, ValueError):
            return ""
        return (product.brand or "").lower() if product is not None else ""

    @staticmethod
    def _adopt_named(diags: Diagnostics, client: Any, ledger: _reconcile.Ledger, mark: int | None, request: Any,
                     named: int,
                     exc: Exception, uncertain: Exception | None, call: str) -> int | None:
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
            "cancellation is under review still counts, for up to 48 hours); or, if order "
            f"{named} is meant to be managed by this resource and by no other, import it: terraform import "
            f"<address> {named} (or an import block with id = \"{named}\")."), path=["csr"])
        return None

    def read(self, ctx: ReadContext, current: dict[str, Any]) -> dict[str, Any] | None:
        order_id = _order_id(current)
        if order_id is None:
            ctx.diagnostics.add_error("Order id missing from state", "The state of this resource has no order id.")
            return current
        try:
            # Dropping a paid order from state makes the next apply buy it again: only the vendor's own
            # unknown-order answer counts, and only when a second read says the same.
            status = self._read_confirmed(self.provider.client, order_id)
        except NotConfigured as exc:
            ctx.diagnostics.add_error("Provider not configured", str(exc))
            return current
        except errors.GoGetSSLError as exc:
            add_api_error(ctx.diagnostics, exc, f"reading order {order_id}")
            return current
        if status is None:
            ctx.diagnostics.add_warning(
                f"Order {order_id} no longer exists at GoGetSSL",
                "The API does not know this order (for these credentials). It was removed from state; the next "
                "apply places a new order.",
            )
            return None
        if status.status == "cancelled" and current.get("cancel_requested_at"):
            ctx.diagnostics.add_warning(
                f"Order {order_id} was cancelled",
                f"GoGetSSL completed the cancellation requested at {current.get('cancel_requested_at')}. It was "
                "removed from state.",
            )
            return None
        if status.status in ("cancelled", "rejected"):
            ctx.diagnostics.add_warning(
                f"Order {order_id} was {status.status} outside Terraform",
                f"GoGetSSL reports the order as {status.status}. It was removed from state, so this plan orders "
                "it again (a new paid order).",
            )
            return None
        if current.get("cancel_requested_at"):
            ctx.diagnostics.add_warning(
                f"A cancellation of order {order_id} may be under review",
                f"A destroy asked GoGetSSL to cancel this order at {current.get('cancel_requested_at')} and did not "
                "learn whether the request arrived. GoGetSSL reviews cancellations for up to "
                f"{CANCEL_REVIEW_HOURS} hours while the order keeps its status ({status.status}); if the request "
                "arrived, the order will be cancelled even if you keep this resource.")
        new = dict(current)
        self._refresh(new, status)
        return new

    def update(self, ctx: UpdateContext, current: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any] | None:
        diags = ctx.diagnostics
        changed = {a.name for a in self.get_schema().attributes
                   if a.name in planned and planned[a.name] is not Unknown
                   and not a.type.semantically_equal(current.get(a.name), planned[a.name])}
        reissue = _reissue_changes(current, planned, changed)
        if not reissue and _renewal_due(current, planned.get("renew_before_days")):
            return self._place(diags, planned, renewal=True)

        order_id = _order_id(current)
        state = {**current, **{k: v for k, v in planned.items() if v is not Unknown}}
        if order_id is None:
            return state
        try:
            client = self.provider.client
            if reissue:
                self._reissue(client, order_id, current, planned)
            elif changed & DCV_FIELDS and current.get("order_status") in ("processing", "reissue"):
                self._change_validation(client, order_id, current, planned, changed)
            # Otherwise only state changes: DCV settings of an issued order, or values used only
            # when an order is placed.
            status = client.orders.status(order_id)
        except NotConfigured as exc:
            diags.add_error("Provider not configured", str(exc))
            return current
        except errors.GoGetSSLError as exc:
            what = "reissuing" if reissue else "changing the validation of"
            add_api_error(diags, exc, f"{what} order {order_id}", frozenset(ARGUMENT_NAMES))
            return current
        except ReissueUnknown as exc:
            return self._reissue_unknown(diags, order_id, current, planned, exc)
        self._refresh(state, status)
        for k, v in state.items():
            if v is Unknown:
                state[k] = None
        return state

    @staticmethod
    def _reissue(client: Any, order_id: int, current: dict[str, Any], planned: dict[str, Any]) -> None:
        """Reissue. After an uncertain answer, decide from what the vendor holds: the new values mean it went
        through; the old ones mean it did not, and it is sent once more; anything else raises ReissueUnknown."""
        from provider.client.models import ReissueRequest

        wanted = with_san_approvers({k: planned.get(k) for k in (
            "csr", "webserver_type", "dcv_method", "approver_email", "approver_emails", "dns_names",
            "signature_hash", "unique_code")})
        request = ReissueRequest.model_validate(
            {k: v for k, v in wanted.items() if v is not None} | {"dns_names": planned.get("dns_names") or []})
        for attempt in (1, 2):
            try:
                client.orders.reissue(order_id, request)
                return
            except errors.GoGetSSLError as exc:
                if not exc.outcome_unknown:
                    raise
                _reconcile.let_it_land(client)
                try:
                    status = client.orders.status(order_id)
                except errors.GoGetSSLError as read_exc:
                    raise ReissueUnknown(exc, None, f"the order could not be read back ({read_exc})") from None
                held = _reissue_view(status)
                if held == _reissue_view_of(planned):
                    return  # it went through
                if held != _reissue_view_of(current) or attempt == 2:
                    raise ReissueUnknown(exc, status, "GoGetSSL holds neither the old nor the new values") from None
                # The vendor still holds exactly the old values: the reissue did not happen; send it again.

    def _reissue_unknown(self, diags: Diagnostics, order_id: int, current: dict[str, Any],
                         planned: dict[str, Any], exc: ReissueUnknown) -> dict[str, Any]:
        """State after a reissue whose outcome is unknown: what the vendor holds, so the next plan shows
        whatever still differs from the configuration, and never values the vendor does not hold."""
        state = dict(current)
        status = exc.status
        if status is not None:
            if _reconcile.same_pem(status.csr_code, planned.get("csr")):
                state["csr"], which = planned.get("csr"), "the new csr"
            elif _reconcile.same_pem(status.csr_code, current.get("csr")) or not status.csr_code:
                which = "the old csr"
            else:
                state["csr"], which = status.csr_code, "a csr that is neither the old nor the new one"
            state["webserver_type"] = status.webserver_type
            sans = _reconcile.vendor_sans(status)
            state["dns_names"] = sans if sans or current.get("dns_names") else current.get("dns_names")
            self._refresh(state, status)
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

    @staticmethod
    def _change_validation(client: Any, order_id: int, current: dict[str, Any], planned: dict[str, Any],
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
            client.orders.change_validation_email(order_id, primary)
        elif sans_changed:
            domains, methods = names, list(sans)
            if primary_changed:
                cn = current.get("domain") or _common_name(planned.get("csr")) or ""
                domains, methods = [cn, *names], [str(primary), *sans]
            client.orders.change_domains_validation_method(order_id, domains, methods)

    def delete(self, ctx: DeleteContext, current: dict[str, Any]) -> dict[str, Any] | None:
        diags = ctx.diagnostics
        order_id = _order_id(current)
        policy = current.get("on_destroy") or DEFAULT_ON_DESTROY
        if order_id is None:
            return None
        if policy == "forget":
            diags.add_warning(f"Order {order_id} was forgotten, not cancelled",
                              "on_destroy = \"forget\": the order was only removed from state; it stays at GoGetSSL.")
            return None
        try:
            client = self.provider.client
            status = self._read_confirmed(client, order_id)
        except NotConfigured as exc:
            diags.add_error("Provider not configured", str(exc))
            return current
        except errors.GoGetSSLError as exc:
            add_api_error(diags, exc, f"reading order {order_id} before cancelling it")
            return current
        if status is None or status.status == "cancelled":
            return None
        if status.status in ("expired", "rejected"):
            diags.add_warning(f"Order {order_id} is {status.status}: nothing to cancel",
                              "It was removed from state without a call.")
            return None
        requested = _parse_time(current.get("cancel_requested_at"))
        if requested is not None and _now() - requested < CANCEL_REVIEW:
            diags.add_error(
                f"The cancellation of order {order_id} may be under review",
                f"A cancellation was requested at {current.get('cancel_requested_at')}, and its answer was "
                f"uncertain. GoGetSSL reviews cancellations within {CANCEL_REVIEW_HOURS} hours and the order keeps its "
                f"status ({status.status}) meanwhile; a second request during the review is refused, so nothing was "
                "sent again. Run terraform destroy again once GoGetSSL shows the order cancelled (it is then removed "
                f"without a call), or after {_stamp(requested + CANCEL_REVIEW)} to ask again. If the client area shows "
                "the cancellation pending, you may also run terraform state rm <address>.",
            )
            return current
        if policy == "cancel_if_refundable":
            open_, why = self._refund_window(client, status)
            if not open_:
                diags.add_warning(
                    f"Order {order_id} was forgotten, not cancelled: its refund window is closed",
                    f"{why}. Cancelling now would end the certificate without a refund, so the order was only "
                    "removed from state and stays valid at GoGetSSL. Set on_destroy = \"cancel\" to cancel anyway.",
                )
                return None
        asked = _stamp(_now())
        try:
            outcome = self._cancel(client, order_id)
        except CancelUnknown as exc:
            diags.add_error(
                f"The cancellation of order {order_id} may have been requested",
                f"cancelSSLOrder did not answer clearly, twice ({exc}), and the order's status cannot show a "
                "cancellation under review. The order stays in state, marked as cancellation requested at "
                f"{asked}: a destroy within the next {CANCEL_REVIEW_HOURS} hours sends no further request "
                "(GoGetSSL refuses one during its review) and removes the order once GoGetSSL reports it cancelled.",
            )
            return {**current, "cancel_requested_at": asked}
        except errors.GoGetSSLError as exc:
            add_api_error(diags, exc, f"cancelling order {order_id}")
            return current
        if outcome == "under_review":
            diags.add_warning(f"Cancellation of order {order_id} is already under review",
                              "GoGetSSL answered that a cancellation of this order is already being reviewed; "
                              "nothing new was requested, and the order was removed from state.")
            return None
        diags.add_warning(
            f"Cancellation of order {order_id} requested",
            f"GoGetSSL reviews cancellation requests (usually within 2-{CANCEL_REVIEW_HOURS} hours); the order keeps "
            "its status until then. A refund, if due (before issuance or within the refund window after it), goes to "
            "the account balance.",
        )
        return None

    @staticmethod
    def _read_confirmed(client: Any, order_id: int) -> OrderStatus | None:
        """The order's status; None only when the vendor twice gives its unknown-order answer."""
        try:
            return client.orders.status(order_id)
        except errors.NotFoundError:
            try:
                return client.orders.status(order_id)
            except errors.NotFoundError:
                return None

    @staticmethod
    def _cancel(client: Any, order_id: int) -> str:
        """Ask to cancel: "requested", or "under_review" when the vendor says a cancellation is already being
        reviewed. The order keeps its status during the review, so a re-read cannot tell whether an uncertain
        request landed: after an uncertain answer the request goes once more, and the vendor either takes it
        or refuses it as already under review; two uncertain answers raise CancelUnknown."""
        last: errors.GoGetSSLError | None = None
        for _attempt in (1, 2):
            try:
                client.orders.cancel(order_id, CANCEL_REASON)
                return "requested"
            except errors.APIError as exc:
                if _UNDER_REVIEW.search(f"{exc.message} {exc.description}"):
                    return "under_review"
                if not exc.outcome_unknown:
                    raise
                last = exc
            except errors.GoGetSSLError as exc:
                if not exc.outcome_unknown:
                    raise
                last = exc
            _reconcile.let_it_land(client)
            try:
                if client.orders.status(order_id).status == "cancelled":
                    return "requested"  # where the vendor cancels at once, a re-read settles it
            except errors.GoGetSSLError:
                pass
        raise CancelUnknown(str(last))

    def _refund_window(self, client: Any, status: OrderStatus) -> tuple[bool, str]:
        """Whether cancelling now refunds: before issuance always; after it, within the product's refund days
        (from the product's own page: the product list does not carry them)."""
        if status.status != "active" or not status.valid_from:
            return True, ""
        days = REFUND_DAYS
        try:
            product = client.products.get_ssl(int(status.product_id or 0))
            if product.refund_days:
                days = int(product.refund_days)
        except errors.GoGetSSLError:
            pass  # the vendor's standard window
        issued = _parse_date(status.valid_from)
        if issued is None:
            return True, ""
        age = (_today() - issued).days
        if age <= days:
            return True, ""
        return False, f"It was issued on {status.valid_from}, {age} days ago; refunds end {days} days after issuance"

    def import_(self, ctx: ImportContext, id: str) -> dict[str, Any] | None:
        text = (id or "").strip()
        if not re.fullmatch(r"[0-9]{1,18}", text):  # str.isdigit() also accepts "18³"
            ctx.diagnostics.add_error(
                "Invalid import id",
                f"Import a gogetssl_ssl_order by its GoGetSSL order id, a number such as 1800001; got {id!r}.",
            )
            return None
        try:
            status = self.provider.client.orders.status(int(text))
        except NotConfigured as exc:
            ctx.diagnostics.add_error("Provider not configured", str(exc))
            return None
        except errors.NotFoundError:
            ctx.diagnostics.add_error(
                f"Order {text} not found",
                "GoGetSSL does not know this order for the configured credentials; check the id and the account.",
            )
            return None
        except errors.GoGetSSLError as exc:
            add_api_error(ctx.diagnostics, exc, f"importing order {text}")
            return None
        if status.status in ("cancelled", "rejected"):
            ctx.diagnostics.add_error(
                f"Order {text} is {status.status}",
                f"GoGetSSL reports order {text} as {status.status}: there is nothing left to manage. (An order whose "
                "cancellation is still under review keeps its status until the review ends.)")
            return None
        return order_state_from_status(status)

    def upgrade(self, ctx: UpgradeContext, version: int, old: dict[str, Any]) -> dict[str, Any]:
        # v1 -> v2 added the certificate and DCV outputs: fill them as null; the refresh that
        # follows every upgrade reads them from the API.
        # v2 -> v3 added renew_before_days and on_destroy: an old state gets their defaults.
        # v3 -> v4 added cancel_requested_at: null (no uncertain cancellation is known).
        names = [a.name for a in self.get_schema().attributes]
        new = {name: old.get(name) for name in names}
        if new["renew_before_days"] is None:
            new["renew_before_days"] = DEFAULT_RENEW_BEFORE_DAYS
        if new["on_destroy"] is None:
            new["on_destroy"] = DEFAULT_ON_DESTROY
        return new

    # -- state --
    @staticmethod
    def _state(arguments: dict[str, Any], **computed: Any) -> dict[str, Any]:
        """The one place a state is built: every schema key, arguments as given, computed as passed."""
        state: dict[str, Any] = {name: arguments.get(name) for name in ARGUMENT_NAMES}
        state["renew_before_days"] = arguments.get("renew_before_days", DEFAULT_RENEW_BEFORE_DAYS)
        state["on_destroy"] = arguments.get("on_destroy", DEFAULT_ON_DESTROY)
        state.update({name: None for name, _t, _d in _COMPUTED})
        order_id = computed.pop("order_id")
        state.update(id=str(order_id), order_id=order_id, **computed)
        missing = {name for name, _t, _d in _COMPUTED} - set(state)
        assert not missing, f"state built without {missing}"
        return state

    @staticmethod
    def _refresh(state: dict[str, Any], status: OrderStatus) -> None:
        """Refresh what the API reports about an existing order; never the user's arguments."""
        if status.status:
            state["order_status"] = status.status
        method = _approver_method(status.approver_method)
        if method is not None:
            state["approver_method"] = method
        state.update(
            status_description=status.status_description,
            dcv_status=status.dcv_status,
            valid_from=status.valid_from or "",
            valid_till=status.valid_till or "",
            begin_date=status.begin_date or "",
            end_date=status.end_date or "",
            partner_order_id=status.partner_order_id,
            domain=status.domain,
            certificate_pem=status.crt_code,
            ca_bundle_pem=status.ca_code,
            san=_dcv.san_status(status),
        )
        cn = _common_name(state.get("csr")) or (status.domain or "").lower()
        records = _dcv.build_records(state, cn, status.approver_method, status.san)
        if records is not None:
            state["validation_records"] = records


def _change_note(name: str) -> str:
    if name in DCV_FIELDS:
        return (" Changing it while validation is pending calls the vendor's change-validation endpoint; on an issued "
                "order it is recorded for the next reissue. The order id stays.")
    if name == "signature_hash":
        return " Changing it on an active order reissues the certificate in place (setting it where it was null only " \
               "records it)."
    if name in REISSUE_FIELDS:
        return (" Changing it on an active order reissues the certificate in place (the order id stays); on an order "
                "that is not active it forces a new order.")
    if name in STATE_ONLY:
        return ""
    return " Changing it forces a new order."


class CancelUnknown(Exception):
    """Two cancellation requests answered uncertainly: one may be under review."""


class ReissueUnknown(Exception):
    """A reissue answered uncertainly and the vendor's records do not show whether it happened."""

    def __init__(self, cause: Exception, status: OrderStatus | None, why: str):
        super().__init__(f"{cause}; {why}")
        self.status = status
        self.why = why


def _reissue_view(status: OrderStatus) -> tuple[str, int | None, tuple[str, ...]]:
    """What a reissue changes, as the vendor reports it (signature_hash is never reported)."""
    return ("".join((status.csr_code or "").split()), status.webserver_type,
            tuple(sorted(n.lower() for n in _reconcile.vendor_sans(status))))


def _reissue_view_of(state: dict[str, Any]) -> tuple[str, int | None, tuple[str, ...]]:
    wt = state.get("webserver_type")
    return ("".join(str(state.get("csr") or "").split()), int(wt) if rules.is_whole(wt) else None,
            tuple(sorted(str(n).lower() for n in state.get("dns_names") or [])))


def with_san_approvers(fields: dict[str, Any]) -> dict[str, Any]:
    """The vendor wants one approver_emails entry per dns_names entry on every SAN order (addSSLOrder.txt; its
    own modules send the method name for http/https/dns): derive them from dcv_method when not configured."""
    names = fields.get("dns_names") or []
    if names and not fields.get("approver_emails") and fields.get("dcv_method") in ("http", "https", "dns"):
        return {**fields, "approver_emails": [fields["dcv_method"]] * len(names)}
    return fields


def _no_unknowns(value: Any) -> Any:
    """`value` with every Unknown (at any depth) replaced by null: what a state may hold."""
    if value is Unknown:
        return None
    if isinstance(value, list):
        return [_no_unknowns(v) for v in value]
    if isinstance(value, dict):
        return {k: _no_unknowns(v) for k, v in value.items()}
    return value


def _mark_unknown(planned: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        planned[name] = Unknown


def _reissue_changes(current: dict[str, Any], planned: dict[str, Any], changed: set[str]) -> set[str]:
    """Changed arguments that need a reissue. A signature_hash set where state had none (an imported
    order: the API never returns it) is only recorded."""
    fields: set[str] = {f for f in ("csr", "webserver_type", "dns_names") if f in changed}
    if "signature_hash" in changed and current.get("signature_hash") is not None:
        fields.add("signature_hash")
    return fields


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def _renewal_due(state: dict[str, Any], renew_before_days: Any) -> str | None:
    """Why the order is due for renewal (checked from state at plan time), or None."""
    if not rules.is_whole(renew_before_days) or renew_before_days <= 0:
        return None
    if state.get("order_status") not in ("active", "expired"):
        return None
    till = _parse_date(state.get("valid_till"))
    if till is None:
        return None
    left = (till - _today()).days
    if left > renew_before_days:
        return None
    when = f"expired on {till}" if left < 0 else f"expires on {till}, in {left} days"
    return f"Its certificate {when}, within renew_before_days = {int(renew_before_days)}"


def _report(diags: Diagnostics, problems: list[rules.Problem]) -> None:
    for p in problems:
        diags.add_error(p.summary, p.detail, path=p.path)


def _common_name(csr: Any) -> str | None:
    if not isinstance(csr, str):
        return None
    try:
        return rules.parse_csr(csr).common_name
    except rules.CSRProblem:
        return None


def order_state_from_status(status: OrderStatus) -> dict[str, Any]:
    """A complete state for an order known only by its status (import, the data source)."""
    state = SslOrder._state(
        {**_arguments_from_status(status), "renew_before_days": DEFAULT_RENEW_BEFORE_DAYS,
         "on_destroy": DEFAULT_ON_DESTROY},
        order_id=status.order_id,
        invoice_id=None, order_status=None, order_amount=None, currency=None, tax=None, tax_rate=None,
        approver_method=None,
    )
    SslOrder._refresh(state, status)
    return state


def _order_id(state: dict[str, Any]) -> int | None:
    for key in ("order_id", "id"):
        value = state.get(key)
        if value in (None, Unknown, ""):
            continue
        try:
            return int(value)
        except (TypeError, ValueError):
            continue
    return None


def _approver_method(m: ApproverMethod | None) -> dict[str, Any] | None:
    if m is None or not (m.http or m.https or m.dns or m.email):
        return None
    return {
        "http": m.http.model_dump() if m.http else None,
        "https": m.https.model_dump() if m.https else None,
        "dns": m.dns.model_dump() if m.dns else None,
        "email": m.email or None,
    }


def _arguments_from_status(s: OrderStatus) -> dict[str, Any]:
    """Rebuild the arguments of an order from getOrderStatus, for import."""
    def opt(value: str | None) -> str | None:
        return value if value not in (None, "") else None

    dns_names = _reconcile.vendor_sans(s)
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
