"""HTTP front of the sandbox: the vendor's paths and encodings, plus test control endpoints.

API paths live under /api (form-encoded POST bodies, `auth_key` in the query string, trailing
slash optional, as the vendor accepts both); control endpoints under /_sandbox take JSON.
"""

from __future__ import annotations

import json
import logging
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


FAULT_MODES = ("http_500", "http_503", "http_429", "reset", "commit_then_reset", "slow", "garbage", "auth_expired")


class Faults:
    """Injected failures: `latency_ms` on every API request, and rules that hit the next `times` requests
    whose path contains `match`. Kept in memory: a restart clears them."""

    def __init__(self, latency_ms: float = 0.0):
        self._lock = threading.Lock()
        self.latency_ms = latency_ms
        self.rules: list[dict[str, Any]] = []

    def set(self, body: dict[str, Any]) -> str | None:
        rules = body.get("rules", [])
        if not isinstance(rules, list):
            return "rules must be a list"
        clean = []
        for r in rules:
            if not isinstance(r, dict) or not isinstance(r.get("match"), str) or r.get("mode") not in FAULT_MODES:
                return f"each rule needs a string match and a mode among {', '.join(FAULT_MODES)}"
            try:
                times = int(r.get("times", 1))
                delay_ms = float(r.get("delay_ms", 5000))
            except (TypeError, ValueError):
                return "times and delay_ms must be numbers"
            clean.append({"match": r["match"], "mode": r["mode"], "times": times, "delay_ms": delay_ms})
        try:
            latency = float(body.get("latency_ms", 0) or 0)
        except (TypeError, ValueError):
            return "latency_ms must be a number"
        with self._lock:
            self.latency_ms, self.rules = latency, clean
        return None

    def clear(self) -> None:
        with self._lock:
            self.latency_ms, self.rules = 0.0, []

    def take(self, path: str) -> dict[str, Any] | None:
        with self._lock:
            for r in self.rules:
                if r["times"] > 0 and r["match"] in path:
                    r["times"] -= 1
                    return dict(r)
        return None


def _flatten(qs: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[-1] for k, v in qs.items()}


class _Handler(BaseHTTPRequestHandler):
    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        # The request line carries auth_key in its query string: log the path only.
        log.debug("%s %s", self.command, urlsplit(self.path).path)

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch()

    def _dispatch(self) -> None:
        api = self.server.api
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        raw = self._body()
        try:
            if path.startswith("/_sandbox"):
                status, body = self._control(api, path, raw)
            elif path == "/api" or path.startswith("/api/"):
                api.store.count_request(f"{self.command} {url.path}")
                faults = self.server.faults
                if faults.latency_ms:
                    time.sleep(faults.latency_ms / 1000)
                fault = faults.take(url.path)
                if fault is not None:
                    if self._fault_before(fault):
                        return
                status, body = self._api(api, path[len("/api"):], url.query, raw)
                if fault is not None and self._fault_after(fault):
                    return
            else:
                status, body = error("Not found", f"No such path {url.path}", 404)
        except Exception as exc:  # the sandbox answers like a server would: a 500, and keeps serving
            log.exception("sandbox handler failed")
            status, body = error("Internal error", type(exc).__name__, 500)
        try:
            self._send(status, body)
        except OSError:
            pass  # the client gave up (a slow fault): the request was processed all the same

    def _drop(self) -> None:
        """Close the connection without an answer (the client sees it reset)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _fault_before(self, fault: dict[str, Any]) -> bool:
        """Faults that strike before the request is processed; True when the answer was already given."""
        mode = fault["mode"]
        if mode == "http_500":
            self._send_raw(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>", "text/html")
        elif mode == "http_503":
            self._send_raw(503, b"Service Unavailable", "text/plain")
        elif mode == "http_429":
            self._send(429, {"error": True, "message": "Too many requests", "description": "Slow down"},
                       {"Retry-After": "1"})
        elif mode == "reset":
            self._drop()
        elif mode == "auth_expired":
            self._send(403, {"error": True, "message": "Invalid auth key", "description": "The auth_key has expired"})
        elif mode == "slow":
            time.sleep(fault["delay_ms"] / 1000)
            return False
        else:
            return False
        return True

    def _fault_after(self, fault: dict[str, Any]) -> bool:
        """Faults that strike after the request was processed and committed."""
        if fault["mode"] == "commit_then_reset":
            self._drop()
            return True
        if fault["mode"] == "garbage":
            self._send_raw(200, b"<html>Proxy error: upstream sent garbage\x00\xff", "text/html")
            return True
        return False

    def _send_raw(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _api(self, api: SandboxAPI, path: str, query: str, raw: bytes) -> Response:
        q = _flatten(parse_qs(query, keep_blank_values=True))
        form = _flatten(parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)) if raw else {}
        path_matched = False
        for verb, pattern, needs_auth, handler in _ROUTES:
            m = pattern.fullmatch(path)
            if not m:
                continue
            path_matched = True
            if verb != self.command:
                continue
            if needs_auth:
                denied = api.check_key(q.get("auth_key") or form.get("auth_key"))
                if denied:
                    return denied
            return handler(api, m, {**q, **form} if verb == "GET" else form)
        if path_matched:
            return error("Method not allowed", f"{self.command} is not supported on {path}", 405)
        return error("Not found", f"Unknown API method {path}", 404)

    def _control(self, api: SandboxAPI, path: str, raw: bytes) -> Response:
        if path == "/_sandbox/orders" and self.command == "GET":
            return api.control_orders()
        m = re.fullmatch(r"/_sandbox/orders/(\w+)", path)
        if m and self.command == "POST":
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return error("Invalid JSON", "the body must be a JSON object", 400)
            if not isinstance(body, dict):
                return error("Invalid JSON", "the body must be a JSON object", 400)
            return api.control_set_status(m.group(1), body)
        if path == "/_sandbox/faults" and self.command == "POST":
            try:
                spec = json.loads(raw or b"{}")
            except ValueError:
                return error("Invalid JSON", "the body must be a JSON object", 400)
            problem = self.server.faults.set(spec if isinstance(spec, dict) else {})
            if problem:
                return error("Invalid faults", problem, 400)
            return 200, {"success": True, "rules": self.server.faults.rules}
        if path == "/_sandbox/faults" and self.command == "DELETE":
            self.server.faults.clear()
            return 200, {"success": True}
        if path == "/_sandbox/clock" and self.command == "POST":
            try:
                clock = json.loads(raw or b"{}")
            except ValueError:
                return error("Invalid JSON", "the body must be a JSON object", 400)
            return api.control_clock(clock if isinstance(clock, dict) else {})
        if path == "/_sandbox/requests" and self.command == "GET":
            return 200, api.store.request_counts()
        if path == "/_sandbox/ca" and self.command == "GET":
            return 200, {"root_pem": api.ca.root_pem.decode(), "chain_pem": api.ca.chain_pem}
        return error("Not found", f"No such control endpoint {path}", 404)


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, api: SandboxAPI, latency_ms: float = 0.0):
        super().__init__((host, port), _Handler)
        self.api = api
        self.faults = Faults(latency_ms)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}/api"

    def start_background(self) -> threading.Thread:
        t = threading.Thread(target=self.serve_forever, name="gogetssl-sandbox", daemon=True)
        t.start()
        return t
