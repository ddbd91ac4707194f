"""Never a lost or doubled order, through real Terraform: on every write endpoint, the fault whose request is
processed while its answer is lost (`commit_then_reset`), so that what Terraform adds (concurrent creates in
one apply, the apply's re-plan, the state it writes, the plan after it) is covered. Every fault mode on every
endpoint runs in-process: tests/integration/test_write_faults.py.

After each apply, the sandbox's own records must show exactly one order per resource, and the state must
hold it. The provider runs with a short request timeout.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, live_orders, make_csr, state_orders
from tests.support import order_hcl as resource

pytestmark = pytest.mark.e2e

MODES = ["commit_then_reset"]
TIMEOUT_S = 2
SLOW_MS = 3500  # beyond the client's timeout; the request is processed afterwards


Start = Callable[..., Sandbox]


def faults(box: Sandbox, match: str, mode: str, times: int = 1) -> None:
    box.faults({"match": match, "mode": mode, "times": times, "delay_ms": SLOW_MS})


@pytest.mark.parametrize("mode", MODES)
def test_add_ssl_order(workdir: TerraformWorkdir, own_sandbox: Start, mode: str):
    sb = own_sandbox(timeout=TIMEOUT_S, retries=2)
    csrs = {name: make_csr().csr_pem for name in ("a", "b")}
    for name, pem in csrs.items():
        workdir.write(f"{name}.csr", pem)
    workdir.write("main.tf", PROVIDER_BLOCK + resource("a") + resource("b"))
    workdir.init()
    faults(sb, "add_ssl_order", mode)
    workdir.apply()
    in_state = state_orders(workdir.state())
    for name, pem in csrs.items():
        (live,) = live_orders(sb, pem)  # exactly one order per resource
        assert in_state[name] == live["order_id"]
    sb.clear_faults()
    assert workdir.plan().rc == 0


@pytest.mark.parametrize("mode", MODES)
def test_add_ssl_renew_order(workdir: TerraformWorkdir, own_sandbox: Start, mode: str):
    sb = own_sandbox(timeout=TIMEOUT_S, retries=2)
    pem = make_csr().csr_pem
    workdir.write("site.csr", pem)
    workdir.write("main.tf", PROVIDER_BLOCK + resource("site"))
    workdir.init()
    sb.clock(-340)
    workdir.apply()
    first = state_orders(workdir.state())["site"]
    sb.set_status(first, "active")
    sb.clock(340)
    faults(sb, "add_ssl_renew_order", mode)
    workdir.apply()
    renewed = state_orders(workdir.state())["site"]
    renewals = [o for o in sb.orders() if o["order_id"] != first and "".join(o["csr"].split()) == "".join(pem.split())]
    assert [o["order_id"] for o in renewals] == [renewed], "exactly one renewal order, and it is in state"
    assert sb.order(first)["status"] == "active"
    sb.clear_faults()
    assert workdir.plan().rc == 0


@pytest.mark.parametrize("mode", MODES)
def test_reissue(workdir: TerraformWorkdir, own_sandbox: Start, mode: str):
    sb = own_sandbox(timeout=TIMEOUT_S, retries=2)
    first = make_csr()
    workdir.write("site.csr", first.csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + resource("site"))
    workdir.init()
    workdir.apply()
    order_id = state_orders(workdir.state())["site"]
    sb.set_status(order_id, "active")
    second = make_csr(first.common_name)
    workdir.write("site.csr", second.csr_pem)
    faults(sb, "/orders/ssl/reissue/", mode)
    workdir.apply()
    assert state_orders(workdir.state())["site"] == order_id
    order = sb.order(order_id)
    assert order["status"] == "reissue" and "".join(order["csr"].split()) == "".join(second.csr_pem.split())
    assert len(sb.orders()) == 1
    sb.clear_faults()
    assert workdir.plan().rc == 0


@pytest.mark.parametrize("mode", MODES)
def test_cancel_ssl_order(workdir: TerraformWorkdir, own_sandbox: Start, mode: str):
    sb = own_sandbox(timeout=TIMEOUT_S, retries=2)
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + resource("site"))
    workdir.init()
    workdir.apply()
    order_id = state_orders(workdir.state())["site"]
    faults(sb, "cancel_ssl_order", mode)
    workdir.destroy()
    assert state_orders(workdir.state()) == {}
    assert sb.wait_status(order_id, "cancelled")["status"] == "cancelled"  # after the vendor's review
