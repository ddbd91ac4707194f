"""Sandboxes for every ring: one shared by the session, and ones a test starts for itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import Sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One sandbox for the session; tests tell their orders apart by id and domain."""
    sb = Sandbox(Path(tmp_path_factory.mktemp("sandbox")) / "sandbox.db")
    yield sb
    sb.stop()


@pytest.fixture
def new_sandbox(tmp_path: Path) -> Iterator[Callable[..., Sandbox]]:
    """Start a sandbox of the test's own: new_sandbox(*cli_flags, password=...) (Sandbox's arguments after the
    database). Its clock, faults and settings touch no other test; every one started is stopped at the end."""
    boxes: list[Sandbox] = []

    def start(*flags: str, **kwargs: Any) -> Sandbox:
        box = Sandbox(tmp_path / f"sandbox-{len(boxes)}.db", *flags, **kwargs)
        boxes.append(box)
        return box

    yield start
    for box in boxes:
        box.stop()
