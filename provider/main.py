"""Entry point `terraform-provider-gogetssl`: the plugin protocol when Terraform runs it; `install` and help for people.

Terraform (and OpenTofu) start plugins with TF_PLUGIN_MAGIC_COOKIE in the environment
(go-plugin's handshake); anything else is a person at a shell. Terraform waits for the handshake of every
plugin process it starts, several per command: the plugin path imports only what serving needs, and the
provider itself is built after the handshake (provider/tfext/serve.py); argparse and the rest are for people.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from provider import HOST, NAMESPACE, PROVIDER_ADDRESS, PROVIDER_SOURCE, TYPE, __version__

if TYPE_CHECKING:
    from provider.provider import GoGetSSLProvider

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
EXECUTABLE = "terraform-provider-gogetssl"

_HELP = f"""terraform-provider-gogetssl {__version__}: a Terraform/OpenTofu provider for the GoGetSSL reseller API.

This program is a Terraform plugin: Terraform starts it, you do not run it yourself.
To make it available to Terraform, install it into a plugin directory:

    terraform-provider-gogetssl install                   # into ~/.terraform.d/plugins
    terraform-provider-gogetssl install --plugin-dir DIR  # a filesystem mirror of your choice

then use it from a configuration:

    terraform {{
      required_providers {{
        gogetssl = {{ source = "{PROVIDER_SOURCE}" }}
      }}
    }}
    provider "gogetssl" {{}}   # or GOGETSSL_API_URL / GOGETSSL_USERNAME / GOGETSSL_PASSWORD

To try it without an account, run the bundled sandbox: gogetssl-sandbox --port 8999
"""


def serve(argv: list[str]) -> int:
    if "--dev" in argv:  # the framework's debug mode: prints TF_REATTACH_PROVIDERS
        from tf.runner import run_provider

        from provider.tfext.servicer import install as install_servicer

        install_servicer()
        run_provider(_new_provider(), [EXECUTABLE, *argv])
        return 0
    from provider.tfext.serve import serve as serve_plugin

    serve_plugin(_new_provider)
    return 0


def _new_provider() -> GoGetSSLProvider:
    """The provider, logging first. Served, it is built after the handshake, with what it imports: until then
    nothing logs, and Python's last-resort handler writes to stderr too."""
    # stdout belongs to the go-plugin handshake: logs go to stderr, which Terraform records.
    from provider import logs

    logs.setup()
    from provider.provider import GoGetSSLProvider

    return GoGetSSLProvider()


def _platform() -> str:
    import platform

    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{sys.platform if sys.platform != 'win32' else 'windows'}_{arch}"


def _executable() -> Path:
    import shutil

    candidates = [Path(sys.executable).parent / EXECUTABLE, Path(sys.argv[0])]
    found = shutil.which(EXECUTABLE)
    if found:
        candidates.append(Path(found))
    for c in candidates:
        if c.name == EXECUTABLE and c.is_file() and os.access(c, os.X_OK):
            return c.resolve()
    raise FileNotFoundError(
        f"cannot find the {EXECUTABLE} executable next to {sys.executable}; install the package with pip first"
    )


def install(plugin_dir: Path) -> Path:
    """Install this provider into plugin_dir as a Terraform filesystem mirror; return the module directory."""
    import shutil

    from tf.runner import install_provider

    executable = _executable()
    install_provider(HOST, NAMESPACE, TYPE, __version__, plugin_dir, executable)
    module_dir = plugin_dir / HOST / NAMESPACE / TYPE
    # The framework writes archives for a fixed list of platforms; add this machine's if missing.
    target = module_dir / f"{EXECUTABLE}_{__version__}_{_platform()}.zip"
    if not target.exists():
        shutil.copy(module_dir / f"{EXECUTABLE}_{__version__}_linux_amd64.zip", target)
    return module_dir


def mirror_cli_config(plugin_dir: Path) -> str:
    """A Terraform CLI configuration that takes this provider from the filesystem mirror `plugin_dir`."""
    return (
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{plugin_dir}"\n'
        f'    include = ["{PROVIDER_ADDRESS}"]\n  }}\n'
        f'  direct {{\n    exclude = ["{PROVIDER_ADDRESS}"]\n  }}\n}}\n'
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if os.environ.get(MAGIC_COOKIE_KEY):
        # Ctrl-C reaches every process of the terminal's group, plugins included: Terraform decides how
        # to stop (StopProvider), so a plugin must not die of SIGINT, even while it is starting.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return serve(args)

    import argparse

    parser = argparse.ArgumentParser(prog=EXECUTABLE, description=_HELP,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"{EXECUTABLE} {__version__}")
    sub = parser.add_subparsers(dest="command")
    inst = sub.add_parser("install", help="install the provider into a Terraform plugin directory")
    inst.add_argument("--plugin-dir", type=Path, default=Path.home() / ".terraform.d" / "plugins",
                      help="filesystem mirror to install into (default ~/.terraform.d/plugins)")
    sub.add_parser("serve", help="serve the plugin protocol (--dev prints TF_REATTACH_PROVIDERS for debugging)")
    opts, rest = parser.parse_known_args(args)

    if opts.command == "install":
        try:
            module_dir = install(opts.plugin_dir.expanduser())
        except (OSError, FileNotFoundError) as exc:
            print(f"{EXECUTABLE} install: {exc}", file=sys.stderr)
            return 1
        print(f"Installed {PROVIDER_ADDRESS} {__version__} into {module_dir}")
        return 0
    if opts.command == "serve":
        return serve(rest)
    print(_HELP)
    return 0 if not rest else 2


if __name__ == "__main__":
    sys.exit(main())
