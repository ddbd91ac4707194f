"""Soak: many resources, many rounds of apply / out-of-band change / apply under random faults.

Seeded and bounded (SOAK_RESOURCES, SOAK_ROUNDS, SOAK_SEED). At the end, with faults cleared: one live
order per resource and every live order in state (nothing orphaned, nothing doubled), and an empty plan.
Run with `make soak`.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import PROVIDER_BLOCK
from tests.e2e.harness import TerraformWorkdir
from tests.e2e.test_faults import resource, state_orders
from tests.support import Sandbox, make_csr

RESOURCES = int(os.environ.get("SOAK_RESOURCES", "20"))
ROUNDS = int(os.environ.get("SOAK_ROUNDS", "10"))
SEED = int(os.environ.get("SOAK_SEED", "20261126"))
PATHS = ["add_ssl_order", "/orders/status/", "cancel_ssl_order", "/products/ssl", "/orders/ssl/all"]
MODES = ["http_500", "http_503", "http_429", "reset", "commit_then_reset", "garbage", "auth_expired", "slow"]


def test_soak(tmp_path: Path, terraform_env: None, monkeypatch: pytest.MonkeyPatch):
    rng = random.Random(SEED)
    box = Sandbox(tmp_path / "soak.db")
    monkeypatch.setenv("GOGETSSL_API_URL", box.url)
    monkeypatch.setenv("GOGETSSL_REQUEST_TIMEOUT", "2")
    monkeypatch.setenv("GOGETSSL_MAX_RETRIES", "2")
    started = time.monotonic()
    try:
        wd = TerraformWorkdir(tmp_path / "tf")
        names = [f"r{i:02d}" for i in range(RESOURCES)]
        for name in names:
            wd.write(f"{name}.csr", make_csr().csr_pem)
        wd.write("main.tf", PROVIDER_BLOCK + "".join(resource(n) for n in names))
        wd.init()

        def random_faults() -> None:
            rules = [{"match": rng.choice(PATHS), "mode": rng.choice(MODES), "times": rng.randint(1, 2),
                      "delay_ms": 2500} for _ in range(rng.randint(1, 3))]
            requests.post(f"{box.root}/_sandbox/faults", json={"rules": rules}, timeout=10).raise_for_status()

        for _round in range(ROUNDS):
            random_faults()
            wd.apply(ok=(0, 1))  # a fault may fail a resource's apply; the next apply completes it
            live = state_orders(wd)
            for name in rng.sample(sorted(live), k=min(2, len(live))):
                box.set_status(live[name], rng.choice(["cancelled", "active", "rejected"]))
            random_faults()
            wd.apply(ok=(0, 1))
            assert time.monotonic() - started < 1800, "soak exceeded its time bound"

        requests.delete(f"{box.root}/_sandbox/faults", timeout=10).raise_for_status()
        wd.apply()
        in_state = state_orders(wd)
        assert sorted(in_state) == names
        live_ids = sorted(o["order_id"] for o in box.orders() if o["status"] not in ("cancelled", "rejected"))
        assert live_ids == sorted(in_state.values()), "every live order is in state, once"
        assert wd.plan().rc == 0
        orders = box.orders()
        print(f"\nsoak: {RESOURCES} resources, {ROUNDS} rounds, seed {SEED}: {len(orders)} orders placed, "
              f"{sum(o['status'] == 'cancelled' for o in orders)} cancelled, "
              f"{box.count('add_ssl_order')} addSSLOrder requests, {box.count('/orders/ssl/all')} order listings, "
              f"{time.monotonic() - started:.0f}s")
        assert len(orders) > RESOURCES, "out-of-band cancellations must have been re-ordered"
    finally:
        box.stop()
