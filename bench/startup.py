"""Plugin start-up: time from launching the provider executable, as Terraform does, to its handshake line.

Terraform launches the plugin several times per command, so this cost repeats. Reports the median of
N launches (default 15) and, for scale, a bare `python -c pass` measured side by side in the same run.
Usage: python bench/startup.py [N]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _launch(argv: list[str], env: dict[str, str], until_line: bool) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    if until_line:
        assert proc.stdout is not None
        proc.stdout.readline()
        elapsed = time.perf_counter() - start
        proc.terminate()
        proc.wait()
        return elapsed
    proc.wait()
    return time.perf_counter() - start


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    exe = str(Path(sys.executable).parent / "terraform-provider-gogetssl")
    env = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"}
    plugin, bare = [], []
    for _ in range(n):  # interleaved, so both see the same machine load
        plugin.append(_launch([exe], env, until_line=True))
        bare.append(_launch([sys.executable, "-c", "pass"], os.environ.copy(), until_line=False))
    p, b = statistics.median(plugin), statistics.median(bare)
    print(f"plugin start-up to handshake: median {p * 1000:.0f} ms (min {min(plugin) * 1000:.0f}, "
          f"max {max(plugin) * 1000:.0f}) over {n} launches")
    print(f"bare python -c pass:          median {b * 1000:.0f} ms; ratio {p / b:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
