"""`gogetssl-sandbox`: run the GoGetSSL-compatible sandbox server.

The first line on standard output carries the base URL (`http://HOST:PORT/api`), so a test or
script that asked for port 0 can read where the server landed. Every flag is described, with the
evidence behind its default, in docs/sandbox.md. The sandbox has no real authentication (anyone
who reaches it can read its orders and drive it through /_sandbox), so a --host that is not a
loopback address draws a warning on stderr.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from .core import LIST_ORDERS, Listing, Sandbox, SandboxConfig
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


def _non_negative(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number of seconds") from None
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError("must be a finite number, not negative")
    return seconds


def _tax_rate(value: str) -> float:
    try:
        percent = float(value.strip().rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError("expected a percentage, e.g. 21") from None
    if not 0 <= percent <= 100:
        raise argparse.ArgumentTypeError("must be a percentage from 0 to 100")
    return percent


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError("expected a whole number") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return number

    return parse


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if host.strip().lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


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
    p.add_argument("--latency-ms", type=_non_negative, default=0.0, metavar="N",
                   help="delay every API request by N milliseconds (fault injection; see POST /_sandbox/faults)")
    p.add_argument("--list-order", choices=LIST_ORDERS, default="oldest",
                   help="order of /orders/ssl/all (default oldest; the vendor's order is not public)")
    p.add_argument("--list-page-cap", type=_at_least(1), default=1000, metavar="N",
                   help="most orders one /orders/ssl/all page returns, whatever limit was asked (default 1000)")
    p.add_argument("--list-offset-cap", type=_at_least(0), default=1000, metavar="N",
                   help="highest offset /orders/ssl/all accepts; above it answers 'Invalid offset' (default 1000)")
    p.add_argument("--cancel-review-seconds", type=_non_negative, default=7200.0, metavar="N",
                   help="a cancellation request is reviewed for N seconds before the order is cancelled "
                        "(default 7200; the vendor reviews in 2-48 h; 0 cancels at once)")
    p.add_argument("--dcv-lock-seconds", type=_non_negative, default=60.0, metavar="N",
                   help="after a validation change, further changes of that order answer 'Function is locked' "
                        "for N seconds (default 60; 0 disables)")
    p.add_argument("--tax-rate", type=_tax_rate, default=0.0, metavar="PERCENT",
                   help="tax charged on top of each order's price, e.g. 21 (orders answer tax and tax_rate, "
                        "invoices subtotal, tax and total; the balance is debited price plus tax; default 0)")
    p.add_argument("--verbose", action="store_true", help="log each request path to stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not is_loopback(args.host):
        print(f"gogetssl-sandbox: warning: listening on {args.host}, which is not a loopback address. The sandbox "
              "has no real authentication (anyone who can reach it can read its orders and control it through "
              "/_sandbox): it should only listen on loopback (127.0.0.1, ::1 or localhost).",
              file=sys.stderr, flush=True)
    db = args.db or default_db_path()
    store = Store(db)
    sandbox = Sandbox(store, SandboxConfig(user=args.user, password=args.password, issue_after=args.issue_after,
                                           balance=args.balance, dcv_http_root=args.dcv_http_root,
                                           dcv_dns_zone=args.dcv_dns_zone,
                                           listing=Listing(args.list_order, args.list_page_cap, args.list_offset_cap),
                                           cancel_review_seconds=args.cancel_review_seconds,
                                           dcv_lock_seconds=args.dcv_lock_seconds, tax_rate=args.tax_rate))
    try:
        server = SandboxHTTPServer(args.host, args.port, sandbox, latency_ms=args.latency_ms)
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
