"""A plugin wrapper that records a provider process's peak resident set size: the benchmark puts it, as a
small shell script, in a filesystem mirror in place of the provider's executable.

Usage (by Terraform, through that script): python -I bench/peak_rss.py LOG REAL_EXECUTABLE [ARGS...]

The provider runs as this process's child with the same standard streams, so the go-plugin handshake line
reaches Terraform unchanged. After the child exits, getrusage(RUSAGE_CHILDREN) gives its peak RSS (the
kernel's own high-water mark, so no sampling can miss a short peak, and it is there however the child
ended). One JSON line per launch is appended to LOG. The wrapper adds a process start to every launch, so
the benchmark uses it only in untimed plans.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    log, real, *args = argv
    # As a plugin does: SIGINT goes to the whole process group, and Terraform decides how its plugins stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    start = time.monotonic()
    child = subprocess.Popen([real, *args])
    signal.signal(signal.SIGTERM, lambda signum, frame: child.terminate())
    rc = child.wait()
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    line = json.dumps({"executable": os.path.basename(real), "peak_kib": peak_kib, "rc": rc,
                       "seconds": round(time.monotonic() - start, 3)})
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)  # one write per line: launches may overlap
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
