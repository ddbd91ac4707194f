"""Adopting an existing account: `terraform query` discovers orders (list resource + identity, Terraform 1.14+),
`-generate-config-out` writes their configuration and import blocks, and apply adopts them without placing an
order; the gogetssl_ssl_orders data source and its `for_each` import pattern for older Terraform; the expiry
check block."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, TERRAFORM_1_0, Sandbox, make_csr, seed_account, state_orders

pytestmark = pytest.mark.e2e
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_query_finds_matching_orders_and_apply_adopts_them(workdir: TerraformWorkdir, sb: Sandbox):
    seed_account(sb, 120)
    # one order inside its renewal window: adopting it must not renew it (a paid order)
    soon = next(o for o in sb.orders() if o["status"] == "processing" and o["domain"].endswith(".beta.example.org"))
    _expiring_soon(sb, soon["order_id"], 10)
    orders = sb.orders()
    sb.faults(list_page_cap=25)  # five pages of listing
    want = sorted(o["order_id"] for o in orders
                  if o["status"] == "active" and o["domain"].endswith(".beta.example.org"))
    workdir.write("main.tf", PROVIDER_BLOCK)
    workdir.write("orders.tfquery.hcl", """
list "gogetssl_ssl_order" "beta" {
  provider = gogetssl
  config {
    status = ["active"]
    domain = "*.beta.example.org"
  }
}
""")
    workdir.init()
    placed = len(sb.orders())
    result = workdir.run("query", "-no-color", "-generate-config-out=generated.tf")
    found = sorted(int(m) for m in re.findall(r"order_id=(\d+)", result.text))
    assert found == want and len(want) == 26  # of 120 orders, 50 are active, half of them in beta.example.org; +1
    generated = (workdir.path / "generated.tf").read_text()
    assert generated.count('resource "gogetssl_ssl_order"') == len(want)
    assert sorted(int(m) for m in re.findall(r"order_id = (\d+)", generated)) == want  # the import identities
    plan = workdir.plan()
    assert f"{len(want)} to import, 0 to add, 0 to change, 0 to destroy" in plan.text
    workdir.apply()
    assert workdir.plan().rc == 0, "a second plan must be empty"
    assert len(sb.orders()) == placed and sb.count("/orders/add_ssl_order") == 120, "no order was placed"
    assert sb.count("/orders/add_ssl_renew_order") == 0, "nothing was renewed"
    assert re.search(r"renew_before_days\s+= 0", generated) and re.search(r"reissue_before_days\s+= 0", generated)
    adopted = {r["values"]["order_id"] for r in workdir.state()["values"]["root_module"]["resources"]}
    assert sorted(adopted) == want


def test_query_limit_and_bad_filters(workdir: TerraformWorkdir, sb: Sandbox):
    seed_account(sb, 12)
    workdir.write("main.tf", PROVIDER_BLOCK)
    workdir.write("q.tfquery.hcl", """
list "gogetssl_ssl_order" "some" {
  provider = gogetssl
  limit    = 3
}
""")
    workdir.init()
    result = workdir.run("query", "-no-color")
    assert len(re.findall(r"order_id=\d+", result.text)) == 3
    workdir.write("q.tfquery.hcl", """
list "gogetssl_ssl_order" "bad" {
  provider = gogetssl
  config {
    status = ["issued"]
  }
}
""")
    bad = workdir.run("query", "-no-color", ok=(1,))
    assert "Invalid status filter" in bad.text and "'issued' is not an order status" in bad.text


def _expiring_soon(sb: Sandbox, order_id: int, days_left: int) -> None:
    """Issue a processing order as if 365 - days_left days ago (the sandbox's clock moved back, then forward)."""
    sb.clock(days_left - 365)
    sb.set_status(order_id, "active")
    sb.clock(365 - days_left)


def test_data_source_filters(workdir: TerraformWorkdir, sb: Sandbox):
    orders = {o["order_id"]: o for o in seed_account(sb, 40)}
    soon = min(i for i, o in orders.items() if o["status"] == "processing")
    _expiring_soon(sb, soon, 10)
    orders = {o["order_id"]: o for o in sb.orders()}
    sb.faults(list_page_cap=7)  # six pages
    a_name = next(o["domain"] for o in orders.values() if o["product_id"] == 67)
    filters = {
        "active": 'status = ["active"]',
        "open": 'status = ["processing", "expired"]',
        "exact": f'domain = "{a_name.upper()}"',
        "san": f'domain = "a.{a_name}"',
        "zone": 'domain = "*.alpha.example.com"',
        "product": "product_id = 67",
        "expiring": "expiring_within_days = 30",
        "ending": "subscription_ending_within_days = 30",
        "combined": 'status = ["active"]\n  product_id = 65\n  domain = "*.beta.example.org"',
        "all": "",
    }
    workdir.write("main.tf", PROVIDER_BLOCK + "".join(
        f'data "gogetssl_ssl_orders" "{k}" {{\n  {v}\n}}\noutput "{k}" {{\n  value = data.gogetssl_ssl_orders.{k}'
        f'.ids\n}}\n' for k, v in filters.items()) + 'output "soon" {\n  value = data.gogetssl_ssl_orders.ending.'
        'orders\n}\n')
    workdir.init()
    workdir.apply()
    out = {k: v["value"] for k, v in json.loads(workdir.run("output", "-json").out).items()}

    def ids(pred) -> list[int]:
        return sorted(i for i, o in orders.items() if pred(o))

    in_zone = lambda o, z: any(n.endswith(z) for n in [o["domain"], *o["dns_names"]])  # noqa: E731
    assert out["active"] == ids(lambda o: o["status"] == "active")
    assert out["open"] == ids(lambda o: o["status"] in ("processing", "expired"))
    assert out["exact"] == ids(lambda o: o["domain"] == a_name)
    assert out["san"] == ids(lambda o: o["domain"] == a_name)
    assert out["zone"] == ids(lambda o: in_zone(o, ".alpha.example.com"))
    assert out["product"] == ids(lambda o: o["product_id"] == 67)
    # a one-year order issued before 15 March 2026: its certificate ends with its subscription (a renewal)
    assert out["expiring"] == [] and out["ending"] == [soon]
    assert out["combined"] == ids(lambda o: o["status"] == "active" and o["product_id"] == 65
                                  and in_zone(o, ".beta.example.org"))
    assert out["all"] == sorted(orders) and len(orders) == 40
    till = date.fromisoformat(out["soon"][0]["end_date"])
    assert timedelta(days=5) < till - date.today() < timedelta(days=15)
    assert out["soon"][0]["domain"] == orders[soon]["domain"] and out["soon"][0]["status"] == "active"


def test_data_source_rejects_bad_filters_naming_the_field(workdir: TerraformWorkdir, sb: Sandbox):
    workdir.write("main.tf", PROVIDER_BLOCK + """
data "gogetssl_ssl_orders" "bad" {
  status               = ["actve"]
  domain               = "not a domain"
  product_id           = 0
  expiring_within_days = -1
}
""")
    workdir.init()
    text = workdir.plan(ok=(1,)).text
    for field in ("status", "domain", "product_id", "expiring_within_days"):
        assert f"Invalid {field} filter" in text
    assert sb.count("/orders/ssl/all") == 0


def _example(name: str, wd: TerraformWorkdir) -> TerraformWorkdir:
    shutil.copytree(EXAMPLES / name, wd.path, dirs_exist_ok=True)
    return wd


def test_for_each_import_pattern_adopts_every_order(workdir: TerraformWorkdir, sb: Sandbox):
    seed_account(sb, 25)
    _expiring_soon(sb, next(o for o in sb.orders() if o["status"] == "processing")["order_id"], 10)
    orders = sb.orders()
    want = sorted(o["order_id"] for o in orders if o["status"] in ("active", "processing"))
    _example("adopt-for-each", workdir).init()
    plan = workdir.plan().text
    # The example sets on_destroy = "forget" (an adopted order leaving the set must not be cancelled): a change
    # to state only. renew_before_days = 0 and reissue_before_days = 0 are what every import starts with (Issue 20,
    # item 3), so they plan no change; nothing is replaced or ordered. destroy_outcome says what a destroy then does.
    changes = {line.split("=")[0].strip() for line in plan.splitlines() if line.strip().startswith("~ ")
               and "=" in line}
    assert changes == {"~ on_destroy", "~ destroy_outcome"}
    assert '"cancel_for_refund" -> "forget"' in plan and "(known after apply)" not in plan
    assert f"{len(want)} to import, 0 to add, {len(want)} to change, 0 to destroy" in plan
    workdir.apply()
    assert workdir.plan().rc == 0, "a second plan must be empty"
    assert sb.count("/orders/add_ssl_order") == 25 and sb.count("/orders/add_ssl_renew_order") == 0, "nothing bought"
    state = workdir.state()["values"]["root_module"]["resources"]
    assert sorted(r["values"]["order_id"] for r in state if r["mode"] == "managed") == want


def test_expiry_check_warns_in_plan_about_unmanaged_certificates(workdir: TerraformWorkdir, sb: Sandbox):
    orders = seed_account(sb, 6)
    soon = next(o for o in orders if o["status"] == "processing")
    _expiring_soon(sb, soon["order_id"], 12)
    _example("expiry-check", workdir).init()
    plan = " ".join(workdir.plan().text.split())  # Terraform wraps long messages
    assert "Check block assertion failed" in plan
    # a 12-month order issued before 15 March 2026: its certificate ends with its subscription, so it is
    # reported as a renewal, not as a reissue
    assert (f"1 subscription(s) end within 30 days and need a (paid) renewal: {soon['domain']} "
            f"(order {soon['order_id']}") in plan
    assert "need a (free) reissue" not in plan
    assert workdir.plan().rc == 0, "a warning, not a change: a drift check (-detailed-exitcode) stays clean"
    workdir.write("terraform.tfvars", "warn_days = 5\n")
    assert "Check block assertion failed" not in workdir.plan().text


@pytest.mark.skipif(not TERRAFORM_1_0.exists(), reason="Terraform 1.0.3 is installed on Linux x86_64 only")
def test_terraform_1_0_still_plans(workdir: TerraformWorkdir, sb: Sandbox):
    seed_account(sb, 3)
    workdir.write("main.tf", PROVIDER_BLOCK + """
data "gogetssl_ssl_orders" "all" {}

output "ids" {
  value = data.gogetssl_ssl_orders.all.ids
}
""")

    def tf(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(TERRAFORM_1_0), f"-chdir={workdir.path}", *args, "-no-color"],
                              capture_output=True, text=True, timeout=300)

    assert "Terraform v1.0.3" in tf("version").stdout
    init = tf("init", "-input=false")
    assert init.returncode == 0, init.stdout + init.stderr
    plan = tf("plan", "-input=false")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "ids = [" in plan.stdout



def test_for_each_example_fails_on_a_listing_cut_short_and_adopts_nothing(workdir: TerraformWorkdir, sb: Sandbox):
    """Issue 20 (item 2): orders that fell out of a short listing would leave the for_each set (forgotten, or
    cancelled with the default on_destroy): the plan fails instead, saying why and what to do."""
    seed_account(sb, 12)
    sb.faults(list_page_cap=4, list_offset_cap=4)  # pages at 0 and 4, then "Invalid offset"
    _example("adopt-for-each", workdir).init()
    text = " ".join(workdir.plan(ok=(1,)).text.split())
    assert "The account has more orders than GoGetSSL's listing reaches" in text and "allow_incomplete" in text
    assert not (workdir.path / "terraform.tfstate").exists() or state_orders(workdir.state()) == {}


def test_an_id_import_with_generated_config_renews_nothing(workdir: TerraformWorkdir, sb: Sandbox):
    """Issue 20 (item 3): the Terraform 1.5+ path (an import block by id, `plan -generate-config-out`) adopts an
    order inside its renewal window without renewing it: the generated configuration says renew_before_days = 0."""
    order_id = sb.place(make_csr(key="ec256").csr_pem)
    _expiring_soon(sb, order_id, 10)
    block = f'import {{\n  to = gogetssl_ssl_order.adopted\n  id = "{order_id}"\n}}\n'
    workdir.write("main.tf", PROVIDER_BLOCK + block)
    workdir.init()
    workdir.run("plan", "-input=false", "-no-color", "-generate-config-out=generated.tf")
    generated = (workdir.path / "generated.tf").read_text()
    assert re.search(r"renew_before_days\s+= 0\b", generated), generated
    assert re.search(r"reissue_before_days\s+= 0\b", generated), generated
    plan = workdir.plan().text
    assert "1 to import, 0 to add, 0 to change, 0 to destroy" in plan and "renew" not in plan.lower().replace(
        "renew_before_days", "")
    workdir.apply()
    assert workdir.plan().rc == 0, "a second plan must be empty"
    assert sb.count("/orders/add_ssl_renew_order") == 0, "adopting renewed the order"
    assert workdir.resource("gogetssl_ssl_order.adopted")["renew_before_days"] == 0


_QUERY_ALL = """
list "gogetssl_ssl_order" "all" {
  provider = gogetssl
}
"""


def _query_generated(workdir: TerraformWorkdir) -> None:
    """`terraform query -generate-config-out=generated.tf` over the whole account (a fresh file each time)."""
    if not (workdir.path / "main.tf").exists():
        workdir.write("main.tf", PROVIDER_BLOCK)
        workdir.write("all.tfquery.hcl", _QUERY_ALL)
        workdir.init()
    (workdir.path / "generated.tf").unlink(missing_ok=True)
    workdir.run("query", "-no-color", "-generate-config-out=generated.tf")


def test_a_key_rotated_between_query_and_apply_fails_the_plan_and_reissues_nothing(workdir: TerraformWorkdir,
                                                                                  sb: Sandbox):
    """Issue 20 (item 4a): the generated configuration pins the CSR the query saw; an adopting apply after a key
    rotation in the client area must not reissue the order back to the old key. The plan fails naming the order
    and what to do; a new query adopts it with the vendor's current CSR."""
    ids = [sb.place(make_csr(key="ec256").csr_pem) for _ in range(2)]
    for order_id in ids:
        sb.set_status(order_id, "active")
    _query_generated(workdir)
    rotated = make_csr(sb.order(ids[0])["domain"], key="ec256").csr_pem
    answer = sb.api(f"/orders/ssl/reissue/{ids[0]}", {"csr": rotated, "webserver_type": "1", "dcv_method": "dns"})
    assert not answer.get("error"), answer
    sb.set_status(ids[0], "active")  # the reissue is issued: the order holds the new key
    reissues = sb.count("/orders/ssl/reissue")
    text = " ".join(workdir.plan(ok=(1,)).text.split())
    assert f"order {ids[0]}" in text and "terraform query -generate-config-out" in text, text
    workdir.apply(ok=(1,))
    assert sb.count("/orders/ssl/reissue") == reissues, "adopting reissued the order back to the old CSR"
    _query_generated(workdir)
    workdir.apply()
    assert sorted(state_orders(workdir.state()).values()) == sorted(ids)
    assert sb.count("/orders/ssl/reissue") == reissues and workdir.plan().rc == 0


def test_an_order_cancelled_between_query_and_apply_is_skipped_and_never_bought(workdir: TerraformWorkdir,
                                                                                sb: Sandbox):
    """Issue 20 (item 4b): one order cancelled after the query must not block the other imports, and nothing may
    be bought for it (a resource whose order is cancelled is otherwise ordered again)."""
    ids = [sb.place(make_csr(key="ec256").csr_pem) for _ in range(3)]
    _query_generated(workdir)
    sb.set_status(ids[1], "cancelled")
    text = " ".join(workdir.plan().text.split())
    assert f"Order {ids[1]} is cancelled" in text, text
    workdir.apply()
    for _ in range(2):  # the applies after adoption buy nothing for it either
        text = " ".join(workdir.apply().text.split())
        assert f"Order {ids[1]} is cancelled" in text and "0 added" in text, text
    assert sb.count("/orders/add_ssl_order") == 3 and sb.count("/orders/add_ssl_renew_order") == 0
    held = state_orders(workdir.state()).values()
    assert ids[0] in held and ids[2] in held
