"""Response models of the GoGetSSL API (pydantic v2), tolerant of the vendor's quirks; re-exports the request forms.

Responses are tolerant: unknown fields are ignored, numbers may arrive as strings, flags as "0"/"1", and
unset dates as "" or "0000-00-00" (docs/vendor-api.md §1.4; the field types are in `lenient`). The request models
(`AddSSLOrderRequest`, `ReissueRequest`) live in `forms` and are importable from here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from .forms import AddSSLOrderRequest, ReissueRequest
from .lenient import Date, Flag, Float, Int, Str, VendorModel

__all__ = [
    "AddSSLOrderRequest", "AddSSLOrderResult", "ApproverMethod", "Balance", "CancelResult", "DnsValidation",
    "FileValidation", "Invoice", "OrderScan", "OrderStatus", "OrderStatusEntry", "PeriodPrice", "Product",
    "ProductDetails", "ReissueRequest", "ReissueResult", "SanEntry", "Webserver",
]


# -- DCV data --
class FileValidation(VendorModel):
    link: Str = ""
    filename: Str = ""
    content: Str = ""


class DnsValidation(VendorModel):
    record: Str = ""


class ApproverMethod(VendorModel):
    """The vendor's `approver_method`: a single key naming the method in use."""

    http: FileValidation | None = None
    https: FileValidation | None = None
    dns: DnsValidation | None = None
    email: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shapes(cls, v: Any) -> Any:
        if v is None or v == "" or v == []:
            return {}
        if isinstance(v, str):  # older answers give the approver address itself
            return {"email": v}
        if isinstance(v, dict) and isinstance(v.get("email"), dict):
            v = {**v, "email": v["email"].get("email")}
        return v


class SanEntry(VendorModel):
    san_name: Str = ""
    validation_method: Str = ""
    status: Str = ""
    status_description: Str = ""
    validation: ApproverMethod | None = None


# -- orders --
class AddSSLOrderResult(VendorModel):
    """The answer to addSSLOrder / addSSLRenewOrder.

    `complete` is False when the vendor accepted the order but the rest of its answer could not be read:
    only `order_id` is known and every other field is at its default (read the order back for them).
    It is the client's verdict, never the vendor's: a `complete` key in the answer is ignored."""

    order_id: Int
    invoice_id: Int = None
    product_id: Int = None
    order_status: Str = ""
    order_amount: Float = None
    currency: Str = ""
    tax: Float = None
    tax_rate: Str = ""
    approver_method: ApproverMethod = Field(default_factory=ApproverMethod)
    san: list[SanEntry] = Field(default_factory=list)
    complete: bool = True

    @model_validator(mode="before")
    @classmethod
    def _not_from_the_vendor(cls, v: Any) -> Any:
        if isinstance(v, dict) and "complete" in v:
            v = {k: x for k, x in v.items() if k != "complete"}
        return v

    @model_validator(mode="after")
    def _has_id(self) -> AddSSLOrderResult:
        if not self.order_id:
            raise ValueError("addSSLOrder answered without an order_id")
        return self

    @classmethod
    def partial(cls, order_id: int) -> AddSSLOrderResult:
        """The result of an accepted order whose answer was readable only as far as its id."""
        return cls.model_validate({"order_id": order_id}).model_copy(update={"complete": False})


class ReissueResult(VendorModel):
    order_id: Int = None
    order_status: Str = ""
    validation: ApproverMethod = Field(default_factory=ApproverMethod)
    san: list[SanEntry] = Field(default_factory=list)


CONTACT_PREFIXES = ("admin_", "tech_", "org_")


class OrderStatus(VendorModel):
    """getOrderStatus: the order as the vendor holds it."""

    order_id: Int
    status: Str = ""
    status_description: Str = ""
    partner_order_id: Str = ""
    dcv_status: Str = ""
    validation_description: Str = ""
    product_id: Int = None
    domain: Str = ""
    domains: Str = ""
    #: the SANs bought with the order (single-name and `*.` apart), kept across reissues: a reissue may hold up to
    #: these (docs/vendor-api.md §5); None when the vendor does not say
    single_san_count: Int = None
    wildcard_san_count: Int = None
    approver_email: Str = ""
    approver_emails: Str = ""
    validity_period: Int = None
    valid_from: Date = None
    valid_till: Date = None
    begin_date: Date = None
    end_date: Date = None
    csr_code: Str = ""
    crt_code: Str = ""
    ca_code: Str = ""
    server_count: Int = None
    webserver_type: Int = None
    dcv_method: Str = ""
    reissue_now: Flag = False  # a reissue is in progress (§2.3), whatever `status` says
    approver_method: ApproverMethod = Field(default_factory=ApproverMethod)
    san: list[SanEntry] = Field(default_factory=list)
    contacts: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _collect_contacts(cls, v: Any) -> Any:
        if isinstance(v, dict):
            contacts = {k: ("" if x is None else str(x)) for k, x in v.items()
                        if k.startswith(CONTACT_PREFIXES) and not isinstance(x, (dict, list))}
            v = {**v, "contacts": contacts}
            if v.get("san") in (None, "", {}):
                v["san"] = []
        return v


class OrderStatusEntry(VendorModel):
    order_id: Int
    status: Str = ""
    expires: Date = None


@dataclass
class OrderScan:
    """What `OrdersAPI.scan` read of the account's order listing (getAllSSLOrders), page after page.

    `entries` are in listing order, each order once. `complete` is True only when the listing was read
    to its end (an empty page, or a page shorter than those before it): nothing was left out. Otherwise
    `reason` says why the scan ended early ("stopped" when the caller's `stop` asked for it), and
    `refused_offset` is the offset the vendor refused, when it did: the listing's offset ceiling, past
    which the account's orders cannot be listed. `newest_first` is True when the ids seen are strictly
    descending, False when strictly ascending, None when that cannot be told (fewer than two, or mixed).
    """

    entries: list[OrderStatusEntry] = field(default_factory=list)
    complete: bool = False
    newest_first: bool | None = None
    reason: str = ""
    refused_offset: int | None = None


class CancelResult(VendorModel):
    order_id: Int = None
    success: Flag = True


# -- products, tools, account --
class Product(VendorModel):
    id: Int
    brand: Str = ""
    product: Str = ""
    product_type: Str = ""
    max_period: Int = None
    org_required: Flag = False
    san_enabled: Flag = False
    wildcard_enabled: Flag = False
    wildcard_san_enabled: Flag = False
    #: None when the catalogue does not say (then nothing is assumed about server licences)
    unlimited_licencing: Flag | None = None
    san_max: Int = None
    dcv_email: Flag = False
    dcv_dns: Flag = False
    dcv_http: Flag = False
    dcv_https: Flag = False
    #: top-level period keys ("12", ...): the account's base price of each term; `vendor`: the CA's prices of
    #: each term; `san`, `wildcard_san`: the price of each extra single-name and `*.` SAN (docs/vendor-api.md §2.4,
    #: §9.3). The SANs a product includes and its refund days are not here: see ProductDetails.
    prices: dict[str, Any] = Field(default_factory=dict)

    @property
    def periods(self) -> list[int]:
        """Orderable periods in months: keys of prices.vendor up to max_period (as WHMCS and Blesta do); the
        top-level numeric keys when there is no vendor table."""
        vendor = self.prices.get("vendor") if isinstance(self.prices.get("vendor"), dict) else self.prices
        out = set()
        for k in vendor or {}:
            try:
                months = int(k)
            except (TypeError, ValueError):
                continue
            if self.max_period is None or months <= self.max_period:
                out.add(months)
        return sorted(out)


class PeriodPrice(VendorModel):
    period: Int = None
    price: Float = None


def _price_list(v: Any) -> Any:
    """A getProductDetails price list; entries it cannot read are dropped (the list is informative: the provider
    prices from getSslProduct's `prices`, so one odd entry must not make the SANs included unreadable)."""
    if not isinstance(v, list):
        return []
    out = []
    for entry in v:
        try:
            out.append(PeriodPrice.model_validate(entry))
        except (ValueError, TypeError):
            continue
    return out


PriceList = Annotated[list[PeriodPrice], BeforeValidator(_price_list)]


class ProductDetails(VendorModel):
    """getProductDetails (`/products/details/{id}`): where the vendor documents the SANs a product includes and
    its refund days (docs/vendor-api.md §2.4, §9.3); `/products/ssl/{id}` does not carry them."""

    product_id: Int = None
    product_name: Str = ""
    product_type: Str = ""
    product_brand: Str = ""
    product_is_multidomain: Flag = False
    product_san_wildcard: Flag = False
    #: the total of the SANs included; `product_single_san_included` and `product_wildcard_san_included` split it
    product_multidomains_included: Int = None
    product_single_san_included: Int = None
    product_wildcard_san_included: Int = None
    product_multidomains_maximum: Int = None
    refund_days: Int = None
    terms: Int = None
    terms_min: Int = None
    #: the account's ("partner") price of each term, and of each extra single and wildcard SAN
    product_prices: PriceList = Field(default_factory=list)
    product_san_prices: PriceList = Field(default_factory=list)
    product_wildcard_san_prices: PriceList = Field(default_factory=list)

    @property
    def single_san_included(self) -> int:
        """Single-name SANs included. Without the split, the total counts as single names: a wildcard SAN is
        free only where the vendor says so."""
        if self.product_single_san_included is not None:
            return max(0, self.product_single_san_included)
        total = self.product_multidomains_included or 0
        return max(0, total - self.wildcard_san_included)

    @property
    def wildcard_san_included(self) -> int:
        """`*.` SANs included: only those the vendor lists as such."""
        return max(0, self.product_wildcard_san_included or 0)


class Invoice(VendorModel):
    """One entry of getAllInvoices (`/account/invoices/`)."""

    order_id: Int = None
    number: Str = ""
    date: Date = None
    subtotal: Float = None
    tax: Float = None
    #: as the vendor writes it, e.g. "21%"
    tax_rate: Str = ""
    total: Float = None
    status: Str = ""
    currency: Str = ""


class Webserver(VendorModel):
    id: Int
    software: Str = ""


class Balance(VendorModel):
    balance: Float = None
    currency: Str = ""
