"""Domain control validation: the records a client publishes, rechecks, method changes and approver addresses."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from . import catalogue
from .ca import parse_csr
from .core import Response, Sandbox, error
from .rules import split_csv


def approver_method(brand: str, method: str, domain: str, md5: str, sha256: str, unique: str,
                    approver_email: str) -> dict[str, Any]:
    """The primary domain's `approver_method` object: the address, or the record or file to publish."""
    if method == "email":
        return {"email": approver_email}
    return {method: _dcv_data(brand, method, domain, md5, sha256, unique)}


def san_entry(brand: str, name: str, how: str, md5: str, sha256: str, unique: str) -> dict[str, Any]:
    """One `san` entry of an order; `how` is an approver address or http/https/dns."""
    method = how if how in ("http", "https", "dns") else "email"
    validation = {"email": how} if method == "email" else {method: _dcv_data(brand, method, name, md5, sha256, unique)}
    return {"san_name": name, "validation_method": method, "status": "1", "status_description": "processing",
            "validation": validation}


def _dcv_data(brand: str, method: str, domain: str, md5: str, sha256: str, unique: str) -> dict[str, Any]:
    base = domain[2:] if domain.startswith("*.") else domain
    if brand in catalogue.DIGICERT_BRANDS:
        token = hashlib.sha256(f"{sha256}:{unique}:{base}".encode()).hexdigest()[:32]
        if method == "dns":
            return {"record": f'_dnsauth.{base} IN   TXT "{token}"'}
        return {"link": f"{method}://{base}/.well-known/pki-validation/fileauth.txt", "filename": "fileauth.txt",
                "content": token}
    if method == "dns":
        return {"record": f"_{md5}.{base} CNAME {sha256[:32]}.{sha256[32:]}.{unique}.sectigo.com"}
    filename = f"{md5.upper()}.txt"
    return {
        "link": f"{method}://{base}/.well-known/pki-validation/{filename}",
        "filename": filename,
        "content": f"{sha256.upper()}\r\nsectigo.com\r\n{unique}",
    }


def _dcv_entries(order: dict[str, Any]) -> list[dict[str, Any]]:
    """Every domain of an order with its DCV method and data: the primary first, then the SANs."""
    primary_method = order["dcv_method"]
    am = order.get("approver_method", {})
    entries = [{"domain": order["domain"], "method": primary_method,
                "data": am.get("email") if primary_method == "email" else am.get(primary_method, {})}]
    for san in order.get("san", []):
        validation = san.get("validation", {})
        method = san["validation_method"]
        entries.append({"domain": san["san_name"], "method": method, "data": validation.get(method)})
    return entries


def _split_record(record: str) -> tuple[str, str, str]:
    """'name CNAME value' or 'name IN   TXT "value"' -> (name, type, value)."""
    tokens = record.split()
    for i, t in enumerate(tokens):
        if t.upper() in ("CNAME", "TXT"):
            return tokens[0], t.upper(), " ".join(tokens[i + 1:]).strip('"')
    return tokens[0] if tokens else "", "", " ".join(tokens[1:])


# -- rechecks --
def revalidate(sb: Sandbox, order_id: str, form: dict[str, str]) -> Response:
    """Check one domain's DCV now (the vendor's /orders/ssl/revalidate/{id}); issue when all have passed."""
    order = sb.load(order_id)
    if order is None:
        return error("Order not found", f"Order {order_id} was not found")
    domain = str(form.get("domain", "")).strip().lower()
    if not domain:
        return error("Required parameters missing", "domain is required: the common name or a SAN of the order")
    if order["status"] not in ("processing", "reissue"):
        return error("Order is not in processing state", f"Order {order_id} is {order['status']}")
    entries = _dcv_entries(order)
    entry = next((e for e in entries if e["domain"].lower() == domain), None)
    if entry is None:
        return error("Invalid domain", f"{domain} is not a domain of order {order_id}")
    if entry["domain"] in (order.get("dcv_reused") or ()):
        passed, why = True, ""  # a reissue reusing a validation still within its reuse period
    else:
        passed, why = _check_dcv(sb, entry)
    order.setdefault("dcv_passed", {})[entry["domain"]] = passed
    order["validation_description"] = "" if passed else why
    for san in order.get("san", []):
        if san["san_name"].lower() == domain:
            san["status"], san["status_description"] = ("2", "validated") if passed else ("1", "processing")
    sb.store.update_order(order)
    if all(order["dcv_passed"].get(e["domain"]) for e in entries):
        sb.issue(order)
        return 200, {"message": "Domain control validation passed; the certificate was issued", "success": True}
    if passed:
        return 200, {"message": f"Domain control validation passed for {entry['domain']}", "success": True}
    return 200, {"message": f"Domain control validation is pending for {entry['domain']}: {why}",
                 "success": True}


def _check_dcv(sb: Sandbox, entry: dict[str, Any]) -> tuple[bool, str]:
    method, data = entry["method"], entry["data"]
    if method in ("http", "https"):
        if sb.config.dcv_http_root is None:
            return False, f"no file found at {data['link']}"
        base = entry["domain"][2:] if entry["domain"].startswith("*.") else entry["domain"]
        # Names are host names (rules.is_host_name), but an order stored before that rule, or a
        # symlink, must not make the sandbox read outside its root either.
        root = sb.config.dcv_http_root.resolve()
        path = (root / base / ".well-known" / "pki-validation" / data["filename"]).resolve()
        if not path.is_relative_to(root):
            return False, f"no file found at {data['link']}"
        try:
            found = path.read_text(errors="replace")
        except OSError:
            return False, f"no file found at {data['link']}"
        if found.split() != data["content"].split():
            return False, f"the file at {data['link']} does not hold the expected content"
        return True, ""
    if method == "dns":
        name, rtype, value = _split_record(data["record"])
        zone: dict[str, Any] = {}
        if sb.config.dcv_dns_zone is not None:
            try:
                loaded = json.loads(sb.config.dcv_dns_zone.read_text())
                zone = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                zone = {}
        published = {str(k).lower().rstrip("."): str(v) for k, v in zone.items()}
        got = published.get(name.lower().rstrip("."))
        if got is None:
            return False, f"no {rtype} record {name} found"
        if got.strip().strip('"').rstrip(".").lower() != value.rstrip(".").lower():
            return False, f"the {rtype} record {name} does not hold the expected value"
        return True, ""
    return False, f"waiting for the approval e-mail sent to {data}"


# -- method changes --
def _dcv_change(sb: Sandbox, order_id: str, change: Callable[[dict[str, Any]], Response]) -> Response:
    """Run one validation change on a pending order, under the "Function is locked" cool-down: after a
    change succeeds, any further change of the same order within --dcv-lock-seconds is refused. The
    length of the vendor's lock, and whether change_validation_email shares it, are not public
    (docs/vendor-api.md §7, §8): the sandbox locks all three changes together, the stricter reading."""
    with sb.store.tx():
        order, err = _pending_order(sb, order_id)
        if order is None:
            return err or error("Order not found", "")
        lock = sb.config.dcv_lock_seconds
        last = order.get("dcv_changed_ts")
        if lock > 0 and last is not None and sb.now() < float(last) + lock:
            return error(f"Function is locked for {lock:g} seconds",
                         f"Validation changes of order {order['order_id']} are locked; try again later")
        status, body = change(order)
        if isinstance(body, dict) and body.get("success"):
            order["dcv_changed_ts"] = sb.now()
            sb.store.update_order(order)
        return status, body


def _pending_order(sb: Sandbox, order_id: str) -> tuple[dict[str, Any] | None, Response | None]:
    order = sb.load(order_id)
    if order is None:
        return None, error("Order not found", f"Order {order_id} was not found")
    if order["status"] not in ("processing", "reissue"):
        return None, error("Validation change not possible",
                           f"Order {order_id} is {order['status']}: the validation method can only change while "
                           "validation is pending")
    return order, None


def _set_method(order: dict[str, Any], domain: str, how: str) -> str | None:
    """Change one domain's DCV method: `how` is an address (e-mail) or http/https/dns. Error text or None."""
    how = how.strip()
    method = how.lower() if how.lower() in ("http", "https", "dns") else "email"
    if method == "email" and "@" not in how:
        return f"{how} is not an e-mail address or one of http, https, dns"
    parsed = parse_csr(order["csr"])
    if method in ("http", "https") and domain.startswith("*."):
        return "File-based validation (http/https) is not allowed for wildcard domains"
    if domain.lower() == order["domain"]:
        order["dcv_method"] = method
        order["approver_email"] = how if method == "email" else ""
        order["approver_method"] = approver_method(order["brand"], method, order["domain"], parsed.md5,
                                                   parsed.sha256, order["unique_value"], how)
        return None
    for i, san in enumerate(order.get("san", [])):
        if san["san_name"].lower() == domain.lower():
            order["san"][i] = san_entry(order["brand"], san["san_name"], how if method == "email" else method,
                                        parsed.md5, parsed.sha256, order["unique_value"])
            approvers = split_csv(order.get("approver_emails")) or [s["validation_method"]
                                                                     for s in order["san"]]
            while len(approvers) < len(order["san"]):
                approvers.append(order["dcv_method"])
            approvers[i] = how if method == "email" else method
            order["approver_emails"] = ",".join(approvers)
            return None
    return f"{domain} is not a domain of order {order['order_id']}"


def change_validation_method(sb: Sandbox, order_id: str, form: dict[str, str]) -> Response:
    def change(order: dict[str, Any]) -> Response:
        domain, new = str(form.get("domain", "")).strip(), str(form.get("new_method", "")).strip()
        if not domain or not new:
            return error("Required parameters missing", "domain and new_method are required")
        problem = _set_method(order, domain, new)
        if problem:
            return error("Invalid new_method", problem)
        return 200, {"message": f"Validation method for {domain} changed", "success": True}

    return _dcv_change(sb, order_id, change)


def change_validation_email(sb: Sandbox, order_id: str, form: dict[str, str]) -> Response:
    def change(order: dict[str, Any]) -> Response:
        new = str(form.get("approver_email", "")).strip()
        if not new:
            return error("Required parameters missing", "approver_email is required")
        problem = _set_method(order, order["domain"], new)
        if problem:
            return error("Invalid approver_email", problem)
        if order["dcv_method"] == "email":
            return 200, {"dcv_method": "email", "approver_email": new, "success": True,
                         "success_message": "Approver e-mail changed"}
        return 200, {**order["approver_method"], "success": True, "success_message": "Validation method changed"}

    return _dcv_change(sb, order_id, change)


def change_domains_validation_method(sb: Sandbox, order_id: str, form: dict[str, str]) -> Response:
    def change(order: dict[str, Any]) -> Response:
        domains, methods = split_csv(form.get("domains")), split_csv(form.get("new_methods"))
        if not domains or len(domains) != len(methods):
            return error("Required parameters missing",
                         "domains and new_methods must list the same number of items")
        for domain, how in zip(domains, methods, strict=True):
            problem = _set_method(order, domain, how)
            if problem:
                return error("Invalid new_methods", problem)
        return 200, {"message": "Validation methods changed", "success": True}

    return _dcv_change(sb, order_id, change)


# -- approver addresses --
def domain_emails(form: dict[str, str]) -> Response:
    domain = str(form.get("domain", "")).strip().lower()
    if not domain or "." not in domain:
        return error("Invalid domain", "domain is required, e.g. example.com")
    domain = domain[2:] if domain.startswith("*.") else domain
    labels = domain.split(".")
    bases = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    emails = [f"{box}@{base}" for base in bases
              for box in ("admin", "administrator", "hostmaster", "postmaster", "webmaster")]
    return 200, {"ComodoApprovalEmails": emails, "GeotrustApprovalEmails": emails, "success": True}


# -- approver e-mails sent again --
def _emailed_domains(order: dict[str, Any]) -> list[tuple[str, str]]:
    """(domain, approver address) of every domain of an order validated by e-mail."""
    return [(e["domain"], str(e["data"])) for e in _dcv_entries(order) if e["method"] == "email" and e["data"]]


def _send(sb: Sandbox, order: dict[str, Any], sent: list[tuple[str, str]]) -> None:
    """Record what the vendor would have mailed (the control API's `emails_sent`), and when."""
    order.setdefault("emails_sent", []).extend(
        {"domain": d, "to": to, "at": sb.date(sb.now(), with_time=True)} for d, to in sent)
    sb.store.update_order(order)


def _resendable(sb: Sandbox, order_id: str) -> tuple[dict[str, Any] | None, Response | None]:
    order = sb.load(order_id)
    if order is None:
        return None, error("Order not found", f"Order {order_id} was not found")
    if order["status"] not in ("processing", "reissue"):
        return None, error("Order is not in processing state", f"Order {order_id} is {order['status']}")
    return order, None


def resend_validation_email(sb: Sandbox, order_id: str) -> Response:
    """resendValidationEmail (GET /orders/ssl/resend_validation_email/{id}): mail every approver of the order
    again. An order no domain of which is validated by e-mail is refused: the vendor's answer there is not
    public, and the sandbox is never kinder than the vendor may be."""
    with sb.store.tx():
        order, refused = _resendable(sb, order_id)
        if order is None:
            return refused  # type: ignore[return-value]
        emailed = _emailed_domains(order)
        if not emailed:
            return error("Validation email not sent", f"Order {order_id} has no domain validated by e-mail")
        _send(sb, order, emailed)
    return 200, {"message": "Validation email has been sent", "success": True}


def resend(sb: Sandbox, order_id: str, form: dict[str, str]) -> Response:
    """resend (POST /orders/ssl/resend/{id}, domain): mail one domain's approver again."""
    domain = str(form.get("domain", "")).strip().lower()
    if not domain:
        return error("Required parameters missing", "domain is required: the common name or a SAN of the order")
    with sb.store.tx():
        order, refused = _resendable(sb, order_id)
        if order is None:
            return refused  # type: ignore[return-value]
        entry = next((e for e in _dcv_entries(order) if e["domain"].lower() == domain), None)
        if entry is None:
            return error("Invalid domain", f"{domain} is not a domain of order {order_id}")
        if entry["method"] != "email":
            return error("Validation email not sent",
                         f"{entry['domain']} is validated by {entry['method']}, not by e-mail")
        _send(sb, order, [(entry["domain"], str(entry["data"]))])
    return 200, {"message": f"Validation email has been sent for {entry['domain']}", "success": True}
