"""The client against misbehaving local servers: trickled answers, revoked keys under load, failing catalogues,
redirects, untrusted TLS, and one requests.Session per thread.

Each test starts its own server on 127.0.0.1, port 0 (`LocalServer`); nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tf.utils import Diagnostics

from provider.client import ClientSettings, GoGetSSLClient, errors
from provider.provider import GoGetSSLProvider


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is visible
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.form = parse_qs(self.rfile.read(length).decode()) if length else {}
        split = urlsplit(self.path)
        self.route, self.query = split.path, parse_qs(split.query)
        with self.server.lock:
            self.server.hits[f"{self.command} {self.route}"] += 1
            self.server.peers.append((self.route, self.client_address[1], threading.get_ident()))
        self.server.app(self)

    do_GET = do_POST = _handle

    def answer(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # ten threads connect at once: the default backlog (5) would drop some SYNs

    def __init__(self, app: Callable[[Handler], None]):
        super().__init__(("127.0.0.1", 0), Handler)
        self.app = app
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self.peers: list[tuple[str, int, int]] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up (the deadline at work) are expected here


class LocalServer:
    """A threaded HTTP(S) server on 127.0.0.1 answering with `app(handler)`."""

    def __init__(self, app: Callable[[Handler], None], tls: ssl.SSLContext | None = None):
        self.httpd = _Server(app)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}/api"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def hits(self) -> Counter[str]:
        return self.httpd.hits

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., LocalServer]]:
    servers: list[LocalServer] = []

    def start(app: Callable[[Handler], None], tls: ssl.SSLContext | None = None) -> LocalServer:
        servers.append(LocalServer(app, tls))
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


def keys_from(counter: Counter[str]) -> Callable[[Handler], bool]:
    """Answers POST /auth/ with key-1, key-2, ...; True when it did."""
    lock = threading.Lock()

    def auth(h: Handler) -> bool:
        if h.route != "/api/auth/":
            return False
        with lock:
            counter["issued"] += 1
            key = f"key-{counter['issued']}"
        h.answer({"key": key, "success": True})
        return True

    return auth


# -- E. an overall deadline per request --

@pytest.mark.parametrize("trickle_headers, tls", [(False, False), (True, False), (False, True)],
                         ids=["body", "headers", "body-over-tls"])
def test_a_trickled_answer_is_cut_at_the_overall_deadline(serve, trickle_headers: bool, tls: bool,
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    issued: Counter[str] = Counter()
    auth = keys_from(issued)
    body = json.dumps({"balance": "12.50", "currency": "EUR", "success": True, "pad": "x" * 80}).encode()

    def app(h: Handler) -> None:
        if auth(h):
            return
        issued["balance"] += 1
        if issued["balance"] > 1:  # only the first answer trickles
            h.answer({"balance": "7.00", "currency": "EUR", "success": True})
            return
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode()
        if not trickle_headers:
            h.wfile.write(head)
            h.wfile.flush()
        for byte in (head if trickle_headers else b"") + body:  # one byte every 50 ms: ~6 s in all
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(0.05)

    context = None
    if tls:
        context = self_signed_context(tmp_path)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "cert.pem"))  # trust it, this once
    server = serve(app, tls=context)
    client = GoGetSSLClient(ClientSettings(server.url, "u", "pw-1234", read_timeout=5, total_timeout=1.0,
                                           max_retries=0))
    started = time.monotonic()
    with pytest.raises(errors.RequestTimeout) as info:
        client.account.balance()
    elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 1.0, elapsed
    assert info.value.outcome_unknown and "within 1s" in str(info.value)
    assert "may have been processed" in str(info.value)
    assert client.account.balance().balance == 7.0  # the cut connection is not reused


def test_a_prompt_answer_is_not_affected_by_the_deadline_and_the_connection_is_reused(serve):
    issued: Counter[str] = Counter()
    auth = keys_from(issued)

    def app(h: Handler) -> None:
        if not auth(h):
            h.answer({"balance": "1.00", "currency": "EUR", "success": True})

    server = serve(app)
    client = GoGetSSLClient(ClientSettings(server.url, "u", "pw-1234", total_timeout=1.0))
    for _ in range(3):
        assert client.account.balance().balance == 1.0
    time.sleep(1.3)  # past every deadline set so far: no watchdog may cut the pooled connection
    assert client.account.balance().balance == 1.0
    ports = {port for _route, port, _t in server.httpd.peers}
    assert len(ports) == 1  # one keep-alive connection for all five requests


# -- F. one re-authentication at a time, one session per thread --

def test_ten_threads_refused_together_renew_the_key_once(serve):
    issued: Counter[str] = Counter()
    auth = keys_from(issued)
    together = threading.Barrier(10)

    def app(h: Handler) -> None:
        if auth(h):
            return
        if h.query.get("auth_key") == ["key-1"]:  # the vendor revoked the first key
            try:
                together.wait(timeout=5)  # every thread is refused at the same moment
            except threading.BrokenBarrierError:
                pass
            h.answer({"error": True, "message": "Auth key is not valid", "description": "revoked"}, status=403)
            return
        h.answer({"balance": "3.00", "currency": "EUR", "success": True})

    server = serve(app)
    client = GoGetSSLClient(ClientSettings(server.url, "u", "pw-1234"))
    results: list[Any] = []
    start = threading.Barrier(10)

    def read() -> None:
        start.wait()
        try:
            results.append(client.account.balance().balance)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results.append(exc)

    threads = [threading.Thread(target=read) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [3.0] * 10
    assert server.hits["POST /api/auth/"] == 2  # the first login and one renewal


def test_each_thread_has_its_own_session(serve):
    issued: Counter[str] = Counter()
    auth = keys_from(issued)

    def app(h: Handler) -> None:
        if not auth(h):
            h.answer({"balance": "1.00", "currency": "EUR", "success": True})

    server = serve(app)
    client = GoGetSSLClient(ClientSettings(server.url, "u", "pw-1234"))

    def two_reads() -> None:
        client.account.balance()
        client.account.balance()

    for _ in range(2):  # one after the other: a shared pool would hand the second thread the first's connection
        t = threading.Thread(target=two_reads)
        t.start()
        t.join(10)
    ports = [port for route, port, _t in server.httpd.peers if route == "/api/account/balance/"]
    assert len(ports) == 4
    assert ports[0] == ports[1] and ports[2] == ports[3]  # keep-alive within a thread
    assert ports[0] != ports[2]  # never across threads


def test_catalogue_is_fetched_by_one_thread_while_the_others_wait_for_its_outcome(serve):
    def app(h: Handler) -> None:
        if h.route == "/api/auth/":
            h.answer({"key": "key-1", "success": True})
            return
        time.sleep(0.2)  # a slow failure: every thread asks while the first fetch is in flight
        h.answer(b"<html>Internal Server Error</html>", status=500)

    server = serve(app)
    provider = GoGetSSLProvider()
    diags = Diagnostics()
    provider.configure_provider(diags, {"api_url": server.url, "username": "u", "password": "pw-1234",
                                        "max_retries": 1, "request_timeout": 5})
    assert not diags.has_errors(), diags
    outcomes: list[Any] = []
    start = threading.Barrier(10)

    def ask() -> None:
        start.wait()
        try:
            outcomes.append(provider.catalogue())
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            outcomes.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(outcomes) == 10 and all(isinstance(o, errors.ServerError) for o in outcomes), outcomes
    assert server.hits["GET /api/products/ssl/"] <= 1 + 1  # one fetch: the first try and one retry

    before = server.hits["GET /api/products/ssl/"]
    with pytest.raises(errors.ServerError):
        provider.catalogue()  # a later call may try again
    assert server.hits["GET /api/products/ssl/"] > before


def test_catalogue_waiters_share_the_result(serve):
    def app(h: Handler) -> None:
        if h.route == "/api/auth/":
            h.answer({"key": "key-1", "success": True})
            return
        time.sleep(0.2)
        h.answer({"products": [{"id": "65", "product": "PositiveSSL"}], "success": True})

    server = serve(app)
    provider = GoGetSSLProvider()
    diags = Diagnostics()
    provider.configure_provider(diags, {"api_url": server.url, "username": "u", "password": "pw-1234"})
    outcomes: list[Any] = []
    threads = [threading.Thread(target=lambda: outcomes.append(provider.catalogue())) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(outcomes) == 10 and all(o is outcomes[0] for o in outcomes) and set(outcomes[0]) == {65}
    assert server.hits["GET /api/products/ssl/"] == 1


def test_the_provider_keeps_the_password_and_every_auth_key_out_of_the_logs(serve):
    from provider.logs import REDACTOR

    key = f"key-{uuid.uuid4().hex}"
    password = f"pw-{uuid.uuid4().hex}"

    def app(h: Handler) -> None:
        if h.route == "/api/auth/":
            h.answer({"key": key, "success": True})
        else:
            h.answer({"balance": "1.00", "currency": "EUR", "success": True})

    server = serve(app)
    provider = GoGetSSLProvider()
    provider.configure_provider(Diagnostics(), {"api_url": server.url, "username": "u", "password": password})
    assert REDACTOR.redact(f"p={password}") == "p=REDACTED"
    provider.client.account.balance()
    assert REDACTOR.redact(f"k={key}") == "k=REDACTED"


# -- G. redirects and TLS --

def test_a_post_answered_with_a_redirect_is_sent_once(serve):
    def app(h: Handler) -> None:
        if h.route == "/api/auth/":
            h.answer({"key": "key-1", "success": True})
        else:
            h.answer(b"", status=307, headers={"Location": "https://elsewhere.test/api/orders/add_ssl_order/?x=1"})

    server = serve(app)
    client = GoGetSSLClient(ClientSettings(server.url, "u", "pw-1234", max_retries=3, sleep=lambda s: None))
    with pytest.raises(errors.HTTPStatusError) as info:
        client.orders.cancel(5, "test")
    assert server.hits["POST /api/orders/cancel_ssl_order/"] == 1
    assert info.value.outcome_unknown is False
    assert "HTTP 307 (a redirect to https://elsewhere.test/api/orders/add_ssl_order/)" in str(info.value)


def self_signed_context(tmp_path: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return ctx


def test_an_untrusted_certificate_is_a_tls_error_and_nothing_is_sent(serve, tmp_path: Path):
    server = serve(lambda h: h.answer({"key": "key-1", "success": True}), tls=self_signed_context(tmp_path))
    sleeps: list[float] = []
    client = GoGetSSLClient(ClientSettings(server.url, "u", "pw-1234", max_retries=3, sleep=sleeps.append))
    with pytest.raises(errors.TLSError) as info:
        client.account.balance()
    message = str(info.value)
    assert "TLS verification of 127.0.0.1" in message and "the request was not sent" in message
    assert "may have been processed" not in message and info.value.outcome_unknown is False
    assert sum(server.hits.values()) == 0 and sleeps == []
