"""The provider schema as Terraform sees it is a contract: it matches the committed snapshot.

Regenerate the snapshot after a deliberate change with `make schema` (UPDATE_SCHEMA=1): that run writes the
file and is reported as skipped, never as passed, since comparing the schema with a file just written from
it would prove nothing. Rerun without UPDATE_SCHEMA to check the snapshot.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK

SNAPSHOT = Path(__file__).resolve().parents[2] / "schemas" / "provider-schema.json"
pytestmark = pytest.mark.e2e


def test_schema_matches_snapshot_and_documents_every_attribute(workdir: TerraformWorkdir):
    workdir.write("main.tf", PROVIDER_BLOCK)
    workdir.init()
    schema = json.loads(workdir.run("providers", "schema", "-json").out)
    (provider,) = schema["provider_schemas"].values()

    assert provider["provider"]["block"]["attributes"]["password"]["sensitive"] is True
    order = provider["resource_schemas"]["gogetssl_ssl_order"]
    assert order["version"] >= 1
    for name, attr in order["block"]["attributes"].items():
        assert attr.get("description"), f"{name} has no description"
    assert order["block"]["attributes"]["approver_method"]["type"][0] == "object"

    if os.environ.get("UPDATE_SCHEMA") == "1":
        changed = not SNAPSHOT.exists() or json.loads(SNAPSHOT.read_text()) != provider
        if changed:
            SNAPSHOT.write_text(json.dumps(provider, indent=2, sort_keys=True) + "\n")
        pytest.skip(f"{SNAPSHOT.name} {'updated: review the diff' if changed else 'unchanged'}; "
                    "rerun without UPDATE_SCHEMA to check it")
    committed = json.loads(SNAPSHOT.read_text())
    assert provider == committed, "schema changed: review it, then run `make schema`"
