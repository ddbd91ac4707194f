"""The sandbox's GoGetSSL API: what each vendor endpoint does, independent of HTTP.

Each handler takes the parsed request and returns (HTTP status, JSON body) in the vendor's
shapes: flat success objects with `success: true`, errors as
`{"error": true, "message", "description"}` with HTTP 200 (HTTP 403 for a bad auth key).
Numbers are emitted as strings where the vendor does so, to keep clients honest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import string
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import catalogue
from .ca import SandboxCA, parse_csr
from .rules import RuleError, check_add_order, split_csv
from .store import Store

Response = tuple[int, dict[str, Any] | list[Any]]

ORDER_FIELDS = (
    "product_id", "period", "csr", "server_count", "approver_email", "approver_emails", "webserver_type",
    "dns_names", "dcv_method", "signature_hash", "unique_code",
)
CONTACT_SUFFIXES = (
    "firstname", "lastname", "organization", "title", "email", "phone", "fax",
    "addressline1", "addressline2", "addressline3", "city", "region", "country", "postalcode",
)
ORG_SUFFIXES = (
    "name", "division", "duns", "lei", "addressline1", "addressline2", "addressline3",
    "city", "region", "country", "fax", "phone", "postalcode",
)
CONTACT_FIELDS = (
    tuple(f"admin_{s}" for s in CONTACT_SUFFIXES)
    + tuple(f"tech_{s}" for s in CONTACT_SUFFIXES)
    + tuple(f"org_{s}" for s in ORG_SUFFIXES)
)
STATUSES = ("active", "cancelled", "expired", "rejected", "processing", "pending", "new_order", "incomplete")
UNSET_DATE = "0000-00-00"


def error(message: str, description: str, status: int = 200) -> Response:
    return status, {"error": True, "message": message, "description": description}


@dataclass
class SandboxConfig:
    user: str = "sandbox"
    password: str = "sandbox"
    issue_after: float | None = None  # seconds after ordering; None = never by itself
    balance: float = 100_000.0
    currency: str = "EUR"
    dcv_http_root: Path | None = None  # DIR/<domain>/.well-known/pki-validation/<file> passes http(s) DCV
    dcv_dns_zone: Path | None = None  # JSON {record name: value} passes dns DCV


class SandboxAPI:
    def __init__(self, store: Store, config: SandboxConfig):
        self.store = store
        self.config = config
        if store.get_meta("balance") is None:
            store.set_meta("balance", f"{config.balance:.2f}")
        if store.get_meta("ca_root") is None:
            root, inter, key = SandboxCA.generate(dt.datetime.now(dt.UTC))
            store.set_meta("ca_root", root.decode())
            store.set_meta("ca_inter", inter.decode())
            store.set_meta("ca_inter_key", key.decode())
        self.ca = SandboxCA(
            str(store.get_meta("ca_root")).encode(),
            str(store.get_meta("ca_inter")).encode(),
            str(store.get_meta("ca_inter_key")).encode(),
        )

    # -- clock --
    def now(self) -> float:
        return time.time() + float(self.store.get_meta("clock_offset", "0") or 0)

    def _date(self, ts: float, with_time: bool = False) -> str:
        d = dt.datetime.fromtimestamp(ts, dt.UTC)
        return d.strftime("%Y-%m-%d %H:%M:%S" if with_time else "%Y-%m-%d")

    # -- auth --
    def auth(self, form: dict[str, str]) -> Response:
        user, password = form.get("user", ""), form.get("pass", "")
        if not user or not password:
            return error("Username and/or password not supplied", "This request requires username and password")
        if user != self.config.user or password != self.config.password:
            return error("Invalid credentials", "Wrong username or API password")
        key = secrets.token_hex(16)
        self.store.add_auth_key(key, user)
        return 200, {"key": key, "success": True}

    def check_key(self, key: str | None) -> Response | None:
        if not key:
            return error("Auth key required", "The auth_key parameter is required; call /auth/ first", 403)
        if not self.store.auth_key_exists(key):
            return error("Invalid auth key", "The auth_key is invalid or has expired; call /auth/ again", 403)
        return None

    # -- products --
    def products(self) -> Response:
        return 200, {"products": catalogue.PRODUCTS, "success": True}

    def product(self, product_id: str) -> Response:
        try:
            product = catalogue.BY_ID.get(int(product_id))
        except ValueError:
            product = None
        if product is None:
            return error("Product not found", f"Product {product_id} does not exist")
        return 200, {"product": product, "success": True}

    # -- account --
    def balance(self) -> Response:
        return 200, {"balance": self.store.get_meta("balance", "0.00"), "currency": self.config.currency,
                     "success": True}

    # -- orders --
    def add_ssl_order(self, form: dict[str, str]) -> Response:
        try:
            product, csr = check_add_order(form)
        except RuleError as exc:
            return error(exc.message, exc.description)
        period = int(form["period"])
        dns_names = split_csv(form.get("dns_names"))
        amount = catalogue.price_for(product, period, len(dns_names))
        if str(form.get("only_validate", "")).lower() in ("1", "true", "y") or form.get("test") == "Y":
            return 200, {"success": True, "validation": "passed", "order_amount": amount}
        if not self.store.debit(amount):
            return error("Insufficient funds", f"Account balance is lower than the order amount {amount:.2f}")

        unique = (form.get("unique_code") or "").strip() or _unique_value()
        method = form["dcv_method"].strip().lower()
        approvers = split_csv(form.get("approver_emails"))
        data: dict[str, Any] = {f: str(form.get(f, "") or "") for f in ORDER_FIELDS + CONTACT_FIELDS}
        data.update(
            dcv_method=method,
            domain=csr.common_name,
            dns_names=",".join(dns_names),
            unique_value=unique,
            amount=amount,
            currency=self.config.currency,
            brand=product["brand"],
            approver_method=_approver_method(product["brand"], method, csr.common_name, csr.md5, csr.sha256, unique,
                                             form.get("approver_email", "")),
            san=[
                _san_entry(product["brand"], name, approvers[i] if i < len(approvers) else method,
                           csr.md5, csr.sha256, unique)
                for i, name in enumerate(dns_names)
            ],
            partner_order_id="",
            crt_code="",
            ca_code="",
            valid_from="",
            valid_till="",
            begin_date="",
            end_date="",
        )
        order_id, invoice_id = self.store.insert_order(product["id"], "processing", self.now(), data)
        return 200, {
            "product_id": str(product["id"]),
            "order_id": order_id,
            "invoice_id": invoice_id,
            "order_status": "processing",
            "success": True,
            "order_amount": amount,
            "currency": self.config.currency,
            "tax": "0.00",
            "tax_rate": "0%",
            "approver_method": data["approver_method"],
            "san": data["san"],
        }

    def _load(self, order_id: str | int) -> dict[str, Any] | None:
        try:
            oid = int(str(order_id).strip())
        except ValueError:
            return None
        order = self.store.get_order(oid)
        if order is not None:
            order = self._advance(order)
        return order

    def _advance(self, order: dict[str, Any]) -> dict[str, Any]:
        """Apply time-driven transitions: issuance after --issue-after, expiry after valid_till."""
        now = self.now()
        if (
            order["status"] == "processing"
            and self.config.issue_after is not None
            and now >= order["created"] + self.config.issue_after
        ):
            order = self.issue(order)
        if order["status"] == "active" and order.get("valid_till_ts") and now > order["valid_till_ts"]:
            order["status"] = "expired"
            self.store.update_order(order)
        return order

    def issue(self, order: dict[str, Any]) -> dict[str, Any]:
        now = self.now()
        months = min(int(order["period"]), 13)
        not_before = dt.datetime.fromtimestamp(now, dt.UTC)
        not_after = not_before + dt.timedelta(days=round(months * 30.44))
        names = [order["domain"], *split_csv(order.get("dns_names"))]
        order["crt_code"] = self.ca.issue(order["csr"], names, not_before, not_after)
        order["ca_code"] = self.ca.chain_pem
        order["valid_from"] = self._date(now)
        order["valid_till"] = self._date(not_after.timestamp())
        order["valid_till_ts"] = not_after.timestamp()
        order["begin_date"] = order["valid_from"]
        order["end_date"] = self._date(now + int(order["period"]) * 30.44 * 86400)
        order["issued_ts"] = now
        order["partner_order_id"] = str(order["order_id"] * 7 + 1_000_000_000)
        order["status"] = "active"
        for san in order.get("san", []):
            san["status"], san["status_description"] = "2", "validated"
        self.store.update_order(order)
        return order

    def order_status(self, order_id: str) -> Response:
        order = self._load(order_id)
        if order is None:
            return error("Order not found", f"Order {order_id} was not found")
        return 200, self._status_body(order)

    def _status_body(self, o: dict[str, Any]) -> dict[str, Any]:
        active = o["status"] == "active"
        dns_names = split_csv(o.get("dns_names"))
        body: dict[str, Any] = {
            "order_id": str(o["order_id"]),
            "partner_order_id": o.get("partner_order_id", ""),
            "internal_id": str(o["order_id"]),
            "status": o["status"],
            "status_description": _status_description(o["status"]),
            "dcv_status": "2" if active else "1",
            "product_id": str(o["product_id"]),
            "manual_check": "0",
            "pre_signing": "0",
            "admin_msg": "",
            "validation_description": o.get("validation_description", ""),
            "domain": o["domain"],
            "domains": ",".join([o["domain"], *dns_names]),
            "total_domains": str(1 + len(dns_names)),
            "base_domain_count": "1",
            "single_san_count": str(len(dns_names)),
            "wildcard_san_count": "0",
            "approver_email": o.get("approver_email", ""),
            "approver_emails": o.get("approver_emails", ""),
            "validity_period": str(o["period"]),
            "valid_from": o.get("valid_from") or UNSET_DATE,
            "valid_till": o.get("valid_till") or UNSET_DATE,
            "begin_date": o.get("begin_date") or UNSET_DATE,
            "end_date": o.get("end_date") or UNSET_DATE,
            "ssl_period": str(o["period"]),
            "ssl_price": f"{float(o.get('amount', 0)):.2f}",
            "csr_code": o["csr"],
            "crt_code": o.get("crt_code", "") if active else "",
            "ca_code": o.get("ca_code", "") if active else "",
            "server_count": str(o["server_count"]),
            "webserver_type": str(o["webserver_type"]),
            "reissue": "0",
            "reissue_now": "0",
            "renew": "0",
            "upgrade": "0",
            "free_ev_upgrade": "0",
            "codesigning_inviteurl": "",
            "dcv_method": o["dcv_method"],
            "approver_method": o.get("approver_method", {}),
            "san": o.get("san", []),
            "success": True,
            "time_stamp": int(self.now()),
        }
        for f in CONTACT_FIELDS:
            body[f] = o.get(f, "")
        return body

    def orders_statuses(self, form: dict[str, str]) -> Response:
        ids = split_csv(form.get("cids"))
        if not ids:
            return error("Required parameters missing", "cids is required: a comma-separated list of order ids")
        certs = []
        for oid in ids:
            order = self._load(oid)
            if order is None:
                continue
            entry = {"order_id": str(order["order_id"]), "status": order["status"]}
            if order["status"] == "active":
                entry["expires"] = order.get("valid_till", "")
            certs.append(entry)
        return 200, {"certificates": certs, "success": True, "time_stamp": int(self.now())}

    def cancel_ssl_order(self, form: dict[str, str]) -> Response:
        order_id, reason = form.get("order_id", ""), str(form.get("reason", "")).strip()
        if not str(order_id).strip() or not reason:
            return error("Required parameters missing", "order_id and reason are required")
        order = self._load(order_id)
        if order is None:
            return error("Order not found", f"Order {order_id} was not found")
        if order["status"] == "cancelled":
            return error("Order already cancelled", f"Order {order_id} is already cancelled")
        if order["status"] in ("expired", "rejected"):
            return error("Order can't be cancelled", f"Order {order_id} is {order['status']} and cannot be cancelled")
        refundable = order["status"] != "active" or self.now() - float(order.get("issued_ts", 0)) <= 30 * 86400
        if refundable:
            self.store.credit(float(order.get("amount", 0)))
        order["status"] = "cancelled"
        order["cancel_reason"] = reason
        self.store.update_order(order)
        return 200, {"order_id": str(order["order_id"]), "success": True}

    def revalidate(self, order_id: str, form: dict[str, str]) -> Response:
        """Check one domain's DCV now (the vendor's /orders/ssl/revalidate/{id}); issue when all have passed."""
        order = self._load(order_id)
        if order is None:
            return error("Order not found", f"Order {order_id} was not found")
        domain = str(form.get("domain", "")).strip().lower()
        if not domain:
            return error("Required parameters missing", "domain is required: the common name or a SAN of the order")
        if order["status"] != "processing":
            return error("Order is not in processing state", f"Order {order_id} is {order['status']}")
        entries = _dcv_entries(order)
        entry = next((e for e in entries if e["domain"].lower() == domain), None)
        if entry is None:
            return error("Invalid domain", f"{domain} is not a domain of order {order_id}")
        passed, why = self._check_dcv(entry)
        order.setdefault("dcv_passed", {})[entry["domain"]] = passed
        order["validation_description"] = "" if passed else why
        for san in order.get("san", []):
            if san["san_name"].lower() == domain:
                san["status"], san["status_description"] = ("2", "validated") if passed else ("1", "processing")
        self.store.update_order(order)
        if all(order["dcv_passed"].get(e["domain"]) for e in entries):
            self.issue(order)
            return 200, {"message": "Domain control validation passed; the certificate was issued", "success": True}
        if passed:
            return 200, {"message": f"Domain control validation passed for {entry['domain']}", "success": True}
        return 200, {"message": f"Domain control validation is pending for {entry['domain']}: {why}",
                     "success": True}

    def _check_dcv(self, entry: dict[str, Any]) -> tuple[bool, str]:
        method, data = entry["method"], entry["data"]
        if method in ("http", "https"):
            if self.config.dcv_http_root is None:
                return False, f"no file found at {data['link']}"
            base = entry["domain"][2:] if entry["domain"].startswith("*.") else entry["domain"]
            path = self.config.dcv_http_root / base / ".well-known" / "pki-validation" / data["filename"]
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
            if self.config.dcv_dns_zone is not None:
                try:
                    loaded = json.loads(self.config.dcv_dns_zone.read_text())
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

    # -- control endpoints (not part of the vendor's API) --
    def control_orders(self) -> Response:
        out = []
        for o in self.store.list_orders():
            o = self._advance(o)
            out.append({
                "order_id": o["order_id"], "invoice_id": o["invoice_id"], "status": o["status"],
                "product_id": o["product_id"], "domain": o["domain"], "dns_names": split_csv(o.get("dns_names")),
                "period": int(o["period"]), "dcv_method": o["dcv_method"], "csr": o["csr"],
                "amount": o.get("amount"), "created": self._date(o["created"], with_time=True),
                **{f: o.get(f, "") for f in ("server_count", "webserver_type", "approver_email", "approver_emails",
                                             "signature_hash", "unique_code", "cancel_reason", *CONTACT_FIELDS)},
            })
        return 200, out

    def control_set_status(self, order_id: str, body: dict[str, Any]) -> Response:
        order = self._load(order_id)
        if order is None:
            return error("Order not found", f"Order {order_id} was not found", 404)
        status = str(body.get("status", ""))
        if status not in ("active", "cancelled", "expired", "rejected", "processing"):
            return error("Invalid status", "status must be one of active, cancelled, expired, rejected, processing",
                         400)
        if status == "active" and order["status"] != "active":
            order = self.issue(order)
        else:
            order["status"] = status
            self.store.update_order(order)
        return 200, {"order_id": order["order_id"], "status": order["status"], "success": True}


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


def _unique_value() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "c" + "".join(secrets.choice(alphabet) for _ in range(19))


def _status_description(status: str) -> str:
    return {
        "processing": "Waiting for domain control validation",
        "active": "Certificate issued",
        "cancelled": "Order cancelled",
        "expired": "Certificate expired",
        "rejected": "Order rejected by the certificate authority",
    }.get(status, status)


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


def _approver_method(brand: str, method: str, domain: str, md5: str, sha256: str, unique: str,
                     approver_email: str) -> dict[str, Any]:
    if method == "email":
        return {"email": approver_email}
    return {method: _dcv_data(brand, method, domain, md5, sha256, unique)}


def _san_entry(brand: str, name: str, how: str, md5: str, sha256: str, unique: str) -> dict[str, Any]:
    method = how if how in ("http", "https", "dns") else "email"
    validation = {"email": how} if method == "email" else {method: _dcv_data(brand, method, name, md5, sha256, unique)}
    return {"san_name": name, "validation_method": method, "status": "1", "status_description": "processing",
            "validation": validation}


__all__ = ["SandboxAPI", "SandboxConfig", "STATUSES", "parse_csr"]
