"""SQLite persistence for the sandbox: auth keys, orders, account balance, the CA and request counts.

One connection guarded by a lock: the sandbox serves a handful of concurrent Terraform
plugin processes, not a production load, and a single writer keeps SQLite simple. `tx()` nests
(an inner one is a savepoint), so the API can make a check and the writes it decides one
transaction (the duplicate check, the debit and the insert of an order; a lazy transition that
credits a refund) while the store's own methods still open their own.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS auth_keys (key TEXT PRIMARY KEY, user TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    order_id INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (key TEXT PRIMARY KEY, count INTEGER NOT NULL);
"""

# Order ids in the vendor's range, so that nothing confuses them with small test counters.
_FIRST_ORDER_ID = 1_800_000


class Store:
    def __init__(self, path: str | Path):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        # A write-ahead log, synced at checkpoints: every request is counted in a transaction of its own, and
        # the default journal's syncs made each one cost milliseconds. What the sandbox wrote survives its
        # process being killed; only a power cut may lose the last transactions.
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.RLock()
        self._depth = 0  # open tx() levels of the thread holding _lock
        self._conn.executescript(_SCHEMA)  # executescript manages its own transaction
        with self.tx() as c:
            if c.execute("SELECT COUNT(*) FROM sqlite_sequence WHERE name='orders'").fetchone()[0] == 0:
                c.execute("INSERT INTO sqlite_sequence(name, seq) VALUES ('orders', ?)", (_FIRST_ORDER_ID,))

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction, holding the store's lock; inside another tx() it is a savepoint of it."""
        with self._lock:
            depth = self._depth
            begin, undo, done = (
                ("BEGIN IMMEDIATE", "ROLLBACK", "COMMIT") if depth == 0
                else (f"SAVEPOINT sp{depth}", f"ROLLBACK TO sp{depth}; RELEASE sp{depth}", f"RELEASE sp{depth}")
            )
            self._conn.execute(begin)
            self._depth = depth + 1
            try:
                yield self._conn
            except BaseException:
                for stmt in undo.split("; "):
                    self._conn.execute(stmt)
                raise
            else:
                self._conn.execute(done)
            finally:
                self._depth = depth

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- meta --
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.tx() as c:
            c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- auth --
    def add_auth_key(self, key: str, user: str) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO auth_keys(key, user, created) VALUES (?, ?, ?)", (key, user, time.time()))

    def auth_key_exists(self, key: str) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM auth_keys WHERE key=?", (key,)).fetchone() is not None

    # -- orders --
    def insert_order(self, product_id: int, status: str, created: float, data: dict[str, Any]) -> tuple[int, int]:
        with self.tx() as c:
            invoice_id = c.execute("SELECT COALESCE(MAX(invoice_id), 574000) + 1 FROM orders").fetchone()[0]
            cur = c.execute(
                "INSERT INTO orders(invoice_id, product_id, status, created, data) VALUES (?, ?, ?, ?, ?)",
                (invoice_id, product_id, status, created, json.dumps(data)),
            )
            order_id = cur.lastrowid
            assert order_id is not None
            return order_id, invoice_id

    def get_order(self, order_id: int) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM orders WHERE order_id=?", (order_id,)).fetchone()
        return _row_to_order(row) if row else None

    def list_orders(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute("SELECT * FROM orders ORDER BY order_id").fetchall()
        return [_row_to_order(r) for r in rows]

    def update_order(self, order: dict[str, Any]) -> None:
        columns = ("order_id", "invoice_id", "product_id", "status", "created")
        data = {k: v for k, v in order.items() if k not in columns}
        with self.tx() as c:
            c.execute(
                "UPDATE orders SET status=?, data=? WHERE order_id=?",
                (order["status"], json.dumps(data), order["order_id"]),
            )

    # -- balance --
    def debit(self, amount: float) -> bool:
        """Take amount from the balance; False (and no change) when the balance is short."""
        with self.tx() as c:
            row = c.execute("SELECT value FROM meta WHERE key='balance'").fetchone()
            balance = float(row[0]) if row else 0.0
            if balance + 1e-9 < amount:
                return False
            c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('balance', ?)", (f"{balance - amount:.2f}",))
            return True

    def credit(self, amount: float) -> None:
        with self.tx() as c:
            row = c.execute("SELECT value FROM meta WHERE key='balance'").fetchone()
            balance = float(row[0]) if row else 0.0
            c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('balance', ?)", (f"{balance + amount:.2f}",))

    # -- request counters --
    def count_request(self, key: str) -> None:
        with self.tx() as c:
            c.execute(
                "INSERT INTO requests(key, count) VALUES (?, 1) ON CONFLICT(key) DO UPDATE SET count = count + 1",
                (key,),
            )

    def request_counts(self) -> dict[str, int]:
        with self._lock:
            return {r[0]: r[1] for r in self._conn.execute("SELECT key, count FROM requests ORDER BY key")}


def _row_to_order(row: sqlite3.Row) -> dict[str, Any]:
    order = json.loads(row["data"])
    order.update(
        order_id=row["order_id"],
        invoice_id=row["invoice_id"],
        product_id=row["product_id"],
        status=row["status"],
        created=row["created"],
    )
    return order
