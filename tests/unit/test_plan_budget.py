"""provider/common/pricing.py PlanBudget: the balance check of one Terraform run, shared by the plugin processes
of its provider blocks on one account through a file that no other user can plant or redirect."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from provider.common.pricing import PlanBudget


@pytest.fixture
def tmp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    return tmp_path


def _shared(url: str = "https://my.gogetssl.com/api", user: str = "someone") -> PlanBudget:
    budget = PlanBudget()
    budget.share_run(url, user)
    return budget


def test_provider_blocks_of_one_run_on_one_account_add_up(tmp_root: Path):
    first, second = _shared(), _shared("HTTPS://my.gogetssl.com/api/", "Someone")  # one account, spelt apart
    first.add("order:a", 6.9)
    assert second.add("order:b", 6.9) == (13.8, 2)
    assert _shared(user="another").add("order:c", 6.9) == (6.9, 1), "another account is another budget"


def test_a_purchase_made_leaves_the_budget_and_is_named(tmp_root: Path):
    first, second = _shared(), _shared()
    first.add("order:a", 6.9)
    second.add("order:b", 6.9)
    first.bought("order:a", "order 1800001 for a.example.com (6.90 EUR)")
    assert second.add("order:b", 6.9) == (6.9, 1), "what was bought is out of the balance already"
    assert second.purchases() == ["order 1800001 for a.example.com (6.90 EUR)"]


def test_a_walk_whose_processes_are_gone_leaves_nothing_to_the_next(tmp_root: Path):
    """The plan walk's processes have exited when the apply walk's start: its entries (some keyed by values
    unknown then) must not be counted again."""
    plan_walk = _shared()
    plan_walk.add("order:unknown:1", 6.9)  # keyed with the CSR unknown (purchase_key)
    ledger = next(tmp_root.glob("gogetssl-plan-budget-*/*.json"))
    text = ledger.read_text().replace(f'"{os.getpid()}:', '"999999999:')  # a process that no longer runs
    ledger.write_text(text)
    assert _shared().add("order:known-csr", 6.9) == (6.9, 1)


def test_a_ledger_folder_another_user_could_write_is_not_used(tmp_root: Path):
    folder = tmp_root / f"gogetssl-plan-budget-{os.getuid()}"
    folder.mkdir()
    folder.chmod(0o777)
    first, second = _shared(), _shared()
    first.add("order:a", 6.9)
    assert second.add("order:b", 6.9) == (6.9, 1), "per process, as without a ledger"
    assert list(folder.iterdir()) == []


def test_a_planted_symlink_is_not_followed(tmp_root: Path):
    victim = tmp_root / "victim.txt"
    victim.write_text("precious\n")
    budget = _shared()
    budget.add("order:a", 6.9)
    (ledger,) = (tmp_root / f"gogetssl-plan-budget-{os.getuid()}").glob("*.json")
    ledger.unlink()
    ledger.symlink_to(victim)
    budget.add("order:b", 6.9)
    assert victim.read_text() == "precious\n"


def test_a_walk_starting_afresh_keeps_what_was_bought_and_what_is_known(tmp_root: Path):
    """A provider block whose configuration waits on a resource may start after another block's process has
    exited, in the same walk: starting afresh drops only entries keyed by values unknown at plan (the next
    walk keys them anew), never what is known or was bought."""
    first = _shared()
    first.add("order:known", 6.9)
    first.add("order:unknown:1", 6.9)
    first.add("order:bought", 6.9)
    first.bought("order:bought", "order 1800001 for a.example.com (6.90 EUR)")
    ledger = next(tmp_root.glob("gogetssl-plan-budget-*/*.json"))
    ledger.write_text(ledger.read_text().replace(f'"{os.getpid()}:', '"999999999:'))  # its process is gone
    later = _shared()
    assert later.add("order:other", 6.9) == (13.8, 2)
    assert later.purchases() == ["order 1800001 for a.example.com (6.90 EUR)"]


@pytest.mark.parametrize("text", ['{"members": 5}', '{"members": [], "bought": {}}', '{"items": {"k": "x"}}',
                                  '[1, 2]', '{"items": {"k": 1e999}}'])
def test_a_ledger_of_the_wrong_shape_is_started_afresh(tmp_root: Path, text: str):
    _shared().add("order:x", 1)
    (ledger,) = list(tmp_root.glob("gogetssl-plan-budget-*/*.json"))
    ledger.write_text(text)
    second = _shared()
    assert second.add("order:a", 6.9) == (6.9, 1)
    second.bought("order:a", "order 1")
    assert second.purchases() == ["order 1"]
