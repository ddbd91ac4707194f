"""The RPCs of tfplugin6.Provider this plugin serves, as serve.py registers them before the handshake: the
framework's (protocol 6.6 stubs) and those tfplugin6_10.proto adds. Only the two generated modules are imported:
this runs on every start of the plugin."""

from __future__ import annotations

from typing import Any, NamedTuple

from tf.gen import tfplugin_pb2 as pb

from provider.tfext.proto import tfplugin6_10_pb2 as pb610


class Rpc(NamedTuple):
    """One Provider RPC as serve.py registers it: how its request is parsed, and whether it streams."""

    name: str
    request: Any
    streaming: bool = False


#: RPCs whose requests carry 6.10 fields the framework's messages lack, parsed with the 6.10 shape
_NEWER_REQUESTS = {"ImportResourceState": pb610.ImportResourceState.Request}


def rpcs() -> list[Rpc]:
    """Every RPC of tfplugin6.Provider served: the framework's, then the ones tfplugin6_10.proto adds."""
    framework = pb.DESCRIPTOR.services_by_name["Provider"]
    out = [Rpc(m.name, _NEWER_REQUESTS.get(m.name) or getattr(pb, m.name).Request) for m in framework.methods]
    ext = pb610.DESCRIPTOR.services_by_name["Provider"]
    out += [Rpc(m.name, getattr(pb610, m.name).Request, m.server_streaming) for m in ext.methods]
    return out


def response_class(name: str) -> Any:
    """The message an RPC answers with (for a streaming RPC, its event)."""
    holder = getattr(pb610, name, None) or getattr(pb, name)
    return getattr(holder, "Response", None) or holder.Event
