"""`gogetssl-sandbox`: run the GoGetSSL-compatible sandbox server.

The first line on standard output carries the base URL (`http://HOST:PORT/api`), so a test or
script that asked for port 0 can read where the server landed.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from .api import SandboxAPI, SandboxConfig
from .server import SandboxHTTPServer
from .store import Store


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("gogetssl-sandbox", appauthor=False)) / "sandbox.db"


def _issue_after(value: str) -> float | None:
    if value.strip().lower() == "never":
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number of seconds or 'never'") from None
    if seconds < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gogetssl-sandbox",
        description="A local server that behaves like the GoGetSSL reseller API (v1), persisting to SQLite.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8999, help="port to listen on; 0 picks a free port (default 8999)")
    p.add_argument("--db", type=Path, default=None, help="SQLite file (default: under the user's data directory)")
    p.add_argument("--user", default="sandbox", help="API user name accepted by /auth/ (default sandbox)")
    p.add_argument("--password", default="sandbox", help="API password accepted by /auth/ (default sandbox)")
    p.add_argument("--issue-after", type=_issue_after, default=None, metavar="SECONDS|never",
                   help="issue each order this many seconds after it was placed (default: never)")
    p.add_argument("--balance", type=float, default=100_000.0,
                   help="starting account balance for a new database (default 100000)")
    p.add_argument("--dcv-http-root", type=Path, default=None, metavar="DIR",
                   help="pass http/https validation when DIR/<domain>/.well-known/pki-validation/<file> holds the "
                        "expected content (checked on each revalidate call)")
    p.add_argument("--dcv-dns-zone", type=Path, default=None, metavar="FILE",
                   help="pass dns validation when FILE (a JSON object of record name to value) holds the expected "
                        "record (checked on each revalidate call)")
    p.add_argument("--latency-ms", type=float, default=0.0, metavar="N",
                   help="delay every API request by N milliseconds (fault injection; see POST /_sandbox/faults)")
    p.add_argument("--verbose", action="store_true", help="log each request path to stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    db = args.db or default_db_path()
    store = Store(db)
    api = SandboxAPI(store, SandboxConfig(user=args.user, password=args.password, issue_after=args.issue_after,
                                          balance=args.balance, dcv_http_root=args.dcv_http_root,
                                          dcv_dns_zone=args.dcv_dns_zone))
    try:
        server = SandboxHTTPServer(args.host, args.port, api, latency_ms=args.latency_ms)
    except OSError as exc:
        print(f"gogetssl-sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"gogetssl-sandbox listening on {server.base_url} (db {db})", flush=True)

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
