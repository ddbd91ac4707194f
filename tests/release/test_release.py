"""The release ring (`make test-release`, run by .ci/run): two releases that `make release` built from two copies
of the source, each in a virtualenv of its own (GOGETSSL_RELEASES=A:B), are installed by Terraform with no Python
on PATH, and compared: one checksum, a signature that verifies, a lock file that holds from either."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from provider import PROVIDER_ADDRESS, __version__
from provider.main import mirror_cli_config, terraform_platform
from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, TERRAFORM_1_0, Sandbox, make_csr, order_hcl

NAME = "terraform-provider-gogetssl"


def _releases() -> list[Path]:
    given = [Path(p) for p in os.environ.get("GOGETSSL_RELEASES", "").split(":") if p]
    if len(given) != 2:
        pytest.fail("GOGETSSL_RELEASES must name the two release folders `make test-release` builds: run that")
    return given


def _zip(release: Path) -> Path:
    (package,) = release.glob(f"{NAME}_{__version__}_*.zip")
    return package


@pytest.fixture
def mirror_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Sandbox]]:
    """A filesystem mirror folder (empty), Terraform pointed at it, PATH holding no Python, and a sandbox the
    provider talks to."""
    mirror = tmp_path / "mirror"
    (mirror / PROVIDER_ADDRESS).mkdir(parents=True)
    rc = tmp_path / "terraformrc"
    rc.write_text(mirror_cli_config(mirror))
    box = Sandbox(tmp_path / "sandbox.db")
    empty = tmp_path / "no-python"
    empty.mkdir()
    for name, value in {"TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
                        "GOGETSSL_API_URL": box.url, "GOGETSSL_USERNAME": box.user,
                        "GOGETSSL_PASSWORD": box.password, "PATH": str(empty)}.items():
        monkeypatch.setenv(name, value)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "TF_PLUGIN_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    yield mirror, box
    box.stop()


def test_two_builds_from_two_copies_of_the_source_give_one_checksum() -> None:
    a, b = _releases()
    sums_a = (a / f"{NAME}_{__version__}_SHA256SUMS").read_text()
    assert sums_a == (b / f"{NAME}_{__version__}_SHA256SUMS").read_text()
    assert _zip(a).name in sums_a and f"{NAME}_{__version__}_manifest.json" in sums_a


def test_the_sha256sums_signature_verifies_with_the_published_key(tmp_path: Path) -> None:
    release = _releases()[0]
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    sums = release / f"{NAME}_{__version__}_SHA256SUMS"

    def gpg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["gpg", "--homedir", str(home), "--batch", *args], capture_output=True, text=True,
                              timeout=60)

    assert gpg("--import", str(release / f"{NAME}_{__version__}_signing-key.asc")).returncode == 0
    good = gpg("--verify", str(sums.with_name(sums.name + ".sig")), str(sums))
    assert good.returncode == 0 and "Good signature" in good.stderr, good.stderr
    tampered = tmp_path / sums.name
    tampered.write_text(sums.read_text().replace("0", "1", 1))
    assert gpg("--verify", str(sums.with_name(sums.name + ".sig")), str(tampered)).returncode != 0


def test_the_release_installs_from_a_filesystem_mirror_and_orders_with_no_python_on_path(
        mirror_env: tuple[Path, Sandbox], tmp_path: Path) -> None:
    mirror, box = mirror_env
    shutil.copy(_zip(_releases()[0]), mirror / PROVIDER_ADDRESS)
    wd = TerraformWorkdir(tmp_path / "tf")
    wd.write("site.csr", make_csr().csr_pem)
    wd.write("main.tf", PROVIDER_BLOCK + order_hcl("site"))
    init = wd.init()
    assert "Installed gogetssl/gogetssl v0.1.0" in init.text or "- Installing gogetssl/gogetssl" in init.text
    wd.apply()
    order_id = wd.resource("gogetssl_ssl_order.site")["order_id"]
    assert box.order(order_id)["status"] == "processing"
    assert wd.plan().rc == 0


def test_a_lock_file_written_from_one_build_is_accepted_with_the_other(
        mirror_env: tuple[Path, Sandbox], tmp_path: Path) -> None:
    mirror, _box = mirror_env
    a, b = _releases()
    first, second = TerraformWorkdir(tmp_path / "first"), TerraformWorkdir(tmp_path / "second")
    shutil.copy(_zip(a), mirror / PROVIDER_ADDRESS)
    first.write("main.tf", PROVIDER_BLOCK)
    first.init()
    lock = (first.path / ".terraform.lock.hcl").read_text()
    assert "h1:" in lock
    os.unlink(mirror / PROVIDER_ADDRESS / _zip(a).name)
    shutil.copy(_zip(b), mirror / PROVIDER_ADDRESS)
    second.write("main.tf", PROVIDER_BLOCK)
    second.write(".terraform.lock.hcl", lock)
    second.init()  # a checksum the lock file does not hold fails init ("doesn't match any of the checksums")
    assert (second.path / ".terraform.lock.hcl").read_text() == lock


@pytest.mark.skipif(not TERRAFORM_1_0.exists(), reason="Terraform 1.0.3 is installed on Linux x86_64 only")
def test_terraform_1_0_initialises_from_the_mirror_and_plans(mirror_env: tuple[Path, Sandbox], tmp_path: Path) -> None:
    mirror, _box = mirror_env
    shutil.copy(_zip(_releases()[0]), mirror / PROVIDER_ADDRESS)
    work = tmp_path / "old"
    work.mkdir()
    (work / "main.tf").write_text(PROVIDER_BLOCK + 'data "gogetssl_account_balance" "b" {}\n')

    def tf(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(TERRAFORM_1_0), f"-chdir={work}", *args, "-no-color"], capture_output=True,
                              text=True, timeout=300)

    init = tf("init", "-input=false")
    assert init.returncode == 0, init.stdout + init.stderr
    plan = tf("plan", "-input=false")
    assert plan.returncode == 0, plan.stdout + plan.stderr


def test_the_lock_file_records_the_h1_hash_the_network_mirror_serves(mirror_env: tuple[Path, Sandbox],
                                                                      tmp_path: Path) -> None:
    from provider.devtools.release import h1

    mirror, _box = mirror_env
    package = _zip(_releases()[0])
    shutil.copy(package, mirror / PROVIDER_ADDRESS)
    wd = TerraformWorkdir(tmp_path / "tf")
    wd.write("main.tf", PROVIDER_BLOCK)
    wd.init()
    assert f'"{h1(package)}"' in (wd.path / ".terraform.lock.hcl").read_text()
    served = json.loads((_releases()[0] / "mirror" / PROVIDER_ADDRESS / f"{__version__}.json").read_text())
    assert h1(package) in served["archives"][_zip(_releases()[0]).name[len(f"{NAME}_{__version__}_"):-4]]["hashes"]


def test_a_static_https_registry_serves_the_signed_release_to_terraform_init(
        mirror_env: tuple[Path, Sandbox], https_site: Callable[[Path], str], tmp_path: Path) -> None:
    host = https_site(_releases()[0] / "registry")
    (tmp_path / "terraformrc").write_text("")  # no installation block: Terraform asks the registry at `host`
    wd = TerraformWorkdir(tmp_path / "tf")
    wd.write("main.tf", PROVIDER_BLOCK.replace('source = "gogetssl/gogetssl"', f'source = "{host}/gogetssl/gogetssl"')
             + 'data "gogetssl_account_balance" "b" {}\n')
    init = wd.init()
    # Terraform names the key it verified the SHA256SUMS with: "Installed HOST/gogetssl/gogetssl v0.1.0 (self-signed,
    # key ID ...)". ("signed by" alone matched the note every init prints, "... are signed by their developers".)
    os_name, arch = terraform_platform().split("_")
    download = json.loads((_releases()[0] / "registry" / "v1" / "providers" / "gogetssl" / "gogetssl" / __version__
                           / "download" / os_name / arch).read_text())
    key_id = download["signing_keys"]["gpg_public_keys"][0]["key_id"]
    assert f"gogetssl v{__version__} (self-signed, key ID {key_id})" in init.text, init.text
    assert wd.plan().rc in (0, 2)


@pytest.mark.parametrize("host", ["registry.terraform.io", "registry.opentofu.org"])
def test_a_static_https_network_mirror_serves_the_release(mirror_env: tuple[Path, Sandbox],
                                                          https_site: Callable[[Path], str], tmp_path: Path,
                                                          host: str) -> None:
    """Terraform asks for registry.terraform.io/gogetssl/gogetssl; OpenTofu resolves gogetssl/gogetssl to
    registry.opentofu.org/gogetssl/gogetssl: the mirror answers for both (Terraform asks for the first here)."""
    site = https_site(_releases()[0] / "mirror")
    (tmp_path / "terraformrc").write_text(
        f'provider_installation {{\n  network_mirror {{\n    url = "https://{site}/"\n  }}\n}}\n')
    index = json.loads((_releases()[0] / "mirror" / host / "gogetssl" / "gogetssl" / "index.json").read_text())
    assert index == {"versions": {__version__: {}}}
    wd = TerraformWorkdir(tmp_path / f"tf-{host}")
    wd.write("main.tf", PROVIDER_BLOCK.replace('source = "gogetssl/gogetssl"', f'source = "{host}/gogetssl/gogetssl"')
             + 'data "gogetssl_account_balance" "b" {}\n')
    init = wd.init()
    assert "Installed" in init.text, init.text
    assert wd.plan().rc in (0, 2)


def _fake_freeze(work: Path, version: str = __version__) -> Path:
    """What release.freeze returns, without PyInstaller: an executable and its _internal/ folder."""
    folder = work / "dist" / f"{NAME}_v{version}"
    (folder / "_internal").mkdir(parents=True)
    (folder / f"{NAME}_v{version}").write_bytes(b"#!/bin/sh\n")
    (folder / f"{NAME}_v{version}").chmod(0o755)
    (folder / "_internal" / "base_library.zip").write_bytes(b"library")
    return folder


@pytest.mark.parametrize("failing", ["freeze", "signing"])
def test_a_failed_release_leaves_no_signed_release_of_an_earlier_build_in_dist(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    """A build that failed (PyInstaller, or a GOGETSSL_RELEASE_GPG_KEY that names no key) left the previous build's
    SHA256SUMS, signature, key, registry/ and mirror/ in dist/ (signing had also left a new zip beside the old sums),
    so a dist/ published after a failed `make release` looked like a release, of code that was not the source's."""
    from provider.devtools import release

    monkeypatch.setattr(release, "freeze", _fake_freeze)
    monkeypatch.delenv("GOGETSSL_RELEASE_GPG_KEY", raising=False)
    dist = tmp_path / "dist"
    release.release(dist)
    assert (dist / "registry").is_dir() and (dist / f"{NAME}_{__version__}_SHA256SUMS.sig").is_file()
    if failing == "freeze":
        def broken(work: Path, version: str = __version__) -> Path:
            raise release.ReleaseError("PyInstaller failed (1)")
        monkeypatch.setattr(release, "freeze", broken)
    else:
        home = tmp_path / "gnupg"
        home.mkdir(mode=0o700)
        monkeypatch.setenv("GNUPGHOME", str(home))
        monkeypatch.setenv("GOGETSSL_RELEASE_GPG_KEY", "nobody@example.invalid")
    with pytest.raises(release.ReleaseError):
        release.release(dist)
    left = sorted(p.name for p in dist.iterdir())
    assert not any(name in left for name in ("registry", "mirror")), left
    assert not any(name.endswith(("_SHA256SUMS", "_SHA256SUMS.sig", "_signing-key.asc")) for name in left), left


def test_the_build_s_python_environment_does_not_reach_pyinstaller(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """PyInstaller ran with the builder's environment: PYTHONOPTIMIZE=1 gave another zip (base_library.zip and the
    executable differ; the bundle runs with asserts stripped), and PYTHONPATH's modules are found, so bundled,
    before the virtualenv's: the release depended on the shell it was built from."""
    from provider.devtools import release

    seen: list[dict[str, str]] = []

    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        seen.append(dict(kwargs["env"]))  # type: ignore[call-overload]
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(release.subprocess, "run", run)
    for name, value in {"PYTHONOPTIMIZE": "1", "PYTHONPATH": str(tmp_path), "PYTHONHOME": str(tmp_path),
                        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "random"}.items():
        monkeypatch.setenv(name, value)
    release.freeze(tmp_path)
    (env,) = seen
    assert {k: v for k, v in env.items() if k.startswith("PYTHON")} == {"PYTHONHASHSEED": "0"}
    assert env["SOURCE_DATE_EPOCH"] == release.SOURCE_DATE_EPOCH and env["PATH"] == os.environ["PATH"]


def test_a_release_virtualenv_holding_a_package_constraints_txt_does_not_pin_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """.venv-release is reused from build to build, and pip never removes what is no longer asked for: with simplejson
    installed there (by hand, or by an older constraints.txt), PyInstaller bundled it and requests used it for
    every JSON answer; the build said nothing and its zip had another checksum."""
    from provider.devtools import release

    constraints = tmp_path / "constraints.txt"
    constraints.write_text("# pins\nrequests==2.34.2\ncharset-normalizer==3.5.3  # why\n")
    installed = [("requests", "2.34.2"), ("charset_normalizer", "3.5.3"), ("pip", "23.2.1"), ("setuptools", "65.5.0"),
                 ("terraform-provider-gogetssl", __version__)]
    assert release.unpinned(constraints, installed) == []
    assert release.unpinned(constraints, [*installed, ("simplejson", "4.3.0"), ("requests", "2.0.0")]) == [
        "requests==2.0.0", "simplejson==4.3.0"]
    built: list[Path] = []
    monkeypatch.setattr(release, "release", lambda dist, version=__version__: built.append(dist) or [])
    monkeypatch.setattr(release, "_installed", lambda: [*installed, ("simplejson", "4.3.0")])
    monkeypatch.setattr(release, "CONSTRAINTS", constraints)
    assert release.main(["--dist", str(tmp_path / "dist")]) == 1
    assert built == [] and "simplejson==4.3.0" in capsys.readouterr().err
    monkeypatch.setattr(release, "_installed", lambda: installed)
    assert release.main(["--dist", str(tmp_path / "dist")]) == 0 and built == [tmp_path / "dist"]


def test_make_release_builds_the_package_from_the_source_not_from_an_earlier_build_s_copy() -> None:
    """`pip install .` builds with setuptools, which copies each module into build/lib only when the source is newer:
    a module restored with its old mtime (cp -p, rsync -a, tar) lost to the copy an earlier make release left there,
    and the release froze that code (seen: a line added to build/lib/provider/logs.py was in the wheel). The
    release target removes setuptools' build folders first (build/release-check, the ring's, stays)."""
    root = Path(__file__).resolve().parents[2]
    steps = subprocess.run(["make", "-n", "-C", str(root), "release"],
                           capture_output=True, text=True, timeout=60, check=True).stdout.splitlines()
    install = next(i for i, s in enumerate(steps) if "--force-reinstall" in s)
    removed = [s for s in steps[:install] if s.startswith("rm -rf")]
    assert removed and "build/lib" in removed[0] and "build/bdist." in removed[0], steps
    assert "build/release-check" not in removed[0] and "build " not in f"{removed[0]} ", steps
