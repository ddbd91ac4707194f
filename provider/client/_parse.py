"""Turns a response body into a model, or a ResponseFormatError that says what was wrong."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import ResponseFormatError

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], body: Any, where: str) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise ResponseFormatError(f"{where}: unexpected answer ({loc}: {first.get('msg')})") from None
