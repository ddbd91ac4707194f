"""Regenerate provider/tfext/proto/tfplugin6_10_pb2.py (and .pyi) from tfplugin6_10.proto: `make proto`.

The .proto imports the framework's tf/gen/tfplugin.proto, which the `tf` wheel ships compiled only: its
descriptor is written out as a descriptor set for protoc (--descriptor_set_in). protoc comes from
grpcio-tools in a virtualenv of its own (the Makefile pins it), whose protobuf matches the runtime's major
version; its Python is the one argument.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2
from tf.gen import tfplugin_pb2

ROOT = Path(__file__).resolve().parents[2]
PROTO = "provider/tfext/proto/tfplugin6_10.proto"  # its name in the descriptor pool, unique to this package


def main(protoc_python: str) -> int:
    fds = descriptor_pb2.FileDescriptorSet()
    fds.file.add().MergeFromString(tfplugin_pb2.DESCRIPTOR.serialized_pb)
    with tempfile.NamedTemporaryFile(suffix=".pb") as f:
        f.write(fds.SerializeToString())
        f.flush()
        return subprocess.call([protoc_python, "-m", "grpc_tools.protoc", f"--descriptor_set_in={f.name}",
                                f"-I{ROOT}", f"--python_out={ROOT}", f"--pyi_out={ROOT}", PROTO], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
