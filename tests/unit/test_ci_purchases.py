"""examples/ci/purchases.py, the CI guide's gate on what a saved plan buys, refuses what is not a plan it can
vouch for: an errored plan (Terraform writes one, "errored": true, whose changes are incomplete), JSON that is
not a plan, and text that is not JSON, each with a message and exit code 2 instead of "0 purchases" and 0."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "ci" / "purchases.py"


def _run(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    plan = tmp_path / "plan.json"
    plan.write_text(text)
    return subprocess.run([sys.executable, str(SCRIPT), str(plan), *args], capture_output=True, text=True, timeout=30)


def _order(address: str, price: float) -> dict[str, object]:
    return {"address": address, "type": "gogetssl_ssl_order",
            "change": {"actions": ["create"], "before": None, "after_unknown": {},
                       "after": {"planned_action": "order", "planned_price": price, "planned_tax": 0,
                                 "planned_currency": "EUR", "product_id": 65, "period": 12}}}


@pytest.mark.parametrize("text, says", [
    (json.dumps({"format_version": "1.2", "errored": True, "resource_changes": []}), "the plan failed"),
    (json.dumps({}), "not the JSON of a saved plan"),
    ("Error: Failed to load plugin schemas", "not JSON"),
])
def test_what_is_not_a_complete_plan_is_refused_with_exit_code_2(tmp_path: Path, text: str, says: str) -> None:
    done = _run(tmp_path, text, "--max-total", "1")
    assert done.returncode == 2 and says in done.stderr, done
    assert "Traceback" not in done.stderr and "purchase" not in done.stdout


def test_a_plan_over_the_limit_says_what_it_buys_in_all(tmp_path: Path) -> None:
    plan = {"format_version": "1.2", "resource_changes": [_order("gogetssl_ssl_order.a", 6.9),
                                                          _order("gogetssl_ssl_order.b", 24.0)]}
    done = _run(tmp_path, json.dumps(plan), "--max-total", "20")
    assert done.returncode == 1 and "2 purchases: 30.90 EUR" in done.stdout, done
    assert "30.90 EUR is over the limit of 20.00" in done.stderr, done
    assert _run(tmp_path, json.dumps(plan), "--max-total", "40").returncode == 0
