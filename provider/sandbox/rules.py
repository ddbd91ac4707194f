"""The vendor's rules for addSSLOrder, addSSLRenewOrder and reissue, as the sandbox enforces them.

The rules are those of docs/vendor-api.md §4, §8. Written independently of the provider's own
checks: the sandbox stands for the vendor, so a misreading of the rules cannot hide by being shared.
Each rule yields the vendor's error shape (message, description); the API reports the first one, as
the vendor does.

Two rules are stricter than older readings of the vendor's page, on the evidence of
docs/vendor-api.md §8: a SAN order carries exactly one `approver_emails` entry per `dns_names` entry
whatever its DCV method (the vendor's page: "must be always equal"; the official WHMCS and Blesta
modules send one per SAN), and every name (the CSR's common name, each SAN) must be a host name,
which also keeps names from reaching outside `--dcv-http-root` when the sandbox builds a path from them.
"""

from __future__ import annotations

import re
from typing import Any

import iso3166

from .ca import CSRError, ParsedCSR, parse_csr
from .catalogue import BY_ID, orderable_periods

REQUIRED_ALWAYS = (
    "product_id", "period", "csr", "server_count", "webserver_type", "dcv_method",
    "admin_firstname", "admin_lastname", "admin_phone", "admin_title", "admin_email",
    "tech_firstname", "tech_lastname", "tech_phone", "tech_title", "tech_email",
)
# The addSSLOrder page (docs/vendor-api.md §4) marks each field "required for OV/EV" or "required for OV" only.
REQUIRED_BY_TYPE = {
    "business": (
        "admin_organization", "admin_addressline1", "admin_city", "admin_country", "admin_fax",
        "tech_organization", "tech_city", "tech_country",
        "org_name", "org_division", "org_addressline1", "org_city", "org_country", "org_phone", "org_postalcode",
        "org_region",
    ),
    "extended": (
        "admin_organization", "admin_addressline1", "tech_city", "tech_country",
        "org_name", "org_division", "org_addressline1", "org_city", "org_country", "org_phone", "org_postalcode",
    ),
}
DCV_METHODS = ("email", "http", "https", "dns")
COUNTRIES = frozenset(iso3166.countries_by_alpha2)
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_PHONE = re.compile(r"^\+?[0-9(][0-9 ().\-/]{4,30}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_UNIQUE = re.compile(r"^[A-Za-z0-9]{15,20}$")
_LABEL = re.compile(r"[A-Za-z0-9-]{1,63}")
APPROVER_COUNT = "Quantity of items in approver_emails must be always equal to quantity of items in dns_names"


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


def is_host_name(name: str) -> bool:
    """Labels of letters, digits and hyphens (1-63 each), an optional leading `*.`, 253 characters at most.

    No empty label (so no `..`), no `/` or `\\`: a name that passes is safe as one path component.
    """
    if not name or len(name) > 253 or "/" in name or "\\" in name:
        return False
    body = name[2:] if name.startswith("*.") else name
    return all(_LABEL.fullmatch(label) for label in body.split("."))


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
    # -1 asks for unlimited server licences, which a product without `unlimited_licencing` does not include
    # (docs/vendor-api.md §2.4). The vendor's answer is not public (every public client sends -1): the stricter
    # reading, a refusal.
    if server_count == -1 and not int(product.get("unlimited_licencing", 1)):
        raise RuleError("Invalid server_count", f"Product {product_id} has no unlimited server licences: "
                                                "server_count must be a positive number")
    _int(form, "webserver_type")

    try:
        csr = parse_csr(form["csr"])
    except CSRError as exc:
        raise RuleError("Invalid CSR", str(exc)) from None
    if not is_host_name(csr.common_name):
        raise RuleError("Invalid CSR", f"The CSR common name (CN) '{csr.common_name}' is not a valid host name")

    if csr.key_description.startswith("RSA") and int(csr.key_description.split()[1]) < 2048:
        raise RuleError("Invalid CSR", f"Key {csr.key_description} is too weak: RSA 2048 or more is required")
    if csr.key_description.startswith("EC") and csr.key_description not in ("EC secp256r1", "EC secp384r1"):
        raise RuleError("Invalid CSR", f"Key {csr.key_description} is not supported: use EC P-256 or P-384")
    if not csr.key_description.startswith(("RSA", "EC")):
        raise RuleError("Invalid CSR", f"Key type {csr.key_description} is not supported")

    if csr.common_name.startswith("*.") and not product["wildcard_enabled"]:
        raise RuleError("Invalid CSR", f"Wildcard common name {csr.common_name} needs a wildcard product")
    # `wildcard_enabled` means a wildcard common name (§2.4): a wildcard product is not sold for another name.
    # Seen refused by a user; no public text: the stricter reading, also for a multi-domain wildcard product.
    if product["wildcard_enabled"] and not csr.common_name.startswith("*."):
        raise RuleError("Invalid CSR", f"Product {product_id} is a wildcard product: the CSR common name (CN) must "
                                       f"be a wildcard (*.domain), not '{csr.common_name}'")

    method = form["dcv_method"].strip().lower()
    if method not in DCV_METHODS:
        raise RuleError("Invalid dcv_method", f"dcv_method must be one of {', '.join(DCV_METHODS)}")
    if method in ("http", "https") and csr.common_name.startswith("*."):
        raise RuleError("Invalid dcv_method", "File-based validation (http/https) is not allowed for wildcard domains")
    approver = str(form.get("approver_email", "")).strip()
    if method == "email" and not _EMAIL.match(approver):
        raise RuleError("Invalid approver_email", "approver_email is required when dcv_method is email")
    if method != "email" and approver:
        raise RuleError("Invalid approver_email", "approver_email must be used only if dcv_method is email")
    if method not in {m for m in DCV_METHODS if product.get(f"dcv_{m}")}:
        raise RuleError("Invalid dcv_method", f"dcv_method {method} is not available for this product")

    dns_names = split_csv(form.get("dns_names"))
    for name in dns_names:
        if not is_host_name(name):
            raise RuleError("Invalid dns_names", f"dns_names entry '{name}' is not a valid host name")
    if dns_names and not product["san_enabled"]:
        raise RuleError("Invalid dns_names", "dns_names must not be provided for a product without SAN support")
    if any(d.startswith("*.") for d in dns_names) and not product.get("wildcard_san_enabled"):
        raise RuleError("Invalid dns_names", "Wildcard additional domains (*.) are not available for this product")
    lowered = [d.lower() for d in dns_names]
    if csr.common_name in lowered:
        raise RuleError("Invalid dns_names", "dns_names must not contain the primary domain")
    if len(set(lowered)) != len(lowered):
        raise RuleError("Invalid dns_names", "dns_names must not contain duplicates")
    if len(dns_names) > int(product.get("san_max") or 0) and dns_names:
        raise RuleError("Invalid dns_names", f"At most {product['san_max']} additional domains are allowed")
    approvers = split_csv(form.get("approver_emails"))
    # One entry per SAN whatever the DCV method: an address, or the method name (docs/vendor-api.md §8).
    if len(approvers) != len(dns_names):
        raise RuleError("Invalid approver_emails", APPROVER_COUNT)
    for name, a in zip(dns_names, approvers, strict=True):
        if a not in ("http", "https", "dns") and not _EMAIL.match(a):
            raise RuleError("Invalid approver_emails", f"{a} is not an e-mail address or http, https, dns")
        if approver and a.lower() == approver.lower():
            raise RuleError("Invalid approver_emails", "DCV e-mail address for the primary domain must not be "
                                                       "included to the list")
        # Each SAN's method follows the same rules as the primary's: no file-based DCV for a wildcard (§4), and
        # only the methods the product offers (its dcv_* flags bind every domain: the stricter reading).
        if a in ("http", "https") and name.startswith("*."):
            raise RuleError("Invalid approver_emails", f"File-based validation (http/https) is not allowed for "
                                                       f"wildcard domains: {name}")
        per_san = a if a in ("http", "https", "dns") else "email"
        if not product.get(f"dcv_{per_san}"):
            raise RuleError("Invalid approver_emails", f"dcv method {per_san} is not available for this product "
                                                       f"({name})")

    required = REQUIRED_BY_TYPE.get(product["product_type"], REQUIRED_BY_TYPE["business"] if
                                    product["org_required"] else ())
    missing = [f for f in required if not str(form.get(f, "")).strip()]
    if missing:
        kind = "EV" if product["product_type"] == "extended" else "OV"
        raise RuleError("Required parameters missing", f"Required for {kind} certificates: " + ", ".join(missing))

    for field in ("admin_email", "tech_email"):
        if not _EMAIL.match(form[field].strip()):
            raise RuleError(f"Invalid {field}", f"{field} must be an e-mail address")
    for field in ("admin_phone", "tech_phone", "org_phone", "admin_fax", "tech_fax", "org_fax"):
        value = str(form.get(field, "")).strip()
        if value and (not _PHONE.match(value) or sum(c.isdigit() for c in value) < 5):
            raise RuleError(f"Invalid {field}", f"{field} must be a phone number")
    for field in ("admin_country", "tech_country", "org_country"):
        value = str(form.get(field, "")).strip()
        if value and not (_COUNTRY.match(value) and value in COUNTRIES):
            raise RuleError(f"Invalid {field}", f"{field} must be an ISO 3166-1 alpha-2 country code")
    sig = str(form.get("signature_hash", "")).strip()
    if sig and sig != "SHA2":
        raise RuleError("Invalid signature_hash", "signature_hash must be SHA2")
    code = str(form.get("unique_code", "")).strip()
    if code and not _UNIQUE.match(code):
        raise RuleError("Invalid unique_code", "unique_code must be 15-20 alphanumeric characters")

    return product, csr
