"""Ctrl-C during a create that has just placed an order: Terraform stops gracefully, the order reaches
state, and the next apply completes without a second order."""

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


def test_interrupted_apply_keeps_the_order(workdir: TerraformWorkdir, sb: Sandbox):
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + resource("site"))
    workdir.init()
    sb.faults({"match": "add_ssl_order", "mode": "slow", "times": 1, "delay_ms": 3000})
    # Terraform in a process group of its own, as a terminal runs it; Ctrl-C goes to the whole group.
    proc = subprocess.Popen(
        [sys.executable, "-m", "provider.devtools.terraform", f"-chdir={workdir.path}", "apply", "-auto-approve",
         "-input=false", "-no-color"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while sb.count("add_ssl_order") == 0:
        assert time.monotonic() < deadline and proc.poll() is None, "the order was never requested"
        time.sleep(0.1)
    time.sleep(0.5)  # the request is in flight at the vendor
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert "Interrupt received" in out
    (order,) = sb.orders()
    assert state_orders(workdir.show_json()) == {"site": order["order_id"]}, out

    sb.clear_faults()
    workdir.apply()
    assert len(sb.orders()) == 1 and sb.count("add_ssl_order") == 1
    assert workdir.plan().rc == 0
