"""Typed requests and responses of the GoGetSSL API (pydantic v2).

Requests are explicit and strict (what we send is exactly what the vendor documents);
responses are tolerant: unknown fields are ignored, numbers may arrive as strings, flags as
"0"/"1", and unset dates as "" or "0000-00-00" (reference §1.4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

# The lenient converters below raise only ValueError (pydantic turns that, and nothing else, into a
# ValidationError) and never echo the value: an answer's text stays out of exception messages.


def _to_int(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return _whole(v)
    if isinstance(v, str):
        v = v.strip()
        if v == "":
            return None
        try:
            return int(v)
        except ValueError:
            pass
        try:
            number = float(v)
        except ValueError:
            raise ValueError("not a whole number") from None
        return _whole(number)
    return v


def _whole(number: float) -> int:
    # json.loads turns 1e400 into inf, and int(inf) raises OverflowError, which pydantic would not wrap
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    if not number.is_integer():
        raise ValueError("not a whole number")
    return int(number)


def _to_float(v: Any) -> Any:
    """Numbers, "12.50" or "21%"; a non-finite number (1e400 arrives as inf) is no number: None."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str):
        v = v.strip().rstrip("%").strip()
        if v == "":
            return None
        try:
            v = float(v)
        except ValueError:
            raise ValueError("not a number") from None
    if isinstance(v, int):
        try:
            v = float(v)
        except OverflowError:
            return None
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    return v


def _to_bool(v: Any) -> Any:
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "yes", "y")
    if v is None:
        return False
    return bool(v)


def _to_str(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return str(v)
        except ValueError:  # an int too long to print (Python limits int-to-str conversion)
            raise ValueError("number too long") from None
    return v


def _to_date(v: Any) -> Any:
    if v is None:
        return None
    s = str(v).strip()
    return None if s in ("", "0000-00-00", "0000-00-00 00:00:00") else s


Int = Annotated[int | None, BeforeValidator(_to_int)]
Float = Annotated[float | None, BeforeValidator(_to_float)]
Flag = Annotated[bool, BeforeValidator(_to_bool)]
Str = Annotated[str, BeforeValidator(_to_str)]
Date = Annotated[str | None, BeforeValidator(_to_date)]


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


# -- DCV data --
class FileValidation(_Response):
    link: Str = ""
    filename: Str = ""
    content: Str = ""


class DnsValidation(_Response):
    record: Str = ""


class ApproverMethod(_Response):
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


class SanEntry(_Response):
    san_name: Str = ""
    validation_method: Str = ""
    status: Str = ""
    status_description: Str = ""
    validation: ApproverMethod | None = None


# -- orders --
class AddSSLOrderRequest(BaseModel):
    """The form of addSSLOrder (and addSSLRenewOrder), field for field as the vendor names them."""

    model_config = ConfigDict(extra="forbid")

    product_id: int
    period: int
    csr: str
    server_count: int
    webserver_type: int
    dcv_method: str
    approver_email: str | None = None
    approver_emails: list[str] | None = None
    dns_names: list[str] | None = None
    signature_hash: str | None = None
    unique_code: str | None = None
    admin_firstname: str
    admin_lastname: str
    admin_phone: str
    admin_title: str
    admin_email: str
    admin_organization: str | None = None
    admin_addressline1: str | None = None
    admin_city: str | None = None
    admin_country: str | None = None
    admin_fax: str | None = None
    admin_postalcode: str | None = None
    admin_region: str | None = None
    tech_firstname: str
    tech_lastname: str
    tech_phone: str
    tech_title: str
    tech_email: str
    tech_organization: str | None = None
    tech_addressline1: str | None = None
    tech_city: str | None = None
    tech_country: str | None = None
    tech_fax: str | None = None
    tech_postalcode: str | None = None
    tech_region: str | None = None
    org_name: str | None = None
    org_division: str | None = None
    org_duns: str | None = None
    org_addressline1: str | None = None
    org_city: str | None = None
    org_country: str | None = None
    org_fax: str | None = None
    org_phone: str | None = None
    org_postalcode: str | None = None
    org_region: str | None = None

    def to_form(self) -> dict[str, str]:
        """Form fields as the vendor expects them: lists joined with commas, unset fields left out."""
        form: dict[str, str] = {}
        for name, value in self.model_dump().items():
            if value is None:
                continue
            if isinstance(value, list):
                if not value:
                    continue
                value = ",".join(value)
            form[name] = str(value)
        return form


class ReissueRequest(BaseModel):
    """The form of reissueSSLOrder."""

    model_config = ConfigDict(extra="forbid")

    csr: str
    webserver_type: int
    dcv_method: str
    approver_email: str | None = None
    approver_emails: list[str] | None = None
    dns_names: list[str] | None = None
    signature_hash: str | None = None
    unique_code: str | None = None

    def to_form(self) -> dict[str, str]:
        form = AddSSLOrderRequest.to_form(self)  # type: ignore[arg-type]  # same encoding rules
        if self.dns_names is not None and not self.dns_names:
            form["dns_names"] = ""  # an explicit empty list removes every SAN
        return form


class ReissueResult(_Response):
    order_id: Int = None
    order_status: Str = ""
    validation: ApproverMethod = Field(default_factory=ApproverMethod)
    san: list[SanEntry] = Field(default_factory=list)


class Invoice(_Response):
    order_id: Int = None
    number: Str = ""
    date: Date = None
    total: Float = None
    status: Str = ""
    currency: Str = ""


class Webserver(_Response):
    id: Int
    software: Str = ""


class AccountDetails(_Response):
    first_name: Str = ""
    last_name: Str = ""
    company_name: Str = ""
    email: Str = ""
    country: Str = ""
    reseller_plan: Str = ""
    currency: Str = ""


class AddSSLOrderResult(_Response):
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


CONTACT_PREFIXES = ("admin_", "tech_", "org_")


class OrderStatus(_Response):
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


class OrderStatusEntry(_Response):
    order_id: Int
    status: Str = ""
    expires: Date = None


@dataclass
class OrderScan:
    """What `OrdersAPI.scan` read of the account's order listing (getAllSSLOrders), page after page.

    `entries` are in listing order, each order once. `complete` is True only when the listing was read
    to an empty page: nothing was left out. Otherwise `reason` says why the scan ended early ("stopped"
    when the caller's `stop` asked for it). `newest_first` is True when the ids seen are strictly
    descending, False when strictly ascending, None when that cannot be told (fewer than two, or mixed).
    """

    entries: list[OrderStatusEntry] = field(default_factory=list)
    complete: bool = False
    newest_first: bool | None = None
    reason: str = ""


class CancelResult(_Response):
    order_id: Int = None
    success: Flag = True


# -- products --
class Product(_Response):
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


class Balance(_Response):
    balance: Float = None
    currency: Str = ""
