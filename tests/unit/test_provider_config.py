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


def _configure_from_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> list[str]:
    """What configuring the provider with an empty block and `env` (and no other GOGETSSL_ variable) reports."""
    from tf.utils import Diagnostics

    from provider.common.provider_settings import SETTINGS
    from provider.provider import GoGetSSLProvider

    for s in SETTINGS:
        monkeypatch.delenv(s.env, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    diags = Diagnostics()
    GoGetSSLProvider().configure_provider(diags, {})
    return [f"{d.summary}: {d.detail}" for d in diags.diagnostics]


def test_every_setting_falls_back_to_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each variable of the settings table is read: a bad value there is reported naming it, and a credential
    there is no longer missing. (Bad values stop the configuration before it logs in: no socket.)"""
    from provider.common.provider_settings import SETTINGS

    for s in SETTINGS:
        reported = _configure_from_env(monkeypatch, {s.env: "not-a-valid-value"})
        if s.name in ("username", "password"):
            assert not any(r.startswith(f"Missing GoGetSSL {s.name}") for r in reported), (s.name, reported)
        else:
            assert any(s.env in r for r in reported), (s.name, reported)


@pytest.mark.parametrize("env, value, accepted", [
    ("GOGETSSL_MAX_RETRIES", "nan", "a whole number from 0 to 20"),
    ("GOGETSSL_MAX_RETRIES", "inf", "a whole number from 0 to 20"),
    ("GOGETSSL_MAX_RETRIES", "-1", "a whole number from 0 to 20"),
    ("GOGETSSL_MAX_RETRIES", "2.5", "a whole number from 0 to 20"),
    ("GOGETSSL_REQUEST_TIMEOUT", "0", "seconds from 1 to 3600"),
    ("GOGETSSL_REQUEST_TIMEOUT", "-inf", "seconds from 1 to 3600"),
    ("GOGETSSL_REQUEST_TIMEOUT", "NaN", "seconds from 1 to 3600"),
])
def test_a_number_out_of_range_in_a_variable_names_the_variable_and_the_value_as_written(
        monkeypatch: pytest.MonkeyPatch, env: str, value: str, accepted: str) -> None:
    """A new user set GOGETSSL_MAX_RETRIES=nan and got an internal error (int() of NaN), and =-1 an error naming
    max_retries "is -1.0": the variable they set, and what they wrote, are what the message must show."""
    (reported,) = _configure_from_env(monkeypatch, {env: value, "GOGETSSL_USERNAME": "u", "GOGETSSL_PASSWORD": "p"})
    assert reported.startswith(f"Invalid {env}: {env} is {value!r}; give {accepted}."), reported


@pytest.mark.parametrize("name, value", [("max_retries", float("nan")), ("max_retries", float("inf")),
                                         ("request_timeout", float("nan")), ("request_timeout", float("-inf"))])
def test_a_number_that_is_not_finite_in_the_block_is_an_error_not_a_crash(name: str, value: float) -> None:
    from tf.utils import Diagnostics

    from provider.provider import GoGetSSLProvider

    diags = Diagnostics()
    GoGetSSLProvider().validate_config(diags, {name: value})
    (d,) = diags.diagnostics
    assert d.summary == f"Invalid {name}" and d.path == [name]
