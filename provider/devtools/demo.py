"""`make demo`: order a certificate through Terraform against the bundled sandbox, then show a clean plan.

Starts `gogetssl-sandbox` on a free loopback port (data in .demo/sandbox.db), installs the provider
into a private filesystem mirror, runs `terraform init` and `apply` of examples/quickstart in
.demo/quickstart, prints the outputs and a follow-up `plan -detailed-exitcode`, and stops the sandbox.
Running it again reuses the state and the sandbox data, so the second run changes nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from provider.devtools.terraform import command as terraform_command
from provider.main import install, mirror_cli_config

ROOT = Path.cwd()
DEMO = ROOT / ".demo"
EXAMPLE = ROOT / "examples" / "quickstart"


def _csr(workdir: Path, common_name: str = "www.example.com") -> None:
    csr_path = workdir / "site.csr"
    if csr_path.exists():
        return
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, hashes.SHA256())
    )
    key_path = workdir / "site.key"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    csr_path.write_bytes(csr.public_bytes(serialization.Encoding.PEM))


def _step(title: str) -> None:
    print(f"\n==> {title}", flush=True)


def main() -> int:
    DEMO.mkdir(exist_ok=True)
    work = DEMO / "quickstart"
    work.mkdir(exist_ok=True)
    for tf in EXAMPLE.glob("*.tf"):
        shutil.copy(tf, work / tf.name)
    _csr(work)

    _step("Starting gogetssl-sandbox")
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "provider.sandbox.main", "--port", "0", "--db", str(DEMO / "sandbox.db")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert sandbox.stdout is not None
        first = sandbox.stdout.readline().strip()
        url = next((w for w in first.split() if w.startswith("http://")), "")
        if not url:
            print(f"demo: the sandbox did not start: {first!r}", file=sys.stderr)
            return 1
        print(first)

        _step("Installing the provider into .demo/plugins")
        module_dir = install(DEMO / "plugins")
        print(f"installed into {module_dir}")
        rc_file = DEMO / "terraformrc"
        rc_file.write_text(mirror_cli_config(DEMO / "plugins"))
        env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(rc_file),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "GOGETSSL_API_URL": url,
            "GOGETSSL_USERNAME": "sandbox",
            "GOGETSSL_PASSWORD": "sandbox",
        }
        tf_argv = terraform_command()
        print(f"using Terraform: {' '.join(tf_argv)}")

        def terraform(*args: str) -> int:
            print(f"$ terraform {' '.join(args)}", flush=True)
            return subprocess.run([*tf_argv, f"-chdir={work}", *args], env=env).returncode

        _step("terraform init")
        if terraform("init", "-input=false", "-no-color") != 0:
            return 1
        _step("terraform apply: places the order")
        if terraform("apply", "-auto-approve", "-input=false", "-no-color") != 0:
            return 1
        _step("terraform output")
        terraform("output", "-no-color")
        _step("terraform plan: should find nothing to change")
        rc = terraform("plan", "-detailed-exitcode", "-input=false", "-no-color")
        if rc != 0:
            print(f"demo: the follow-up plan was not empty (exit code {rc})", file=sys.stderr)
            return 1
        _step("Demo complete: an order was placed in the sandbox and the follow-up plan is empty")
        return 0
    finally:
        sandbox.terminate()
        try:
            sandbox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox.kill()


if __name__ == "__main__":
    sys.exit(main())
