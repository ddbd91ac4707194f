"""HTTP front of the sandbox: the vendor's paths and encodings, test control endpoints, fault injection.

API paths live under /api (form-encoded POST bodies, `auth_key` in the query string, trailing
slash optional, as the vendor accepts both); control endpoints under /_sandbox take a JSON object.
Fault rules (POST /_sandbox/faults, modes in FAULT_MODES, described in docs/sandbox.md) stand for
what lies between a client and the vendor: gateways that answer 502 while the vendor still gets
the request, dropped connections, slow or odd bodies, redirects. A malformed request (a bad
Content-Length, a body that is not a JSON object on a control endpoint) gets a 4xx and the server
keeps serving; request lines and headers over the stdlib's limits get its 414 and 431.
"""

from __future__ import annotations

import json
import logging
import math
import re
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .api import Response, SandboxAPI, error

log = logging.getLogger("gogetssl.sandbox")

# (verb, path pattern without trailing slash, needs auth, handler(api, match, form) -> Response)
Route = tuple[str, re.Pattern[str], bool, Callable[[SandboxAPI, re.Match[str], dict[str, str]], Response]]
_ROUTES: list[Route] = [
    ("POST", re.compile(r"/auth"), False, lambda api, m, f: api.auth(f)),
    ("GET", re.compile(r"/products/ssl"), True, lambda api, m, f: api.products()),
    ("GET", re.compile(r"/products/ssl/(\w+)"), True, lambda api, m, f: api.product(m.group(1))),
    ("POST", re.compile(r"/orders/add_ssl_order"), True, lambda api, m, f: api.add_ssl_order(f)),
    ("GET", re.compile(r"/orders/status/(\w+)"), True, lambda api, m, f: api.order_status(m.group(1))),
    ("POST", re.compile(r"/orders/statuses"), True, lambda api, m, f: api.orders_statuses(f)),
    ("POST", re.compile(r"/orders/cancel_ssl_order"), True, lambda api, m, f: api.cancel_ssl_order(f)),
    ("POST", re.compile(r"/orders/ssl/revalidate/(\w+)"), True, lambda api, m, f: api.revalidate(m.group(1), f)),
    ("POST", re.compile(r"/orders/add_ssl_renew_order"), True, lambda api, m, f: api.add_ssl_renew_order(f)),
    ("POST", re.compile(r"/orders/ssl/reissue/(\w+)"), True, lambda api, m, f: api.reissue(m.group(1), f)),
    ("POST", re.compile(r"/orders/ssl/change_validation_method/(\w+)"), True,
     lambda api, m, f: api.change_validation_method(m.group(1), f)),
    ("POST", re.compile(r"/orders/ssl/change_validation_email/(\w+)"), True,
     lambda api, m, f: api.change_validation_email(m.group(1), f)),
    ("POST", re.compile(r"/orders/ssl/change_domains_validation_method/(\w+)"), True,
     lambda api, m, f: api.change_domains_validation_method(m.group(1), f)),
    ("GET", re.compile(r"/orders/ssl/all"), True, lambda api, m, f: api.all_orders(f)),
    ("GET", re.compile(r"/orders/invoice/(\w+)"), True, lambda api, m, f: api.order_invoice(m.group(1))),
    ("GET", re.compile(r"/tools/webservers/(\w+)"), True, lambda api, m, f: api.webservers(m.group(1))),
    ("POST", re.compile(r"/tools/domain/emails"), True, lambda api, m, f: api.domain_emails(f)),
    ("GET", re.compile(r"/account"), True, lambda api, m, f: api.account()),
    ("GET", re.compile(r"/account/invoices"), True, lambda api, m, f: api.invoices()),
    ("GET", re.compile(r"/account/balance"), True, lambda api, m, f: api.balance()),
]


FAULT_MODES = (
    "http_500", "http_503", "http_429", "reset", "commit_then_reset", "slow", "garbage", "auth_expired",
    "http_502_then_process", "reset_then_process", "vendor_error", "echo", "echo_error", "trickle",
    "patch_body", "nest_body", "redirect_307",
)
# Keys every rule may carry, and the extra keys some modes take (docs/sandbox.md lists what each does).
_RULE_KEYS = ("match", "mode", "times", "delay_ms")
_MODE_KEYS: dict[str, tuple[str, ...]] = {
    "vendor_error": ("message", "description"),
    "patch_body": ("patch", "patch_raw"),
    "nest_body": ("depth",),
}
assert set(_MODE_KEYS) <= set(FAULT_MODES)
_FAULTS_KEYS = ("rules", "latency_ms", "list_order", "list_page_cap", "list_offset_cap")
_DEFAULT_DELAY_MS = 5000.0  # beyond a typical client's timeout
_DEFAULT_TRICKLE_MS = 100.0  # per byte
_DEFAULT_DEPTH = 100_000  # deeper than CPython's default recursion limit, so json.loads raises RecursionError
MAX_BODY = 1 << 20  # request bodies are form fields and a CSR: a megabyte is plenty
_JSON = "application/json; charset=utf-8"
_GATEWAY_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def _number(value: Any, name: str, minimum: float) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number") from None
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


def _flatten(qs: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[-1] for k, v in qs.items()}


def _route(api: SandboxAPI, verb: str, path: str, query: str, raw: bytes) -> Response:
    """Run one API request (path without the /api prefix) and return its answer."""
    q = _flatten(parse_qs(query, keep_blank_values=True))
    form = _flatten(parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)) if raw else {}
    path_matched = False
    for route_verb, pattern, needs_auth, handler in _ROUTES:
        m = pattern.fullmatch(path)
        if not m:
            continue
        path_matched = True
        if route_verb != verb:
            continue
        if needs_auth:
            denied = api.check_key(q.get("auth_key") or form.get("auth_key"))
            if denied:
                return denied
        return handler(api, m, {**q, **form} if verb == "GET" else form)
    if path_matched:
        return error("Method not allowed", f"{verb} is not supported on {path}", 405)
    return error("Not found", f"Unknown API method {path}", 404)


def _safely(process: Callable[[], Response]) -> Response:
    try:
        return process()
    except Exception as exc:  # the sandbox answers like a server would: a 500, and keeps serving
        log.exception("sandbox handler failed")
        return error("Internal error", type(exc).__name__, 500)


def _later(delay_ms: float, process: Callable[[], Response]) -> None:
    """Process a request in the background after delay_ms: the vendor got it late, the client saw a failure."""
    def run() -> None:
        time.sleep(delay_ms / 1000)
        _safely(process)

    threading.Thread(target=run, name="gogetssl-sandbox-late", daemon=True).start()


def _add_member(data: bytes, member: bytes) -> bytes:
    """Append a raw `"name": value` member to a serialised JSON object (left alone if it is not one)."""
    text = data.rstrip()
    if not (text.startswith(b"{") and text.endswith(b"}")):
        return data
    inner = text[1:-1].strip()
    return b"{" + inner + (b", " if inner else b"") + member + b"}"


def _json_object(raw: bytes) -> tuple[dict[str, Any], Response | None]:
    """A control endpoint's body: a JSON object (an empty body is {}), or a 400 answer."""
    if not raw.strip():
        return {}, None
    try:
        value = json.loads(raw)
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        return {}, error("Invalid JSON", f"the body is not valid JSON: {exc}", 400)
    if not isinstance(value, dict):
        return {}, error("Invalid JSON", "the body must be a JSON object", 400)
    return value, None


class _Handler(BaseHTTPRequestHandler):
    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        # The request line carries auth_key in its query string: log the path only. A request refused
        # before it was parsed (414, 431) has no command or path yet.
        log.debug("%s %s", getattr(self, "command", "") or "-", urlsplit(getattr(self, "path", "")).path)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch()

    # -- answers --
    def _send_bytes(self, status: int, data: bytes, content_type: str,
                    headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client gave up (a slow fault): the request was processed anyway

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._send_bytes(status, json.dumps(body).encode(), _JSON, headers)

    def _refuse(self, status: int, message: str, description: str) -> None:
        """Answer a malformed request and close: where its body ends is unknown."""
        self.close_connection = True
        self._send(status, {"error": True, "message": message, "description": description}, {"Connection": "close"})

    def _drop(self) -> None:
        """Close the connection without an answer (the client sees it reset)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _trickle(self, status: int, data: bytes, content_type: str, delay_ms: float) -> None:
        """The whole answer, status line and headers included, one byte every delay_ms."""
        reason = self.responses.get(status, ("",))[0]
        head = (f"{self.protocol_version} {status} {reason}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode("latin-1")
        payload = head + data
        try:
            for i in range(len(payload)):
                if i:
                    time.sleep(delay_ms / 1000)
                self.wfile.write(payload[i:i + 1])
        except OSError:
            self.close_connection = True

    # -- requests --
    def _read_body(self) -> bytes | None:
        """The request body, or None when the request was refused (already answered)."""
        if "chunked" in ",".join(self.headers.get_all("Transfer-Encoding") or []).lower():
            self._refuse(411, "Length required", "chunked request bodies are not supported: send Content-Length")
            return None
        values = [v.strip() for v in self.headers.get_all("Content-Length") or []]
        if not values:
            return b""
        if len(set(values)) != 1 or not re.fullmatch(r"[0-9]{1,15}", values[0]):
            self._refuse(400, "Invalid Content-Length", "Content-Length must be one non-negative whole number")
            return None
        length = int(values[0])
        if length > MAX_BODY:
            self._refuse(413, "Request too large", f"request bodies are limited to {MAX_BODY} bytes")
            return None
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        raw = self._read_body()
        if raw is None:
            return
        if path == "/api" or path.startswith("/api/"):
            self._serve_api(url.path, path[len("/api"):], url.query, raw)
            return
        if path.startswith("/_sandbox"):
            status, body = _safely(lambda: self._control(self.server.api, path, raw))
        else:
            status, body = error("Not found", f"No such path {url.path}", 404)
        self._send(status, body)

    def _serve_api(self, full_path: str, path: str, query: str, raw: bytes) -> None:
        api, faults, verb = self.server.api, self.server.faults, self.command
        api.store.count_request(f"{verb} {full_path}")
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        fault = faults.take(full_path) or {}
        mode = fault.get("mode", "")

        def process() -> Response:
            return _route(api, verb, path, query, raw)

        if fault and self._fault_instead(fault, query, raw):
            return
        if mode in ("http_502_then_process", "reset_then_process"):
            _later(fault["delay_ms"], process)
            if mode == "reset_then_process":
                self._drop()
            else:
                self._send_bytes(502, _GATEWAY_502, "text/html")
            return
        if mode == "slow":
            time.sleep(fault["delay_ms"] / 1000)
        status, body = _safely(process)
        # From here on the request was processed: the faults below only spoil the answer.
        if mode == "commit_then_reset":
            self._drop()
            return
        if mode == "garbage":
            self._send_bytes(200, b"<html>Proxy error: upstream sent garbage\x00\xff", "text/html")
            return
        if mode == "patch_body" and isinstance(body, dict):
            body = {**body, **fault["patch"]}
        data = json.dumps(body).encode()
        if mode == "patch_body" and fault["patch_raw"]:
            data = _add_member(data, fault["patch_raw"].encode())
        if mode == "nest_body":  # built flat: no recursion on this side
            data = _add_member(data, b'"extra": ' + b"[" * fault["depth"] + b"]" * fault["depth"])
        if mode == "trickle":
            self._trickle(status, data, _JSON, fault["delay_ms"])
            return
        self._send_bytes(status, data, _JSON)

    def _fault_instead(self, fault: dict[str, Any], query: str, raw: bytes) -> bool:
        """Faults that answer in place of the vendor (nothing is processed); True when one did."""
        mode = fault["mode"]
        if mode == "http_500":
            self._send_bytes(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>", "text/html")
        elif mode == "http_503":
            self._send_bytes(503, b"Service Unavailable", "text/plain")
        elif mode == "http_429":
            self._send(429, {"error": True, "message": "Too many requests", "description": "Slow down"},
                       {"Retry-After": "1"})
        elif mode == "reset":
            self._drop()
        elif mode == "auth_expired":
            self._send(403, {"error": True, "message": "Invalid auth key", "description": "The auth_key has expired"})
        elif mode == "vendor_error":
            self._send(200, {"error": True, "message": fault["message"], "description": fault["description"]})
        elif mode == "echo":
            # A gateway page that quotes the request: auth_key (query) and pass= (body) included.
            page = (b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>"
                    b"<p>The upstream server could not process the request</p><pre>"
                    + self.requestline.encode("latin-1", "replace") + b"\n\n" + raw + b"</pre></body></html>")
            self._send_bytes(502, page, "text/html")
        elif mode == "echo_error":
            self._send(200, {"error": True, "message": "Bad request",
                             "description": f"Could not process the request: query {query}; "
                                            f"body {raw.decode('utf-8', 'replace')}"})
        elif mode == "redirect_307":
            host = self.headers.get("Host") or self.server.authority
            page = b"<html><body><h1>307 Temporary Redirect</h1></body></html>"
            self._send_bytes(307, page, "text/html", {"Location": f"http://{host}{self.path}"})
        else:
            return False
        return True

    def _control(self, api: SandboxAPI, path: str, raw: bytes) -> Response:
        verb = self.command
        if path == "/_sandbox/orders" and verb == "GET":
            return api.control_orders()
        m = re.fullmatch(r"/_sandbox/orders/(\w+)", path)
        if m and verb == "POST":
            body, bad = _json_object(raw)
            return bad or api.control_set_status(m.group(1), body)
        if path == "/_sandbox/faults" and verb == "POST":
            spec, bad = _json_object(raw)
            if bad:
                return bad
            try:
                latency, rules = self.server.faults.parse(spec)
                listing = api.config.listing.changed(spec)
            except ValueError as exc:
                return error("Invalid faults", str(exc), 400)
            self.server.faults.apply(latency, rules)
            api.listing = listing
            return 200, self._faults_state(api)
        if path == "/_sandbox/faults" and verb == "DELETE":
            self.server.faults.clear()
            api.listing = api.config.listing
            return 200, self._faults_state(api)
        if path == "/_sandbox/clock" and verb == "POST":
            clock, bad = _json_object(raw)
            return bad or api.control_clock(clock)
        if path == "/_sandbox/requests" and verb == "GET":
            return 200, api.store.request_counts()
        if path == "/_sandbox/ca" and verb == "GET":
            return 200, {"root_pem": api.ca.root_pem.decode(), "chain_pem": api.ca.chain_pem}
        return error("Not found", f"No such control endpoint {path}", 404)

    def _faults_state(self, api: SandboxAPI) -> dict[str, Any]:
        listing = api.listing
        return {"success": True, "rules": self.server.faults.snapshot(), "latency_ms": self.server.faults.latency_ms,
                "list_order": listing.order, "list_page_cap": listing.page_cap,
                "list_offset_cap": listing.offset_cap}


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # tests open a burst of concurrent connections

    def __init__(self, host: str, port: int, api: SandboxAPI, latency_ms: float = 0.0):
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)
        self.api = api
        self.faults = Faults(latency_ms)

    @property
    def authority(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.authority}/api"

    def start_background(self) -> threading.Thread:
        t = threading.Thread(target=self.serve_forever, name="gogetssl-sandbox", daemon=True)
        t.start()
        return t
