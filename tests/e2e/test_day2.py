"""Day-2 operations through real Terraform: what Terraform itself adds to them, a replacement's plan rendered
with the paths that force it.

The provider's answers to day-2 changes (drift, reissue, DCV change, renewal, destroy policies, import of every
product type, the data sources) are tested in-process: tests/integration/test_day2.py,
test_ssl_order_destroy.py, test_ssl_order_import.py and test_data_sources.py (issue 21)."""

from __future__ import annotations

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, make_csr, order_hcl

pytestmark = pytest.mark.e2e


def test_csr_change_on_an_order_not_yet_issued_forces_a_new_order(workdir: TerraformWorkdir):
    """The replacement is the provider's decision (GoGetSSL reissues active orders only), not the schema's: the
    plan must still show it as one, naming the csr."""
    first = make_csr()
    workdir.write("site.csr", first.csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="http"))
    workdir.init()
    workdir.apply()
    workdir.write("site.csr", make_csr(first.common_name).csr_pem)
    (change,) = workdir.plan_json()["resource_changes"]
    assert change["change"]["actions"] == ["delete", "create"] and change["change"]["replace_paths"] == [["csr"]]
