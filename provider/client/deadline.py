"""The overall deadline of one HTTP exchange: a watchdog that shuts its sockets, and the urllib3 pools that let it.

requests' own timeouts apply per socket read, so a server trickling a byte at a time could stretch a call
without bound: `Deadline` cuts the exchange at its deadline wherever it is (name lookup, connect, TLS
handshake, headers, body), and `DeadlineAdapter` is the requests adapter whose connections it can cut.
The same watchdog cuts the exchange when the caller's stop signal is set (Terraform's Ctrl-C): a read that
hangs would otherwise hold Terraform for the whole deadline.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError


class Deadline:
    """Cuts one HTTP exchange off at its deadline: a timer shuts down the sockets the exchange uses.

    The pool and connection classes below attach each socket to the deadline of the request running
    in their thread (`_active`): a pooled socket when it is checked out, a new one as soon as it is
    connected (before a TLS handshake, which a slow server could stretch as well).
    """

    def __init__(self, seconds: float, stop: threading.Event | None = None, poll: float = 0.25):
        """`stop`: cut the exchange as soon as it is set too, looking at it every `poll` seconds (a plain Event
        cannot wake two waiters' conditions at once)."""
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._expired = False
        self._done = False
        self._finished = threading.Event()
        self._stop = stop
        self._poll = poll
        self._watch = threading.Thread(target=self._run, name="gogetssl-deadline", daemon=True)
        self.ends = time.monotonic() + seconds
        #: the exchange was cut because `stop` was set (not because its deadline passed)
        self.stopped = False

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    @property
    def cut(self) -> bool:
        """The deadline passed or the stop was set: the exchange is being cut."""
        with self._lock:
            return self._expired

    def start(self) -> None:
        self._watch.start()

    def _run(self) -> None:
        while True:
            left = self.ends - time.monotonic()
            if left <= 0:
                self._fire()
                return
            if self._finished.wait(left if self._stop is None else min(left, self._poll)):
                return
            if self._stop is not None and self._stop.is_set():
                self._fire(stopped=True)
                return

    def cancel(self) -> bool:
        """Stop the watch; True when the deadline had passed or the stop was set (the exchange was, or may be,
        cut; `stopped` says which)."""
        self._finished.set()
        with self._lock:
            self._done = True
            self._socks.clear()
            return self._expired

    def attach(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self._done:
                return
            if not self._expired:
                self._socks.append(sock)
                return
        _shut(sock)

    def _fire(self, stopped: bool = False) -> None:
        with self._lock:
            if self._done:
                return
            self._expired = True
            self.stopped = stopped
            socks = list(self._socks)
        for sock in socks:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        # The plain socket's shutdown, also for an SSLSocket: the reading thread sees end-of-file at once,
        # and the TLS object it is using is left alone.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, ValueError, TypeError):
        pass


_active = threading.local()  # `.deadline`: the Deadline of the request this thread is running


def set_active(deadline: Deadline | None) -> None:
    """Make `deadline` the one the sockets of this thread's next exchange are attached to (None: none)."""
    _active.deadline = deadline


def _attach(sock: Any) -> None:
    deadline: Deadline | None = getattr(_active, "deadline", None)
    if deadline is not None and isinstance(sock, socket.socket):
        deadline.attach(sock)


def _resolve(host: str, port: int | None) -> list[str] | None:
    """The addresses of `host`, looked up within the running request's deadline (a resolver can take as
    long as it likes, and no socket exists yet for the watchdog to cut); None when there is nothing to
    bound (no deadline, or an address literal)."""
    deadline: Deadline | None = getattr(_active, "deadline", None)
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host.strip("[]"))
        return None
    except OSError:
        pass
    if deadline is None:
        return None
    found: dict[str, Any] = {}

    def look_up() -> None:
        try:
            found["infos"] = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        except Exception as exc:  # noqa: BLE001 - UnicodeError for an over-long label, ValueError for a NUL
            found["error"] = exc if isinstance(exc, OSError) else socket.gaierror(f"{type(exc).__name__}: {exc}")

    worker = threading.Thread(target=look_up, name="gogetssl-resolve", daemon=True)
    worker.start()
    while worker.is_alive() and deadline.remaining() > 0 and not deadline.cut:
        worker.join(min(deadline.remaining(), 0.25))  # a stop cuts the lookup too
    if worker.is_alive():
        raise ConnectTimeoutError(None, f"resolving {host} took longer than the request's deadline")
    if "error" in found or "infos" not in found:
        raise NameResolutionError(host, None, found.get("error") or socket.gaierror("no answer"))  # type: ignore[arg-type]
    return list(dict.fromkeys(str(info[4][0]) for info in found["infos"]))


def _connect_within_deadline(conn: HTTPConnection, connect: Callable[[], socket.socket]) -> socket.socket:
    """urllib3's connect, with the name looked up under the deadline and each address tried in turn."""
    addresses = _resolve(conn._dns_host, conn.port)  # noqa: SLF001 - urllib3's own connect target
    if not addresses:
        sock = connect()
    else:
        deadline: Deadline | None = getattr(_active, "deadline", None)
        original, timeout, last = conn._dns_host, conn.timeout, None  # noqa: SLF001
        for address in addresses:
            # Every address shares the one deadline: a dead address must not cost a full connect timeout each.
            left = deadline.remaining() if deadline is not None else None
            if left is not None and left <= 0:
                raise ConnectTimeoutError(conn, f"connecting to {original} took longer than the request's deadline")
            conn._dns_host = address  # noqa: SLF001 - the certificate is still checked against conn.host
            if left is not None:
                conn.timeout = left if not isinstance(timeout, (int, float)) else min(float(timeout), left)
            try:
                sock = connect()
                break
            except (NewConnectionError, ConnectTimeoutError) as exc:
                last = exc
            finally:
                conn._dns_host, conn.timeout = original, timeout  # noqa: SLF001
        else:
            assert last is not None
            raise last
    _attach(sock)
    return sock


class _DeadlineHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _connect_within_deadline(self, super()._new_conn)


class _DeadlineHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _connect_within_deadline(self, super()._new_conn)


class _DeadlineHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)
        _attach(getattr(conn, "sock", None))
        return conn


class _DeadlineHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)
        _attach(getattr(conn, "sock", None))
        return conn


_POOL_CLASSES = {"http": _DeadlineHTTPConnectionPool, "https": _DeadlineHTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter with pools whose connections the request's deadline can cut."""

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOL_CLASSES)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOL_CLASSES)
        return manager
