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

from provider import HOST, HOSTS, NAMESPACE, PROVIDER_ADDRESS, PROVIDER_ADDRESSES, PROVIDER_SOURCE, TYPE, __version__

if TYPE_CHECKING:
    from provider.provider import GoGetSSLProvider

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
#: the plugin directory Terraform searches without being told (on Linux and macOS)
DEFAULT_PLUGIN_DIR = Path.home() / ".terraform.d" / "plugins"
EXECUTABLE = "terraform-provider-gogetssl"

_HELP = """terraform-provider-gogetssl {version}: a Terraform/OpenTofu provider for the GoGetSSL reseller API.

This program is a Terraform plugin: Terraform starts it, you do not run it yourself.
To make it available to Terraform, install it into a plugin directory:

    terraform-provider-gogetssl install                   # into ~/.terraform.d/plugins
    terraform-provider-gogetssl install --plugin-dir DIR  # a filesystem mirror of your choice

then use it from a configuration:

    terraform {{
      required_providers {{
        gogetssl = {{ source = "{source}" }}
      }}
    }}
    provider "gogetssl" {{}}   # or {variables}

To try it without an account, run the bundled sandbox: gogetssl-sandbox --port 8999
"""


def _help() -> str:
    """The help text, for people only: the settings table is not loaded when Terraform starts the plugin."""
    from provider.common.provider_settings import CREDENTIALS, ENV

    variables = " / ".join(ENV[name] for name in ("api_url", *CREDENTIALS))
    return _HELP.format(version=__version__, source=PROVIDER_SOURCE, variables=variables)


def serve() -> int:
    # No debug mode (TF_REATTACH_PROVIDERS): a reattached plugin serves every walk of every Terraform command
    # from one process, and this provider keeps per-process books that assume a process per walk (one owner per
    # order, the plan's budget against the balance, the stop flag, the catalogue read once).
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


def terraform_platform() -> str:
    """Terraform's name for this machine's platform (os_arch), as provider packages and the registry use it."""
    import platform

    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{sys.platform if sys.platform != 'win32' else 'windows'}_{arch}"


class FrozenInstallError(Exception):
    """`install` run from a release's executable: a release is installed from its zip, not from here."""


def _executable() -> Path:
    import shutil

    if getattr(sys, "frozen", False):
        # The release's executable (PyInstaller) is named ..._v{version} and needs its _internal/ folder: the
        # search below would pass it over and pack a pip install's launcher from PATH in its place.
        raise FrozenInstallError(
            f"this is a release's executable: put the release's {EXECUTABLE}_{__version__}_{terraform_platform()}.zip "
            f"as it is into PLUGIN_DIR/{{{','.join(HOSTS)}}}/{NAMESPACE}/{TYPE}/, or have terraform init fetch it "
            "from a registry or mirror (docs/releasing.md)")

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
    """Install this provider into plugin_dir as a Terraform filesystem mirror (packed layout) for this machine's
    platform only: the archive holds a launcher script for this machine's interpreter, which no other platform
    could run. The same archive goes under Terraform's address and under OpenTofu's (registry.opentofu.org), which
    is where `tofu init` looks for `source = "gogetssl/gogetssl"`. Archives of other platforms that an earlier
    install wrote are removed. Returns Terraform's module directory."""
    import stat
    import zipfile

    executable = _executable()
    for host in HOSTS:
        module_dir = plugin_dir / host / NAMESPACE / TYPE
        module_dir.mkdir(parents=True, exist_ok=True)
        target = module_dir / f"{EXECUTABLE}_{__version__}_{terraform_platform()}.zip"
        # A name of this install's own: two installs into one directory at once each move a whole archive into
        # place (with one name, the second to move found nothing left to move and failed).
        partial = target.with_name(f"{target.name}.{os.getpid()}-{os.urandom(4).hex()}.partial")
        try:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
                entry = zipfile.ZipInfo(f"{EXECUTABLE}_v{__version__}", date_time=(2020, 1, 1, 0, 0, 0))
                entry.external_attr = (stat.S_IFREG | 0o755) << 16
                zf.writestr(entry, executable.read_bytes())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        for stale in module_dir.glob(f"{EXECUTABLE}_{__version__}_*.zip"):
            if stale != target:
                stale.unlink(missing_ok=True)
        for manifest in (module_dir / "index.json", module_dir / f"{__version__}.json"):  # network-mirror files
            manifest.unlink(missing_ok=True)
    _compile_package()
    return plugin_dir / HOST / NAMESPACE / TYPE


def _compile_package() -> None:
    """Write the bytecode of this package's modules, as pip does for what it installs. Terraform starts the plugin
    three or four times per command, and a Python that may not write bytecode itself (PYTHONDONTWRITEBYTECODE, a
    read-only install, an editable one) compiled every module from source at each start: 0.15-0.2 s of CPU of
    the 0.35 s a start cost here. Where the package's folder cannot be written, nothing changes."""
    import compileall

    compileall.compile_dir(Path(__file__).resolve().parent, quiet=2)


def mirror_cli_config(plugin_dir: Path) -> str:
    """A Terraform (or OpenTofu) CLI configuration that takes this provider from the filesystem mirror
    `plugin_dir`, under either tool's address."""
    addresses = ", ".join(f'"{a}"' for a in PROVIDER_ADDRESSES)
    return (
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{plugin_dir}"\n'
        f'    include = [{addresses}]\n  }}\n'
        f'  direct {{\n    exclude = [{addresses}]\n  }}\n}}\n'
    )


def _mirror_howto(plugin_dir: Path) -> str:
    """What a user must do for Terraform to find a provider installed into a directory it does not search."""
    return (
        f"\nTerraform does not search {plugin_dir} by itself. Either give it to each init:\n\n"
        f"    terraform init -plugin-dir={plugin_dir}\n\n"
        "or add this block to your Terraform CLI configuration (~/.terraformrc, or the file TF_CLI_CONFIG_FILE "
        "names):\n\n" + mirror_cli_config(plugin_dir)
        + "\nterraform init then warns \"Incomplete lock file information for providers\": the lock file holds this "
        "install's checksum, good on this machine only (above). Other machines install for themselves; a lock file "
        "to commit comes from a release.\n"
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if os.environ.get(MAGIC_COOKIE_KEY):
        # Ctrl-C reaches every process of the terminal's group, plugins included: Terraform decides how
        # to stop (StopProvider), so a plugin must not die of SIGINT, even while it is starting.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return serve()

    import argparse

    parser = argparse.ArgumentParser(prog=EXECUTABLE, description=_help(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"{EXECUTABLE} {__version__}")
    sub = parser.add_subparsers(dest="command")
    inst = sub.add_parser("install", help="install the provider into a Terraform plugin directory")
    inst.add_argument("--plugin-dir", type=Path, default=DEFAULT_PLUGIN_DIR,
                      help="filesystem mirror to install into (default ~/.terraform.d/plugins)")
    sub.add_parser("serve", help="serve the plugin protocol, as when Terraform starts the plugin")
    # Strict: an argument no command takes is an error (exit 2), never ignored. `serve --dev` (the debug mode that
    # is gone) would otherwise start a plain plugin that ignores Ctrl-C, and a misspelt `install` option would
    # install into ~/.terraform.d/plugins. Terraform passes no arguments: it sets the magic cookie (above).
    opts = parser.parse_args(args)

    if opts.command == "install":
        try:
            module_dir = install(opts.plugin_dir.expanduser())
        except (OSError, FrozenInstallError) as exc:
            print(f"{EXECUTABLE} install: {exc}", file=sys.stderr)
            return 1
        print(f"Installed {PROVIDER_ADDRESS} {__version__} ({terraform_platform()}) into {module_dir}, and the same "
              f"package under {PROVIDER_ADDRESSES[1]} for OpenTofu")
        print("This package launches this machine's Python, so its checksum is machine-local: do not commit the "
              ".terraform.lock.hcl entries it gives; teams and CI use a release (make release, docs/releasing.md).")
        plugin_dir = opts.plugin_dir.expanduser().resolve()
        if plugin_dir != DEFAULT_PLUGIN_DIR.resolve():
            print(_mirror_howto(plugin_dir))
        return 0
    if opts.command == "serve":
        return serve()
    print(_help())
    return 0


if __name__ == "__main__":
    sys.exit(main())
