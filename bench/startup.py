"""Plugin start-up: time from launching the provider executable, as Terraform does, to its handshake line.

Terraform launches the plugin several times per command, so this cost repeats. Reports the median of
N launches (default 15) of the plugin and, interleaved with them so that all see the same machine load:
- the floor: `python -c 'import grpc, tf.gen.tfplugin_pb2'`, what any plugin on this framework must import
  before it can answer; the plugin's distance from it is what start-up work remains to be cut;
- a bare `python -c pass`, for scale;
each timed, like the plugin, to the line it prints (the interpreter's exit, which Terraform does not wait
for, would add grpc's shutdown to the floor);
- with --baseline DIR, the plugin again with DIR first on PYTHONPATH: DIR holds another copy of the
  `provider` package (e.g. `git archive HEAD provider | tar -x -C DIR`), to compare before and after;
- with --bundle PATH, the self-contained plugin `make release` builds (PATH: its zip, or the executable of an
  unpacked one), launched as Terraform launches it from its unpacked zip.
Then, since work moved past the handshake must not come back as a slower first answer, the time from
launch to the answer of a first GetProviderSchema (Terraform's first call), over go-plugin's TLS.

Usage: python bench/startup.py [N] [--baseline DIR] [--bundle dist/terraform-provider-gogetssl_*_linux_amd64.zip]
"""

from __future__ import annotations

import argparse
import base64
import os
import ssl
import statistics
import subprocess
import sys
import time
from pathlib import Path

MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
FLOOR = "import grpc, tf.gen.tfplugin_pb2; print('1|6|floor', flush=True)"
BARE = "print('1|6|bare', flush=True)"


class NoHandshake(RuntimeError):
    """A launched program printed no handshake line."""


def to_first_line(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from starting `argv` to its first line (a handshake line, or what the floor prints in its place).
    bench/plan.py uses it too."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.terminate()
    proc.wait()
    if not line.startswith(b"1|6|"):
        raise NoHandshake(f"{argv[0]} printed no handshake line (got {line!r})")
    return elapsed


def _first_answer(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from starting the plugin to its answer to GetProviderSchema, asked as go-plugin does."""
    import grpc
    from tf.gen import tfplugin_pb2 as pb

    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        assert proc.stdout is not None
        _, _, _, sock, _, cert = proc.stdout.readline().decode().strip().split("|")
        pem = ssl.DER_cert_to_PEM_cert(base64.b64decode(cert + "=" * (-len(cert) % 4)))
        credentials = grpc.ssl_channel_credentials(root_certificates=pem.encode())
        with grpc.secure_channel(f"unix:{sock}", credentials,
                                 options=[("grpc.ssl_target_name_override", "localhost")]) as channel:
            schema = channel.unary_unary("/tfplugin6.Provider/GetProviderSchema",
                                         request_serializer=pb.GetProviderSchema.Request.SerializeToString,
                                         response_deserializer=pb.GetProviderSchema.Response.FromString)
            answer = schema(pb.GetProviderSchema.Request(), timeout=30)
        elapsed = time.perf_counter() - start
        if not answer.resource_schemas or answer.diagnostics:
            raise SystemExit(f"{argv} answered GetProviderSchema wrongly: {answer.diagnostics}")
        return elapsed
    finally:
        proc.terminate()
        proc.wait()


def _bundle_executable(path: Path) -> str:
    """The executable of a release: `path` itself, or, for its zip, the one in a copy unpacked for this run (with
    the permissions the zip records, as Terraform unpacks it)."""
    if path.suffix != ".zip":
        return str(path.resolve())
    import atexit
    import shutil
    import tempfile
    import zipfile

    folder = Path(tempfile.mkdtemp(prefix="gogetssl-bundle-"))
    atexit.register(shutil.rmtree, folder, True)
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            target = Path(zf.extract(info, folder))
            target.chmod((info.external_attr >> 16) & 0o777 or 0o644)
    (executable,) = [p for p in folder.iterdir() if p.is_file() and p.name.startswith("terraform-provider-gogetssl")]
    return str(executable)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=15, help="launches of each kind (default 15)")
    parser.add_argument("--baseline", type=Path, help="a directory holding another copy of the provider package")
    parser.add_argument("--bundle", type=Path, help="a release's zip (make release), or its unpacked executable")
    opts = parser.parse_args()

    exe = str(Path(sys.executable).parent / "terraform-provider-gogetssl")
    plugin_env = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE}
    plain_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    runs: dict[str, tuple[list[str], dict[str, str]]] = {
        "plugin start-up to handshake": ([exe], plugin_env),
        "floor (import grpc, tfplugin_pb2)": ([sys.executable, "-c", FLOOR], plain_env),
        "bare python -c pass": ([sys.executable, "-c", BARE], plain_env),
    }
    if opts.baseline:
        baseline = str(opts.baseline.resolve())
        runs["baseline plugin (--baseline)"] = ([exe], {**plugin_env, "PYTHONPATH": baseline})
    if opts.bundle:
        runs["bundle (--bundle)"] = ([_bundle_executable(opts.bundle)], {**plain_env, "TF_PLUGIN_MAGIC_COOKIE":
                                                                         MAGIC_COOKIE})
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(opts.n):  # interleaved, so all see the same machine load
        for name, (argv, env) in runs.items():
            times[name].append(to_first_line(argv, env))

    medians = {name: statistics.median(t) for name, t in times.items()}
    width = max(map(len, runs))
    for name, t in times.items():
        print(f"{name:<{width}}  median {medians[name] * 1000:6.1f} ms  "
              f"(min {min(t) * 1000:.1f}, max {max(t) * 1000:.1f}) over {opts.n} launches")
    plugin, floor = medians["plugin start-up to handshake"], medians["floor (import grpc, tfplugin_pb2)"]
    print(f"plugin - floor: {(plugin - floor) * 1000:+.1f} ms; plugin / bare python: "
          f"{plugin / medians['bare python -c pass']:.1f}x")
    if opts.baseline:
        base = medians["baseline plugin (--baseline)"]
        print(f"baseline - floor: {(base - floor) * 1000:+.1f} ms; plugin - baseline: {(plugin - base) * 1000:+.1f} ms")
    if opts.bundle:
        bundle = medians["bundle (--bundle)"]
        print(f"bundle - floor: {(bundle - floor) * 1000:+.1f} ms; bundle - plugin: {(bundle - plugin) * 1000:+.1f} ms")

    answers: dict[str, list[float]] = {"plugin": []}
    if opts.baseline:
        answers["baseline plugin"] = []
    if opts.bundle:
        answers["bundle"] = []
    for _ in range(opts.n):  # interleaved too
        answers["plugin"].append(_first_answer(*runs["plugin start-up to handshake"]))
        if opts.baseline:
            answers["baseline plugin"].append(_first_answer(*runs["baseline plugin (--baseline)"]))
        if opts.bundle:
            answers["bundle"].append(_first_answer(*runs["bundle (--bundle)"]))
    for name, t in answers.items():
        print(f"{name} to first GetProviderSchema answer: median {statistics.median(t) * 1000:.1f} ms "
              f"(min {min(t) * 1000:.1f}, max {max(t) * 1000:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
