"""The protocol 6.10 messages the provider adds to the tf framework's stubs (provider/tfext/proto): generated from
the checked-in .proto, wire-compatible with the framework's older shapes, and numbered as Terraform's published
protocol numbers them; and the order identity they carry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tf.gen import tfplugin_pb2 as pb

from provider.common.order_schema import ORDER_IDENTITY
from provider.tfext.proto import tfplugin6_10_pb2 as pb610
from provider.tfext.protocol610 import read_identity
from provider.tfext.rpcs import NEWER, response_class, rpcs

PROTO = Path(pb610.__file__).with_name("tfplugin6_10.proto")
#: the fields protocol 6.10 numbers (docs/plugin-protocol/tfplugin6.proto in hashicorp/terraform)
PUBLISHED = {
    "GetProviderSchema.Response": {"list_resource_schemas": 9},
    "ReadResource.Request": {"current_identity": 6},
    "ReadResource.Response": {"new_identity": 5},
    "PlanResourceChange.Request": {"prior_identity": 8},
    "PlanResourceChange.Response": {"planned_identity": 7},
    "ApplyResourceChange.Request": {"planned_identity": 7},
    "ApplyResourceChange.Response": {"new_identity": 5},
    "ImportResourceState.Request": {"identity": 4},
    "ImportResourceState.ImportedResource": {"identity": 4},
    "ListResource.Request": {"type_name": 1, "config": 2, "include_resource_object": 3, "limit": 4},
    "ListResource.Event": {"identity": 1, "display_name": 2, "resource_object": 3, "diagnostic": 4},
    "ResourceIdentitySchema.IdentityAttribute": {"name": 1, "type": 2, "required_for_import": 3,
                                                 "optional_for_import": 4, "description": 5},
}


def _message(module, dotted: str):
    obj = module
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def _proto_fields() -> dict[str, dict[str, int]]:
    """message path -> {field: number}, read from the .proto's text (nesting followed by braces)."""
    out: dict[str, dict[str, int]] = {}
    stack: list[str] = []
    for line in PROTO.read_text().splitlines():
        line = line.split("//")[0].strip()
        if m := re.match(r"(message|service)\s+(\w+)\s*\{", line):
            stack.append(m.group(2))
            out.setdefault(".".join(stack), {})
            if line.endswith("}"):
                stack.pop()
        elif m := re.match(r"(?:repeated\s+|optional\s+)?(?:map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*(\d+);", line):
            out[".".join(stack)][m.group(1)] = int(m.group(2))
        elif line.startswith("enum"):
            stack.append("<enum>")
        elif line == "}" and stack:
            stack.pop()
    return {k: v for k, v in out.items() if "<enum>" not in k and v}


def test_generated_module_matches_the_checked_in_proto():
    fields = _proto_fields()
    assert fields, "the .proto declares messages"
    for path, numbers in fields.items():
        descriptor = _message(pb610, path).DESCRIPTOR
        assert {f.name: f.number for f in descriptor.fields} == numbers, f"{path}: run `make proto`"


@pytest.mark.parametrize("path", sorted(PUBLISHED))
def test_new_fields_carry_the_published_numbers(path: str):
    descriptor = _message(pb610, path).DESCRIPTOR
    assert {name: descriptor.fields_by_name[name].number for name in PUBLISHED[path]} == PUBLISHED[path]


@pytest.mark.parametrize("path", ["GetProviderSchema.Response", "ReadResource.Request", "ReadResource.Response",
                                  "PlanResourceChange.Request", "PlanResourceChange.Response",
                                  "ApplyResourceChange.Request", "ApplyResourceChange.Response",
                                  "ImportResourceState.Request", "ImportResourceState.ImportedResource",
                                  "ImportResourceState.Response"])
def test_newer_shapes_keep_every_field_of_the_frameworks(path: str):
    """A framework message re-read as its 6.10 shape loses nothing: same numbers, types and labels."""
    ours = _message(pb610, path).DESCRIPTOR.fields_by_number
    for f in _message(pb, path).DESCRIPTOR.fields:
        assert f.number in ours, f"{path}.{f.name}"
        mine = ours[f.number]
        assert (mine.name, mine.type, mine.label) == (f.name, f.type, f.label), f"{path}.{f.name}"


def test_every_rpc_has_request_and_answer_classes():
    table = {r.name: r for r in rpcs()}
    assert {"ListResource", "GetResourceIdentitySchemas", "UpgradeResourceIdentity", "ValidateListResourceConfig",
            "GenerateResourceConfig", "ReadResource", "StopProvider"} <= set(table)
    assert table["ListResource"].streaming and not table["ReadResource"].streaming
    service = pb610.DESCRIPTOR.services_by_name["Provider"]
    assert sorted(NEWER) == sorted((m.name, m.server_streaming) for m in service.methods), "NEWER is the .proto's"
    wire = pb610.ImportResourceState.Request(id="7", identity=pb610.ResourceIdentityData()).SerializeToString()
    assert table["ImportResourceState"].parse(wire).HasField("identity")
    for name in table:
        assert response_class(name).DESCRIPTOR is not None


def test_order_identity_is_the_order_id():
    assert ORDER_IDENTITY.of({"order_id": 1800001, "csr": "x"}) == {"order_id": 1800001}
    assert ORDER_IDENTITY.of({"order_id": None}) is None  # a create not yet applied has none
    data = ORDER_IDENTITY.data({"order_id": 1800001})
    assert read_identity(pb610.ResourceIdentityData.FromString(data.SerializeToString())) == {"order_id": 1800001}
    assert ORDER_IDENTITY.import_id({"order_id": 1800001.0}) == "1800001"
    assert ORDER_IDENTITY.import_id({"order_id": 1.5}) == "1.5"  # import_() then rejects it with its own error
