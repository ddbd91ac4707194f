"""ClientSettings: every tunable of the client (URL, credentials, timeouts, retries, injectable sleep, randomness)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: defaults the provider's settings document and fall back to
DEFAULT_MAX_RETRIES = 3
DEFAULT_READ_TIMEOUT = 60.0


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
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)
    #: told every secret the client holds (the password, each auth key it receives), e.g. to keep them
    #: out of logs; the client itself never imports the provider's logging
    on_secret: Callable[[str], None] = field(default=_ignore_secret, repr=False, compare=False)

    @property
    def deadline(self) -> float:
        return self.total_timeout if self.total_timeout is not None else self.read_timeout
