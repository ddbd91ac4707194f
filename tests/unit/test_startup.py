"""Plugin start-up (provider/main.py, provider/tfext/serve.py): the handshake line comes before anything the
first RPC does not need, and what moved past it still works.

Structural, not timed: the plugin's console script runs in a subprocess, as Terraform starts it, and the
modules loaded when it writes its handshake line are compared with what serving needs anyway (grpc, the
protocol's messages, grpc's server). The deferred provider, the services and the certificate cache are
tested in process. No Terraform; the only socket is the plugin's own, in its private directory.
"""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import grpc
import pytest
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc

from provider.tfext import serve
from provider.tfext.proto import tfplugin6_10_pb2 as pb610

MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
SCRIPT = Path(sys.executable).with_name("terraform-provider-gogetssl")
# Runs the console script with stdout tapped: at the first write (the handshake line), before passing it on,
# the names of the modules loaded so far go to the file named by argv[1].
TAPPED = """
import sys
dump, script = sys.argv[1], sys.argv[2]
class Tap:
    def __init__(self, out):
        self.out, self.seen = out, False
    def write(self, text):
        if not self.seen:
            self.seen = True
            names = sorted(sys.modules)
            with open(dump, "w") as f:
                f.write("\\n".join(names))
        return self.out.write(text)
    def __getattr__(self, name):
        return getattr(self.out, name)
sys.stdout = Tap(sys.stdout)
sys.argv = [script]
exec(compile(open(script).read(), script, "exec"), {"__name__": "__main__"})
"""
# What any plugin on the framework loads before it can answer: grpc and the protocol's messages (the floor
# bench/startup.py measures), grpc's server with its thread pool, and its generic handlers.
SERVING_FLOOR = ("import grpc, tf.gen.tfplugin_pb2, grpc._server, grpc._utilities, concurrent.futures.thread, sys; "
                 "print('\\n'.join(sys.modules))")
# Beyond that floor, the plugin may load only its entry point, the module that serves, and the table of RPCs it
# serves (which imports protocol 6.10's messages only when a request needs them).
PLUGIN_MODULES = {"provider", "provider.main", "provider.tfext", "provider.tfext.serve", "provider.tfext.rpcs"}
# Named, for a clear failure message: what the provider loads when it is built, or only people's commands use.
NOT_YET = ("cryptography", "pydantic", "requests", "urllib3", "tf.iface", "tf.schema", "tf.provider", "tf.runner",
         "provider.provider", "provider.client", "provider.logs", "provider.tfext.servicer", "provider.resources",
         "provider.data_sources", "provider.common", "provider.tfext.proto", "argparse", "tempfile", "json")


def _modules_at_handshake(tmp_path: Path, cache: Path, **extra_env: str) -> tuple[set[str], str]:
    """The modules the plugin has loaded when it writes its handshake line, and the line."""
    dump = tmp_path / f"modules-{time.monotonic_ns()}.txt"
    env = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE, "XDG_CACHE_HOME": str(cache), **extra_env}
    proc = subprocess.Popen([sys.executable, "-c", TAPPED, str(dump), str(SCRIPT)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert line.startswith("1|6|unix|"), f"no handshake line; stderr:\n{err}"
    return set(dump.read_text().split("\n")), line


@pytest.mark.timeout(120)
@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")
def test_the_handshake_comes_before_anything_the_first_rpc_needs(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _, first = _modules_at_handshake(tmp_path, cache)  # no cached certificate yet: one is made
    cached = cache / "terraform-provider-gogetssl" / "plugin-tls.pem"
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600

    loaded, second = _modules_at_handshake(tmp_path, cache)
    assert first.split("|")[-1] == second.split("|")[-1], "the cached certificate was not used"
    assert sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in NOT_YET)) == []
    floor = set(subprocess.run([sys.executable, "-c", SERVING_FLOOR], capture_output=True, text=True,
                               check=True).stdout.split("\n"))
    assert sorted(loaded - floor - PLUGIN_MODULES) == []


class FakeApp:
    def __init__(self, fail: bool = False) -> None:
        self.stopping = threading.Event()
        self.fail = fail

    def get_resources(self) -> list[Any]:
        if self.fail:
            raise ImportError("no module named provider.resources.gone (auth_key=hunter22)")
        return []

    def get_data_sources(self) -> list[Any]:
        return []


def test_a_stop_before_the_provider_exists_reaches_it_when_it_is_built() -> None:
    apps: list[FakeApp] = []
    deferred = serve._Deferred(lambda: apps.append(FakeApp()) or apps[-1])
    deferred.method("StopProvider")(pb.StopProvider.Request(), None)
    assert apps == []  # answered without building the provider
    deferred.load()
    assert apps[0].stopping.is_set()
    deferred.load()
    assert len(apps) == 1


def test_threads_that_ask_together_build_the_provider_once() -> None:
    built, gate = [], threading.Event()

    def new_app() -> FakeApp:
        gate.wait(5)
        built.append(1)
        return FakeApp()

    deferred = serve._Deferred(new_app)
    threads = [threading.Thread(target=deferred.load) for _ in range(8)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(10)
    assert built == [1]


def test_a_provider_that_fails_to_load_answers_with_a_diagnostic() -> None:
    deferred = serve._Deferred(lambda: FakeApp(fail=True))
    answer = deferred.method("GetProviderSchema")(pb.GetProviderSchema.Request(), None)
    (diag,) = answer.diagnostics
    assert diag.severity == pb.Diagnostic.ERROR and "ImportError" in diag.detail
    assert "hunter22" not in diag.detail


class RecordingServer:
    """What a grpc.Server is told to serve: the handlers of each service."""

    def __init__(self) -> None:
        self.generic: dict[str, dict[str, Any]] = {}
        self.registered: dict[str, dict[str, Any]] = {}

    def add_generic_rpc_handlers(self, handlers: Any) -> None:
        for h in handlers:
            self.generic[h._name] = dict(h._method_handlers)

    def add_registered_method_handlers(self, name: str, handlers: dict[str, Any]) -> None:
        self.registered[name] = handlers


def test_the_provider_service_is_served_as_its_generated_module_would() -> None:
    generated, ours = RecordingServer(), RecordingServer()

    class Servicer:
        def __getattr__(self, name: str) -> Any:
            return name

    tfplugin_pb2_grpc.add_ProviderServicer_to_server(Servicer(), generated)
    serve._add_services(ours, lambda name: name, lambda request, context: b"")
    sample = pb.ReadResource.Response(new_state=pb.DynamicValue(msgpack=b"\x80"), private=b"p")
    for theirs, mine in ((generated.registered, ours.registered), (generated.generic, ours.generic)):
        expected, got = theirs["tfplugin6.Provider"], mine["tfplugin6.Provider"]
        # the framework's RPCs, and protocol 6.10's for identities, `terraform query` and actions
        added = sorted(k.rsplit("/", 1)[-1] for k in set(got) - set(expected))  # generic: full method paths
        assert added == ["GenerateResourceConfig", "GetResourceIdentitySchemas", "InvokeAction", "ListResource",
                         "PlanAction", "UpgradeResourceIdentity", "ValidateActionConfig",
                         "ValidateListResourceConfig"]
        for streams in ("ListResource", "InvokeAction"):
            handler = next(v for k, v in got.items() if k.endswith(streams))
            assert (handler.request_streaming, handler.response_streaming) == (False, True)
        for name, handler in expected.items():
            assert (got[name].request_streaming, got[name].response_streaming) == (False, False)
            assert got[name].unary_unary == handler.unary_unary  # the servicer's method of that name
            if name.endswith("ImportResourceState"):  # parsed in its 6.10 shape, which adds `identity`
                wire = pb610.ImportResourceState.Request(type_name="t", id="1", identity=pb610.ResourceIdentityData(
                    identity_data=pb.DynamicValue(json=b"{}"))).SerializeToString()
                assert got[name].request_deserializer(wire).HasField("identity")
            else:
                assert got[name].request_deserializer == handler.request_deserializer
            # any message the servicer answers with is serialized as the generated serializer would
            assert got[name].response_serializer(sample) == handler.response_serializer(sample)
    assert set(ours.registered) == {"tfplugin6.Provider", "plugin.GRPCController", "plugin.GRPCStdio"}
    assert list(ours.registered["plugin.GRPCStdio"]["StreamStdio"].unary_stream(b"", None)) == []


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "terraform-provider-gogetssl" / "plugin-tls.pem"


def test_a_new_certificate_is_what_go_plugin_checks_and_is_cached_privately(cache: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key

    key_pem, cert_pem = serve.tls_pair()
    cert = x509.load_pem_x509_certificate(cert_pem)
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName) == ["localhost"]
    assert load_pem_private_key(key_pem, None).public_key() == cert.public_key()
    assert 6 * 86400 < cert.not_valid_after_utc.timestamp() - time.time() <= 7 * 86400
    grpc.ssl_server_credentials([(key_pem, cert_pem)])  # grpc accepts the pair
    line = serve.handshake_line("/tmp/x/plugin.sock", cert_pem).split("|")
    assert line[:5] == ["1", "6", "unix", "/tmp/x/plugin.sock", "grpc"]
    assert base64.b64decode(line[5] + "=" * (-len(line[5]) % 4)) == cert.public_bytes(Encoding.DER)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700


def test_a_cached_certificate_is_used_until_its_last_day(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pair = serve.tls_pair()
    made: list[int] = []
    new_pair = serve._new_pair
    monkeypatch.setattr(serve, "_new_pair", lambda: made.append(1) or new_pair())
    assert serve.tls_pair() == pair and made == []

    _, _, rest = cache.read_bytes().partition(b"\n")
    cache.write_bytes(b"not-after: %d\n" % (time.time() + serve.RENEW_BEFORE - 60) + rest)
    assert serve.tls_pair() != pair and made == [1]


@pytest.mark.parametrize("spoil", ["group-readable", "truncated", "no-expiry"])
def test_a_cache_that_cannot_be_trusted_is_replaced(cache: Path, spoil: str) -> None:
    pair = serve.tls_pair()
    if spoil == "group-readable":
        cache.chmod(0o640)
    elif spoil == "truncated":
        cache.write_bytes(cache.read_bytes()[:-40])
    else:
        cache.write_bytes(cache.read_bytes().partition(b"\n")[2])
    assert serve.tls_pair() != pair
    assert serve._read_pair(str(cache)) is not None  # and the new pair is cached


def test_without_a_home_the_key_is_never_written_into_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No HOME and no passwd entry: os.path.expanduser("~") answers "~", a relative path. The plugin's private
    key must not land in Terraform's working directory (where it could be committed): no cache then."""
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda p: p)  # what it does without HOME or a passwd entry
    monkeypatch.chdir(tmp_path)

    key_pem, cert_pem = serve.tls_pair()

    assert key_pem and cert_pem
    assert list(tmp_path.iterdir()) == [], "nothing is written under the working directory"


@pytest.mark.timeout(120)
@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")
def test_a_cached_key_that_does_not_fit_its_certificate_is_replaced_not_fatal(tmp_path: Path) -> None:
    """A cache file spoiled by hand or by the disk (the key of another pair) passes every check that can be
    made without cryptography; the server then cannot bind. The plugin must still start, with a new pair."""
    cache = tmp_path / "cache"
    _, first = _modules_at_handshake(tmp_path, cache)
    cached = cache / "terraform-provider-gogetssl" / "plugin-tls.pem"
    head, _, pems = cached.read_bytes().partition(b"\n")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    stranger = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    cert = pems[pems.index(b"-----BEGIN CERTIFICATE-----"):]
    cached.write_bytes(head + b"\n" + stranger + cert)

    _, second = _modules_at_handshake(tmp_path, cache)

    assert second.split("|")[-1] != first.split("|")[-1], "a new certificate"


@pytest.mark.timeout(120)
@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")
def test_a_tmpdir_that_does_not_exist_does_not_stop_the_plugin(tmp_path: Path) -> None:
    """Like tempfile, the socket's directory falls back to /tmp when TMPDIR is missing or not writable."""
    _, line = _modules_at_handshake(tmp_path, tmp_path / "cache", TMPDIR=str(tmp_path / "missing"))

    assert line.split("|")[3].endswith("/plugin.sock")


def test_a_certificate_cached_under_a_clock_that_ran_ahead_is_replaced(cache: Path) -> None:
    """Written while the clock was ahead (a VM before its clock was set), the certificate starts in the future
    and go-plugin refuses it at every start until the file expires: such a file is not trusted."""
    pair = serve.tls_pair()
    ahead = time.time() + 365 * 86400
    os.utime(cache, (ahead, ahead))

    assert serve.tls_pair() != pair


def test_a_cache_path_that_is_not_a_regular_file_does_not_hang_the_start(cache: Path) -> None:
    cache.parent.mkdir(mode=0o700, parents=True)
    os.mkfifo(cache, 0o600)
    result: list[tuple[bytes, bytes]] = []
    worker = threading.Thread(target=lambda: result.append(serve.tls_pair()), daemon=True)

    worker.start()
    worker.join(10)

    assert result and result[0][0].startswith(b"-----BEGIN PRIVATE KEY-----"), "tls_pair blocked on a FIFO"


def test_install_leaves_the_plugins_modules_compiled_so_no_start_compiles_them(tmp_path: Path) -> None:
    """A plugin start that cannot write bytecode (PYTHONDONTWRITEBYTECODE, a read-only or editable install) would
    compile every module from source, three or four times per Terraform command: install() compiles them."""
    import importlib.util

    import provider.resources.ssl_order as module
    from provider.main import install

    cached = Path(importlib.util.cache_from_source(module.__file__))
    cached.unlink(missing_ok=True)
    install(tmp_path / "plugins")
    assert cached.is_file()
    header = cached.read_bytes()[8:12]  # the source mtime the bytecode was made from: Python uses it
    assert int.from_bytes(header, "little") == int(Path(module.__file__).stat().st_mtime) & 0xFFFFFFFF
