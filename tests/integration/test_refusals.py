"""What GoGetSSL refuses, and what the provider then says: credentials missing or refused when Terraform
configures the provider (the setting named, the password never echoed, nothing ordered), and an order the
vendor refuses at apply (a clear error, nothing in state). In-process against the sandbox; moved from
tests/e2e/test_ssl_order.py (issue 21). How Terraform prints a credential error, without the configuration line
of the sensitive password, stays there (test_a_refused_password_written_in_the_configuration_is_not_printed)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tf.utils import Diagnostics

from provider.common.provider_settings import SETTINGS
from provider.provider import GoGetSSLProvider
from tests.support import Sandbox, apply_run, errors_of, make_csr, order_config

PROVIDER_BLOCK: dict[str, None] = {s.name: None for s in SETTINGS}  # provider "gogetssl" {}


def _configure_from_env(monkeypatch: pytest.MonkeyPatch, box: Sandbox, **env: str | None) -> Diagnostics:
    """ConfigureProvider of an empty provider block, the settings from the environment: the sandbox's address
    and credentials, then `env` (GOGETSSL_USERNAME=None: unset)."""
    for s in SETTINGS:
        monkeypatch.delenv(s.env, raising=False)
    given = {"GOGETSSL_API_URL": box.url, "GOGETSSL_USERNAME": box.user, "GOGETSSL_PASSWORD": box.password, **env}
    for name, value in given.items():
        if value is not None:
            monkeypatch.setenv(name, value)
    diags = Diagnostics()
    GoGetSSLProvider().configure_provider(diags, dict(PROVIDER_BLOCK))
    return diags


def test_wrong_credentials_fail_clearly_without_echoing_the_password(sandbox: Sandbox,
                                                                      monkeypatch: pytest.MonkeyPatch):
    adds = sandbox.count("add_ssl_order")
    diags = _configure_from_env(monkeypatch, sandbox, GOGETSSL_PASSWORD="Wr0ng-Secret-123")
    (error,) = diags.diagnostics  # fails fast, at plan: Terraform plans nothing past a failed configure
    assert error.severity == "error" and error.summary == "GoGetSSL refused the credentials"
    assert "GOGETSSL_PASSWORD" in error.detail
    assert "Wr0ng-Secret-123" not in f"{error.summary} {error.detail}"
    assert sandbox.count("add_ssl_order") == adds


def test_missing_credentials_name_the_setting(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch):
    diags = _configure_from_env(monkeypatch, sandbox, GOGETSSL_USERNAME=None)
    (error,) = diags.diagnostics
    assert error.summary == "Missing GoGetSSL username" and "GOGETSSL_USERNAME" in error.detail


def test_vendor_refusal_is_a_clear_error_and_leaves_no_state(new_sandbox: Callable[..., Sandbox]):
    """What only the vendor decides at the order itself (here: a refusal the plan could not foresee) fails
    cleanly, with nothing in state."""
    poor = new_sandbox()
    poor.faults({"match": "/orders/add_ssl_order", "mode": "echo_error", "times": 1000})
    state, plan, diags = apply_run(poor, None, order_config(csr=make_csr().csr_pem, dcv_method="http"))
    assert plan.actions == ["create"] and state is None
    (error,) = [d for d in diags.diagnostics if d.severity == "error"]
    assert error.summary.startswith("GoGetSSL API error: Bad request"), error.summary
    assert "nothing was ordered" in error.detail
    assert errors_of(diags) == [error.summary]
    assert poor.orders() == []
