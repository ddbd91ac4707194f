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


@dataclass
class Plan:
    """A plan of an existing gogetssl_ssl_order as the servicer answers it: the planned state, its diagnostics, and
    the attributes that force a replacement (Terraform then plans a destroy and a create)."""

    planned: dict[str, Any]
    diags: Any
    replace: list[str]


def plan_configured(provider: Any, current: dict[str, Any], config: dict[str, Any]) -> Plan:
    """The plan of an existing gogetssl_ssl_order (state `current`) under the configuration `config`, the arguments
    and settings written in its block (any other is unset), with the proposed new state Terraform makes of them:
    the configured value, else the prior value of a computed attribute, else null."""
    from tf.utils import Diagnostics

    from provider.resources.ssl_order import SslOrderResource
    from provider.tfext.context import ResourcePlanContext

    schema = SslOrderResource.get_schema()
    full = {a.name: config.get(a.name) for a in schema.attributes}
    proposed = {a.name: full[a.name] if full[a.name] is not None or not a.computed else current.get(a.name)
                for a in schema.attributes}
    changed = {a.name for a in schema.attributes if not a.type.semantically_equal(current.get(a.name),
                                                                                    proposed[a.name])}
    diags = Diagnostics()
    ctx = ResourcePlanContext(diags, "gogetssl_ssl_order", changed_fields=changed, config=full,
                              requires_replace=sorted(a.name for a in schema.attributes
                                                      if a.name in changed and a.requires_replace))
    planned = SslOrderResource(provider).plan(ctx, dict(current), proposed)
    return Plan(planned, diags, list(ctx.requires_replace))


def plan_diff(box: Sandbox, state: dict[str, Any], **settings: Any) -> set[str]:
    """What `terraform plan` of a gogetssl_ssl_order configured with the arguments and settings `state` holds
    changes, in a new plugin process (configured_provider(box, **settings)): the attributes whose planned value
    differs from the refreshed state or is unknown. Empty: `plan -detailed-exitcode` exits 0. Fails the test when
    the refresh or the plan has an error, or the refresh drops the order."""
    from tf.iface import ReadContext
    from tf.types import Unknown
    from tf.utils import Diagnostics

    from provider.common.order_schema import ARGUMENT_NAMES
    from provider.resources.ssl_order import SslOrderResource

    walk = configured_provider(box, **settings)
    diags = Diagnostics()
    read = SslOrderResource(walk).read(ReadContext(diags, "gogetssl_ssl_order"), state)
    assert read is not None and not errors_of(diags), [f"{d.summary}: {d.detail}" for d in diags.diagnostics]
    settings_written = ("renew_before_days", "reissue_before_days", "on_destroy")
    plan = plan_configured(walk, read, {n: state.get(n) for n in (*ARGUMENT_NAMES, *settings_written)})
    assert not errors_of(plan.diags), [f"{d.summary}: {d.detail}" for d in plan.diags.diagnostics]
    return {a.name for a in SslOrderResource.get_schema().attributes
            if plan.planned.get(a.name) is Unknown
            or not a.type.semantically_equal(read.get(a.name), plan.planned.get(a.name))} | set(plan.replace)


def texts_of(diags: Any) -> str:
    """Every diagnostic's summary and detail, one line each: what Terraform prints of them."""
    return "\n".join(f"{d.severity}: {d.summary}: {d.detail}" for d in diags.diagnostics)
