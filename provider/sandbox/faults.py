"""Fault injection's data: the one table of fault modes, validation of fault rules, and the live fault set.

Fault rules (POST /_sandbox/faults) stand for what lies between a client and the vendor: gateways
that answer 502 while the vendor still gets the request, dropped connections, slow or odd bodies,
redirects. `FAULTS` is the only list of modes: rule validation, the keys a mode takes and the table
in docs/sandbox.md (`fault_modes_markdown`, between the two markers below) all come from it. What
each mode does to an answer is server.py's business.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FaultMode:
    """One fault mode as a client meets it."""

    sees: str  # what the client sees
    processed: str  # whether the vendor's side effects happen (an order placed, a key issued, a debit)
    keys: tuple[str, ...] = ()  # rule keys this mode takes beyond match, mode, times and delay_ms
    keys_doc: str = ""  # the rule keys that matter for this mode, as the docs describe them


# The order is the order of the modes in error messages and in the docs' table.
FAULTS: dict[str, FaultMode] = {
    "http_500": FaultMode("HTTP 500, small HTML page", "no"),
    "http_503": FaultMode('HTTP 503, `text/plain` "Service Unavailable"', "no"),
    "http_429": FaultMode("HTTP 429, vendor error JSON, `Retry-After: 1`", "no"),
    "reset": FaultMode("the connection closes without an answer", "no"),
    "commit_then_reset": FaultMode("the connection closes without an answer", "yes, before the close"),
    "slow": FaultMode("the real answer, `delay_ms` late (beyond a client's timeout, by default)",
                      "yes, after the delay (even if the client gave up)", keys_doc="`delay_ms`"),
    "garbage": FaultMode("HTTP 200, `text/html` body that is not JSON", "yes"),
    "auth_expired": FaultMode('HTTP 403, vendor error JSON "Invalid auth key" (as for an expired key)', "no"),
    "http_502_then_process": FaultMode("HTTP 502 at once, with a small HTML gateway page",
                                       "yes, `delay_ms` later, in the background (the vendor got it late)",
                                       keys_doc="`delay_ms`"),
    "reset_then_process": FaultMode("the connection closes at once without an answer",
                                    "yes, `delay_ms` later, in the background", keys_doc="`delay_ms`"),
    "vendor_error": FaultMode(
        'HTTP 200 `{"error": true, "message": message, "description": description}`, e.g. "API user not found"',
        "no", keys=("message", "description"),
        keys_doc='`message` (required, non-empty string), `description` (string, default `""`)'),
    "echo": FaultMode("HTTP 502 `text/html` whose body quotes the raw request line (path and query, with "
                      "`auth_key`) and the raw body (for `/auth/`, `pass=...`)", "no"),
    "echo_error": FaultMode("HTTP 200 vendor error JSON, message `Bad request`, description quoting the query "
                            "string and the body", "no"),
    "trickle": FaultMode("the real answer, status line and headers included, one byte every `delay_ms`: a "
                         "per-read timeout never fires, only an overall deadline can stop it", "yes",
                         keys_doc="`delay_ms` (per byte, default 100)"),
    "patch_body": FaultMode(
        'the real JSON answer with `patch` merged in at top level (e.g. `{"invoice_id": "1e400"}`), then '
        '`patch_raw` appended as a raw extra member, e.g. `"order_amount": 1e400`, which `json.dumps` cannot '
        "produce (a later duplicate key wins in most parsers)",
        "yes", keys=("patch", "patch_raw"), keys_doc="`patch` (a JSON object), `patch_raw` (a string); at least one"),
    "nest_body": FaultMode('the real JSON answer with an extra member `"extra"` holding arrays nested `depth` deep: '
                           "Python's `json.loads` raises `RecursionError`", "yes", keys=("depth",),
                           keys_doc="`depth` (1-10000000, default 100000)"),
    "redirect_307": FaultMode("HTTP 307 with `Location: http://<Host>/<same path and query>`: a client that "
                              "follows it re-sends the request (method and body)",
                              "no (the re-sent request is processed normally, unless the rule has `times` left)"),
}
FAULT_MODES = tuple(FAULTS)

# docs/sandbox.md holds exactly fault_modes_markdown() between these two lines.
FAULT_MODES_BEGIN = "<!-- fault-modes:begin -->"
FAULT_MODES_END = "<!-- fault-modes:end -->"


def fault_modes_markdown() -> str:
    """The fault-mode table of docs/sandbox.md, as markdown (one row per mode, newline-terminated)."""
    def row(cells: list[str]) -> str:
        # A "|" inside a cell would end it: markdown tables escape it as "\\|".
        return "|" + "|".join(" " + c.replace("|", "\\|") + " " if c else " " for c in cells) + "|\n"

    out = row(["mode", "extra keys", "what the client sees", "processed?"]) + "|---|---|---|---|\n"
    for name, mode in FAULTS.items():
        out += row([f"`{name}`", mode.keys_doc, mode.sees, mode.processed])
    return out


_RULE_KEYS = ("match", "mode", "times", "delay_ms")
_MODE_KEYS = {name: mode.keys for name, mode in FAULTS.items() if mode.keys}
_FAULTS_KEYS = ("rules", "latency_ms", "list_order", "list_page_cap", "list_offset_cap")
_DEFAULT_DELAY_MS = 5000.0  # beyond a typical client's timeout
_DEFAULT_TRICKLE_MS = 100.0  # per byte
_DEFAULT_DEPTH = 100_000  # deeper than CPython's default recursion limit, so json.loads raises RecursionError


def _number(value: Any, name: str, minimum: float) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number") from None
    except OverflowError:  # a JSON integer too large for a float
        raise ValueError(f"{name} is too large") from None
    if not math.isfinite(number) or number < minimum:
        raise ValueError(f"{name} must be a finite number of at least {minimum:g}")
    return number


def _rule(r: Any) -> dict[str, Any]:
    """A validated, normalised fault rule; ValueError says what is wrong with it."""
    if not isinstance(r, dict) or not isinstance(r.get("match"), str) or r.get("mode") not in FAULT_MODES:
        raise ValueError(f"each rule needs a string match and a mode among {', '.join(FAULT_MODES)}")
    mode = r["mode"]
    allowed = _RULE_KEYS + _MODE_KEYS.get(mode, ())
    unknown = sorted(set(r) - set(allowed))
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)} in a {mode} rule; allowed: {', '.join(allowed)}")
    times = _number(r.get("times", 1), "times", 0)
    if not times.is_integer():
        raise ValueError("times must be a whole number")
    default_delay = _DEFAULT_TRICKLE_MS if mode == "trickle" else _DEFAULT_DELAY_MS
    rule: dict[str, Any] = {"match": r["match"], "mode": mode, "times": int(times),
                            "delay_ms": _number(r.get("delay_ms", default_delay), "delay_ms", 0)}
    if mode == "vendor_error":
        if not isinstance(r.get("message"), str) or not r["message"]:
            raise ValueError("a vendor_error rule needs a non-empty string message")
        if not isinstance(r.get("description", ""), str):
            raise ValueError("description must be a string")
        rule.update(message=r["message"], description=r.get("description", ""))
    elif mode == "patch_body":
        patch, patch_raw = r.get("patch", {}), r.get("patch_raw", "")
        if not isinstance(patch, dict) or not isinstance(patch_raw, str):
            raise ValueError("patch must be a JSON object and patch_raw a string")
        if not patch and not patch_raw.strip():
            raise ValueError("a patch_body rule needs a non-empty patch or patch_raw")
        rule.update(patch=patch, patch_raw=patch_raw.strip())
    elif mode == "nest_body":
        depth = _number(r.get("depth", _DEFAULT_DEPTH), "depth", 1)
        if not depth.is_integer() or depth > 10_000_000:
            raise ValueError("depth must be a whole number from 1 to 10000000")
        rule["depth"] = int(depth)
    return rule


class Faults:
    """Injected failures: `latency_ms` on every API request, and rules that hit the next `times` requests
    whose path contains `match`. Kept in memory: a restart clears them, DELETE restores the CLI's latency."""

    def __init__(self, latency_ms: float = 0.0):
        self._lock = threading.Lock()
        self.cli_latency_ms = latency_ms
        self.latency_ms = latency_ms
        self.rules: list[dict[str, Any]] = []

    def parse(self, body: dict[str, Any]) -> tuple[float, list[dict[str, Any]]]:
        """(latency_ms, rules) from a POST /_sandbox/faults body; ValueError says what is wrong.
        A key left out takes the CLI's value: each POST describes the whole fault set."""
        unknown = sorted(set(body) - set(_FAULTS_KEYS))
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(_FAULTS_KEYS)}")
        rules = body.get("rules", [])
        if not isinstance(rules, list):
            raise ValueError("rules must be a list")
        clean = [_rule(r) for r in rules]
        latency = _number(body.get("latency_ms", self.cli_latency_ms), "latency_ms", 0)
        return latency, clean

    def apply(self, latency_ms: float, rules: list[dict[str, Any]]) -> None:
        with self._lock:
            self.latency_ms, self.rules = latency_ms, rules

    def clear(self) -> None:
        self.apply(self.cli_latency_ms, [])

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self.rules]

    def take(self, path: str) -> dict[str, Any] | None:
        with self._lock:
            for r in self.rules:
                if r["times"] > 0 and r["match"] in path:
                    r["times"] -= 1
                    return dict(r)
        return None
