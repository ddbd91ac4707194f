"""The schema guard (tests/e2e/test_schema.py) can fail: planted violations of each of its rules are reported,
and the committed snapshot itself passes."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.support import SCHEMA_SNAPSHOT, schema_problems


def _snapshot() -> dict[str, Any]:
    return json.loads(SCHEMA_SNAPSHOT.read_text())


def test_the_committed_snapshot_passes_its_own_guard():
    assert schema_problems(_snapshot(), _snapshot()) == []


def test_a_changed_attribute_type_is_reported_as_a_difference_from_the_snapshot():
    changed = _snapshot()
    changed["resource_schemas"]["gogetssl_ssl_order"]["block"]["attributes"]["period"]["type"] = "string"
    assert schema_problems(changed, _snapshot()) == [
        "schema differs from the snapshot (resource_schemas gogetssl_ssl_order): review it, then run `make schema`"]


def test_an_attribute_without_a_description_is_reported_even_when_the_snapshot_agrees():
    bare = _snapshot()
    del bare["data_source_schemas"]["gogetssl_products"]["block"]["attributes"]["brand"]["description"]
    assert schema_problems(bare, copy.deepcopy(bare)) == ["gogetssl_products.brand has no description"]


def test_a_password_not_marked_sensitive_and_a_resource_without_a_version_are_reported():
    loose = _snapshot()
    loose["provider"]["block"]["attributes"]["password"]["sensitive"] = False
    loose["resource_schemas"]["gogetssl_ssl_order"]["version"] = 0
    problems = schema_problems(loose, None)
    assert problems == ["provider setting password is not sensitive", "gogetssl_ssl_order has no schema version"]


def test_a_type_added_without_updating_the_snapshot_is_reported():
    grown = _snapshot()
    grown["data_source_schemas"]["gogetssl_new"] = copy.deepcopy(grown["data_source_schemas"]["gogetssl_product"])
    assert "data_source_schemas gogetssl_new" in schema_problems(grown, _snapshot())[0]
