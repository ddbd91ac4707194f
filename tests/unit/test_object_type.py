"""The Object attribute type: wire type, encoding through msgpack, equality."""

import json

import pytest
from tf.types import List, Number, String, Unknown
from tf.utils import read_dynamic_value, to_dynamic_value

from provider.common.order_schema import APPROVER_METHOD_TYPE
from provider.tfext.types import Object, PemString


def test_tf_type_is_terraform_object_json():
    t = Object({"a": String(), "n": Number(), "l": List(String())})
    assert json.loads(t.tf_type()) == ["object", {"a": "string", "l": ["list", "string"], "n": "number"}]


def test_nested_object_type():
    assert json.loads(APPROVER_METHOD_TYPE.tf_type()) == [
        "object",
        {
            "dns": ["object", {"record": "string"}],
            "email": "string",
            "http": ["object", {"content": "string", "filename": "string", "link": "string"}],
            "https": ["object", {"content": "string", "filename": "string", "link": "string"}],
        },
    ]


def test_encode_fills_every_attribute_and_drops_unknown_keys():
    t = Object({"a": String(), "b": String()})
    assert t.encode({"a": "x", "extra": 1}) == {"a": "x", "b": None}


def test_encode_passes_null_and_unknown_through():
    t = Object({"a": String()})
    assert t.encode(None) is None
    assert t.encode(Unknown) is Unknown
    assert t.encode({"a": Unknown}) == {"a": Unknown}


def test_msgpack_round_trip_of_nested_value():
    value = {"http": {"link": "http://x/.well-known/pki-validation/A.txt", "filename": "A.txt", "content": "c"},
             "https": None, "dns": None, "email": None}
    wire = to_dynamic_value(APPROVER_METHOD_TYPE.encode(value))
    assert APPROVER_METHOD_TYPE.decode(read_dynamic_value(wire)) == value


def test_encode_rejects_non_dict():
    with pytest.raises(TypeError):
        Object({"a": String()}).encode("nope")


def test_semantic_equality():
    t = Object({"a": String(), "b": Object({"c": String()})})
    assert t.semantically_equal({"a": "1", "b": {"c": "x"}}, {"a": "1", "b": {"c": "x"}})
    assert not t.semantically_equal({"a": "1", "b": {"c": "x"}}, {"a": "1", "b": {"c": "y"}})
    assert not t.semantically_equal({"a": "1", "b": None}, {"a": "1", "b": {"c": None}})
    assert not t.semantically_equal(None, {"a": None, "b": None})


def test_pem_string_ignores_line_endings_only():
    t = PemString()
    a = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\nAAAA\n-----END CERTIFICATE REQUEST-----\n"
    assert t.semantically_equal(a, a.replace("\n", "\r\n").rstrip())
    assert not t.semantically_equal(a, a.replace("AAAA", "AAAB"))
