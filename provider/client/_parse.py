"""Turns a response body into a model, or a ResponseFormatError that says what was wrong.

Whatever validation raises becomes a ResponseFormatError: pydantic wraps only ValueError and
AssertionError, so an OverflowError, a RecursionError (a deeply nested answer) or a bug in a
validator would otherwise escape the client as a foreign exception.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import ResponseFormatError

M = TypeVar("M", bound=BaseModel)

_MAX_MSG = 120


def parse(model: type[M], body: Any, where: str) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        try:
            first = exc.errors(include_url=False, include_input=False)[0]
            loc = ".".join(str(p) for p in first.get("loc", ())) or "body"
            msg = str(first.get("msg"))[:_MAX_MSG]
        except Exception:  # noqa: BLE001 - describing the failure must not fail
            loc, msg = "body", "invalid"
        raise ResponseFormatError(f"{where}: unexpected answer ({loc}: {msg})") from None
    except Exception as exc:  # noqa: BLE001 - see the module docstring
        raise ResponseFormatError(f"{where}: unexpected answer ({type(exc).__name__} while reading it)") from None
