"""Soak: many resources, many rounds of apply / out-of-band change / apply under random faults.

Seeded and bounded (SOAK_RESOURCES, SOAK_ROUNDS, SOAK_SEED). Faults are drawn from every sandbox mode,
including answers that come before the vendor processes the request, echoes, trickles and mangled bodies.
The first resources come in pairs sharing a CSR (with different products), so an adoption after an
uncertain answer has a look-alike order to mistake. At the end, with faults cleared: one live order per
resource, every live order in state exactly once (nothing orphaned, nothing doubled, nothing adopted
twice), no order cancelled except those the test cancelled out of band, and an empty plan.
Run with `make soak`; SOAK_LOG=FILE appends every apply's output to FILE.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, make_csr, order_hcl, state_orders

RESOURCES = int(os.environ.get("SOAK_RESOURCES", "20"))
ROUNDS = int(os.environ.get("SOAK_ROUNDS", "10"))
SEED = int(os.environ.get("SOAK_SEED", "20261126"))
SHARED_CSR_PAIRS = 3
PATHS = ["add_ssl_order", "/orders/status/", "cancel_ssl_order", "/products/ssl", "/orders/ssl/all", "/auth"]
MODES = ["http_500", "http_503", "http_429", "reset", "commit_then_reset", "garbage", "auth_expired", "slow",
         "http_502_then_process", "reset_then_process", "vendor_error", "echo", "echo_error", "trickle",
         "patch_body", "nest_body", "redirect_307"]


def rule(rng: random.Random) -> dict[str, Any]:
    mode = rng.choice(MODES)
    r: dict[str, Any] = {"match": rng.choice(PATHS), "mode": mode, "times": rng.randint(1, 2),
                         "delay_ms": {"trickle": 40, "http_502_then_process": 800,
                                      "reset_then_process": 800}.get(mode, 2500)}
    if mode == "vendor_error":
        r.update(message=rng.choice(["API user not found", "Temporary failure"]), description="try again later")
    if mode == "patch_body":
        r.update(patch={"invoice_id": "1e400", "order_amount": "NaN"})
    return r


def test_soak(tmp_path: Path, terraform_env: None, monkeypatch: pytest.MonkeyPatch):
    rng = random.Random(SEED)
    box = Sandbox(tmp_path / "soak.db", "--list-page-cap", "7")
    monkeypatch.setenv("GOGETSSL_API_URL", box.url)
    monkeypatch.setenv("GOGETSSL_REQUEST_TIMEOUT", "2")
    monkeypatch.setenv("GOGETSSL_MAX_RETRIES", "2")
    started = time.monotonic()
    try:
        wd = TerraformWorkdir(tmp_path / "tf")
        names = [f"r{i:02d}" for i in range(RESOURCES)]
        blocks = []
        for i, name in enumerate(names):
            shared = i < 2 * SHARED_CSR_PAIRS
            if not shared or i % 2 == 0:
                wd.write(f"{name}.csr", make_csr().csr_pem)
            csr_file = names[i - 1] if shared and i % 2 else name
            # A pair shares its CSR but not its product: each must keep its own order.
            blocks.append(order_hcl(name, csr_file, product_id=67 if shared and i % 2 else 65))
        wd.write("main.tf", PROVIDER_BLOCK + "".join(blocks))
        wd.init()
        cancelled_by_test: set[int] = set()
        imported: list[int] = []

        def apply() -> None:
            """An apply, then what its errors tell a user to do: when the provider could not prove whether an
            order was placed, it says so and asks for an import of the order, if it exists."""
            out = wd.apply(ok=(0, 1)).text  # a fault may fail a resource's apply; the next apply completes it
            if os.environ.get("SOAK_LOG"):
                with open(os.environ["SOAK_LOG"], "a") as log:
                    log.write(out)
            if "The order may have been placed" not in out:
                return
            held = state_orders(wd.show_json())
            for i, name in enumerate(names):
                if name in held or f"gogetssl_ssl_order.{name}," not in out:
                    continue
                csr = "".join((wd.path / f"{names[i - 1] if i < 2 * SHARED_CSR_PAIRS and i % 2 else name}.csr")
                              .read_text().split())
                product = 67 if i < 2 * SHARED_CSR_PAIRS and i % 2 else 65
                orphans = [o["order_id"] for o in box.orders()
                           if "".join(o["csr"].split()) == csr and o["product_id"] == product
                           and o["status"] in ("processing", "active") and o["order_id"] not in held.values()]
                if len(orphans) == 1:
                    wd.import_(f"gogetssl_ssl_order.{name}", str(orphans[0]))
                    imported.append(orphans[0])

        def random_faults() -> None:
            box.faults(*(rule(rng) for _ in range(rng.randint(1, 3))),
                       list_order=rng.choice(["newest", "oldest"]))

        for _round in range(ROUNDS):
            random_faults()
            apply()
            live = state_orders(wd.show_json())
            for name in rng.sample(sorted(live), k=min(2, len(live))):
                status = rng.choice(["cancelled", "active", "rejected"])
                box.set_status(live[name], status)
                if status == "cancelled":
                    cancelled_by_test.add(live[name])
            random_faults()
            apply()
            assert time.monotonic() - started < 1800, "soak exceeded its time bound"

        box.clear_faults()
        wd.apply()
        in_state = state_orders(wd.show_json())
        assert sorted(in_state) == names
        assert len(set(in_state.values())) == len(names), "no order is held by two resources"
        orders = box.orders()
        live_ids = sorted(o["order_id"] for o in orders if o["status"] not in ("cancelled", "rejected"))
        assert live_ids == sorted(in_state.values()), "every live order is in state, once"
        wrongly = {o["order_id"] for o in orders
                   if o["status"] == "cancelled" or o.get("cancel_requested")} - cancelled_by_test
        assert not wrongly, f"orders cancelled that the test did not cancel: {sorted(wrongly)}"
        assert wd.plan().rc == 0
        print(f"\nsoak: {RESOURCES} resources, {ROUNDS} rounds, seed {SEED}: {len(orders)} orders placed, "
              f"{sum(o['status'] == 'cancelled' for o in orders)} cancelled, "
              f"{box.count('add_ssl_order')} addSSLOrder requests, {box.count('/orders/ssl/all')} order listings, "
              f"{len(imported)} imported after 'may have been placed', "
              f"{time.monotonic() - started:.0f}s")
        assert len(orders) > RESOURCES, "out-of-band cancellations must have been re-ordered"
    finally:
        box.stop()
