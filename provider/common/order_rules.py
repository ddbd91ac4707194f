"""The vendor's rules for an order, checked before anything is spent (docs/vendor-api.md §4).

Two groups: `check_static` needs only the configuration (runs at `terraform validate`), and
`check_product` needs the product from the catalogue (runs at plan, once the provider is
configured). Both run again at apply, right before the order is placed, when every value is
known. Values unknown at plan time are skipped, never reported. Each problem names its
attribute, says what was given and what is accepted; all problems are reported together.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

from tf.types import Unknown

if TYPE_CHECKING:
    from provider.client.models import Product

DCV_METHODS = ("email", "http", "https", "dns")
FILE_METHODS = ("http", "https")
MAX_TEXT = 255
MAX_CSR = 16_000

REQUIRED_TEXT = (
    "csr", "dcv_method",
    "admin_firstname", "admin_lastname", "admin_phone", "admin_title", "admin_email",
    "tech_firstname", "tech_lastname", "tech_phone", "tech_title", "tech_email",
)
# What the addSSLOrder page (docs/vendor-api.md §4) marks "required for OV/EV" or "required for OV", per field.
REQUIRED_OV = (
    "admin_organization", "admin_addressline1", "admin_city", "admin_country", "admin_fax",
    "tech_organization", "tech_city", "tech_country",
    "org_name", "org_division", "org_addressline1", "org_city", "org_country", "org_phone", "org_postalcode",
    "org_region",
)
REQUIRED_EV = (
    "admin_organization", "admin_addressline1",
    "tech_city", "tech_country",
    "org_name", "org_division", "org_addressline1", "org_city", "org_country", "org_phone", "org_postalcode",
)
EMAIL_FIELDS = ("admin_email", "tech_email")
COUNTRY_FIELDS = ("admin_country", "tech_country", "org_country")
PHONE_FIELDS = ("admin_phone", "tech_phone", "org_phone", "admin_fax", "tech_fax", "org_fax")

_PHONE = re.compile(r"^\+?[0-9(][0-9 ().\-/]{4,30}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_UNIQUE_CODE = re.compile(r"^[A-Za-z0-9]{15,20}$")

Path = list[Any]


@dataclass(frozen=True)
class Problem:
    path: Path
    summary: str
    detail: str


def known(v: Any) -> bool:
    return v is not None and v is not Unknown


def is_whole(v: Any) -> TypeGuard[int | float]:
    """A whole number as Terraform sends numbers (int or float; never bool, inf or nan)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    return isinstance(v, int) or (math.isfinite(v) and v.is_integer())


def _text(v: Any) -> str | None:
    return v if isinstance(v, str) else None


@functools.lru_cache(maxsize=1024)  # every refresh and plan checks the same few contact addresses again
def is_email(value: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except (EmailNotValidError, UnicodeError, ValueError):
        return False
    return True


def is_phone(value: str) -> bool:
    return bool(_PHONE.match(value.strip())) and sum(c.isdigit() for c in value) >= 5


def is_country(value: str) -> bool:
    import iso3166

    return len(value) == 2 and value.isupper() and value in iso3166.countries_by_alpha2


def is_hostname(value: str, allow_wildcard: bool = True) -> bool:
    name = value.lower()
    if allow_wildcard and name.startswith("*."):
        name = name[2:]
    if not name or len(name) > 253 or "." not in name:
        return False
    return all(_LABEL.match(label) for label in name.split("."))


@dataclass(frozen=True)
class CSRInfo:
    common_name: str
    key: str


class CSRProblem(ValueError):
    pass


@functools.lru_cache(maxsize=2048)  # validate, plan and state mapping parse the same CSRs in every call
def parse_csr(pem: str) -> CSRInfo:
    """Parse a PEM CSR and check what the CAs require; raise CSRProblem with a user-facing reason (a CSR that
    fails is parsed again each time: lru_cache keeps results, not exceptions). CSRInfo is frozen."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID

    text = pem.strip()
    if "-----BEGIN CERTIFICATE REQUEST-----" not in text and "-----BEGIN NEW CERTIFICATE REQUEST-----" not in text:
        raise CSRProblem("it is not a PEM certificate request (no -----BEGIN CERTIFICATE REQUEST----- line)")
    try:
        csr = x509.load_pem_x509_csr(text.encode("utf-8", "replace"))
    except ValueError as exc:
        raise CSRProblem(f"it cannot be decoded ({exc})") from None
    try:
        signature_ok = csr.is_signature_valid
        key = csr.public_key()
        cns = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:  # an unknown key algorithm: not a ValueError
        raise CSRProblem(f"it cannot be read ({exc})") from None
    if not signature_ok:
        raise CSRProblem("its signature does not verify (was it edited after signing?)")
    if not cns or not str(cns[0].value).strip():
        raise CSRProblem("it has no common name (CN); the CN is the order's primary domain")
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise CSRProblem(f"its key is RSA {key.key_size}; CAs accept RSA 2048 bits or more, or EC P-256/P-384")
        desc = f"RSA {key.key_size}"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in ("secp256r1", "secp384r1"):
            raise CSRProblem(f"its key is EC {key.curve.name}; CAs accept EC P-256 or P-384, or RSA 2048+")
        desc = f"EC {key.curve.name}"
    else:
        raise CSRProblem(f"its key type ({type(key).__name__}) is not accepted; use RSA 2048+ or EC P-256/P-384")
    return CSRInfo(common_name=str(cns[0].value).strip().lower(), key=desc)


def check_static(cfg: dict[str, Any]) -> tuple[list[Problem], CSRInfo | None]:
    """Rules that need only the configuration. Returns the problems and, if it parsed, the CSR."""
    out: list[Problem] = []

    def bad(path: Path | str, summary: str, detail: str) -> None:
        out.append(Problem([path] if isinstance(path, str) else path, summary, detail))

    for name, value in cfg.items():
        if isinstance(value, str):
            limit = MAX_CSR if name == "csr" else MAX_TEXT
            if len(value) > limit:
                bad(name, f"{name} is too long", f"{name} has {len(value)} characters; at most {limit} are accepted.")
            elif name in REQUIRED_TEXT and not value.strip():
                bad(name, f"{name} is empty", f"{name} is required and must not be empty or blank.")
            elif "\x00" in value:
                bad(name, f"{name} contains a NUL character", f"Remove the NUL character from {name}.")

    def whole(name: str, minimum: int, hint: str) -> int | None:
        v = cfg.get(name)
        if not known(v):
            return None
        if not is_whole(v) or int(v) < minimum:
            bad(name, f"Invalid {name}", f"{name} is {v!r}; {hint}")
            return None
        return int(v)

    whole("product_id", 1, "give a product id from the catalogue (see /products/ssl/), a positive whole number.")
    whole("period", 1, "give the term in months, a positive whole number such as 12 or 24.")
    whole("webserver_type", -1, "give a web server type id from the vendor's list (/tools/webservers/), "
                                "a whole number.")
    sc = cfg.get("server_count")
    if known(sc) and (not is_whole(sc) or (int(sc) != -1 and int(sc) < 1)):
        bad("server_count", "Invalid server_count",
            f"server_count is {sc!r}; give a positive whole number of licences, or -1 for unlimited.")

    method = _text(cfg.get("dcv_method"))
    if method is not None and method.strip() and method not in DCV_METHODS:
        bad("dcv_method", "Invalid dcv_method",
            f"dcv_method is {method!r}; accepted values: {', '.join(DCV_METHODS)} (lower case).")
        method = None

    approver = cfg.get("approver_email")
    if method == "email" and approver is None:
        bad("approver_email", "approver_email is required with dcv_method = \"email\"",
            "Give the approver address for the primary domain (e.g. admin@ or webmaster@ the domain; the "
            "gogetssl_domain_emails list shows the accepted ones).")
    elif method in ("http", "https", "dns") and known(approver):
        bad("approver_email", "approver_email is only for e-mail validation",
            f"dcv_method is {method!r}: remove approver_email, or set dcv_method = \"email\".")
    if isinstance(approver, str) and approver and not is_email(approver):
        bad("approver_email", "Invalid approver_email", f"{approver!r} is not an e-mail address.")

    for name in EMAIL_FIELDS:
        v = cfg.get(name)
        if isinstance(v, str) and v.strip() and not is_email(v):
            bad(name, f"Invalid {name}", f"{v!r} is not an e-mail address such as ops@example.com.")
    for name in COUNTRY_FIELDS:
        v = cfg.get(name)
        if isinstance(v, str) and v and not is_country(v):
            hint = f" (did you mean {v.upper()!r}?)" if is_country(v.upper()) else ""
            bad(name, f"Invalid {name}",
                f"{v!r} is not an ISO 3166-1 alpha-2 country code such as GB, US or LV{hint}.")
    for name in PHONE_FIELDS:
        v = cfg.get(name)
        if isinstance(v, str) and v.strip() and not is_phone(v):
            bad(name, f"Invalid {name}",
                f"{v!r} does not look like a phone number: use digits with an optional leading + and spaces, "
                "dots, dashes or brackets, e.g. +44 20 7946 0000.")

    sig = cfg.get("signature_hash")
    if isinstance(sig, str) and sig != "SHA2":
        bad("signature_hash", "Invalid signature_hash", f"signature_hash is {sig!r}; the only accepted value is "
                                                        "\"SHA2\" (or leave it unset).")
    code = cfg.get("unique_code")
    if isinstance(code, str) and not _UNIQUE_CODE.match(code):
        bad("unique_code", "Invalid unique_code", f"unique_code is {code!r}; give 15 to 20 letters and digits.")

    csr_info: CSRInfo | None = None
    csr = cfg.get("csr")
    if isinstance(csr, str) and csr.strip() and len(csr) <= MAX_CSR:
        try:
            csr_info = parse_csr(csr)
        except CSRProblem as exc:
            bad("csr", "Invalid csr", f"The CSR cannot be used: {exc}.")
    cn = csr_info.common_name if csr_info else None
    if cn and cn.startswith("*.") and method in FILE_METHODS:
        bad("dcv_method", f"dcv_method {method!r} is not allowed for a wildcard domain",
            f"The CSR's common name is {cn}: file-based validation cannot prove control of a wildcard. "
            "Use dcv_method = \"dns\" or \"email\".")
    if cn and not is_hostname(cn):
        bad("csr", "Invalid csr", f"The CSR's common name {cn!r} is not a domain name.")

    names = cfg.get("dns_names")
    names_known = isinstance(names, list) and all(known(n) for n in names)
    if isinstance(names, list):
        seen: dict[str, int] = {}
        for i, n in enumerate(names):
            if not isinstance(n, str):
                continue
            if not is_hostname(n):
                bad(["dns_names", (i,)], "Invalid dns_names entry", f"{n!r} is not a domain name.")
            key = n.lower()
            if cn and key == cn:
                bad(["dns_names", (i,)], "dns_names must not contain the primary domain",
                    f"{n!r} is the CSR's common name, which the order covers already: remove it from dns_names.")
            if key in seen:
                bad(["dns_names", (i,)], "Duplicate dns_names entry",
                    f"{n!r} is listed twice (entries {seen[key]} and {i}); list each domain once.")
            seen.setdefault(key, i)

    approvers = cfg.get("approver_emails")
    if isinstance(approvers, list):
        for i, a in enumerate(approvers):
            if not isinstance(a, str):
                continue
            if a not in ("http", "https", "dns") and not is_email(a):
                bad(["approver_emails", (i,)], "Invalid approver_emails entry",
                    f"{a!r} is neither an e-mail address nor one of http, https, dns.")
            elif isinstance(approver, str) and a.lower() == approver.lower():
                bad(["approver_emails", (i,)], "approver_emails must not repeat the primary's approver",
                    f"{a!r} is approver_email, the primary domain's address; give the approver of dns_names[{i}].")
            elif a in FILE_METHODS and isinstance(names, list) and i < len(names) and \
                    isinstance(names[i], str) and names[i].startswith("*."):
                bad(["approver_emails", (i,)], f"{a!r} validation is not allowed for a wildcard domain",
                    f"dns_names[{i}] is {names[i]}: use dns or an e-mail address.")
        if names_known and all(known(a) for a in approvers):
            n_names = len(names) if isinstance(names, list) else 0
            if len(approvers) != n_names:
                bad("approver_emails", "approver_emails does not match dns_names",
                    f"approver_emails has {len(approvers)} entr{'y' if len(approvers) == 1 else 'ies'} but "
                    f"dns_names has {n_names}: give one approver per additional domain, in the same order.")
    elif approvers is None and method == "email" and names_known and isinstance(names, list) and names:
        bad("approver_emails", "approver_emails is required with e-mail validation of dns_names",
            f"dns_names has {len(names)} entries: give one approver (an address, or http/https/dns) per entry, "
            "in the same order.")
    elif approvers is None and method in FILE_METHODS and isinstance(names, list):
        # Without approver_emails every SAN is validated by dcv_method (the provider sends the method name for
        # each, as the vendor's own modules do), and file-based DCV cannot prove a wildcard (docs/vendor-api.md §4).
        for i, n in enumerate(names):
            if isinstance(n, str) and n.startswith("*."):
                bad(["dns_names", (i,)], f"dcv_method {method!r} is not allowed for a wildcard domain",
                    f"dns_names[{i}] is {n}, and without approver_emails every domain is validated by "
                    f"dcv_method {method!r}: file-based validation cannot prove control of a wildcard. Use "
                    "dcv_method = \"dns\" or \"email\", or give approver_emails with dns (or an address) for "
                    "this entry.")
    return out, csr_info


def check_product(cfg: dict[str, Any], product: Product, csr: CSRInfo | None) -> list[Problem]:
    """Rules that depend on the ordered product."""
    out: list[Problem] = []
    name = f"product {product.id} ({product.product})" if product.product else f"product {product.id}"

    period = cfg.get("period")
    periods = product.periods
    if is_whole(period) and periods and int(period) not in periods:
        out.append(Problem(["period"], "Invalid period",
                           f"period is {period}; {name} can be ordered for {', '.join(map(str, periods))} months."))

    names = cfg.get("dns_names")
    if isinstance(names, list) and names:
        if not product.san_enabled:
            out.append(Problem(["dns_names"], "dns_names needs a multi-domain product",
                               f"{name} is not a multi-domain (SAN) product: remove dns_names, or order a "
                               "multi-domain product."))
        elif product.san_max is not None and product.san_max > 0 and len(names) > product.san_max:
            out.append(Problem(["dns_names"], "Too many dns_names",
                               f"dns_names has {len(names)} entries; {name} allows at most {product.san_max}."))
        if product.san_enabled and not product.wildcard_san_enabled:
            for i, n in enumerate(names):
                if isinstance(n, str) and n.startswith("*."):
                    out.append(Problem(["dns_names", (i,)], "Wildcard dns_names entry not allowed",
                                       f"{n!r} is a wildcard; {name} does not include wildcard SANs."))

    if csr and csr.common_name.startswith("*.") and not product.wildcard_enabled:
        out.append(Problem(["csr"], "Wildcard CSR needs a wildcard product",
                           f"The CSR's common name is {csr.common_name}, but {name} is not a wildcard product."))
    # `wildcard_enabled` is the catalogue's "wildcard CN" flag (docs/vendor-api.md §2.4): a wildcard product is
    # bought for a `*.` common name, and the vendor refuses one whose CSR has another. Evidence for the refusal
    # is thin (a user's report; decodeCSR takes a `wildcard` flag, §2.5), so the stricter reading: also for a
    # multi-domain product flagged wildcard_enabled. It catches a product_id typo before it buys the wrong,
    # dearer product (65 -> 66 in the sandbox: 59 EUR instead of 6.90).
    if csr and not csr.common_name.startswith("*.") and product.wildcard_enabled:
        parent = csr.common_name.split(".", 1)[1] if csr.common_name.count(".") > 1 else csr.common_name
        out.append(Problem(["product_id"], "A wildcard product needs a wildcard CSR",
                           f"product_id {product.id}: {name} is a wildcard product, accepted only with a csr whose "
                           f"common name is a wildcard (`*.` and a domain, e.g. *.{parent}); the csr's common "
                           f"name is {csr.common_name}. To secure {csr.common_name} alone, set product_id to a "
                           "single-name product; for a wildcard, give a CSR for the wildcard name."))

    method = cfg.get("dcv_method")
    allowed = {"email": product.dcv_email, "http": product.dcv_http, "https": product.dcv_https,
               "dns": product.dcv_dns}
    ok = [m for m, a in allowed.items() if a]
    if isinstance(method, str) and method in allowed and not allowed[method] and any(allowed.values()):
        out.append(Problem(["dcv_method"], f"dcv_method {method!r} is not offered for this product",
                           f"{name} accepts: {', '.join(ok)}."))
    # Each SAN's own method (an approver_emails entry: an address, or http/https/dns) is held to the product's
    # dcv_* flags as dcv_method is: the flags are the product's (§2.4), that they bind each SAN too is the
    # stricter reading.
    approvers = cfg.get("approver_emails")
    if isinstance(approvers, list) and any(allowed.values()):
        for i, entry in enumerate(approvers):
            if not isinstance(entry, str):
                continue
            per_san = entry if entry in ("http", "https", "dns") else "email" if is_email(entry) else None
            if per_san is not None and not allowed[per_san]:
                out.append(Problem(["approver_emails", (i,)], f"{per_san!r} validation is not offered for this "
                                   "product", f"approver_emails[{i}] is {entry!r}; {name} accepts: {', '.join(ok)}."))

    # server_count -1 asks for unlimited server licences; a product whose catalogue entry says it has no
    # unlimited licencing (`unlimited_licencing` 0, §2.4) does not offer them. The vendor's answer is not public
    # (every public integration sends -1, §4): the stricter reading.
    sc = cfg.get("server_count")
    if is_whole(sc) and int(sc) == -1 and product.unlimited_licencing is False:
        out.append(Problem(["server_count"], "server_count -1 (unlimited) is not offered for this product",
                           f"{name} does not include unlimited server licences: give the number of servers the "
                           "certificate is for, a positive whole number such as 1."))

    kind = (product.product_type or "").lower()
    required: tuple[str, ...] = ()
    label = ""
    if kind == "extended":
        required, label = REQUIRED_EV, "EV"
    elif kind == "business" or product.org_required:
        required, label = REQUIRED_OV, "OV"
    for field in required:
        v = cfg.get(field)
        if v is None or (isinstance(v, str) and not v.strip()):
            out.append(Problem([field], f"{field} is required for {label} certificates",
                               f"{name} is an {label} product: the vendor requires {field}."))
    return out
