"""The vendor's clock, as its answers state it: getOrderStatus and getOrdersStatus carry `time_stamp` (Unix
seconds, docs/vendor-api.md §1.4). Every date the provider decides by (a certificate's `valid_till`, a
subscription's `end_date`) is the vendor's, so "today" is taken from the vendor too: a CI runner whose clock is
off neither reissues nor renews early, nor misses either. Until an answer stated the time, the local clock.

A stated time more than MAX_SKEW (two years) from this machine's is a defect, not a clock: it is ignored, so
one absurd answer (a year 2099, a 1970 epoch) cannot make every order due for a paid renewal. Within that, the
vendor decides what it accepts by its own clock (a renewal asked for too early is refused), and refund decisions
do not rely on the stated time alone (provider/common/services.py `refund_today`)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("gogetssl.client")

#: a stated time outside these years is not a clock: ignored
_EARLIEST = dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp()
_LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp()
_SKEW_NOTED = 86400.0
MAX_SKEW = 730 * 86400.0


class VendorClock:
    def __init__(self, local: Callable[[], float] = time.time):
        self._local = local
        self._offset = 0.0
        self._observed = False
        self._lock = threading.Lock()

    def observe(self, body: Any) -> None:
        """Take the time an answer states (its `time_stamp`), if it states a plausible one."""
        stamp = body.get("time_stamp") if isinstance(body, dict) else None
        if stamp is None or isinstance(stamp, bool):
            return
        try:
            seconds = float(stamp)
        except (TypeError, ValueError, OverflowError):
            return
        if not _EARLIEST <= seconds <= _LATEST:
            return
        offset = seconds - self._local()
        if abs(offset) > MAX_SKEW:
            log.warning("GoGetSSL stated a time %.0f days from this machine's clock; it was ignored", offset / 86400)
            return
        with self._lock:
            if abs(offset - self._offset) > _SKEW_NOTED:
                log.info("GoGetSSL's clock is %.1f days from this machine's; dates are judged by GoGetSSL's",
                         offset / 86400)
            self._offset = offset
            self._observed = True

    @property
    def observed(self) -> bool:
        """Whether an answer stated the time yet (else now() is this machine's)."""
        return self._observed

    def now(self) -> dt.datetime:
        with self._lock:
            offset = self._offset
        return dt.datetime.fromtimestamp(self._local() + offset, dt.UTC)

    def today(self) -> dt.date:
        return self.now().date()
