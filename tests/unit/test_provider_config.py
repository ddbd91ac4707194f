"""The provider's own settings, checked in process: a bad value names the setting and what is accepted."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("value, ok", [("full", True), ("listing", True), ("fast", False), ("", False)])
def test_refresh_mode_accepts_full_or_listing_and_names_the_field(value: str, ok: bool) -> None:
    from tf.utils import Diagnostics

    from provider.provider import GoGetSSLProvider

    diags = Diagnostics()
    GoGetSSLProvider().validate_config(diags, {"refresh_mode": value})
    assert diags.has_errors() is not ok
    if not ok:
        (d,) = diags.diagnostics
        assert d.summary == "Invalid refresh_mode" and "full, listing" in d.detail
