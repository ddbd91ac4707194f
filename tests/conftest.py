from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import Sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One sandbox for the session; tests tell their orders apart by id and domain."""
    sb = Sandbox(Path(tmp_path_factory.mktemp("sandbox")) / "sandbox.db")
    yield sb
    sb.stop()
