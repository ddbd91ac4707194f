"""ClientSettings: every tunable of the client (URL, credentials, timeouts, retries, injectable sleep, randomness, the
stop signal)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

#: defaults the provider's settings document and fall back to
DEFAULT_MAX_RETRIES = 3
DEFAULT_READ_TIMEOUT = 60.0
#: how often a request in flight looks at the stop signal: a stop abandons it within this many seconds
STOP_POLL = 0.25


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
    read_timeout: float = DEFAULT_READ_TIMEOUT
    #: overall deadline of one HTTP request (connect, headers and body); None: read_timeout
    total_timeout: float | None = None
    user_agent: str = "terraform-provider-gogetssl"
    #: retries of a request that is safe to repeat (reads, rechecks); writes that spend money never
    #: repeat unless the request certainly did not reach the server
    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_initial: float = 0.5
    backoff_cap: float = 10.0
    retry_after_cap: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    #: set when the caller must stop (Terraform's Ctrl-C, StopProvider): no request is sent any more, a request in
    #: flight is abandoned within STOP_POLL seconds, and no retry or wait goes on
    stop: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)
    #: how the client waits (backoff, letting an uncertain request land); None: on `stop`, which ends the wait
    sleep: Callable[[float], None] | None = field(default=None, repr=False, compare=False)
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)
    #: told every secret the client holds (the password, each auth key it receives), e.g. to keep them
    #: out of logs; the client itself never imports the provider's logging
    on_secret: Callable[[str], None] = field(default=_ignore_secret, repr=False, compare=False)

    def pause(self, seconds: float) -> bool:
        """Wait `seconds` (with the injected `sleep` when there is one); True when `stop` is set, waited or not."""
        if self.sleep is not None:
            self.sleep(seconds)
        else:
            self.stop.wait(seconds)
        return self.stop.is_set()

    @property
    def deadline(self) -> float:
        return self.total_timeout if self.total_timeout is not None else self.read_timeout
