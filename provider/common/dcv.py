"""Domain control validation records of an order, parsed from the vendor's strings into fields.

The list of domains (and each one's method) comes from the configuration, so it is known at
plan time and `for_each = { for r in ...validation_records : r.domain => r }` plans on a first
apply; the record data itself comes from the API once the order exists. Building both from the
same configuration keeps the planned and applied lists identical, as Terraform requires.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tf.types import List, String, Unknown

from provider.common.order_rules import known
from provider.tfext.types import Object

if TYPE_CHECKING:
    from provider.client.models import ApproverMethod, OrderStatus, SanEntry

RECORD_FIELDS = ("record_name", "record_type", "record_value", "url", "file_path", "file_name", "file_content",
                 "email")
VALIDATION_RECORD_TYPE = Object({"domain": String(), "method": String(), **{f: String() for f in RECORD_FIELDS}})
VALIDATION_RECORDS_TYPE = List(VALIDATION_RECORD_TYPE)
SAN_TYPE = List(Object({"san_name": String(), "validation_method": String(), "status": String(),
                        "status_description": String()}))


def domain_methods(cfg: dict[str, Any], common_name: str) -> list[tuple[str, str, str | None]] | None:
    """(domain, method, approver address or None) for the primary and each dns_names entry; None if unknowable."""
    method = cfg.get("dcv_method")
    names = cfg.get("dns_names") or []
    approvers = cfg.get("approver_emails")
    if not known(method) or not isinstance(names, list) or not all(known(n) for n in names):
        return None
    if approvers is Unknown or (isinstance(approvers, list) and not all(known(a) for a in approvers)):
        return None
    approver = cfg.get("approver_email")
    if method == "email" and approver is Unknown:
        return None
    out: list[tuple[str, str, str | None]] = [(common_name, str(method), approver if method == "email" else None)]
    for i, name in enumerate(names):
        how = approvers[i] if isinstance(approvers, list) and i < len(approvers) else method
        if how in ("http", "https", "dns"):
            out.append((str(name), str(how), None))
        else:
            out.append((str(name), "email", str(how)))
    return out


def planned_records(cfg: dict[str, Any], common_name: str | None) -> Any:
    """validation_records for a plan: domains and methods known, record data unknown until the order exists."""
    if common_name is None:
        return Unknown
    dm = domain_methods(cfg, common_name)
    if dm is None:
        return Unknown
    return [
        {"domain": d, "method": m, **{f: Unknown for f in RECORD_FIELDS}, "email": e if m == "email" else None}
        for d, m, e in dm
    ]


def record(domain: str, method: str, email: str | None, data: ApproverMethod | None) -> dict[str, Any]:
    rec: dict[str, Any] = {"domain": domain, "method": method, **{f: None for f in RECORD_FIELDS}}
    if method == "email":
        rec["email"] = email or (data.email if data else None)
        return rec
    if data is None:
        return rec
    if method == "dns" and data.dns and data.dns.record:
        name, rtype, value = split_dns_record(data.dns.record)
        rec.update(record_name=name, record_type=rtype, record_value=value)
    elif method in ("http", "https"):
        f = data.http if method == "http" else data.https
        if f is not None and (f.link or f.filename):
            path = urlsplit(f.link).path if f.link else f"/.well-known/pki-validation/{f.filename}"
            rec.update(url=f.link or None, file_path=path, file_name=f.filename or path.rsplit("/", 1)[-1],
                       file_content=f.content)
    return rec


def build_records(cfg: dict[str, Any], common_name: str, primary: ApproverMethod | None,
                  sans: list[SanEntry]) -> Any:
    """validation_records of an existing order: the configuration's domains, the API's data for each."""
    dm = domain_methods(cfg, common_name)
    if dm is None:
        return None
    by_san = {e.san_name.lower(): e for e in sans}
    out = []
    for i, (domain, method, email) in enumerate(dm):
        if i == 0:
            data = primary
        else:
            entry = by_san.get(domain.lower())
            data = entry.validation if entry else None
        out.append(record(domain, method, email, data))
    return out


def held_methods(cfg: dict[str, Any], status: OrderStatus) -> dict[str, Any]:
    """`cfg` with the DCV methods GoGetSSL holds for an issued order: a DCV setting changed on an issued order is
    only recorded for its next reissue, and until then the records describe the validation the order has (a
    record naming the configured method would have no data: the vendor holds none for it)."""
    methods = ("email", "http", "https", "dns")
    if status.dcv_method not in methods:
        return cfg
    out = {**cfg, "dcv_method": status.dcv_method}
    if status.dcv_method == "email":
        out["approver_email"] = status.approver_email or cfg.get("approver_email")
    names = cfg.get("dns_names")
    if isinstance(names, list) and names:
        by_san = {e.san_name.lower(): e for e in status.san}
        configured = cfg.get("approver_emails")
        approvers = []
        for i, name in enumerate(names):
            entry = by_san.get(str(name).lower())
            before = configured[i] if isinstance(configured, list) and i < len(configured) else cfg.get("dcv_method")
            if entry is None or entry.validation_method not in methods:
                approvers.append(before)
            elif entry.validation_method == "email":
                held = entry.validation.email if entry.validation else ""
                approvers.append(held or (before if before not in methods else None))
            else:
                approvers.append(entry.validation_method)
        out["approver_emails"] = approvers
    return out


def split_dns_record(record: str) -> tuple[str, str, str]:
    """The vendor's record string, 'name CNAME value' (Sectigo) or 'name IN   TXT "value"' (DigiCert brands)."""
    tokens = record.split()
    for i, t in enumerate(tokens):
        if t.upper() in ("CNAME", "TXT"):
            return tokens[0].rstrip("."), t.upper(), " ".join(tokens[i + 1:]).strip().strip('"')
    return (tokens[0] if tokens else ""), "", " ".join(tokens[1:])


def san_status(status: OrderStatus) -> list[dict[str, str]]:
    return [{"san_name": e.san_name, "validation_method": e.validation_method, "status": e.status,
             "status_description": e.status_description} for e in status.san]
