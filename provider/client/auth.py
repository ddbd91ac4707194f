"""The auth key of one transport: cached for the life of the process, renewed when refused, one login at a time.

Renewal happens only if the refused key is still the current one, so ten threads refused together cause
one `/auth/`, not ten. No lock is held while logging in: threads that need a key while another logs in
wait for that login's key or error, each within its own deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import errors


@dataclass
class _Login:
    """One login in progress: the threads waiting for it get its key or its error."""

    done: threading.Event = field(default_factory=threading.Event)
    key: str | None = None
    error: errors.GoGetSSLError | None = None


class AuthKeys:
    def __init__(self, login: Callable[[], str], deadline: float):
        """`login`: POST /auth/, returning a new key; `deadline`: how long a request may wait for one."""
        self._login = login
        self._deadline = deadline
        self._key: str | None = None
        self._lock = threading.Lock()
        self._flight: _Login | None = None

    def current(self, refused: str | None = None) -> str:
        """The current auth key; a new one when there is none, or when `refused` (the key the server just
        refused) is still the current one. A stuck /auth/ costs every request one deadline, not one per
        thread ahead of it."""
        deadline = time.monotonic() + self._deadline
        with self._lock:
            if self._key is not None and (refused is None or self._key != refused):
                return self._key
            flight = self._flight
            leader = flight is None
            if flight is None:
                flight = self._flight = _Login()
        if not leader:
            if not flight.done.wait(max(0.0, deadline - time.monotonic())):
                raise errors.ConnectError(f"POST /auth/: no key within {self._deadline:g}s (another "
                                          "request is still logging in); the request was not sent")
            if flight.error is not None:
                raise flight.error
            if flight.key is None:
                raise errors.ConnectError("POST /auth/: the login gave no key; the request was not sent")
            return flight.key
        try:
            flight.key = self._login()
            with self._lock:
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
            with self._lock:
                self._flight = None
            flight.done.set()
