"""HTTP front of the sandbox: the vendor's encodings, request limits, and fault rules applied to API answers.

Which handler answers a path is routes.py's business; this module reads requests (a malformed one,
such as a bad Content-Length, gets a 4xx and the server keeps serving; request lines and headers
over the stdlib's limits get its 414 and 431), counts API requests, and lets the live fault rules
(faults.py) spoil, delay or replace an API answer the way a gateway or network between a client
and the vendor would.
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
from urllib.parse import urlsplit

from .core import Response, Sandbox, error
from .faults import FAULT_MODES, Faults
from .routes import API_PREFIX, CONTROL_PREFIX, Context, call_api, call_control

__all__ = ["FAULT_MODES", "MAX_BODY", "SandboxHTTPServer"]  # FAULT_MODES: tests import it from here

log = logging.getLogger("gogetssl.sandbox")

MAX_BODY = 1 << 20  # request bodies are form fields and a CSR: a megabyte is plenty
_JSON = "application/json; charset=utf-8"
_GATEWAY_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


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
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            self._serve_api(url.path, path, url.query, raw)
            return
        if path.startswith(CONTROL_PREFIX):
            status, body = _safely(lambda: call_control(self.server.context, self.command, path, raw))
        else:
            status, body = error("Not found", f"No such path {url.path}", 404)
        self._send(status, body)

    def _serve_api(self, full_path: str, path: str, query: str, raw: bytes) -> None:
        context, faults, verb = self.server.context, self.server.faults, self.command
        context.sandbox.store.count_request(f"{verb} {full_path}")
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        fault = faults.take(full_path) or {}
        mode = fault.get("mode", "")

        def process() -> Response:
            return call_api(context, verb, path, query, raw)

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


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # tests open a burst of concurrent connections

    def __init__(self, host: str, port: int, sandbox: Sandbox, latency_ms: float = 0.0):
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)
        self.sandbox = sandbox
        self.faults = Faults(latency_ms)
        self.context = Context(sandbox, self.faults)

    @property
    def authority(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.authority}{API_PREFIX}"
