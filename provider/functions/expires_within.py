"""provider::gogetssl::expires_within(valid_till, days, now): for `check` blocks and preconditions."""

from __future__ import annotations

import math
from typing import Any

from tf.function import FunctionSignature, Parameter, Return
from tf.types import Bool, Number, String

from provider.functions import _x509
from provider.functions._base import ArgumentError, ProviderFunction

MOMENT = "an RFC 3339 timestamp such as \"2027-06-01T00:00:00Z\" (plantimestamp() gives one) or a date YYYY-MM-DD"


class ExpiresWithinFunction(ProviderFunction):
    NAME = "expires_within"
    SIGNATURE = FunctionSignature(
        parameters=[
            Parameter("valid_till", String(), "When the certificate expires: an order's `valid_till` (YYYY-MM-DD) "
                                              "or `cert_info(...).not_after`. Null or empty (not issued yet) "
                                              "gives false.", allow_null_value=True),
            Parameter("days", Number(), "The window, in days (0 or more; fractions allowed)."),
            Parameter("now", String(), "The moment to measure from, normally `plantimestamp()`: the function "
                                       "never reads the clock, so plan and apply agree."),
        ],
        return_type=Return(Bool()),
        summary="Whether a certificate expires within a number of days of a moment",
        description=(
            "True when `valid_till` is at most `days` days after `now`, or already past; false when it is later, "
            "or null or empty (an order not issued yet). A date without a time means midnight UTC at its start. "
            "Pure: pass `plantimestamp()` as `now`."),
    )

    def run(self, valid_till: str | None, days: Any, now: str) -> bool:
        try:
            window = float(days)
        except (TypeError, ValueError):
            raise ArgumentError(1, f"it is {days!r}; give a number of days, 0 or more") from None
        if math.isnan(window) or window < 0:
            raise ArgumentError(1, f"it is {days!r}; give a number of days, 0 or more")
        try:
            start = _x509.parse_moment(now)
        except ValueError:
            raise ArgumentError(2, f"it is {now!r}; give {MOMENT}") from None
        if valid_till is None or not valid_till.strip():
            return False
        try:
            end = _x509.parse_moment(valid_till)
        except ValueError:
            raise ArgumentError(0, f"it is {valid_till!r}; give an order's valid_till (a date YYYY-MM-DD), an RFC "
                                   "3339 timestamp such as cert_info(...).not_after, or null") from None
        if math.isinf(window):
            return True
        return (end - start).total_seconds() <= window * 86400
