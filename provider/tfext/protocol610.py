"""What the `tf` framework (protocol 6.6 stubs) lacks of plugin protocol 6.10: resource identity and list resources
(`terraform query`), and actions, as a resource, list resource or action declares them, served by the servicer (the RPC
table serve.py registers is in rpcs.py, which start-up imports).

- A resource declares its identity with a class attribute `IDENTITY = IdentitySchema(...)`: attributes that
  mirror state attributes of the same name (an order's id), so that identity is read off any state, and
  `import_id` turns an identity into the id string its `import_()` takes. Terraform 1.12+ stores identities
  beside state, imports by them (`import { identity = {...} }`) and needs them for `terraform query`.
- A list resource (Terraform 1.14+: `list` blocks in .tfquery.hcl files) is a class with `get_name()`,
  `get_schema()` (its `config` block), `validate(diags, config)` and `list(diags, config, include_state,
  limit)` yielding `Found` results (its warnings, such as a listing cut short, go to `diags` and reach
  Terraform after the results); the provider lists them in `get_list_resources()`.

Terraform before 1.12 never calls the new RPCs and ignores the new fields (protobuf skips unknown fields).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from tf.schema import Schema
from tf.types import TfType
from tf.utils import Diagnostics, read_dynamic_value, to_dynamic_value

from provider.tfext.proto import tfplugin6_10_pb2 as pb610


@dataclass(frozen=True)
class IdentityAttribute:
    name: str
    type: TfType
    description: str
    required_for_import: bool = True


@dataclass(frozen=True)
class IdentitySchema:
    attributes: tuple[IdentityAttribute, ...]
    import_id: Callable[[dict[str, Any]], str]
    version: int = 0

    def to_pb(self) -> Any:
        return pb610.ResourceIdentitySchema(version=self.version, identity_attributes=[
            pb610.ResourceIdentitySchema.IdentityAttribute(
                name=a.name, type=a.type.tf_type(), description=a.description,
                required_for_import=a.required_for_import, optional_for_import=not a.required_for_import)
            for a in self.attributes])

    def of(self, state: dict[str, Any] | None) -> dict[str, Any] | None:
        """The identity of an encoded state (as Terraform sends and stores it); None while any part is unknown or
        null (a create not yet applied, a failed one)."""
        if not isinstance(state, dict):
            return None
        identity = {a.name: state.get(a.name) for a in self.attributes}
        if any(v is None or not isinstance(v, (str, int, float, bool)) for v in identity.values()):
            return None
        return identity

    def data(self, identity: dict[str, Any] | None) -> Any:
        """ResourceIdentityData for an identity (None: the message left unset)."""
        if identity is None:
            return None
        return pb610.ResourceIdentityData(identity_data=to_dynamic_value(identity))


def read_identity(data: Any) -> dict[str, Any] | None:
    """The identity a ResourceIdentityData carries (msgpack or JSON), or None when unset."""
    if data is None or not data.HasField("identity_data"):  # (a framework request has no identity at all)
        return None
    value = read_dynamic_value(data.identity_data)
    return value if isinstance(value, dict) else None


def read_raw_identity(raw: Any) -> dict[str, Any] | None:
    """A stored identity as UpgradeResourceIdentity sends it (RawState, JSON)."""
    try:
        value = json.loads(raw.json or b"null")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass
class Found:
    """One result of a list resource: the resource's identity, a line for people, and (when Terraform asks for
    it, to generate configuration) the state an import of it would produce."""

    identity: dict[str, Any]
    display_name: str
    state: dict[str, Any] | None = None


class ListResource(Protocol):
    @classmethod
    def get_name(cls) -> str: ...

    @classmethod
    def get_schema(cls) -> Schema: ...

    def validate(self, diags: Diagnostics, config: dict[str, Any]) -> None: ...

    def list(self, diags: Diagnostics, config: dict[str, Any], include_state: bool,
             limit: int | None) -> Iterator[Found]: ...


class Action(Protocol):
    """An action (Terraform 1.14+: an `action` block, run by `terraform apply -invoke=action.TYPE.NAME` or by an
    `action_trigger` in a resource's lifecycle). It touches no state. `validate` sees the configuration on an
    unconfigured provider (unknown values still unknown), `plan` on the configured one before the apply, and
    `invoke` does the work, yielding one progress line at a time; its errors and warnings go to `diags`, which
    reach Terraform after the last line. The provider lists its actions in `get_actions()`."""

    @classmethod
    def get_name(cls) -> str: ...

    @classmethod
    def get_schema(cls) -> Schema: ...

    def validate(self, diags: Diagnostics, config: dict[str, Any]) -> None: ...

    def plan(self, diags: Diagnostics, config: dict[str, Any]) -> None: ...

    def invoke(self, diags: Diagnostics, config: dict[str, Any]) -> Iterator[str]: ...
