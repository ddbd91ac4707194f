"""`make release`: a self-contained provider for this machine's platform, written as a registry release.

PyInstaller (`--onedir`, pinned) freezes the plugin with its Python and libraries; the folder it writes is
zipped the way the provider registry protocol serves a provider package: the executable
`terraform-provider-gogetssl_v{version}` at the root of the zip, its `_internal/` folder beside it (Terraform
extracts the whole zip and runs the executable where it lies). Beside the zip, in `dist/`:

- `terraform-provider-gogetssl_{version}_manifest.json`: the plugin protocol version (6.0);
- `terraform-provider-gogetssl_{version}_SHA256SUMS`: every zip and the manifest, and its detached signature
  `…_SHA256SUMS.sig` (GnuPG, binary). The key is the one named by GOGETSSL_RELEASE_GPG_KEY in the GnuPG home
  GNUPGHOME points at; without one, a throw-away key is made for the build, and the release says so.

The same source and pinned dependencies give the same zip on every machine of a platform: PyInstaller runs with
a fixed hash seed and SOURCE_DATE_EPOCH, and the zip's entries are sorted, dated 1980-01-01 and given fixed
permissions, and the install records of copied package metadata (which name the virtualenv) are left out, so
neither the build's time nor its folder reaches the bytes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from packaging.utils import canonicalize_name

from provider import HOSTS, NAMESPACE, TYPE, __version__
from provider.main import terraform_platform

ROOT = Path(__file__).resolve().parents[2]
NAME = "terraform-provider-gogetssl"
#: every distribution in the release's virtualenv is pinned here: PyInstaller bundles what is importable there
CONSTRAINTS = ROOT / "constraints.txt"
#: what the virtualenv brings itself, and the project: not pinned, never imported by the plugin
UNPINNED_OK = ("pip", "setuptools", NAME)
#: what PyInstaller freezes: the console script's own entry point
ENTRY = "import sys\nfrom provider.main import main\nsys.exit(main())\n"
#: 1980-01-01, the earliest a zip can hold: a release's bytes do not depend on when it was built
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SOURCE_DATE_EPOCH = "315532800"
#: install records PyInstaller copies with a package's metadata: they name the virtualenv it was installed in
#: (a script's path and hash), and nothing reads them at run time
UNSHIPPED_METADATA = ("RECORD", "direct_url.json", "INSTALLER", "REQUESTED")


class ReleaseError(Exception):
    """A release step failed; the message says which and why."""


def platform_name() -> str:
    """Terraform's name for this machine's platform (provider.main.terraform_platform), refused when Terraform
    has no build for its architecture."""
    name = terraform_platform()
    if not name.endswith(("_amd64", "_arm64")):
        raise ReleaseError(f"no Terraform platform name for this machine ({name})")
    return name


def _installed() -> list[tuple[str, str]]:
    """(name, version) of every distribution this Python can import from."""
    import importlib.metadata

    return [(d.metadata["Name"], d.version) for d in importlib.metadata.distributions()]


def unpinned(constraints: Path, installed: list[tuple[str, str]]) -> list[str]:
    """The installed distributions ("name==version") that `constraints` does not pin at that version. pip never
    removes from a reused virtualenv what is no longer asked for, and PyInstaller bundles whatever an import finds
    (requests takes simplejson and chardet when they are there)."""
    pins = {}
    for line in constraints.read_text().splitlines():
        name, sep, version = line.split("#", 1)[0].partition("==")
        if sep:
            pins[canonicalize_name(name.strip())] = version.strip()
    return sorted({f"{name}=={version}" for name, version in installed
                   if canonicalize_name(name) not in UNPINNED_OK and pins.get(canonicalize_name(name)) != version})


def freeze(work: Path, version: str = __version__) -> Path:
    """Run PyInstaller in `work`; the folder holding the executable and `_internal/`."""
    entry = work / "entry.py"
    entry.write_text(ENTRY)
    # None of the builder's PYTHON* settings: PYTHONOPTIMIZE changed the bytes (and stripped the bundle's asserts),
    # PYTHONPATH's modules were found, so bundled, before the virtualenv's.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PYTHON")},
           "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    command = [sys.executable, "-m", "PyInstaller", "--onedir", "--noconfirm", "--clean", "--log-level", "WARN",
               "--name", f"{NAME}_v{version}", "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
               "--specpath", str(work), str(entry)]
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise ReleaseError(f"PyInstaller failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return work / "dist" / f"{NAME}_v{version}"


def write_zip(folder: Path, target: Path) -> None:
    """Zip `folder`'s contents at the zip's root: sorted, dated ZIP_DATE, executables 0755 and the rest 0644."""
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
            name = path.relative_to(folder).as_posix()
            if path.parent.name.endswith(".dist-info") and path.name in UNSHIPPED_METADATA:
                continue
            if path.is_symlink():
                raise ReleaseError(f"{name} is a symbolic link: a provider package holds files only")
            if path.is_dir():
                continue
            mode = 0o755 if path.stat().st_mode & stat.S_IXUSR else 0o644
            entry = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            entry.external_attr = (stat.S_IFREG | mode) << 16
            entry.create_system = 3  # Unix, whatever the building machine: the permissions above are read
            entry.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(entry, path.read_bytes(), compresslevel=9)
    os.replace(partial, target)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sign(sums: Path, out: list[str]) -> Path:
    """Sign `sums` (detached, binary) with GOGETSSL_RELEASE_GPG_KEY, or with a throw-away key made now."""
    signature = sums.with_name(sums.name + ".sig")
    key = os.environ.get("GOGETSSL_RELEASE_GPG_KEY", "").strip()
    home = os.environ.get("GNUPGHOME")
    made = None
    if not key:
        made = Path(tempfile.mkdtemp(prefix="gogetssl-release-gpg-"))
        os.chmod(made, 0o700)
        home, key = str(made), "gogetssl release (throw-away) <release@localhost>"
        _gpg(home, "--batch", "--passphrase", "", "--quick-gen-key", key, "ed25519", "sign", "never")
        out.append("No GOGETSSL_RELEASE_GPG_KEY: signed with a throw-away key made for this build; publish a "
                   "release signed with your own key.")
    try:
        if signature.exists():
            signature.unlink()
        _gpg(home, "--batch", "--yes", "--local-user", key, "--output", str(signature), "--detach-sign", str(sums))
        public = sums.with_name(sums.name.replace("_SHA256SUMS", "_signing-key.asc"))
        public.write_text(_gpg(home, "--batch", "--armor", "--export", key))
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
    return signature


def _gpg(home: str | None, *args: str) -> str:
    command = ["gpg", *(["--homedir", home] if home else []), *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise ReleaseError("gpg is not installed: it signs the release's SHA256SUMS") from None
    if done.returncode != 0:
        raise ReleaseError(f"gpg {' '.join(args[:3])}… failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def h1(package: Path) -> str:
    """Terraform's "h1:" hash of a provider package (the hash lock files and network mirrors record): the SHA-256 of
    the sorted lines "<sha256 of a file>  <its name in the zip>" (Go's dirhash.Hash1 over the zip)."""
    with zipfile.ZipFile(package) as zf:
        lines = "".join(f"{hashlib.sha256(zf.read(n)).hexdigest()}  {n}\n"
                        for n in sorted(i.filename for i in zf.infolist() if not i.is_dir()))
    return "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()


def _key_id(public_key: str) -> str:
    """The long key id of the (one) key in an armoured public key."""
    with tempfile.TemporaryDirectory(prefix="gogetssl-release-gpg-") as home:
        os.chmod(home, 0o700)
        listing = subprocess.run(["gpg", "--homedir", home, "--batch", "--with-colons", "--show-keys"],
                                 input=public_key, capture_output=True, text=True, timeout=60).stdout
    ids = [line.split(":")[4] for line in listing.splitlines() if line.startswith("pub:")]
    if len(ids) != 1:
        raise ReleaseError("the signing key could not be read back from its armoured export")
    return ids[0]


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def static_sites(dist: Path, version: str = __version__) -> list[str]:
    """Beside the release in `dist`, the static files of the provider registry protocol (`dist/registry/`: the
    document root of a host whose name goes in `source = "HOST/gogetssl/gogetssl"`) and of the provider network
    mirror protocol (`dist/mirror/`: the root a `network_mirror { url = ... }` names), each for the
    registry.terraform.io and registry.opentofu.org addresses. Every URL in them is relative, so any static HTTPS
    host serves them as they are."""
    packages = sorted(dist.glob(f"{NAME}_{version}_*.zip"))
    digests = {p: (sha256(p), h1(p)) for p in packages}  # each zip read twice in all, not once per use
    sums = dist / f"{NAME}_{version}_SHA256SUMS"
    signature = sums.with_name(sums.name + ".sig")
    public = (dist / f"{NAME}_{version}_signing-key.asc").read_text()
    platforms = [p.name[len(f"{NAME}_{version}_"):-len(".zip")].split("_", 1) for p in packages]
    registry = dist / "registry"
    _write_json(registry / ".well-known" / "terraform.json", {"providers.v1": "/v1/providers/"})
    base = registry / "v1" / "providers" / NAMESPACE / TYPE
    _write_json(base / "versions", {"versions": [{"version": version, "protocols": ["6.0"],
                                                  "platforms": [{"os": o, "arch": a} for o, a in platforms]}]})
    for package, (os_name, arch) in zip(packages, platforms, strict=True):
        folder = base / version / "download" / os_name
        for file in (package, sums, signature):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, folder / file.name)
        _write_json(folder / arch, {
            "protocols": ["6.0"], "os": os_name, "arch": arch, "filename": package.name,
            "download_url": package.name, "shasums_url": sums.name, "shasums_signature_url": signature.name,
            "shasum": digests[package][0],
            "signing_keys": {"gpg_public_keys": [{"key_id": _key_id(public), "ascii_armor": public}]}})
    for host in HOSTS:
        folder = dist / "mirror" / host / NAMESPACE / TYPE
        _write_json(folder / "index.json", {"versions": {version: {}}})
        archives = {f"{o}_{a}": {"url": p.name, "hashes": [digests[p][1], f"zh:{digests[p][0]}"]}
                    for p, (o, a) in zip(packages, platforms, strict=True)}
        _write_json(folder / f"{version}.json", {"archives": archives})
        for package in packages:
            shutil.copyfile(package, folder / package.name)
    return [f"registry/: the provider registry protocol's files (source = \"YOUR.HOST/{NAMESPACE}/{TYPE}\")",
            "mirror/: the network mirror protocol's files, for registry.terraform.io and registry.opentofu.org"]


def release(dist: Path, version: str = __version__) -> list[str]:
    """Build and write the release into `dist`; what it did, a line each."""
    dist.mkdir(parents=True, exist_ok=True)
    out: list[str] = []
    plat = platform_name()
    # What an earlier build wrote for this platform and version goes first: a build that fails part-way leaves
    # no sums, signature or registry/mirror of other bytes that would pass for this build's release.
    for name in (f"{plat}.zip", "manifest.json", "SHA256SUMS", "SHA256SUMS.sig", "signing-key.asc"):
        (dist / f"{NAME}_{version}_{name}").unlink(missing_ok=True)
    for stale in ("registry", "mirror"):
        shutil.rmtree(dist / stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="gogetssl-release-") as tmp:
        folder = freeze(Path(tmp), version)
        package = dist / f"{NAME}_{version}_{plat}.zip"
        write_zip(folder, package)
    out.append(f"{package.name}: {sha256(package)}")
    manifest = dist / f"{NAME}_{version}_manifest.json"
    manifest.write_text(json.dumps({"version": 1, "metadata": {"protocol_versions": ["6.0"]}}, indent=2) + "\n")
    files = sorted([*dist.glob(f"{NAME}_{version}_*.zip"), manifest], key=lambda p: p.name)
    sums = dist / f"{NAME}_{version}_SHA256SUMS"
    partial = sums.with_name(sums.name + ".partial")
    partial.write_text("".join(f"{sha256(p)}  {p.name}\n" for p in files))
    os.replace(partial, sums)
    try:
        out.append(f"{sign(sums, out).name}: signature of {sums.name}")
    except ReleaseError:
        sums.unlink(missing_ok=True)  # sums nobody signed are not a release's
        raise
    out += static_sites(dist, version)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m provider.devtools.release", description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the release is written (dist/)")
    args = parser.parse_args(argv)
    extra = unpinned(CONSTRAINTS, _installed())
    if extra:
        print(f"release: {sys.prefix} holds what {CONSTRAINTS.name} does not pin, which PyInstaller would bundle: "
              f"{', '.join(extra)}; make a new one (rm -rf {sys.prefix}, then make release)", file=sys.stderr)
        return 1
    try:
        for line in release(args.dist):
            print(line)
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
