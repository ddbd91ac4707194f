"""Serving the plugin protocol, in place of `tf.runner.run_provider`: an interrupted apply loses nothing, and
the handshake comes first.

The framework's runner stops the gRPC server as soon as Terraform sends StopProvider (on Ctrl-C),
cutting off a create that may just have placed a paid order, and lets SIGINT (which the terminal
sends to every process of the group, plugins included) raise KeyboardInterrupt. Here:

- SIGINT is ignored, as go-plugin plugins do: Terraform decides how to stop.
- StopProvider only sets the provider's `stopping` event: in-flight calls finish and return their state
  (a waiter returns early); the server stops when go-plugin's controller asks for Shutdown, after
  Terraform is done.

Start-up. Terraform starts the plugin several times per command and waits for its handshake line each
time, so nothing runs before that line that answering does not need:

- The provider (logging, the framework's types, the schemas, the resources) is built by `new_app` in a
  thread started right after the handshake, while Terraform connects; an RPC that arrives first waits
  for it (`_Deferred`).
- The TLS certificate for go-plugin is cached, as the framework's runner does, but in a file read
  without `cryptography` (importing it takes longer than all the rest this module does). A new one,
  ECDSA P-256 like go-plugin's own certificates (an RSA key takes far longer to make), is made when
  the cached one is missing, unsafe or has less than a day left.
- The services are added without their generated `_grpc` modules (`_add_services`).

The controller and stdio services do what the framework's do, and the handshake line is the same.
"""

from __future__ import annotations

import logging
import os
import signal
import stat
import sys
import threading
import time
from concurrent import futures
from typing import TYPE_CHECKING, Any, Protocol

import grpc
from tf.gen import tfplugin_pb2 as pb

if TYPE_CHECKING:
    from collections.abc import Callable

    from provider.tfext.servicer import GoGetSSLServicer

CERT_DAYS = 7  # validity of a new certificate
RENEW_BEFORE = 24 * 3600  # seconds: a cached certificate with less left is replaced
_KEY_END = b"-----END PRIVATE KEY-----\n"
_CERT_BEGIN, _CERT_END = b"-----BEGIN CERTIFICATE-----\n", b"-----END CERTIFICATE-----\n"
log = logging.getLogger("gogetssl.provider")
#: how long a call still running at Shutdown may go on before the process ends: go-plugin's client (Kill) waits 2 s
#: for the process after Shutdown answers, then kills it. (The interpreter's exit, before os._exit, let such a call
#: run until that kill; a grace of 1 s cut it off after 1 s.)
SHUTDOWN_GRACE = 1.8


class App(Protocol):
    """What `serve` needs of the provider (a `tf` Provider): the event StopProvider sets, and its types."""

    stopping: threading.Event

    def get_resources(self) -> list[Any]: ...

    def get_data_sources(self) -> list[Any]: ...


class _Deferred:
    """The provider's RPC handlers before the provider exists. It is built by `load`, once, in whichever
    thread asks first (the one `serve` starts after the handshake, or an RPC); every RPC but StopProvider
    waits for it, then goes to the servicer.

    StopProvider is answered here, so that a stop which comes early neither waits for nor is lost by the
    build: the provider's `stopping` is set as soon as it exists."""

    def __init__(self, new_app: Callable[[], App]) -> None:
        self._new_app = new_app
        self._lock = threading.Lock()
        self._servicer: GoGetSSLServicer | None = None
        self._error: BaseException | None = None
        self._app: App | None = None
        self._stop = False

    def load(self) -> GoGetSSLServicer | None:
        """Build the provider and its servicer, if not yet done; None if that failed (see `_error`)."""
        with self._lock:
            if self._servicer is None and self._error is None:
                try:
                    from provider.tfext.servicer import GoGetSSLServicer

                    app = self._new_app()
                    # The types' modules, which the first RPC (GetProviderSchema) imports, are imported now.
                    app.get_resources()
                    app.get_data_sources()
                    self._servicer, self._app = GoGetSSLServicer(app), app
                    if self._stop:
                        app.stopping.set()
                except Exception as exc:
                    log.exception("the provider failed to load")
                    self._error = exc
            return self._servicer

    def stop(self) -> None:
        """Terraform asked to stop (StopProvider, or the controller's Shutdown)."""
        self._stop = True
        app = self._app  # read after _stop: a build finishing now sees one or the other
        if app is not None:
            app.stopping.set()

    def method(self, name: str) -> Callable[[Any, grpc.ServicerContext], Any]:
        """The handler of the Provider service's RPC `name` (GetProviderSchema, ...)."""
        if name == "StopProvider":
            return self._stop_provider

        def call(request: Any, context: grpc.ServicerContext) -> Any:
            servicer = self.load()
            if servicer is None:
                return self._failed(name)
            return getattr(servicer, name)(request, context)

        return call

    def _stop_provider(self, request: Any, context: grpc.ServicerContext) -> Any:
        self.stop()
        return pb.StopProvider.Response()

    def _failed(self, name: str) -> Any:
        """The answer to every RPC once the provider failed to load: an error diagnostic, not a raw gRPC error."""
        from provider.logs import REDACTOR
        from provider.tfext.rpcs import response_class

        response = response_class(name)
        fields = response.DESCRIPTOR.fields_by_name
        detail = f"{type(self._error).__name__}: {REDACTOR.redact(str(self._error))}. The plugin's log has more."
        diags = [pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary="The GoGetSSL provider failed to load",
                               detail=detail)]
        if "diagnostics" in fields:
            return response(diagnostics=diags)
        if "diagnostic" in fields:  # a stream's event (ListResource)
            return iter([response(diagnostic=diags)])
        raise RuntimeError("the provider failed to load") from self._error


def _cache_path() -> str | None:
    """Where the pair is cached; None when there is no absolute home to cache it in (expanduser answers "~"
    without HOME or a passwd entry: a relative path would put the key in Terraform's working directory)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    return os.path.join(base, "terraform-provider-gogetssl", "plugin-tls.pem")


def _read_pair(path: str) -> tuple[bytes, bytes] | None:
    """The cached (key PEM, certificate PEM), if it is ours alone and valid for a day more."""
    try:
        # Non-blocking: a FIFO at the path must not hold the start up; only a regular file is read.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid()
                    or st.st_mode & 0o077):  # a key others may read or write is no secret
                return None
            head, _, pems = f.read().partition(b"\n")
        now = time.time()
        if not head.startswith(b"not-after: ") or int(head[11:]) - now < RENEW_BEFORE:
            return None
        if st.st_mtime > now + 60:
            # Written while the clock was ahead: the certificate starts in the future (it is dated from its
            # writing, less 5 minutes) and go-plugin would refuse it at every start until the file expires.
            return None
    except (OSError, ValueError):
        return None
    key, sep, cert = pems.partition(_KEY_END)
    if not (sep and key.startswith(b"-----BEGIN PRIVATE KEY-----\n") and cert.startswith(_CERT_BEGIN)
            and cert.endswith(_CERT_END) and cert.count(b"-----") == 4):
        return None
    return key + sep, cert


def _new_pair() -> tuple[bytes, bytes, int]:
    """A new self-signed certificate for `localhost` (the name go-plugin checks): key PEM, cert PEM, expiry."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC).replace(microsecond=0)
    not_after = now + timedelta(days=CERT_DAYS)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                       critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM), int(not_after.timestamp())


def _write_private(path: str, data: bytes) -> None:
    """Write `data` to `path` readable by this user only, whole or not at all (other plugin processes may be
    reading it); without a cache, each start makes its own certificate."""
    tmp = f"{path}.{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def tls_pair(fresh: bool = False) -> tuple[bytes, bytes]:
    """(key PEM, certificate PEM) for the plugin's server: the cached pair, else (or when `fresh`) a new one,
    cached."""
    path = _cache_path()
    pair = _read_pair(path) if path and not fresh else None
    if pair is None:
        key, cert, not_after = _new_pair()
        if path:
            _write_private(path, b"not-after: %d\n" % not_after + key + cert)
        pair = key, cert
    return pair


def handshake_line(sock: str, cert_pem: bytes) -> str:
    """go-plugin's handshake: core version, protocol version, network, address, protocol, and the server's
    certificate as unpadded base64 DER (which is the PEM's body, without its line breaks)."""
    der_b64 = b"".join(cert_pem.splitlines()[1:-1]).decode().rstrip("=")
    return "|".join(["1", "6", "unix", sock, "grpc", der_b64])


def _private_dir() -> str:
    """A new directory for the socket that only this user can enter (what tempfile.mkdtemp makes, without its
    imports): under TMPDIR, else, as tempfile falls back when TMPDIR is missing or not writable, /tmp,
    /var/tmp or the working directory."""
    bases = [b for b in (os.environ.get("TMPDIR"), "/tmp", "/var/tmp", os.getcwd()) if b]
    for base in bases:
        for _ in range(100):
            path = os.path.join(base, f"tf-gogetssl-{os.urandom(6).hex()}")
            try:
                os.mkdir(path, 0o700)
                return path
            except FileExistsError:
                continue
            except OSError:
                break  # this base cannot be used: the next one
    raise OSError(f"no directory for the plugin's socket in any of {', '.join(bases)}")


def _add_services(server: grpc.Server, provider_method: Callable[[str], Callable[..., Any]],
                  shutdown: Callable[[bytes, grpc.ServicerContext], bytes]) -> None:
    """tfplugin6.Provider, each RPC served by `provider_method(name)`, and go-plugin's controller (Shutdown)
    and stdio (StreamStdio: nothing to stream, as in the framework's runner), without their generated `_grpc`
    modules (a millisecond of start-up, with their version checks):

    - Provider's RPCs are the framework's and those of protocol 6.10 it lacks (protocol610.rpcs): each
      request parsed by its message class, each answer serialized by whatever message the handler returns
      (a framework message, or its 6.10 shape).
    - The controller's and stdio's messages are empty or never sent: raw bytes (b"" is an encoded Empty).
    """
    from provider.tfext.rpcs import rpcs

    def serialize(message: Any) -> bytes:
        return bytes(message.SerializeToString())

    provider = {}
    for rpc in rpcs():
        kind = grpc.unary_stream_rpc_method_handler if rpc.streaming else grpc.unary_unary_rpc_method_handler
        provider[rpc.name] = kind(provider_method(rpc.name), request_deserializer=rpc.parse,
                                  response_serializer=serialize)
    services = {
        "tfplugin6.Provider": provider,
        "plugin.GRPCController": {"Shutdown": grpc.unary_unary_rpc_method_handler(shutdown)},
        "plugin.GRPCStdio": {"StreamStdio": grpc.unary_stream_rpc_method_handler(lambda request, context: iter(()))},
    }
    for name, handlers in services.items():
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(name, handlers),))
        server.add_registered_method_handlers(name, handlers)


def serve(new_app: Callable[[], App]) -> None:
    """Serve the provider `new_app()` builds over go-plugin's gRPC protocol until Terraform shuts the plugin
    down."""
    deferred = _Deferred(new_app)
    serve_methods(deferred.method, on_shutdown=deferred.stop,
                  after_handshake=lambda: threading.Thread(target=deferred.load, name="load-provider",
                                                           daemon=True).start())


def serve_methods(provider_method: Callable[[str], Callable[[Any, grpc.ServicerContext], Any]],
                  on_shutdown: Callable[[], None] = lambda: None,
                  after_handshake: Callable[[], None] = lambda: None, exit_process: bool = True) -> None:
    """Serve tfplugin6.Provider, RPC `name` answered by `provider_method(name)`, until go-plugin's controller
    asks for Shutdown (`on_shutdown` runs then), and then end the process (`exit_process`). `after_handshake` runs
    once the handshake line is out.
    bench/echo.py serves its answer-nothing provider through this too, so that both pay the same transport."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    done = threading.Event()
    server = grpc.server(thread_pool=futures.ThreadPoolExecutor(max_workers=10))

    def shutdown(request: bytes, context: grpc.ServicerContext) -> bytes:
        on_shutdown()
        done.set()
        return b""

    _add_services(server, provider_method, shutdown)

    tmp = _private_dir()
    sock = os.path.join(tmp, "plugin.sock")
    try:
        key, cert = tls_pair()
        try:
            server.add_secure_port(f"unix://{sock}", grpc.ssl_server_credentials([(key, cert)]))
        except (RuntimeError, ValueError):
            # A cached pair that passed every check made without cryptography but does not fit together
            # (edited by hand, damaged on disk): make a new one rather than fail until the file expires.
            key, cert = tls_pair(fresh=True)
            server.add_secure_port(f"unix://{sock}", grpc.ssl_server_credentials([(key, cert)]))
        server.start()
        print(handshake_line(sock, cert), flush=True)
        after_handshake()
        while not done.wait(0.05):
            pass
        # Shutdown is the last call: Terraform sends it once it is done with the plugin, or with a call still
        # running when its operation was cancelled (a second Ctrl-C). Wait for its answer to leave and for any call
        # still running, up to SHUTDOWN_GRACE (go-plugin kills the process soon after), then end the process.
        server.stop(grace=SHUTDOWN_GRACE).wait(SHUTDOWN_GRACE + 1)
    finally:
        for remove, target in ((os.unlink, sock), (os.rmdir, tmp)):
            try:
                remove(target)
            except OSError:
                pass
    if exit_process:
        _exit_now()


def _exit_now() -> None:
    """End the plugin process without the interpreter's teardown. Terraform waits for every plugin process to
    exit, and it starts three or four per command: the teardown (collecting the modules grpc, pydantic and the
    framework loaded, joining idle worker threads) cost about 0.25 s of a 1.5 s plan here. Logs and the standard
    streams are flushed first; a call still running had its SHUTDOWN_GRACE already."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)
