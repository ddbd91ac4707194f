"""HTTP transport for the GoGetSSL v1 API: authentication, the auth key, encodings, deadlines, error mapping.

Owns the rules every call shares:

- `POST /auth/` for a key, cached for the life of the process and renewed when the server refuses
  it (401/403): one renewal at a time, and only if the refused key is still the current one, so ten
  threads refused together cause one `/auth/`, not ten.
- The key travels as the `auth_key` query parameter; bodies are form-encoded; any answer (HTTP 200
  included) whose JSON says `"error": true` is an error.
- Every HTTP request has an overall deadline (`ClientSettings.total_timeout`) covering connect,
  headers and body: requests' own timeouts apply per socket read, so a server trickling a byte at a
  time could stretch a call without bound. A watchdog shuts the socket down at the deadline.
- Redirects are never followed (the password and key would go wherever a 3xx points, and a POST
  would be sent again); a 3xx is an error telling the user to fix api_url.
- One requests.Session per thread (Terraform calls the provider from many threads; a Session is not
  documented as thread-safe), with the same headers and adapter.
- Nothing but the client's own exceptions leaves `call()`, and nothing that came from the network
  reaches an exception or a log line unredacted (the password, every auth key, secret-shaped text).

It never retries on its own account beyond `max_retries` of what is safe: whether a request may be
repeated is decided per request (a new order costs money).
"""

from __future__ import annotations

import json
import logging
import random
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from . import errors
from .safety import SecretSet

log = logging.getLogger("gogetssl.client")

#: the vendor's answer for an unknown order or product: the only thing that is a NotFoundError (errors.py)
_NOT_FOUND = re.compile(r"^\s*(order|product)\s+not\s+found\s*\.?\s*$", re.IGNORECASE)
_ERROR_FLAGS = (True, 1, "1", "true")
_MAX_BODY_IN_ERROR = 200
_MAX_VENDOR_TEXT = 1000
# A TLS failure during the handshake happens before a byte of the request is sent.
_TLS_VERIFY = re.compile(r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSLCertVerificationError|"
                         r"CertificateError|hostname .*doesn't match", re.IGNORECASE)
_TLS_HANDSHAKE = re.compile(r"WRONG_VERSION_NUMBER|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|"
                            r"NO_SHARED_CIPHER|HANDSHAKE_FAILURE|TLSV1_ALERT_[A-Z_]+|SSLV3_ALERT_[A-Z_]+|"
                            r"UNKNOWN_CA|TLSV1_UNRECOGNIZED_NAME", re.IGNORECASE)


def _ignore_secret(_value: str) -> None:
    pass


@dataclass(frozen=True)
class ClientSettings:
    """Every tunable of the client, in one place."""

    api_url: str
    username: str = field(repr=False)
    password: str = field(repr=False)
    connect_timeout: float = 10.0
    #: per socket read: how long the server may stay silent
    read_timeout: float = 60.0
    #: overall deadline of one HTTP request (connect, headers and body); None: read_timeout
    total_timeout: float | None = None
    user_agent: str = "terraform-provider-gogetssl"
    #: retries of a request that is safe to repeat (reads, rechecks); writes that spend money never
    #: repeat unless the request certainly did not reach the server
    max_retries: int = 3
    backoff_initial: float = 0.5
    backoff_cap: float = 10.0
    retry_after_cap: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)
    #: told every secret the client holds (the password, each auth key it receives), e.g. to keep them
    #: out of logs; the client itself never imports the provider's logging
    on_secret: Callable[[str], None] = field(default=_ignore_secret, repr=False, compare=False)

    @property
    def deadline(self) -> float:
        return self.total_timeout if self.total_timeout is not None else self.read_timeout


@dataclass
class _Login:
    """One login in progress: the threads waiting for it get its key or its error."""

    done: threading.Event = field(default_factory=threading.Event)
    key: str | None = None
    error: errors.GoGetSSLError | None = None


@dataclass
class _Progress:
    """Whether a call's request may have left this process (for errors nobody foresaw)."""

    sent: bool = False


class Transport:
    def __init__(self, settings: ClientSettings, session: requests.Session | None = None):
        """`session`: a Session to use from every thread (the caller answers for that, and its adapters
        decide how far the deadline can cut an exchange); by default each thread gets its own."""
        self.settings = settings
        self.base = settings.api_url.rstrip("/")
        self._shared_session = session
        if session is not None:
            session.headers["User-Agent"] = settings.user_agent
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._key: str | None = None
        self._key_lock = threading.Lock()
        self._login_flight: _Login | None = None
        self._secrets = SecretSet()
        self._learn_secret(settings.password)

    def __repr__(self) -> str:
        return f"Transport({self.base!r})"

    def close(self) -> None:
        """Close every session this transport opened (their pooled connections)."""
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for s in sessions:
            s.close()

    def redact(self, text: str) -> str:
        """`text` without any secret this transport knows of, or anything shaped like one."""
        return self._secrets.redact(text)

    def _learn_secret(self, value: str) -> None:
        if self._secrets.add(value):
            self.settings.on_secret(value)

    def _session(self) -> requests.Session:
        if self._shared_session is not None:
            return self._shared_session
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self.settings.user_agent
            adapter = _DeadlineAdapter()
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    # -- auth --
    def _auth_key(self, refused: str | None = None) -> str:
        """The current auth key; a new one when there is none, or when `refused` (the key the server just
        refused) is still the current one. One login at a time, never under a lock: threads that need a
        key while another logs in wait for that login's key or error, each within its own deadline, so a
        stuck /auth/ costs every request one deadline, not one per thread ahead of it."""
        deadline = time.monotonic() + self.settings.deadline
        with self._key_lock:
            if self._key is not None and (refused is None or self._key != refused):
                return self._key
            flight = self._login_flight
            leader = flight is None
            if flight is None:
                flight = self._login_flight = _Login()
        if not leader:
            if not flight.done.wait(max(0.0, deadline - time.monotonic())):
                raise errors.ConnectError(f"POST /auth/: no key within {self.settings.deadline:g}s (another "
                                          "request is still logging in); the request was not sent")
            if flight.error is not None:
                raise flight.error
            if flight.key is None:
                raise errors.ConnectError("POST /auth/: the login gave no key; the request was not sent")
            return flight.key
        try:
            flight.key = self._login()
            with self._key_lock:
                self._key = flight.key
            return flight.key
        except errors.GoGetSSLError as exc:
            flight.error = exc
            raise
        except BaseException as exc:  # the waiters must learn of it too, as a client error
            flight.error = errors.ConnectError(
                f"POST /auth/: logging in failed ({type(exc).__name__}); the request was not sent")
            raise
        finally:
            with self._key_lock:
                self._login_flight = None
            flight.done.set()

    def _login(self) -> str:
        try:
            body = self._send("POST", "/auth/", form={"user": self.settings.username,
                                                      "pass": self.settings.password})
        except errors.APIError as exc:
            raise errors.AuthError(exc.message or "Authentication failed", exc.description,
                                   status_code=exc.status_code, path="/auth/") from None
        key = body.get("key")
        if not isinstance(key, str) or not key:
            raise errors.ResponseFormatError("POST /auth/ answered without an auth key")
        self._learn_secret(key)  # the key is a secret too: keep it out of every message and log line
        return key

    # -- calls --
    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.call("GET", path, params=params, idempotent=True)

    def post(self, path: str, form: dict[str, str], *, idempotent: bool = False) -> dict[str, Any]:
        """POST a form. `idempotent` marks calls safe to repeat (reads and rechecks): only those retry
        after an uncertain failure; a write that spends money retries only when it certainly was not sent."""
        return self.call("POST", path, form=form, idempotent=idempotent)

    def call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, form: dict[str, str] | None = None,
        idempotent: bool = False,
    ) -> dict[str, Any]:
        """Make an authenticated call with the retry policy; return the JSON object, or raise from errors.
        Raises nothing but errors.GoGetSSLError."""
        progress = _Progress()
        try:
            return self._call_with_retries(method, path, params=params, form=form, idempotent=idempotent,
                                           progress=progress)
        except errors.GoGetSSLError:
            raise
        except Exception as exc:  # noqa: BLE001 - mapped: only the client's exceptions leave the client
            raise self._unexpected(f"{method} {path}", exc, progress.sent) from None

    def _call_with_retries(
        self, method: str, path: str, *, params: dict[str, Any] | None, form: dict[str, str] | None,
        idempotent: bool, progress: _Progress,
    ) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                return self._call_once(method, path, params=params, form=form, progress=progress)
            except (errors.TransportError, errors.HTTPStatusError, errors.ResponseFormatError,
                    errors.APIError) as exc:
                if attempt >= self.settings.max_retries or not _retryable(exc, idempotent):
                    raise
                delay = self._backoff(attempt, exc)
                log.info("%s %s failed (%s); retry %d of %d in %.1fs", method, path, type(exc).__name__,
                         attempt + 1, self.settings.max_retries, delay)
                self.settings.sleep(delay)
                attempt += 1

    def _unexpected(self, where: str, exc: BaseException, sent: bool) -> errors.UnexpectedError:
        log.debug("%s: unexpected failure inside the client:\n%s", where,
                  self.redact("".join(traceback.format_exception(exc))))
        detail = _snippet(self.redact(str(exc)))
        text = f"{where}: unexpected {type(exc).__name__} inside the client" + (f" ({detail})" if detail else "")
        if sent:
            text += " (the request may have been processed)"
        return errors.UnexpectedError(text, sent=sent)

    def _backoff(self, attempt: int, exc: Exception) -> float:
        """Capped exponential backoff with full jitter; at least what Retry-After asked for."""
        ceiling = min(self.settings.backoff_cap, self.settings.backoff_initial * (2 ** attempt))
        delay = ceiling * self.settings.random()
        if isinstance(exc, errors.RateLimited) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, self.settings.retry_after_cap))
        return delay

    def _call_once(
        self, method: str, path: str, *, params: dict[str, Any] | None, form: dict[str, str] | None,
        progress: _Progress,
    ) -> dict[str, Any]:
        try:
            key = self._auth_key()
        except (errors.AuthError, errors.ConnectError):
            raise  # refused credentials; or nothing sent at all (TLS, no connection)
        except errors.GoGetSSLError as exc:
            # Whatever /auth/ did, this request never left: a paid request is not in doubt.
            raise errors.ConnectError(f"{method} {path}: not sent, logging in failed ({exc})") from None
        try:
            return self._send(method, path, params={**(params or {}), "auth_key": key}, form=form,
                              progress=progress)
        except errors.APIError as exc:
            if exc.status_code not in (401, 403):
                raise
        # The key expired or was revoked: a refused request was not processed, so one retry with a
        # fresh key is safe even for writes.
        log.info("auth key refused on %s %s; authenticating again", method, path)
        key = self._auth_key(refused=key)
        try:
            return self._send(method, path, params={**(params or {}), "auth_key": key}, form=form,
                              progress=progress)
        except errors.APIError as again:
            if again.status_code in (401, 403):
                raise errors.AuthError(again.message, again.description, status_code=again.status_code,
                                       path=path) from None
            raise

    def _send(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, form: dict[str, str] | None = None,
        progress: _Progress | None = None,
    ) -> dict[str, Any]:
        """One HTTP exchange under the deadline; the answer's JSON object, or the error it means."""
        url = self.base + path
        where = f"{method} {path}"
        s = self.settings
        deadline = s.deadline
        timeout = (min(s.connect_timeout, deadline), min(s.read_timeout, deadline))
        session = self._session()
        log.debug("request %s", where)
        watch = _Deadline(deadline)
        _active.deadline = watch
        watch.start()
        try:
            if progress is not None:
                progress.sent = True  # from here on, the server may see the request
            resp, raw = self._exchange(session, method, url, params, form, timeout, where, watch)
        except errors.ConnectError:
            raise  # nothing was sent, deadline or not
        except Exception:
            if watch.cancel():
                raise self._deadline_error(where) from None
            raise
        finally:
            expired = watch.cancel()  # always stop the watch (it only reports after the first call)
            _active.deadline = None
        if expired:  # the deadline cut in: the answer may be short, do not trust it
            resp.close()
            raise self._deadline_error(where)
        return self._interpret(resp, raw, method, path)

    def _exchange(
        self, session: requests.Session, method: str, url: str, params: dict[str, Any] | None,
        form: dict[str, str] | None, timeout: tuple[float, float], where: str, watch: _Deadline,
    ) -> tuple[requests.Response, bytes]:
        try:
            resp = session.request(method, url, params=params, data=form, timeout=timeout, stream=True,
                                   allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            raise self._transport_error(exc, where, watch, before_answer=True) from None
        try:
            return resp, _read_capped(resp, self.settings.max_body_bytes, where)
        except requests.exceptions.RequestException as exc:
            resp.close()
            raise self._transport_error(exc, where, watch, before_answer=False) from None
        except BaseException:
            resp.close()
            raise

    def _interpret(self, resp: requests.Response, raw: bytes, method: str, path: str) -> dict[str, Any]:
        where = f"{method} {path}"
        status = resp.status_code
        log.debug("response %s -> HTTP %s", where, status)
        try:
            body = json.loads(raw)
        except Exception:  # noqa: BLE001 - not JSON, whatever json says (RecursionError on deep nesting)
            body = None

        if status == 429:  # refused before processing, whatever the body says
            raise errors.RateLimited(f"{where}: rate limited (HTTP 429)", retry_after=_retry_after(resp))
        if 300 <= status < 400:
            raise errors.HTTPStatusError(f"{where}: answered HTTP {status} ({self._redirect_target(resp, path)}); "
                                         "redirects are not followed: set api_url to the final address",
                                         status_code=status)
        if isinstance(body, dict) and body.get("error") in _ERROR_FLAGS:
            message, description = _text(body.get("message")), _text(body.get("description"))
            clean_message = self.redact(message)[:_MAX_VENDOR_TEXT]
            clean_description = self.redact(description)[:_MAX_VENDOR_TEXT]
            found = _NOT_FOUND.match(message)
            if found and status not in (401, 403) and status < 500:
                raise errors.NotFoundError(clean_message, clean_description, status_code=status, path=path,
                                           what=found.group(1).lower())
            # 401/403 stay plain APIErrors: the caller renews the key first
            raise errors.APIError(clean_message, clean_description, status_code=status, path=path)

        if status >= 500:
            raise errors.ServerError(f"{where}: server error HTTP {status}", status_code=status)
        if status >= 400:
            if status in (401, 403):
                raise errors.APIError("Unauthorized", f"HTTP {status}", status_code=status, path=path)
            raise errors.HTTPStatusError(f"{where}: HTTP {status}", status_code=status)
        text = raw.decode("utf-8", "replace")
        if body is None:
            raise errors.ResponseFormatError(
                f"{where}: the answer is not JSON (HTTP {status}): {self._snippet(text)}", body_text=text)
        if not isinstance(body, dict):
            raise errors.ResponseFormatError(f"{where} answered with JSON that is not an object", body_text=text)
        return body

    def _transport_error(self, exc: requests.exceptions.RequestException, where: str, watch: _Deadline,
                         *, before_answer: bool) -> errors.GoGetSSLError:
        """The client's error for what requests raised; `before_answer`: raised before any of the answer."""
        if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                            requests.exceptions.InvalidSchema, requests.exceptions.URLRequired)):
            return errors.ConnectError(f"{where}: api_url is not a usable URL ({type(exc).__name__})")
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            # the deadline cannot cause this: a socket is watched only once it is connected
            return errors.ConnectError(f"{where}: timed out connecting to {self._host()}")
        if watch.cancel():
            return self._deadline_error(where)
        text = repr(exc)
        if isinstance(exc, requests.exceptions.ReadTimeout) or (
                not before_answer and "Read timed out" in text):
            return errors.RequestTimeout(
                f"{where}: no answer within {self.settings.read_timeout:g}s (the request may have been processed)")
        if isinstance(exc, requests.exceptions.SSLError) and before_answer:
            tls = self._tls_error(text, where)
            if tls is not None:
                return tls
        if isinstance(exc, requests.exceptions.ConnectionError) and before_answer and _never_connected(exc):
            return errors.ConnectError(f"{where}: cannot connect to {self._host()}")
        if isinstance(exc, requests.exceptions.ConnectionError):
            return errors.ConnectionLost(
                f"{where}: the connection was closed before an answer arrived (the request may have been processed)")
        return errors.ConnectionLost(f"{where}: {type(exc).__name__} (the request may have been processed)")

    def _tls_error(self, text: str, where: str) -> errors.TLSError | None:
        """A TLSError when the failure is one of the handshake (nothing sent yet); None when unsure."""
        if _TLS_VERIFY.search(text):
            m = re.search(r"certificate verify failed: (.*?)\s*(?:\(_ssl\.c:\d+\)|['\"]\)|$)", text)
            reason = m.group(1).strip().rstrip(".") if m else "the server's certificate is not trusted"
            return errors.TLSError(f"{where}: TLS verification of {self._hostname()} failed: "
                                   f"{self.redact(reason)[:_MAX_BODY_IN_ERROR]}; the request was not sent")
        m = _TLS_HANDSHAKE.search(text)
        if m:
            reason = m.group(0).lower().replace("_", " ")
            return errors.TLSError(f"{where}: TLS handshake with {self._hostname()} failed: {reason}; "
                                   "the request was not sent")
        return None

    def _deadline_error(self, where: str) -> errors.RequestTimeout:
        return errors.RequestTimeout(f"{where}: no complete answer within {self.settings.deadline:g}s "
                                     "(the request may have been processed)")

    def _redirect_target(self, resp: requests.Response, path: str) -> str:
        location = resp.headers.get("Location")
        if not location:
            return "a redirect without a location"
        try:
            parts = urlsplit(urljoin(self.base + path, location))
            host = parts.hostname or ""
            if ":" in host:
                host = f"[{host}]"
            netloc = host + (f":{parts.port}" if parts.port else "")
            target = f"{parts.scheme}://{netloc}{parts.path}"  # no query (it may carry a key), no user info
        except ValueError:
            target = "an unreadable location"
        return f"a redirect to {self.redact(target)[:_MAX_BODY_IN_ERROR]}"

    def _snippet(self, text: str) -> str:
        # Redact before cutting, so a secret straddling the cut is still found whole (an error path: the
        # cost of redacting a whole answer does not matter).
        return _snippet(self.redact(text))

    def _host(self) -> str:
        return re.sub(r"^[a-z]+://", "", self.base).split("/")[0]

    def _hostname(self) -> str:
        try:
            return urlsplit(self.base).hostname or self._host()
        except ValueError:
            return self._host()


def _retryable(exc: Exception, idempotent: bool) -> bool:
    if isinstance(exc, errors.TLSError):
        return False  # an untrusted certificate stays untrusted
    if isinstance(exc, errors.ConnectError):
        return True  # nothing was sent: safe for any request
    if isinstance(exc, errors.RateLimited):
        return True  # refused before processing
    if isinstance(exc, errors.APIError):
        return idempotent and exc.status_code >= 500
    if isinstance(exc, (errors.TransportError, errors.ServerError, errors.ResponseFormatError)):
        return idempotent
    return False


def _text(value: Any) -> str:
    if value is None or value is False:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)[:_MAX_VENDOR_TEXT]
    except Exception:  # noqa: BLE001 - a vendor text we cannot print is no text
        return ""


def _read_capped(resp: requests.Response, limit: int, where: str) -> bytes:
    chunks, size = [], 0
    for chunk in resp.iter_content(64 * 1024):
        size += len(chunk)
        chunks.append(chunk)
        if size > limit:
            resp.close()
            raise errors.ResponseFormatError(f"{where}: the answer is larger than {limit // (1024 * 1024)} MiB",
                                             body_text=b"".join(chunks)[:limit].decode("utf-8", "replace"))
    return b"".join(chunks)


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    text = repr(exc)
    return any(s in text for s in ("NewConnectionError", "Connection refused", "Name or service not known",
                                   "nodename nor servname", "Failed to resolve", "No route to host",
                                   "NameResolutionError"))


def _retry_after(resp: requests.Response) -> float | None:
    try:
        return float(resp.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _snippet(text: str) -> str:
    flat = " ".join((text or "").split())
    return flat[:_MAX_BODY_IN_ERROR] + ("…" if len(flat) > _MAX_BODY_IN_ERROR else "")


# -- the overall deadline --

class _Deadline:
    """Cuts one HTTP exchange off at its deadline: a timer shuts down the sockets the exchange uses.

    The pool and connection classes below attach each socket to the deadline of the request running
    in their thread (`_active`): a pooled socket when it is checked out, a new one as soon as it is
    connected (before a TLS handshake, which a slow server could stretch as well).
    """

    def __init__(self, seconds: float):
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._expired = False
        self._done = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> bool:
        """Stop the watch; True when the deadline had already passed (the exchange was, or may be, cut)."""
        self._timer.cancel()
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

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self._expired = True
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


_active = threading.local()  # `.deadline`: the _Deadline of the request this thread is running


def _attach(sock: Any) -> None:
    deadline: _Deadline | None = getattr(_active, "deadline", None)
    if deadline is not None and isinstance(sock, socket.socket):
        deadline.attach(sock)


def _resolve(host: str, port: int | None) -> list[str] | None:
    """The addresses of `host`, looked up within the running request's deadline (a resolver can take as
    long as it likes, and no socket exists yet for the watchdog to cut); None when there is nothing to
    bound (no deadline, or an address literal)."""
    deadline: _Deadline | None = getattr(_active, "deadline", None)
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
    worker.join(deadline.remaining())
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
        deadline: _Deadline | None = getattr(_active, "deadline", None)
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


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter with pools whose connections the request's deadline can cut."""

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOL_CLASSES)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOL_CLASSES)
        return manager
