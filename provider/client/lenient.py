"""Lenient field types for the vendor's answers: numbers as strings, flags as "0"/"1", unset dates as "" or zeros.

`VendorModel` is the base of every response model: unknown fields are ignored and types are loose
(docs/vendor-api.md §1.4). The converters raise only ValueError (pydantic turns that, and nothing else, into
a ValidationError) and never echo the value: an answer's text stays out of exception messages.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from .safety import printable


def _to_int(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return _whole(v)
    if isinstance(v, str):
        v = v.strip()
        if v == "":
            return None
        try:
            return int(v)
        except ValueError:
            pass
        try:
            number = float(v)
        except ValueError:
            raise ValueError("not a whole number") from None
        return _whole(number)
    return v


def _whole(number: float) -> int:
    # json.loads turns 1e400 into inf, and int(inf) raises OverflowError, which pydantic would not wrap
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    if not number.is_integer():
        raise ValueError("not a whole number")
    return int(number)


def _to_float(v: Any) -> Any:
    """Numbers, "12.50" or "21%"; a non-finite number (1e400 arrives as inf) is no number: None."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str):
        v = v.strip().rstrip("%").strip()
        if v == "":
            return None
        try:
            v = float(v)
        except ValueError:
            raise ValueError("not a number") from None
    if isinstance(v, int):
        try:
            v = float(v)
        except OverflowError:
            return None
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    return v


def _to_bool(v: Any) -> Any:
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "yes", "y")
    if v is None:
        return False
    return bool(v)


def _to_str(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return str(v)
        except ValueError:  # an int too long to print (Python limits int-to-str conversion)
            raise ValueError("number too long") from None
    return printable(v, lines=True) if isinstance(v, str) else v


def _to_date(v: Any) -> Any:
    if v is None:
        return None
    s = str(v).strip()
    return None if s in ("", "0000-00-00", "0000-00-00 00:00:00") else s


Int = Annotated[int | None, BeforeValidator(_to_int)]
Float = Annotated[float | None, BeforeValidator(_to_float)]
Flag = Annotated[bool, BeforeValidator(_to_bool)]
Str = Annotated[str, BeforeValidator(_to_str)]
Date = Annotated[str | None, BeforeValidator(_to_date)]


class VendorModel(BaseModel):
    """Base of every response model: fields it does not know are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)
