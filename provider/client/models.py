"""Response models of the GoGetSSL API (pydantic v2), tolerant of the vendor's quirks; re-exports the request forms.

Responses are tolerant: unknown fields are ignored, numbers may arrive as strings, flags as "0"/"1", and
unset dates as "" or "0000-00-00" (docs/vendor-api.md §1.4; the field types are in `lenient`). The request models
(`AddSSLOrderRequest`, `ReissueRequest`) live in `forms` and are importable from here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import Field, model_validator

from .forms import AddSSLOrderRequest, ReissueRequest
from .lenient import Date, Flag, Float, Int, Str, VendorModel

__all__ = [
    "AddSSLOrderRequest", "AddSSLOrderResult", "ApproverMethod", "Balance", "CancelResult", "DnsValidation",
    "FileValidation", "OrderScan", "OrderStatus", "OrderStatusEntry", "Product", "ReissueRequest",
    "ReissueResult", "SanEntry", "Webserver",
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
    san_max: Int = None
    multidomains_included: Int = None
    dcv_email: Flag = False
    dcv_dns: Flag = False
    dcv_http: Flag = False
    dcv_https: Flag = False
    refund_days: Int = None
    prices: dict[str, Any] = Field(default_factory=dict)

    @property
    def periods(self) -> list[int]:
        """Orderable periods in months: keys of prices.vendor up to max_period (as WHMCS and Blesta do)."""
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


class Webserver(VendorModel):
    id: Int
    software: Str = ""


class Balance(VendorModel):
    balance: Float = None
    currency: Str = ""
