"""Refused credentials through real Terraform: one clear credential error per run, on the provider configuration,
however many resources the configuration holds; every resource that could not be checked still fails, in a line
that points to it."""

from __future__ import annotations

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, make_csr
from tests.support import order_hcl as resource

pytestmark = pytest.mark.e2e

ORDERS = 5
FULL = "GoGetSSL refused the credentials"
SHORT = "Not checked: the credentials were refused"


def _five_orders(workdir: TerraformWorkdir) -> None:
    for i in range(ORDERS):
        workdir.write(f"site{i}.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + "".join(resource(f"site{i}") for i in range(ORDERS)))
    workdir.init()


def test_a_wrong_password_is_one_error_for_five_orders(workdir: TerraformWorkdir, sb: Sandbox,
                                                       monkeypatch: pytest.MonkeyPatch):
    _five_orders(workdir)
    monkeypatch.setenv("GOGETSSL_PASSWORD", "Wr0ng-Secret-123")
    result = workdir.plan(ok=(1,))
    assert result.text.count("Error:") == 1 and result.text.count(FULL) == 1, result.text
    assert "Wr0ng-Secret-123" not in result.text


def test_a_key_that_breaks_after_login_is_explained_once(workdir: TerraformWorkdir, sb: Sandbox):
    """The provider logs in at configure; then GoGetSSL refuses every order call, also with a fresh key. Before,
    each of the five refreshes logged in again and printed the full credential error (44 in the report)."""
    _five_orders(workdir)
    workdir.apply()
    logins = sb.count("/auth/")
    sb.faults({"match": "/orders/", "mode": "auth_expired", "times": 1000})
    result = workdir.plan(ok=(1,))
    assert result.text.count(FULL) == 1, result.text
    assert result.text.count("Error:") == ORDERS and result.text.count(SHORT) == ORDERS - 1, result.text
    assert sb.count("/auth/") - logins == 2, "logged in again after the credentials were refused"  # configure, renewal
