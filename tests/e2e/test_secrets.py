"""The password and the auth key never appear in logs (TF_LOG=TRACE included), output, diagnostics, plans or
state: every byte a run leaves behind is searched for them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, issued_auth_keys, make_csr
from tests.support import order_hcl as resource

pytestmark = pytest.mark.e2e


def test_secrets_never_leak(workdir: TerraformWorkdir, own_sandbox: Callable[..., Sandbox], tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch):
    box = own_sandbox(password="Very-Secret-Pa55word", timeout=2, retries=1)  # an uncertain cancel waits 2 s, not 30
    log = tmp_path / "terraform.log"
    monkeypatch.setenv("TF_LOG", "TRACE")
    monkeypatch.setenv("TF_LOG_PATH", str(log))
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + resource("site"))
    outputs = [workdir.init().text]
    box.faults({"match": "/orders/status/", "mode": "auth_expired"})  # forces a second /auth/: two keys to look for
    outputs.append(workdir.apply().text)
    printed, plan = workdir.saved_plan()
    outputs += [printed.text, str(plan)]
    box.faults({"match": "cancel_ssl_order", "mode": "http_500", "times": 5})  # an error diagnostic, with retries
    outputs.append(workdir.run("destroy", "-auto-approve", "-no-color", ok=(0, 1)).text)
    monkeypatch.setenv("GOGETSSL_PASSWORD", "Wrong-But-Also-Secret")
    outputs.append(workdir.plan(ok=(1,)).text)  # a refused login
    everything = "\n".join(outputs) + log.read_text(errors="replace") + workdir.state_file()
    everything += "".join(p.read_text(errors="replace") for p in workdir.path.glob("*.tfstate*"))

    keys = issued_auth_keys(box)
    assert len(keys) >= 2, "the test must have made the provider authenticate more than once"
    assert "gogetssl" in log.read_text() and "DEBUG" in log.read_text()  # the plugin's own logs are there
    for secret in [box.password, "Wrong-But-Also-Secret", *keys]:
        assert secret not in everything, f"a secret leaked: {secret[:4]}..."
