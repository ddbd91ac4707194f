"""`make bench`: how long `terraform plan` takes on an estate of N GoGetSSL orders, next to the same plan shape on
N `terraform_data` and N `null_resource` (the Go null provider), with the API requests, plugin start-up and
provider peak RSS behind the numbers, and the floor under the provider's own rows: the same plan through
bench/echo.py, a plugin with the provider's schema and transport that answers every RPC with no work (what
Terraform, the protocol and three plugin launches cost for this schema and state).

    python -m bench.plan [--orders 300] [--latency-ms 100] [--repeats 3] [--processing 0.1]

Setup, untimed and at zero latency: two sandboxes (accounts) of N orders each, placed straight through the
sandbox API, the first's all issued, the second's with a share still processing; each set imported once
(`import` blocks) into a working directory of its own; the baselines applied once; every directory
initialised. Then the sandboxes' latency is set and each row's plan runs `--repeats` times, the rows
interleaved round by round so that all see the same machine load. Every plan must report no changes
(-detailed-exitcode 0), else the run stops as invalid. Untimed plans through bench/peak_rss.py then take each
provider's peak RSS. The table goes to stdout and, with the machine described, to
bench/results/<timestamp>.json; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.estate import (
    NULL_VERSION,
    BenchError,
    Mirrors,
    Workdir,
    csrs_by_id,
    gogetssl_config,
    null_binary,
    null_config,
    order_map,
    place_orders,
    set_statuses,
    sha256,
    terraform_data_config,
    terraform_env,
    terraform_version,
)
from bench.startup import BARE, FLOOR, MAGIC_COOKIE, NoHandshake, to_first_line
from provider import __version__
from provider.devtools.terraform import command as terraform_command
from tests.support import Sandbox

RESULTS = Path(__file__).resolve().parent / "results"


def _progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Row:
    key: str
    label: str
    workdir: Workdir
    box: Sandbox | None = None  # the sandbox a gogetssl row's provider talks to
    args: tuple[str, ...] = ()
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. GOGETSSL_REFRESH_MODE for a gogetssl row
    floor: str | None = None  # an echo row: the key of the gogetssl row whose floor it is
    seconds: list[float] = field(default_factory=list)
    echo: list[list[dict[str, Any]]] = field(default_factory=list)  # an echo row's launches, per plan
    requests: list[dict[str, int]] = field(default_factory=list)
    rss: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ours(self) -> bool:
        return self.box is not None

    @property
    def compared(self) -> bool:
        """A row given ratios to the baselines: the provider's, and the floors under it."""
        return self.ours or self.floor is not None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def requests_median(self) -> dict[str, int]:
        keys = sorted({k for r in self.requests for k in r})
        return {k: round(statistics.median(r.get(k, 0) for r in self.requests)) for k in keys}


def _endpoint(key: str) -> str:
    """"GET /api/orders/status/123/" -> "GET /api/orders/status/{id}": counts by endpoint, not by order."""
    return re.sub(r"/\d+(?=/|$)", "/{id}", key.rstrip("/"))


def _api_counts(box: Sandbox) -> Counter[str]:
    counts: Counter[str] = Counter()
    for key, n in box.requests().items():
        counts[_endpoint(key)] += n
    return counts


def _machine(terraform: str) -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = None
    try:
        mem_kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
    except (OSError, IndexError, ValueError):
        pass
    return {
        "cpu_count": os.cpu_count(), "cpu_model": model, "memory_mib": mem_kib // 1024 if mem_kib else None,
        "python": f"{platform.python_implementation()} {platform.python_version()}", "platform": platform.platform(),
        "terraform": terraform, "terraform_command": " ".join(terraform_command()),
        "loadavg_start": list(os.getloadavg()),
    }


def _startup(launches: int) -> dict[str, Any]:
    """The plugin to its handshake, the floor every plugin on grpc and tf pays, and a bare python, interleaved."""
    exe = str(Path(sys.executable).parent / "terraform-provider-gogetssl")
    plain = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    kinds = {"plugin": ([exe], {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE}),
             "floor": ([sys.executable, "-c", FLOOR], plain),
             "bare": ([sys.executable, "-c", BARE], plain)}
    samples: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(launches):
        for name, (argv, env) in kinds.items():
            try:
                samples[name].append(to_first_line(argv, env))
            except NoHandshake as exc:
                raise BenchError(str(exc)) from None
    return {name: {"median_ms": round(statistics.median(s) * 1000, 1), "min_ms": round(min(s) * 1000, 1),
                   "max_ms": round(max(s) * 1000, 1), "launches": len(s)} for name, s in samples.items()}


def _code() -> dict[str, Any]:
    """Which provider code was measured: the commit, and whether provider/ differs from it."""
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # read only: never touch the index
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                              env=env, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "diff", "--quiet", "HEAD", "--", "provider"],
                               capture_output=True, env=env).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "provider_modified": None}
    return {"commit": head, "provider_modified": dirty}


def _prepare(root: Path, boxes: dict[str, Sandbox], mirrors: Mirrors, n: int,
             processing: int) -> tuple[list[Row], list[Row]]:
    """Every working directory, initialised and holding its state; (timed rows, peak-RSS rows). Each scenario
    has a sandbox (an account) of its own, holding just its N orders, as a listing would find them."""
    t = time.monotonic()
    issued_box, mixed_box = boxes["issued"], boxes["processing"]
    issued = place_orders(issued_box, n)
    set_statuses(issued_box, issued, "active")
    mixed = place_orders(mixed_box, n)
    still = {mixed[round(i * n / processing)] for i in range(processing)} if processing else set()
    set_statuses(mixed_box, [o for o in mixed if o not in still], "active")
    issued_map = order_map(issued, csrs_by_id(issued_box))
    mixed_map = order_map(mixed, csrs_by_id(mixed_box))
    _progress(f"placed 2 x {n} orders, issued {2 * n - len(still)} ({time.monotonic() - t:.1f} s)")

    def prepared(name: str, orders: dict[str, Any], config: str, env: dict[str, str],
                 then: str | None = None) -> Workdir:
        """Apply `config` once (imports or creates), then leave `then` as the configuration if given."""
        t = time.monotonic()
        wd = Workdir(root / name, env)
        wd.write("orders.json", json.dumps(orders))
        wd.write("main.tf", config)
        wd.init()
        wd.apply()
        if then is not None:
            wd.write("main.tf", then)
        _progress(f"{name}: {'imported' if then else 'created'} {n} resources ({time.monotonic() - t:.1f} s)")
        return wd

    def initialised(wd: Workdir) -> Workdir:
        wd.init()
        return wd

    importing, imported = gogetssl_config(with_imports=True), gogetssl_config(with_imports=False)
    issued_env = terraform_env(mirrors.gogetssl, issued_box)
    mixed_env = terraform_env(mirrors.gogetssl, mixed_box)
    issued_wd = prepared("gogetssl-issued", issued_map, importing, issued_env, then=imported)
    mixed_wd = prepared("gogetssl-processing", mixed_map, importing, mixed_env, then=imported)
    tdata_wd = prepared("terraform_data", issued_map, terraform_data_config(), terraform_env(mirrors.null))
    null_wd = prepared("null_resource", issued_map, null_config(), terraform_env(mirrors.null))
    norefresh_wd = initialised(issued_wd.copy_to(root / "gogetssl-issued-norefresh", issued_env))
    listing = {"GOGETSSL_REFRESH_MODE": "listing"}
    listing_wd = initialised(issued_wd.copy_to(root / "gogetssl-issued-listing", {**issued_env, **listing}))
    mixed_wd.env.update(listing)
    echo_env = terraform_env(mirrors.echo)
    echo_wd = initialised(issued_wd.copy_to(root / "echo", echo_env))
    echo_norefresh_wd = initialised(issued_wd.copy_to(root / "echo-norefresh", echo_env))

    timed = [
        Row("gogetssl", "gogetssl plan, all issued (refresh_mode full)", issued_wd, issued_box),
        Row("gogetssl_listing", "gogetssl plan, all issued, listing", listing_wd, issued_box, extra_env=listing),
        Row("gogetssl_refresh_false", "gogetssl plan -refresh=false", norefresh_wd, issued_box, ("-refresh=false",)),
        Row("gogetssl_processing", f"gogetssl plan, {processing} of {n} processing, listing", mixed_wd, mixed_box,
            extra_env=listing),
        Row("echo", "floor: echo plugin, refresh (no logic)", echo_wd, floor="gogetssl_listing"),
        Row("echo_refresh_false", "floor: echo plugin, -refresh=false", echo_norefresh_wd, args=("-refresh=false",),
            floor="gogetssl_refresh_false"),
        Row("terraform_data", "terraform_data plan", tdata_wd),
        Row("null_resource", f"null_resource plan (Go null {NULL_VERSION})", null_wd),
    ]
    t = time.monotonic()
    rss = []
    for r in timed:
        if r.key == "terraform_data" or r.floor:
            continue
        env = {**terraform_env(mirrors.gogetssl_rss if r.ours else mirrors.null_rss, r.box), **r.extra_env}
        rss.append(Row(r.key, r.label, initialised(r.workdir.copy_to(root / f"rss-{r.key}", env)), r.box, r.args,
                       r.extra_env))
    _progress(f"initialised the peak-RSS directories ({time.monotonic() - t:.1f} s)")
    return timed, rss


def _timed_rounds(rows: list[Row], repeats: int, mirrors: Mirrors) -> None:
    mirrors.echo_launches()
    for rnd in range(1, repeats + 1):
        for row in rows:
            before = _api_counts(row.box) if row.box else Counter()
            row.seconds.append(row.workdir.plan(*row.args))
            after = _api_counts(row.box) if row.box else Counter()
            row.requests.append({k: after[k] - before[k] for k in after if after[k] != before[k]})
            if row.floor:
                row.echo.append(mirrors.echo_launches())
        _progress(f"round {rnd}/{repeats}: " + ", ".join(f"{r.key} {r.seconds[-1]:.2f} s" for r in rows))


def _fmt_requests(counts: dict[str, int]) -> list[str]:
    if not counts:
        return ["0"]
    total = sum(counts.values())
    return [f"{total} in all"] + [f"{n:>5}  {k}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _fmt_floor(row: dict[str, Any]) -> list[str]:
    """An echo row's last column: what Terraform asked of the plugin, and how far the provider's row is above."""
    rpcs, cpu = row["rpcs_per_plan"], statistics.median(row["echo_cpu_s"]) if row["echo_cpu_s"] else 0.0
    top = ", ".join(f"{n} {k}" for k, n in sorted(rpcs.items(), key=lambda kv: (-kv[1], kv[0]))[:4])
    return [f"{sum(rpcs.values())} RPCs in {len(row['echo_launches'])} launches, plugin CPU {cpu:.2f} s",
            f"  ({top}, ...)",
            f"  the row \"{row['floor_label']}\" takes {row[row['floor_of'] + '_ratio_vs_floor']:.2f}x this floor"]


def render(result: dict[str, Any]) -> str:
    s, m, c = result["settings"], result["machine"], result["code"]
    code = f"provider {c['provider_version']}" + (f" at {c['commit'][:10]}" if c.get("commit") else "") + \
        (" with local changes to provider/" if c.get("provider_modified") else "")
    lines = [
        f"terraform plan, {s['orders']} resources per row, GoGetSSL API latency {s['latency_ms']:g} ms; "
        f"median of {s['repeats']} run{'s' if s['repeats'] != 1 else ''} per row, rows interleaved; "
        "default parallelism (10)",
        f"{code}; Terraform {m['terraform']}, {m['python']}, {m['cpu_count']} x {m['cpu_model']}, "
        f"load average {m['loadavg_start'][0]:.2f} at start, {m['loadavg_end'][0]:.2f} at end",
        "",
    ]
    header = (f"{'row':<44} {'median':>8} {'min-max':>13} {'/null':>7} {'/t_data':>8}  {'peak RSS':<20}  "
              "API requests per plan")
    lines += [header, "-" * len(header)]
    for row in result["rows"]:
        ratio_null = f"{row['ratio_vs_null']:.1f}x" if row.get("ratio_vs_null") else ""
        ratio_data = f"{row['ratio_vs_terraform_data']:.1f}x" if row.get("ratio_vs_terraform_data") else ""
        rss = row.get("peak_rss")
        rss_text = f"{rss['max_mib']:.0f} MiB ({rss['launches']} launch{'es' if rss['launches'] != 1 else ''})" \
            if rss else ""
        reqs = _fmt_requests(row["api_requests"]) if not row.get("floor_of") else _fmt_floor(row)
        span = f"{row['min_s']:.2f}-{row['max_s']:.2f}"
        lines.append(f"{row['label']:<44} {row['median_s']:>6.2f} s {span:>13} "
                     f"{ratio_null:>7} {ratio_data:>8}  {rss_text:<20}  {reqs[0]}")
        lines += [f"{'':<44} {'':>8} {'':>13} {'':>7} {'':>8}  {'':<20}  {extra}" for extra in reqs[1:]]
    st = result["startup"]
    for key, label in (("plugin", "plugin start-up to handshake"),
                       ("floor", "  floor: import grpc, tf.gen.tfplugin_pb2"), ("bare", "  bare: python -c pass")):
        e = st[key]
        span = f"{e['min_ms']:.0f}-{e['max_ms']:.0f} ms"
        lines.append(f"{label:<44} {e['median_ms']:>5.0f} ms {span:>13} "
                     f"{'':>7} {'':>8}  {'':<20}  ({e['launches']} launches, interleaved)")
    return "\n".join(lines)


def _summarise(rows: list[Row], rss_rows: list[Row]) -> list[dict[str, Any]]:
    by_key = {r.key: r for r in rows}
    rss_by_key = {r.key: r.rss for r in rss_rows}
    out = []
    for r in rows:
        entry: dict[str, Any] = {
            "key": r.key, "label": r.label, "plan_args": list(r.args), "seconds": [round(x, 3) for x in r.seconds],
            "median_s": round(r.median, 3), "min_s": round(min(r.seconds), 3), "max_s": round(max(r.seconds), 3),
            "api_requests": r.requests_median(), "api_requests_runs": r.requests,
        }
        if r.compared:
            entry["ratio_vs_null"] = round(r.median / by_key["null_resource"].median, 2)
            entry["ratio_vs_terraform_data"] = round(r.median / by_key["terraform_data"].median, 2)
        if r.floor and r.floor in by_key:
            above = by_key[r.floor]
            entry["floor_of"], entry["floor_label"] = r.floor, above.label
            entry[f"{r.floor}_ratio_vs_floor"] = round(above.median / r.median, 2)
            last = r.echo[-1] if r.echo else []
            entry["echo_launches"] = last
            entry["rpcs_per_plan"] = dict(sum((Counter(x["rpcs"]) for x in last), Counter()))
            entry["echo_cpu_s"] = [round(sum(x["cpu_s"] for x in plan), 3) for plan in r.echo]
        launches = rss_by_key.get(r.key)
        if launches:
            entry["peak_rss"] = {"max_mib": round(max(x["peak_kib"] for x in launches) / 1024, 1),
                                 "launches": len(launches), "per_launch_kib": [x["peak_kib"] for x in launches]}
        out.append(entry)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.plan", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--orders", type=int, default=300, help="resources per row (default 300)")
    p.add_argument("--latency-ms", type=float, default=100, help="sandbox latency of every API request (default 100)")
    p.add_argument("--repeats", type=int, default=3, help="timed runs per row (default 3)")
    p.add_argument("--processing", type=float, default=0.1,
                   help="share of the second scenario's orders still processing (default 0.1)")
    p.add_argument("--startup-launches", type=int, default=15, help="launches per start-up measure (default 15)")
    p.add_argument("--results", type=Path, default=RESULTS, help="directory of the JSON results (bench/results)")
    p.add_argument("--keep", action="store_true", help="keep the working directories and the sandbox database")
    args = p.parse_args(argv)
    if args.orders < 1 or args.repeats < 1 or not 0 <= args.processing <= 1 or args.latency_ms < 0:
        p.error("--orders and --repeats must be at least 1, --processing within 0-1, --latency-ms at least 0")

    started = time.time()
    terraform = terraform_version()
    result: dict[str, Any] = {
        "benchmark": "terraform plan", "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "settings": {"orders": args.orders, "latency_ms": args.latency_ms, "repeats": args.repeats,
                     "processing": args.processing, "parallelism": "default (10)",
                     "plan_flags": "-detailed-exitcode -input=false -no-color -lock=false"},
        "machine": _machine(terraform),
        "code": {"provider_version": __version__, **_code()},
    }
    try:
        null = null_binary()
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    result["machine"]["null_provider"] = {"version": NULL_VERSION, "path": str(null), "sha256": sha256(null)}
    processing = round(args.orders * args.processing)
    root = Path(tempfile.mkdtemp(prefix="gogetssl-bench-"))
    _progress(f"Terraform {terraform}; working directories under {root}")
    boxes: dict[str, Sandbox] = {}
    try:
        for name in ("issued", "processing"):
            boxes[name] = Sandbox(root / f"sandbox-{name}.db")
        mirrors = Mirrors(root / "mirrors")
        rows, rss_rows = _prepare(root, boxes, mirrors, args.orders, processing)

        t = time.monotonic()
        for row in rows:  # untimed: each directory's first plan, which must already find nothing to do
            row.workdir.plan(*row.args)
        _progress(f"checked every row plans clean at zero latency ({time.monotonic() - t:.1f} s)")

        for box in boxes.values():
            box.faults(latency_ms=args.latency_ms)
        _timed_rounds(rows, args.repeats, mirrors)

        t = time.monotonic()
        mirrors.rss_launches()
        for row in rss_rows:
            row.workdir.plan(*row.args)
            row.rss = mirrors.rss_launches()
        _progress(f"peak RSS plans done ({time.monotonic() - t:.1f} s)")
        for box in boxes.values():
            box.clear_faults()

        result["startup"] = _startup(args.startup_launches)
    except BenchError as exc:
        print(f"bench: invalid run: {exc}", file=sys.stderr)
        return 1
    finally:
        for box in boxes.values():
            box.stop()
        if args.keep:
            _progress(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    result["rows"] = _summarise(rows, rss_rows)
    result["machine"]["loadavg_end"] = list(os.getloadavg())
    result["duration_s"] = round(time.time() - started, 1)
    table = render(result)
    result["table"] = table.splitlines()
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(started))}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(table)
    print(f"\n{out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out} "
          f"({result['duration_s']:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
