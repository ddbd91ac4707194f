"""go-plugin's Shutdown (provider/tfext/serve.py): the plugin ends its process at once, but not before a call still
running has had the time go-plugin gives it.

go-plugin's client (Kill) sends Shutdown, then waits 2 s for the process to exit before it kills it. Terraform sends
Shutdown with a call still in flight when its operation was cancelled (a second Ctrl-C: "Exiting immediately",
then CleanupClients). The plugin runs here as Terraform starts it, with one RPC that takes longer than gRPC's
default grace, and the test plays go-plugin's part. No Terraform; the only socket is the plugin's own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]
#: go-plugin's Kill: how long it waits for the process after Shutdown answered, then SIGKILL
GO_PLUGIN_WAIT = 2.0
#: how long the call still runs once Shutdown is sent: more than gRPC's grace of 1 s, less than go-plugin's wait
STILL_RUNNING = 1.4

PLUGIN = """
import sys, time
from tf.gen import tfplugin_pb2 as pb
from provider.tfext.serve import serve_methods
marker, work = sys.argv[1], float(sys.argv[2])

def method(name):
    def call(request, context):
        if name == "GetProviderSchema":
            with open(marker, "a") as f:
                f.write("started\\n")
            time.sleep(work)  # an apply still running (writing its log, the run's budget ledger)
            with open(marker, "a") as f:
                f.write("finished\\n")
        return getattr(pb, name).Response()
    return call

serve_methods(method)
"""


def _channel(handshake: str) -> grpc.Channel:
    """A client of the plugin's socket, trusting the certificate of its handshake line, as go-plugin does."""
    _core, _proto, _net, sock, _grpc, der = handshake.strip().split("|")
    body = der + "=" * (-len(der) % 4)
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) + \
        "\n-----END CERTIFICATE-----\n"
    return grpc.secure_channel(f"unix:{sock}", grpc.ssl_channel_credentials(root_certificates=pem.encode()),
                               options=[("grpc.ssl_target_name_override", "localhost")])


@pytest.mark.timeout(60)
def test_a_call_still_running_at_shutdown_finishes_within_go_plugins_wait(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", PLUGIN, str(marker), str(STILL_RUNNING)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        channel = _channel(proc.stdout.readline())
        call = tfplugin_pb2_grpc.ProviderStub(channel).GetProviderSchema.future(pb.GetProviderSchema.Request())
        deadline = time.monotonic() + 30
        while not (marker.exists() and "started" in marker.read_text()):
            assert time.monotonic() < deadline, "the call never started"
            time.sleep(0.02)
        shutdown = channel.unary_unary("/plugin.GRPCController/Shutdown", request_serializer=lambda b: b,
                                       response_deserializer=lambda b: b)
        shutdown(b"", timeout=10)
        try:
            proc.wait(GO_PLUGIN_WAIT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the plugin was still running {GO_PLUGIN_WAIT:g} s after Shutdown: go-plugin kills it")
        assert marker.read_text().split() == ["started", "finished"], (
            f"a call with {STILL_RUNNING:g} s left at Shutdown was cut off, although go-plugin waits "
            f"{GO_PLUGIN_WAIT:g} s for the process (before os._exit, the interpreter's exit let it finish)")
        del call
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)
