"""The floor of a gogetssl plan: a plugin that serves gogetssl's schema through the provider's own transport
(provider.tfext.serve: the same gRPC server, TLS and handshake) and answers every RPC without any work.

    python -I bench/echo.py SCHEMA RPC_LOG

SCHEMA holds the provider's serialised GetProviderSchema.Response, which bench/plan.py writes once. Each answer
hands back what Terraform sent: UpgradeResourceState the stored JSON, ReadResource the current state,
PlanResourceChange the proposed state; validation and configuration answer nothing. So a plan through this
plugin costs what Terraform, the protocol and the plugin's launches cost for this schema and this state, and
nothing of the provider's logic or API calls: the provider's plan can come close to it, not under it.

On Shutdown (once per launch) it appends the count of each RPC it answered and the CPU seconds it used to
RPC_LOG, one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys
import threading
from collections import Counter
from typing import Any

import grpc
from tf.gen import tfplugin_pb2 as pb

from provider.tfext.serve import serve_methods

_EMPTY = {"ValidateProviderConfig", "ValidateResourceConfig", "ValidateDataResourceConfig", "ConfigureProvider",
          "StopProvider"}


def main(schema_path: str, log_path: str) -> None:
    with open(schema_path, "rb") as f:
        schema = pb.GetProviderSchema.Response.FromString(f.read())
    answers: dict[str, Any] = {
        "GetProviderSchema": lambda r: schema,
        "UpgradeResourceState": lambda r: pb.UpgradeResourceState.Response(
            upgraded_state=pb.DynamicValue(json=r.raw_state.json)),
        "ReadResource": lambda r: pb.ReadResource.Response(new_state=r.current_state, private=r.private),
        "PlanResourceChange": lambda r: pb.PlanResourceChange.Response(planned_state=r.proposed_new_state,
                                                                       planned_private=r.prior_private),
    }
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def method(name: str) -> Any:
        answer = answers.get(name)
        if answer is None and name in _EMPTY:
            response = getattr(pb, name).Response()

            def answer(request: Any) -> Any:
                return response

        def call(request: Any, context: grpc.ServicerContext) -> Any:
            with lock:
                counts[name] += 1
            if answer is None:
                context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{name} is not served by the echo plugin")
            return answer(request)

        return call

    def on_shutdown() -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with lock, open(log_path, "a") as f:
            f.write(json.dumps({"rpcs": dict(counts), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3)}) + "\n")

    serve_methods(method, on_shutdown=on_shutdown)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
