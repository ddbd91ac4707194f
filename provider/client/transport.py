"""HTTP transport for the GoGetSSL v1 API: sessions, secrets, and one authenticated call under its deadline.

Owns the rules every call shares; the parts live beside it:

- `POST /auth/` for a key, cached and renewed when the server refuses it (401/403) by `auth.AuthKeys`; once
  the credentials themselves are refused (by /auth/, or a fresh key refused again) every later call fails at
  once with that refusal, without a request.
- The key travels as the `auth_key` query parameter; bodies are form-encoded; `answers` turns the
  answer into its JSON object or the error it means, `failures` what requests raised into the client's.
- Every HTTP request has an overall deadline (`ClientSettings.total_timeout`) covering connect,
  headers and body (`deadline`); once `ClientSettings.stop` is set (Ctrl-C) nothing more is sent, and a
  read in flight is abandoned within STOP_POLL seconds (a write in flight is let finish: its answer is
  what tells whether money was spent).
- Redirects are never followed (the password and key would go wherever a 3xx points, and a POST
  would be sent again); a 3xx is an error telling the user to fix api_url.
- One requests.Session per thread (Terraform calls the provider from many threads; a Session is not
  documented as thread-safe), with the same headers and adapter.
- Nothing but the client's own exceptions leaves `call()`, and nothing that came from the network
  reaches an exception or a log line unredacted (the password, every auth key, secret-shaped text).

It never retries on its own account beyond `max_retries` of what is safe (`retry`): whether a request
may be repeated is decided per request (a new order costs money).
"""

from __future__ import annotations

import logging
import threading
import traceback
from dataclasses import dataclass
from typing import Any

import requests

from . import errors
from .answers import interpret, read_capped, snippet
from .auth import AuthKeys
from .deadline import Deadline, DeadlineAdapter, set_active
from .failures import cut_error, stopped_error, transport_error
from .retry import with_retries
from .safety import SecretSet
from .settings import STOP_POLL, ClientSettings

__all__ = ["ClientSettings", "Transport"]

log = logging.getLogger("gogetssl.client")


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
        self._keys = AuthKeys(self._login, settings.deadline)
        self._refused: errors.AuthError | None = None  # the credentials' refusal, once GoGetSSL said no
        self._refused_lock = threading.Lock()
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
            adapter = DeadlineAdapter()
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _login(self) -> str:
        try:
            body = self._send("POST", "/auth/", form={"user": self.settings.username,
                                                      "pass": self.settings.password})
        except errors.APIError as exc:
            raise errors.AuthError(exc.message or "Authentication failed", exc.description,
                                   status_code=exc.status_code) from None
        key = body.get("key")
        if not isinstance(key, str) or not key:
            raise errors.ResponseFormatError("POST /auth/ answered without an auth key")
        self._learn_secret(key)  # the key is a secret too: keep it out of every message and log line
        return key

    def login(self) -> None:
        """Hold an auth key (log in unless one is held)."""
        self._keys.current()

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
            return with_retries(self.settings, f"{method} {path}", idempotent,
                                lambda: self._call_once(method, path, params=params, form=form, progress=progress,
                                                        idempotent=idempotent))
        except errors.GoGetSSLError:
            raise
        except Exception as exc:  # noqa: BLE001 - mapped: only the client's exceptions leave the client
            raise self._unexpected(f"{method} {path}", exc, progress.sent) from None

    def _unexpected(self, where: str, exc: BaseException, sent: bool) -> errors.UnexpectedError:
        log.debug("%s: unexpected failure inside the client:\n%s", where,
                  self.redact("".join(traceback.format_exception(exc))))
        detail = snippet(self.redact(str(exc)))
        text = f"{where}: unexpected {type(exc).__name__} inside the client" + (f" ({detail})" if detail else "")
        if sent:
            text += " (the request may have been processed)"
        return errors.UnexpectedError(text, sent=sent)

    def _call_once(
        self, method: str, path: str, *, params: dict[str, Any] | None, form: dict[str, str] | None,
        progress: _Progress, idempotent: bool,
    ) -> dict[str, Any]:
        if self._refused is not None:
            raise self._refused.again()  # the same credentials: asking again would only be refused again
        try:
            key = self._keys.current()
        except errors.AuthError as exc:
            raise self._remember(exc) from None
        except errors.ConnectError:
            raise  # nothing sent at all (TLS, no connection)
        except errors.Stopped:
            raise stopped_error(f"{method} {path}", sent=False) from None  # stopped while logging in: not sent
        except errors.GoGetSSLError as exc:
            # Whatever /auth/ did, this request never left: a paid request is not in doubt.
            raise errors.ConnectError(f"{method} {path}: not sent, logging in failed ({exc})") from None
        try:
            return self._send(method, path, params={**(params or {}), "auth_key": key}, form=form,
                              progress=progress, abandon_on_stop=idempotent)
        except errors.APIError as exc:
            if exc.status_code not in (401, 403):
                raise
        # The key expired or was revoked: a refused request was not processed, so one retry with a
        # fresh key is safe even for writes.
        log.info("auth key refused on %s %s; authenticating again", method, path)
        try:
            key = self._keys.current(refused=key)
        except errors.AuthError as exc:
            raise self._remember(exc) from None
        try:
            return self._send(method, path, params={**(params or {}), "auth_key": key}, form=form,
                              progress=progress, abandon_on_stop=idempotent)
        except errors.APIError as again:
            if again.status_code in (401, 403):
                raise self._remember(errors.AuthError(again.message, again.description,
                                                      status_code=again.status_code)) from None
            raise

    def _remember(self, refusal: errors.AuthError) -> errors.AuthError:
        """Keep the first refusal of the credentials: later calls raise it again without a request, and calls
        refused at the same time (Terraform refreshes in parallel) raise it again as well: one refusal per run."""
        with self._refused_lock:
            if self._refused is None:
                self._refused = refusal
                return refusal
            return self._refused.again()

    def _send(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, form: dict[str, str] | None = None,
        progress: _Progress | None = None, abandon_on_stop: bool = True,
    ) -> dict[str, Any]:
        """One HTTP exchange under the deadline; the answer's JSON object, or the error it means. Once the stop is
        set nothing is sent; an exchange in flight is cut then when `abandon_on_stop`. A write is not: a request
        that places or cancels an order and is already on its way is let finish (within the deadline), so that
        its outcome reaches state instead of becoming a purchase in doubt."""
        url = self.base + path
        where = f"{method} {path}"
        s = self.settings
        deadline = s.deadline
        timeout = (min(s.connect_timeout, deadline), min(s.read_timeout, deadline))
        session = self._session()
        log.debug("request %s", where)
        if s.stop.is_set():
            raise stopped_error(where, sent=False)  # nothing more is sent once Terraform asked to stop
        watch = Deadline(deadline, s.stop if abandon_on_stop else None, STOP_POLL)
        set_active(watch)
        watch.start()
        try:
            if progress is not None:
                progress.sent = True  # from here on, the server may see the request
            resp, raw = self._exchange(session, method, url, params, form, timeout, where, watch)
        except errors.ConnectError:
            raise  # nothing was sent, deadline or not
        except Exception:
            if watch.cancel():
                raise cut_error(where, s, watch) from None
            raise
        finally:
            expired = watch.cancel()  # always stop the watch (it only reports after the first call)
            set_active(None)
        if expired:  # the deadline (or a stop) cut in: the answer may be short, do not trust it
            resp.close()
            raise cut_error(where, s, watch)
        return interpret(resp, raw, method, path, base=self.base, redact=self.redact)

    def _exchange(
        self, session: requests.Session, method: str, url: str, params: dict[str, Any] | None,
        form: dict[str, str] | None, timeout: tuple[float, float], where: str, watch: Deadline,
    ) -> tuple[requests.Response, bytes]:
        try:
            resp = session.request(method, url, params=params, data=form, timeout=timeout, stream=True,
                                   allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            raise transport_error(exc, where, watch, before_answer=True, settings=self.settings, base=self.base,
                                  redact=self.redact) from None
        try:
            return resp, read_capped(resp, self.settings.max_body_bytes, where)
        except requests.exceptions.RequestException as exc:
            resp.close()
            raise transport_error(exc, where, watch, before_answer=False, settings=self.settings, base=self.base,
                                  redact=self.redact) from None
        except BaseException:
            resp.close()
            raise
