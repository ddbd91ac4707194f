"""The RPCs of tfplugin6.Provider this plugin serves, as serve.py registers them before the handshake: the
framework's (protocol 6.6 stubs) and those tfplugin6_10.proto adds. This runs at every start of the plugin, so
the 6.10 messages are imported when a request needs them (after the handshake), not to register them:
NEWER names the added RPCs (a unit test checks it against the .proto's service)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from tf.gen import tfplugin_pb2 as pb

#: the RPCs tfplugin6_10.proto adds: (name, whether the answer is a stream)
NEWER = (("GetResourceIdentitySchemas", False), ("UpgradeResourceIdentity", False), ("ListResource", True),
         ("ValidateListResourceConfig", False), ("GenerateResourceConfig", False), ("PlanAction", False),
         ("InvokeAction", True), ("ValidateActionConfig", False))
#: framework RPCs whose requests carry 6.10 fields the framework's messages lack, parsed in the 6.10 shape
NEWER_REQUESTS = ("ImportResourceState",)


class Rpc(NamedTuple):
    """One Provider RPC as serve.py registers it: how its request is parsed, and whether it streams."""

    name: str
    parse: Callable[[bytes], Any]
    streaming: bool = False


def _newer_parser(name: str) -> Callable[[bytes], Any]:
    def parse(data: bytes) -> Any:
        from provider.tfext.proto import tfplugin6_10_pb2 as pb610

        return getattr(pb610, name).Request.FromString(data)

    return parse


def rpcs() -> list[Rpc]:
    """Every RPC of tfplugin6.Provider served: the framework's, then the ones tfplugin6_10.proto adds."""
    framework = pb.DESCRIPTOR.services_by_name["Provider"]
    out = [Rpc(m.name, _newer_parser(m.name) if m.name in NEWER_REQUESTS else getattr(pb, m.name).Request.FromString)
           for m in framework.methods]
    return out + [Rpc(name, _newer_parser(name), streaming) for name, streaming in NEWER]


def response_class(name: str) -> Any:
    """The message an RPC answers with (for a streaming RPC, its event)."""
    from provider.tfext.proto import tfplugin6_10_pb2 as pb610

    holder = getattr(pb610, name, None) or getattr(pb, name)
    return getattr(holder, "Response", None) or holder.Event
