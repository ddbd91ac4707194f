"""Ctrl-C through real Terraform: during a create that has just placed an order, Terraform stops gracefully, the
order reaches state, and the next apply completes without a second order; while a status read hangs, Terraform
ends within seconds, not after the request's timeouts and retries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, make_csr, state_orders
from tests.support import order_hcl as resource

pytestmark = pytest.mark.e2e


def _terraform(workdir: TerraformWorkdir, *args: str) -> subprocess.Popen[str]:
    """Terraform in a process group of its own, as a terminal runs it; Ctrl-C goes to the whole group."""
    return subprocess.Popen(
        [sys.executable, "-m", "provider.devtools.terraform", f"-chdir={workdir.path}", *args, "-input=false",
         "-no-color"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_interrupted_apply_keeps_the_order(workdir: TerraformWorkdir, sb: Sandbox):
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + resource("site"))
    workdir.init()
    sb.faults({"match": "add_ssl_order", "mode": "slow", "times": 1, "delay_ms": 3000})
    proc = _terraform(workdir, "apply", "-auto-approve")
    deadline = time.monotonic() + 120
    while sb.count("add_ssl_order") == 0:
        assert time.monotonic() < deadline and proc.poll() is None, "the order was never requested"
        time.sleep(0.1)
    time.sleep(0.5)  # the request is in flight at the vendor
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert "Interrupt received" in out
    (order,) = sb.orders()
    assert state_orders(workdir.state()) == {"site": order["order_id"]}, out

    sb.clear_faults()
    workdir.apply()
    assert len(sb.orders()) == 1 and sb.count("add_ssl_order") == 1
    assert workdir.plan().rc == 0


def test_ctrl_c_while_a_status_read_hangs_ends_terraform_within_seconds(workdir: TerraformWorkdir, sb: Sandbox):
    """Default settings (request_timeout 60 s, 3 retries): before the client honoured the stop, Terraform ended
    238 s after Ctrl-C. The state keeps the order."""
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + resource("site"))
    workdir.init()
    workdir.apply()
    (order,) = sb.orders()
    path = f"/orders/status/{order['order_id']}"
    before = sb.count(path)
    sb.faults({"match": path, "mode": "slow", "delay_ms": 300_000, "times": 20})
    proc = _terraform(workdir, "plan")
    deadline = time.monotonic() + 120
    while sb.count(path) == before:
        assert time.monotonic() < deadline and proc.poll() is None, "the status was never read"
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)
    interrupted = time.monotonic()
    out, _ = proc.communicate(timeout=120)
    took = time.monotonic() - interrupted
    assert took < 8, f"Terraform ended {took:.0f}s after Ctrl-C\n{out}"
    assert "Interrupt received" in out
    assert sb.count(path) == before + 1, "the read was retried after Ctrl-C"
    sb.clear_faults()
    assert state_orders(workdir.state()) == {"site": order["order_id"]}
