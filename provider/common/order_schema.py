"""The gogetssl_ssl_order schema as data: its arguments (the addSSLOrder parameters), settings and outputs,
and which changes keep the order (DCV change, reissue, state only) or need a new one."""

from __future__ import annotations

import functools

from tf.schema import Attribute, Schema
from tf.types import Bool, List, Number, String, TfType

from provider.common import dcv
from provider.common.vendor import CANCEL_REVIEW_HOURS
from provider.tfext.protocol610 import IdentityAttribute, IdentitySchema
from provider.tfext.types import Object, PemString

SCHEMA_VERSION = 7

_FILE_DCV = Object({"link": String(), "filename": String(), "content": String()})
APPROVER_METHOD_TYPE = Object({
    "http": _FILE_DCV,
    "https": _FILE_DCV,
    "dns": Object({"record": String()}),
    "email": String(),
})

SANS_PURCHASED_TYPE = Object({"single": Number(), "wildcard": Number()})

# (name, type, description); every argument below is required unless listed in _OPTIONAL.
ARGUMENTS: list[tuple[str, TfType, str]] = [
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
        ARGUMENTS.append((f"{_role}_{_suffix}", String(), f"{_role.capitalize()} contact: {_suffix}.{_note}"))
for _suffix in ("name", "division", "duns", "addressline1", "city", "country", "fax", "phone", "postalcode",
                "region"):
    ARGUMENTS.append((f"org_{_suffix}", String(), f"Organisation: {_suffix}. Required for OV/EV products where "
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
#: the reissue fields GoGetSSL never reports back (getOrderStatus has no signature hash): an imported order holds
#: null, and setting one there only records it
UNREPORTED = frozenset({"signature_hash"})
#: what a reissue request (reissueSSLOrder) carries: what it changes, the validation settings of the new
#: certificate, and the unique code a Sectigo DCV file is named with
REISSUE_REQUEST_FIELDS = REISSUE_FIELDS | DCV_FIELDS | {"unique_code"}
ON_DESTROY = ("cancel_if_refundable", "cancel", "forget")
DEFAULT_RENEW_BEFORE_DAYS = 30
DEFAULT_ON_DESTROY = "cancel_if_refundable"
ARGUMENT_NAMES = tuple(name for name, _t, _d in ARGUMENTS)

COMPUTED: list[tuple[str, TfType, str]] = [
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
    ("validation_records", dcv.VALIDATION_RECORDS_TYPE,
     "What to publish for domain control validation, one entry per domain: the CSR's common name first, then each "
     "`dns_names` entry. `domain` and `method` are known at plan time, so `for_each = { for r in "
     "gogetssl_ssl_order.x.validation_records : r.domain => r }` plans on a first apply. For `dns`: "
     "`record_name`, `record_type` (`CNAME` for Sectigo brands, `TXT` for DigiCert brands), `record_value`; for "
     "`http`/`https`: `url`, `file_path` (`/.well-known/pki-validation/...`), `file_name`, `file_content`; for "
     "`email`: `email`. Fields of other methods are null. A DCV setting changed on an issued order is recorded for "
     "its next reissue: until then the records keep the method and data of the validation GoGetSSL holds."),
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
    ("san", dcv.SAN_TYPE, "Validation status of each additional domain, as the vendor reports it: `san_name`, "
                           "`validation_method`, `status` (`1` pending, `2` validated), `status_description`."),
    ("sans_purchased", SANS_PURCHASED_TYPE,
     "The additional domains (SANs) bought with the order, as GoGetSSL counts them: `single` (single-name SANs) and "
     "`wildcard` (`*.` SANs). A reissue keeps them, so `dns_names` may shrink and grow back within them with a "
     "free reissue; more SANs of either kind than bought need a new order. Null when GoGetSSL does not say."),
    ("certificate_requested_at", String(),
     "When this resource last asked GoGetSSL for a certificate (UTC, RFC 3339): placing the order, reissuing it "
     "or renewing it; empty for an order it imported. Give it to `gogetssl_ssl_order_validation`'s "
     "`certificate_requested_at`, so that the apply that reissues or renews the order waits for the new "
     "certificate."),
    ("cancel_requested_at", String(), "When a destroy asked GoGetSSL to cancel the order but the answer was "
                                      "uncertain (UTC, RFC 3339); null otherwise. While the vendor's review may "
                                      f"still run ({CANCEL_REVIEW_HOURS} hours), a destroy sends no second request."),
    ("planned_action", String(),
     "What applying the pending change does at GoGetSSL, known at plan time: `order` (a new paid order; also the "
     "create half of a replacement), `renew` (a paid renewal order), `reissue` (free), `change_validation` (free "
     "calls that change how domains are validated) or `none`. It describes the change being planned: a refresh "
     "sets it back to `none` and `planned_price` to 0, so the plan after an apply stays empty. To count "
     "purchases in `terraform show -json` of a saved plan, take the `resource_changes` whose `change.actions` "
     "include `create` or `update` and whose `change.after.planned_action` is `order` or `renew` (docs/guides/ci.md)."),
    ("planned_price", Number(),
     "What the pending change costs at the account's price (the catalogue's price for this account, not the "
     "CA's list price): the product's price for `period`, plus its SAN price for each `dns_names` entry beyond "
     "the single-name and wildcard SANs the product includes; tax excluded (see `planned_tax`); 0 when nothing is "
     "bought; unknown when the catalogue cannot be read at plan time. GoGetSSL's invoice (`order_amount`, `tax`) "
     "is what is charged."),
    ("planned_currency", String(), "Currency of `planned_price`: the account's currency (its balance's)."),
    ("planned_tax", Number(),
     "The tax on `planned_price` at the account's tax rate, when that rate is known (from the account's latest "
     "invoice); the balance check counts it. Null when the rate is not known: `planned_price` then excludes tax. "
     "0 when nothing is bought."),
    ("destroy_outcome", String(),
     "What destroying this order would do at GoGetSSL today, decided as a destroy decides it (`on_destroy`, the "
     "order's status, its refund window by GoGetSSL's date), as of the last refresh or apply: "
     "`cancel_for_refund` (cancelled before issuance or within the product's refund window; the refund goes to "
     "the account balance), `cancel` (`on_destroy = \"cancel\"`: cancelled, refunded only within the window), "
     "`forget` (removed from state; the order stays valid at GoGetSSL) or `nothing` (already cancelled, expired "
     "or rejected). A replacement's plan (`-replace`, a tainted resource, a change that forces a new order) "
     "shows the old order's value changing to (known after apply); `terraform show -json` of a plan carries it "
     "in `change.before` of every destroy and replacement (docs/guides/ci.md)."),
    ("adopted_closed", Bool(),
     "True when the order was already cancelled or rejected when it was imported (closed between `terraform "
     "query` and the apply, say): this resource keeps it, inert, and nothing is bought, renewed, reissued or "
     "replaced for it; delete its resource block and it leaves state without a call. False for every other "
     "order (one closed later, outside Terraform, leaves state at the next refresh and is ordered again while "
     "its block stays)."),
]
PLANNED_NAMES = ("planned_action", "planned_price", "planned_currency", "planned_tax")

COMPUTED_NAMES = tuple(name for name, _t, _d in COMPUTED)


def _import_id(identity: dict[str, object]) -> str:
    """The import id of an order's identity: its order id (import_ then checks it like any typed id)."""
    value = identity.get("order_id")
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


#: what every adopted order starts with, whatever the import path (an id, an identity, `terraform query`): it
#: renews and reissues nothing until its configuration says so. Adopting must not buy a renewal of an order
#: inside its renewal window, nor change a certificate someone else may be serving; and the configuration
#: Terraform generates from the imported state (`-generate-config-out`) carries these values.
ADOPTED_SETTINGS: dict[str, object] = {"renew_before_days": 0, "reissue_before_days": 0}

#: an order is identified by its order id alone (Terraform 1.12+ stores it beside state; `terraform query` and
#: `import { identity = { order_id = N } }` use it)
ORDER_IDENTITY = IdentitySchema(
    attributes=(IdentityAttribute("order_id", Number(), "The GoGetSSL order id."),), import_id=_import_id)


def _either(names: frozenset[str]) -> str:
    """`a`, `b` or `c`."""
    quoted = [f"`{n}`" for n in sorted(names)]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def change_note(name: str) -> str:
    if name in DCV_FIELDS:
        return (" Changing it while validation is pending calls the vendor's change-validation endpoint; on an issued "
                "order it is recorded for the next reissue. The order id stays.")
    if name in UNREPORTED:
        return " Changing it on an active order reissues the certificate in place (setting it where it was null only " \
               "records it)."
    if name in REISSUE_FIELDS:
        return (" Changing it on an active order reissues the certificate in place (the order id stays); on an order "
                "that is not active it forces a new order.")
    if name in STATE_ONLY:
        return ""
    return " Changing it forces a new order."



@functools.cache  # asked for by every RPC of every resource; built once per process
def resource_schema() -> Schema:
    """The schema of the gogetssl_ssl_order resource (shared: do not modify it)."""
    attributes = [
        Attribute(
            name, t, description=desc + change_note(name),
            required=name in REQUIRED, optional=name not in REQUIRED,
            requires_replace=name not in IN_PLACE,
        )
        for name, t, desc in ARGUMENTS
    ]
    attributes += [
        Attribute("renew_before_days", Number(), optional=True, computed=True, default=DEFAULT_RENEW_BEFORE_DAYS,
                  description="Renew the order when its subscription (`end_date`) has this many days or fewer "
                              f"left: 0 (no renewal) to 30, the earliest GoGetSSL accepts a renewal (default "
                              f"{DEFAULT_RENEW_BEFORE_DAYS}). `terraform plan` shows a due renewal as an update of "
                              "this resource with `planned_action = \"renew\"` and its price; apply places a renewal "
                              "order "
                              "(addSSLRenewOrder, a new paid order with a new `order_id`, carrying the same "
                              "arguments) and leaves the old order as it is. An order whose `end_date` is not "
                              "known renews by its certificate's `valid_till`. An imported order (by id, by "
                              "identity or through `terraform query`) starts with 0, and with "
                              "`reissue_before_days = 0`: adopting buys nothing. Write `renew_before_days = 0` to "
                              "keep it so; leaving it unset after an import plans the change 0 -> 30 (in state, "
                              "free; for an order already inside its window, the plan prices the renewal and "
                              "warns), so read that plan before applying it."),
        Attribute("reissue_before_days", Number(), optional=True,
                  description="Reissue the certificate, free, when it has this many days or fewer left "
                              "(`valid_till`) while the subscription (`end_date`) outlasts it: since 15 March "
                              "2026 a certificate lasts at most 200 days (100 from 15 March 2027, 47 from 15 "
                              "March 2029), so a 12- to 60-month order holds several certificates. Unset, it is "
                              "a third of the certificate's own lifetime (66 days of a 200-day certificate, 33 of "
                              "100, 15 of 47); 0 disables (adopted orders come with 0); it must be shorter than "
                              "the longest certificate issued today. The plan shows "
                              "`planned_action = \"reissue\"` and `planned_price = 0`; apply reissues with the "
                              "order's CSR, publishes any new validation data through `validation_records`, and "
                              "the state keeps the current certificate until its successor is issued (after a "
                              "new csr, a certificate for the previous key: consumers should read the "
                              "certificate of a `gogetssl_ssl_order_validation` given `certificate_requested_at`, "
                              "which waits for the new one)."),
        Attribute("on_destroy", String(), optional=True, computed=True, default=DEFAULT_ON_DESTROY,
                  description="What destroying the resource does at GoGetSSL: `cancel_if_refundable` (default: "
                              "cancel while the refund window is open, i.e. before issuance or within the "
                              "product's refund days of it; otherwise forget the order with a warning), `cancel` "
                              "(always ask to cancel), or `forget` (only remove it from state)."),
    ]
    attributes += [Attribute(name, t, description=desc, computed=True) for name, t, desc in COMPUTED]
    return Schema(
        version=SCHEMA_VERSION,
        description=(
            "A GoGetSSL SSL certificate order. Creating it places a paid order (addSSLOrder). Changing "
            f"{_either(DCV_FIELDS)} while validation is pending calls the vendor's change-validation endpoints; "
            f"changing {_either(REISSUE_FIELDS)} on an active order reissues it (`dns_names` within the SANs "
            "purchased); both keep the order id and show as an update. Any other change plans a new order, and "
            "the plan names the attribute that forces it; since destroying the old order cancels it, give this "
            "resource and its "
            "`gogetssl_ssl_order_validation` `lifecycle { create_before_destroy = true }` to keep the old "
            "certificate until the new one is issued. Renewal is planned `renew_before_days` before expiry; "
            "destroy follows `on_destroy`. `planned_action` and `planned_price` say at plan time what applying "
            "buys. Import with the order id: `terraform import gogetssl_ssl_order.example 1234567`."
        ),
        attributes=attributes,
    )

