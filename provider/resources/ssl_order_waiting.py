"""What gogetssl_ssl_order_validation waits for and how long: the domains an order's CA still waits for, the
words the waiter reports them in, and the `timeouts { create = ... }` duration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tf.types import Unknown
from tf.utils import Diagnostics

from provider.common import dcv

if TYPE_CHECKING:
    from provider.client.models import OrderStatus

DEFAULT_CREATE_TIMEOUT = 45 * 60.0
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(text: str) -> float:
    """A Terraform/Go duration string ("45m", "1h30m", "90s") in seconds; ValueError if it is not one."""
    s = text.strip()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(s):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if not s or pos != len(s):
        raise ValueError(f"{text!r} is not a duration such as \"45m\", \"1h30m\" or \"90s\"")
    return total


@dataclass(frozen=True)
class Pending:
    domain: str
    method: str
    waiting_for: str


def pending_domains(status: OrderStatus) -> list[Pending]:
    """Domains whose validation has not passed, with what the CA is waiting for."""
    out: list[Pending] = []
    entries: list[tuple[str, str, Any, bool]] = [
        (status.domain, status.dcv_method, status.approver_method, status.dcv_status == "2")]
    for e in status.san:
        entries.append((e.san_name, e.validation_method, e.validation, e.status == "2"))
    for domain, method, data, done in entries:
        if done:
            continue
        rec = dcv.record(domain, method or "", None, data)
        if method == "dns" and rec["record_name"]:
            what = f"the {rec['record_type'] or 'DNS'} record {rec['record_name']} = {rec['record_value']}"
        elif method in ("http", "https") and rec["url"]:
            what = f"the file {rec['url']} with the expected content"
        elif method == "email":
            what = f"approval of the e-mail sent to {rec['email'] or 'the approver'}"
        else:
            what = "domain control validation"
        out.append(Pending(domain, method or "?", what))
    return out


def create_timeout(diags: Diagnostics, timeouts: Any) -> float | None:
    if timeouts is None or timeouts is Unknown:
        return DEFAULT_CREATE_TIMEOUT
    if not isinstance(timeouts, dict):
        return DEFAULT_CREATE_TIMEOUT
    for key in timeouts:
        if key != "create":
            diags.add_error("Unknown timeout", f"timeouts.{key} is not used; only create is.", path=["timeouts"])
    value = timeouts.get("create")
    if value is None or value is Unknown:
        return DEFAULT_CREATE_TIMEOUT
    try:
        seconds = parse_duration(str(value))
    except ValueError as exc:
        diags.add_error("Invalid timeouts.create", str(exc), path=["timeouts"])
        return None
    if seconds <= 0:
        diags.add_error("Invalid timeouts.create", "the timeout must be longer than zero", path=["timeouts"])
        return None
    return seconds


def dns_record_names(status: OrderStatus) -> list[str]:
    names = []
    if status.dcv_method == "dns" and status.approver_method.dns:
        names.append(dcv.split_dns_record(status.approver_method.dns.record)[0])
    for e in status.san:
        if e.validation_method == "dns" and e.validation and e.validation.dns:
            names.append(dcv.split_dns_record(e.validation.dns.record)[0])
    return [n for n in names if n]


def waiting_detail(status: OrderStatus, tail: str) -> str:
    pending = pending_domains(status)
    lines = [f"  - {p.domain} ({p.method}): waiting for {p.waiting_for}" for p in pending]
    note = f"\nThe CA says: {status.validation_description}" if status.validation_description else ""
    head = "Pending domains:\n" + "\n".join(lines) if lines else "No domain is reported pending."
    return f"{head}{note}\n{tail}"


def human(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    return f"{seconds:g}s"
