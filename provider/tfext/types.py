"""Attribute types and a block the `tf` framework lacks: `Object` (it ships only primitives, lists, sets, maps),
`PemString`, and `SingleNestedBlock` (a block written at most once, such as `timeouts { }`).

Terraform's object type lets HCL index a computed value by attribute
(`approver_method.http.link`), with each attribute typed on its own. Values are Python dicts;
encoding fills every declared attribute (missing ones as null), because Terraform's msgpack
wire format requires an object to carry all of its attributes, and drops undeclared keys.
"""

from __future__ import annotations

import json
from typing import Any

from tf.schema import Block, NestedBlock, NestMode
from tf.types import String, TfType, Unknown


class Object(TfType):
    def __init__(self, attributes: dict[str, TfType]):
        if not attributes:
            raise ValueError("an Object type needs at least one attribute")
        self.attributes = dict(attributes)

    def tf_type(self) -> bytes:
        inner = {name: json.loads(t.tf_type()) for name, t in self.attributes.items()}
        return json.dumps(["object", inner], separators=(",", ":"), sort_keys=True).encode()

    def encode(self, value: Any) -> Any:
        if value is None or value is Unknown:
            return value
        if not isinstance(value, dict):
            raise TypeError(f"expected a dict for an object value, got {type(value).__name__}")
        return {
            name: (value.get(name) if value.get(name) in (None, Unknown) else t.encode(value[name]))
            for name, t in self.attributes.items()
        }

    def decode(self, value: Any) -> Any:
        if value is None or value is Unknown:
            return value
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {type(value).__name__}")
        return {
            name: (value.get(name) if value.get(name) in (None, Unknown) else t.decode(value[name]))
            for name, t in self.attributes.items()
        }

    def semantically_equal(self, a_decoded: Any, b_decoded: Any) -> bool:
        if a_decoded is b_decoded:
            return True
        if a_decoded is None or b_decoded is None or a_decoded is Unknown or b_decoded is Unknown:
            return False
        for name, t in self.attributes.items():
            a, b = a_decoded.get(name), b_decoded.get(name)
            if (a is None) != (b is None) or (a is Unknown) != (b is Unknown):
                return False
            if a is not None and a is not Unknown and not t.semantically_equal(a, b):
                return False
        return True


class PemString(String):
    """A string holding PEM text, where line endings and blank lines carry no meaning.

    `file("site.csr")` and the vendor's copy of the same CSR can differ in CRLF versus LF or
    a trailing newline; comparing them as text would replace a paid order for nothing.
    """

    def semantically_equal(self, a_decoded: Any, b_decoded: Any) -> bool:
        if isinstance(a_decoded, str) and isinstance(b_decoded, str):
            return normalize_pem(a_decoded) == normalize_pem(b_decoded)
        return a_decoded is b_decoded or a_decoded == b_decoded


def normalize_pem(text: str) -> str:
    return "".join(text.split())


class SingleNestedBlock(NestedBlock):
    """A block written at most once, such as `timeouts { create = "45m" }`: its value is a dict holding every
    attribute of the block (null where unset), or None when the block is absent. The framework ships only a
    set-nested block (its single one is commented out), and a NestedBlock of its own encodes nothing."""

    def __init__(self, type_name: str, block: Block) -> None:
        super().__init__(type_name, NestMode.Single, block)

    def encode(self, value: Any) -> Any:
        if value is None or value is Unknown:
            return value
        return {a.name: _encode_member(a.type, value.get(a.name)) for a in self.block.attributes}

    def decode(self, value: Any) -> Any:
        if value is None or value is Unknown:
            return value
        return {a.name: a.type.decode(value[a.name]) if value.get(a.name) not in (None, Unknown)
                else value.get(a.name) for a in self.block.attributes}

    def semantically_equal(self, a_decoded: Any, b_decoded: Any) -> bool:
        if a_decoded is None or b_decoded is None:
            return a_decoded is b_decoded
        return all(
            (a_decoded.get(a.name) is None and b_decoded.get(a.name) is None)
            or (a_decoded.get(a.name) is not None and b_decoded.get(a.name) is not None
                and a.type.semantically_equal(a_decoded.get(a.name), b_decoded.get(a.name)))
            for a in self.block.attributes)


def _encode_member(t: TfType, value: Any) -> Any:
    return value if value is None or value is Unknown else t.encode(value)
