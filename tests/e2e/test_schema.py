"""The provider schema as Terraform sees it is a contract: it matches the committed snapshot.

Regenerate the snapshot after a deliberate change with `make schema` (UPDATE_SCHEMA=1): that run writes the
file and is reported as skipped, never as passed, since comparing the schema with a file just written from
it would prove nothing. Rerun without UPDATE_SCHEMA to check the snapshot.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, SCHEMA_SNAPSHOT, schema_problems

pytestmark = pytest.mark.e2e


def test_schema_matches_snapshot_and_documents_every_attribute(workdir: TerraformWorkdir):
    """The rules themselves (and that each can fail) are in tests/support.py schema_problems and
    tests/unit/test_schema_guard.py; here they meet the schema Terraform really reads from the plugin."""
    workdir.write("main.tf", PROVIDER_BLOCK)
    workdir.init()
    schema = json.loads(workdir.run("providers", "schema", "-json").out)
    (provider,) = schema["provider_schemas"].values()
    assert provider["resource_schemas"]["gogetssl_ssl_order"]["block"]["attributes"]["approver_method"]["type"][
        0] == "object"

    if os.environ.get("UPDATE_SCHEMA") == "1":
        assert schema_problems(provider, None) == []
        changed = not SCHEMA_SNAPSHOT.exists() or json.loads(SCHEMA_SNAPSHOT.read_text()) != provider
        if changed:
            SCHEMA_SNAPSHOT.write_text(json.dumps(provider, indent=2, sort_keys=True) + "\n")
        pytest.skip(f"{SCHEMA_SNAPSHOT.name} {'updated: review the diff' if changed else 'unchanged'}; "
                    "rerun without UPDATE_SCHEMA to check it")
    assert schema_problems(provider, json.loads(SCHEMA_SNAPSHOT.read_text())) == []
