"""The vendor's rules for addSSLOrder, as the sandbox enforces them (reference: addSSLOrder.txt, §4).

Written independently of the provider's own checks: the sandbox stands for the vendor, so a
misreading of the rules cannot hide by being shared. Each rule yields the vendor's error shape
(message, description); the API reports the first one, as the vendor does.
"""

from __future__ import annotations

import re
from typing import Any

from .ca import CSRError, ParsedCSR, parse_csr
from .catalogue import BY_ID, orderable_periods

REQUIRED_ALWAYS = (
    "product_id", "period", "csr", "server_count", "webserver_type", "dcv_method",
    "admin_firstname", "admin_lastname", "admin_phone", "admin_title", "admin_email",
    "tech_firstname", "tech_lastname", "tech_phone", "tech_title", "tech_email",
)
REQUIRED_OV_EV = (
    "admin_organization", "admin_addressline1", "admin_city", "admin_country", "admin_fax",
    "tech_organization", "tech_city", "tech_country",
    "org_name", "org_division", "org_addressline1", "org_city", "org_country", "org_phone", "org_postalcode",
    "org_region",
)
DCV_METHODS = ("email", "http", "https", "dns")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RuleError(Exception):
    def __init__(self, message: str, description: str):
        super().__init__(f"{message}: {description}")
        self.message = message
        self.description = description


def _int(form: dict[str, str], name: str) -> int:
    try:
        return int(str(form[name]).strip())
    except (TypeError, ValueError):
        raise RuleError(f"Invalid {name}", f"{name} must be an integer, got '{form[name]}'") from None


def split_csv(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def check_add_order(form: dict[str, str]) -> tuple[dict[str, Any], ParsedCSR]:
    """Validate an addSSLOrder form; return (product, parsed CSR) or raise RuleError."""
    missing = [f for f in REQUIRED_ALWAYS if not str(form.get(f, "")).strip()]
    if missing:
        raise RuleError("Required parameters missing", "Missing required parameter(s): " + ", ".join(missing))

    product_id = _int(form, "product_id")
    product = BY_ID.get(product_id)
    if product is None:
        raise RuleError("Invalid product_id", f"Product {product_id} does not exist or is not available")

    period = _int(form, "period")
    periods = orderable_periods(product)
    if period not in periods:
        raise RuleError(
            "Invalid period",
            f"Period {period} is not available for product {product_id}; allowed: {', '.join(map(str, periods))}",
        )

    server_count = _int(form, "server_count")
    if server_count != -1 and server_count < 1:
        raise RuleError("Invalid server_count", "server_count must be a positive number or -1 for unlimited")
    _int(form, "webserver_type")

    try:
        csr = parse_csr(form["csr"])
    except CSRError as exc:
        raise RuleError("Invalid CSR", str(exc)) from None

    if csr.common_name.startswith("*.") and not product["wildcard_enabled"]:
        raise RuleError("Invalid CSR", f"Wildcard common name {csr.common_name} needs a wildcard product")

    method = form["dcv_method"].strip().lower()
    if method not in DCV_METHODS:
        raise RuleError("Invalid dcv_method", f"dcv_method must be one of {', '.join(DCV_METHODS)}")
    if method in ("http", "https") and csr.common_name.startswith("*."):
        raise RuleError("Invalid dcv_method", "File-based validation (http/https) is not allowed for wildcard domains")
    approver = str(form.get("approver_email", "")).strip()
    if method == "email" and not _EMAIL.match(approver):
        raise RuleError("Invalid approver_email", "approver_email is required when dcv_method is email")

    dns_names = split_csv(form.get("dns_names"))
    if dns_names and not product["san_enabled"]:
        raise RuleError("Invalid dns_names", "dns_names must not be provided for a product without SAN support")
    if csr.common_name in [d.lower() for d in dns_names]:
        raise RuleError("Invalid dns_names", "dns_names must not contain the primary domain")
    if len(dns_names) > int(product.get("san_max") or 0) and dns_names:
        raise RuleError("Invalid dns_names", f"At most {product['san_max']} additional domains are allowed")
    approvers = split_csv(form.get("approver_emails"))
    if approvers and len(approvers) != len(dns_names):
        raise RuleError(
            "Invalid approver_emails",
            "Quantity of items in approver_emails must be equal to quantity of items in dns_names",
        )

    if product["org_required"]:
        missing = [f for f in REQUIRED_OV_EV if not str(form.get(f, "")).strip()]
        if missing:
            raise RuleError("Required parameters missing", "Required for OV/EV certificates: " + ", ".join(missing))

    for field in ("admin_email", "tech_email"):
        if not _EMAIL.match(form[field].strip()):
            raise RuleError(f"Invalid {field}", f"{field} must be an e-mail address")

    return product, csr
