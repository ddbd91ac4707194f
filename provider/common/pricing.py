"""What an order costs, known at plan time; what the plans of one plugin process buy in all; and what an
apply's process has bought, each purchase checked against the balance read just before it.

Prices come from the product catalogue (docs/vendor-api.md §2.4, §9.3). The top-level period keys of
`prices` ("12", "24", ...) are the account's base price of each term; `prices.vendor` is the CA's price,
used only where the account's is absent, as the vendor's WHMCS addon does. `prices.san[period]` is the price of
each single-name SAN beyond those the product includes, `prices.wildcard_san[period]` that of each `*.` SAN
beyond the included wildcard SANs (both counts from getProductDetails, the one place the vendor documents
them). Tax comes on top, at the rate of the account's latest invoice (`tax_percent`); whether the vendor's
`order_amount` includes it is not documented, so the stricter reading is taken. GoGetSSL's invoice remains
what is charged.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tf.types import Unknown

from provider.tfext.types import normalize_pem

try:
    import fcntl
except ImportError:  # Windows: the balance check stays per plugin process
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from provider.client.models import Invoice, Product

#: the most a tax rate can plausibly be, in percent: a higher one is a misreading
MAX_TAX_PERCENT = 100.0
CENT = Decimal("0.01")


def _money(value: Any) -> float | None:
    """An amount of money from the catalogue, or None unless it is a finite amount of 0 or more (Terraform
    crashes on a NaN number; a negative price would lower the total checked against the balance)."""
    if isinstance(value, bool):
        return None
    try:
        amount = float(value) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        return None
    return amount if amount is not None and math.isfinite(amount) and amount >= 0 else None


def _amount(table: Any, period: int) -> float | None:
    """`table[period]` as money, or None."""
    return _money(table.get(str(period))) if isinstance(table, dict) else None


def base_price(prices: dict[str, Any], period: int) -> float | None:
    """The account's price of `period` months: the top-level key; the CA's (`vendor`) only when that key is
    absent or empty. A top-level price that is there but unreadable is unknown, not replaced by the CA's."""
    if prices.get(str(period)) in (None, ""):
        return _amount(prices.get("vendor"), period)
    return _amount(prices, period)


def needs_details(product: Product, dns_names: list[str]) -> bool:
    """Whether the price depends on how many SANs the product includes (read from its details)."""
    return bool(dns_names) and bool(product.san_enabled)


def order_price(product: Product, period: int, dns_names: list[str], single_included: int | None = None,
                wildcard_included: int | None = None) -> float | None:
    """The account's price of `period` months of `product` with `dns_names`, tax excluded, or None when the
    catalogue does not price it. `single_included`, `wildcard_included`: the single-name and `*.` SANs the
    product includes (getProductDetails); each kind is free only up to its own count."""
    prices = product.prices or {}
    total = base_price(prices, period)
    if total is None:
        return None
    wildcards = [n for n in dns_names if n.startswith("*.")]
    singles = len(dns_names) - len(wildcards)
    charged = [("san", max(0, singles - max(0, int(single_included or 0))))]
    if wildcards:
        # A product without a wildcard SAN table prices a wildcard SAN as a single one.
        charged.append(("wildcard_san" if "wildcard_san" in prices else "san",
                        max(0, len(wildcards) - max(0, int(wildcard_included or 0)))))
    for kind, count in charged:
        if count:
            extra = _amount(prices.get(kind), period)
            if extra is None:
                return None
            total += extra * count
    return round(total, 2)


def parse_tax_rate(text: Any, subtotal: float | None = None, tax: float | None = None) -> float | None:
    """A tax rate in percent from the vendor's `tax_rate` ("21%" or "21": 21 percent), or None when it cannot be
    read. A bare fraction ("0.21") may be 21% or 0.21%: the invoice's own subtotal and tax decide, else None."""
    raw = str(text if text is not None else "").strip()
    percent_sign = raw.endswith("%")
    try:
        value = float(raw.rstrip("%").strip())
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0 or value > MAX_TAX_PERCENT:
        return None
    if percent_sign or value == 0 or value >= 1:
        return value
    readings = [r for r in (value, value * 100) if subtotal and subtotal > 0 and tax is not None
                and abs(tax_on(subtotal, r) - tax) <= 0.01]
    return readings[0] if len(readings) == 1 else None


def _newest_key(indexed: tuple[int, Invoice]) -> tuple[str, int, str, int]:
    index, invoice = indexed
    number = (invoice.number or "").strip()
    return (invoice.date or "", int(number) if number.isdigit() else -1, number, index)


def latest_invoice(invoices: Sequence[Invoice]) -> Invoice | None:
    """The newest invoice: by date, then by number (dates are YYYY-MM-DD[ HH:MM:SS], which sort as text)."""
    if not invoices:
        return None
    return max(enumerate(invoices), key=_newest_key)[1]


def tax_percent(invoices: Sequence[Invoice]) -> float | None:
    """The account's tax rate in percent: that of its newest invoice; None when there is none or its rate
    cannot be read."""
    newest = latest_invoice(invoices)
    return None if newest is None else parse_tax_rate(newest.tax_rate, newest.subtotal, newest.tax)


def tax_on(price: float, percent: float) -> float:
    """The tax on `price` at `percent` (both finite), rounded half up to the cent, as invoices round (binary
    floats would round 1.005 down)."""
    return float((Decimal(str(price)) * Decimal(str(percent)) / 100).quantize(CENT, rounding=ROUND_HALF_UP))


def rate_text(percent: float) -> str:
    """21.0 -> "21%", 5.5 -> "5.5%"."""
    return f"{percent:g}%"


def purchase_key(kind: str, *parts: Any) -> str:
    """One purchase, the same however often Terraform plans it in a process (a replacement plans its create
    twice; an apply plans each change again). A purchase planned with a part unknown (a CSR made in the same
    run) cannot be told from another alike: it gets a key of its own, marked provisional (is_provisional)."""
    if any(_has_unknown(p) for p in parts):
        return f"{kind}:unknown:{uuid.uuid4().hex}"
    text = "\x00".join(normalize_pem(p) if isinstance(p, str) and "-----BEGIN" in p else str(p) for p in parts)
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def is_provisional(key: str) -> bool:
    """Whether `key` names a purchase planned with a part unknown (purchase_key)."""
    return ":unknown:" in key


def _has_unknown(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_has_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    return value is Unknown


class PlanBudget:
    """What the plans made in this plugin process buy, so that their sum can be checked against the balance;
    shared (share_run) with the other provider blocks of the same Terraform run on the same account, which
    Terraform serves from plugin processes of their own.

    The shared ledger is one file per run and account. Its members are the plugin processes using it; a process
    that finds none of them alive (the plan walk's processes have exited when the apply walk's start) starts it
    afresh, so one walk never counts another's entries (some keyed by values unknown at plan). A purchase made
    leaves the ledger (the balance read after it already lacks it) and is named in `purchases()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, float] = {}
        self._bought: list[str] = []
        self._path: Path | None = None

    def share_run(self, api_url: str, username: str) -> None:
        """Keep the purchases in a file every plugin process of this Terraform run (the same parent process)
        on this account reads and writes, so that two provider blocks on one account do not each pass the
        balance check alone. Best effort: where no safe file can be kept (no fcntl, an unwritable temp
        directory, a folder another user could write) the check stays per process."""
        if fcntl is None:
            return
        run = f"{os.getppid()}:{_start_time(os.getppid())}:{_account(api_url, username)}"
        folder = Path(tempfile.gettempdir()) / f"gogetssl-plan-budget-{os.getuid()}"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            info = os.lstat(folder)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
                return  # planted, or readable by others: not trusted
            for old in folder.glob("*.json"):  # runs long gone
                if time.time() - old.lstat().st_mtime > 2 * 86400:
                    old.unlink(missing_ok=True)
        except OSError:
            return
        self._path = folder / f"{hashlib.sha256(run.encode()).hexdigest()[:32]}.json"
        me = f"{os.getpid()}:{_start_time(os.getpid())}"

        def join(ledger: dict[str, Any]) -> None:
            members = [m for m in ledger.get("members", []) if _alive(m)]
            if not members:
                # A new walk (or a block configured after another's process exited): drop what was keyed by
                # values then unknown, since this walk keys it anew; keep what is known (planned again under
                # the same key, it is not added twice) and what was bought.
                ledger["items"] = {k: v for k, v in ledger.get("items", {}).items() if not is_provisional(k)}
            ledger["members"] = [*members, me]

        if self._update(join) is None:
            self._path = None

    def add(self, key: str, amount: float) -> tuple[float, int]:
        """Record a purchase; (the total of every purchase recorded, their number)."""
        with self._lock:
            self._items[key] = amount
            items = self._items
            if self._path is not None:
                ledger = self._update(lambda led: led.setdefault("items", {}).__setitem__(key, amount))
                items = ledger.get("items", items) if ledger is not None else items
            return round(sum(float(v) for v in items.values()), 2), len(items)

    def bought(self, key: str, what: str) -> None:
        """The purchase `key` was made (`what` names it): it leaves the budget, since the balance read after it
        already lacks it."""
        with self._lock:
            self._items.pop(key, None)
            self._bought.append(what)
            if self._path is not None:
                def done(led: dict[str, Any]) -> None:
                    led.setdefault("items", {}).pop(key, None)
                    led.setdefault("bought", []).append(what)
                self._update(done)

    def purchases(self) -> list[str]:
        """What this run has bought (on this account, in every provider block sharing the ledger)."""
        with self._lock:
            if self._path is not None:
                ledger = self._update(lambda led: None)
                if ledger is not None:
                    return [str(w) for w in ledger.get("bought", [])]
            return list(self._bought)

    def _update(self, change: Callable[[dict[str, Any]], Any]) -> dict[str, Any] | None:
        """Apply `change` to the shared ledger under an exclusive lock; the ledger after it, None on failure.
        The file is never followed through a symbolic link."""
        assert self._path is not None and fcntl is not None
        try:
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            return None
        with os.fdopen(fd, "r+", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            ledger = _valid_ledger(f.read())
            change(ledger)
            f.seek(0)
            f.truncate()
            f.write(json.dumps(ledger))
            return ledger


def _valid_ledger(text: str) -> dict[str, Any]:
    """The ledger in `text`, or an empty one when it is not one (unreadable, or of another shape)."""
    try:
        ledger = json.loads(text or "{}")
    except ValueError:
        return {}
    if not isinstance(ledger, dict):
        return {}
    members, items, bought = ledger.get("members", []), ledger.get("items", {}), ledger.get("bought", [])
    if (not isinstance(members, list) or not all(isinstance(m, str) for m in members)
            or not isinstance(items, dict) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                      and math.isfinite(v) for v in items.values())
            or not isinstance(bought, list) or not all(isinstance(b, str) for b in bought)):
        return {}
    return {"members": members, "items": items, "bought": bought}


def _account(api_url: str, username: str) -> str:
    """One account however its URL and username are spelt (case of scheme and host, a trailing slash)."""
    parts = urlsplit(api_url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}|{username.strip().lower()}"


def _alive(member: str) -> bool:
    """Whether the process "pid:start time" still runs (not a zombie, not a reused pid)."""
    pid_text, _, started = member.partition(":")
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0] != "Z" and (not started or fields[19] == started)
    except (OSError, IndexError):
        return True  # no /proc: the pid answered


def _start_time(pid: int) -> str:
    """When process `pid` started (Linux), so that a reused pid is another run; "" where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


class ApplySpending:
    """The purchases an apply's plugin process is making now: each is checked against the balance read just
    before it, less the purchases still on their way (Terraform applies resources concurrently), so that the
    balance covers every order sent. What was bought is kept by PlanBudget (shared by the run's provider
    blocks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0.0

    def reserve(self, cost: float, read_balance: Callable[[], float | None]) -> tuple[bool, float | None]:
        """Reserve `cost` if the balance (read under the lock, so two purchases never both count on one sum)
        covers it beside the purchases in flight: (reserved, the balance read). A balance not stated (None)
        reserves nothing and refuses nothing."""
        with self._lock:
            balance = read_balance()
            if balance is None:
                return True, None
            if cost > balance - self._in_flight + 1e-9:
                return False, balance
            self._in_flight += cost
            return True, balance

    def release(self, cost: float) -> None:
        """The purchase of `cost` is done, or was not made."""
        with self._lock:
            self._in_flight = max(0.0, self._in_flight - cost)
