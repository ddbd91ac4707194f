"""Serving the plugin protocol, in place of `tf.runner.run_provider`, so that an interrupted apply loses nothing.

The framework's runner stops the gRPC server as soon as Terraform sends StopProvider (on Ctrl-C),
cutting off a create that may just have placed a paid order, and lets SIGINT (which the terminal
sends to every process of the group, plugins included) raise KeyboardInterrupt. Here:

- SIGINT is ignored, as go-plugin plugins do: Terraform decides how to stop.
- StopProvider only sets `provider.stopping`: in-flight calls finish and return their state (a waiter
  returns early); the server stops when go-plugin's controller asks for Shutdown, after Terraform is done.

The rest (TLS certificate, handshake line, controller and stdio services) is the framework's.
"""

from __future__ import annotations

import base64
import os
import signal
import tempfile
import threading
from concurrent import futures
from typing import Any

import grpc
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc
from tf.runner import _self_signed_cert

from provider.tfext.servicer import GoGetSSLServicer


class _StoppableServicer(GoGetSSLServicer):
    def __init__(self, app: Any, stopping: threading.Event):
        super().__init__(app)
        self._stopping = stopping

    def StopProvider(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 - gRPC name
        self._stopping.set()
        return pb.StopProvider.Response()


def serve(app: Any, stopping: threading.Event) -> None:
    """Serve `app` over go-plugin's gRPC protocol until Terraform shuts the plugin down."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    done = threading.Event()
    server = grpc.server(thread_pool=futures.ThreadPoolExecutor(max_workers=10))
    rpc.add_ProviderServicer_to_server(_StoppableServicer(app, stopping), server)

    class Controller(controller_rpc.GRPCControllerServicer):
        def Shutdown(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
            stopping.set()
            done.set()
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):
        def StreamStdio(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
            return iter([])

    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)

    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "plugin.sock")
        chain, credentials = _self_signed_cert()
        server.add_secure_port(f"unix://{sock}", credentials)
        server.start()
        print("|".join(["1", "6", "unix", sock, "grpc", base64.b64encode(chain).decode().rstrip("=")]),
              flush=True)
        while not done.wait(0.05):
            pass
        server.stop(grace=1)
