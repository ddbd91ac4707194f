"""The command line people use (provider/main.py): `install` and `serve`, outside Terraform (no magic cookie).

No Terraform, no socket: `serve` and the plugin's executable are replaced where a test must not start them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provider import main as cli


@pytest.fixture(autouse=True)
def _not_under_terraform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli.MAGIC_COOKIE_KEY, raising=False)


@pytest.mark.parametrize("argv", [["serve", "--dev"], ["serve", "--reattach"], ["install", "--plugin-dr", "/x"]])
def test_an_argument_the_command_does_not_take_is_refused_not_ignored(
        argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`serve --dev` was the framework's debug mode (it printed TF_REATTACH_PROVIDERS); it is gone, and a serve that
    swallowed it silently became a plain plugin that ignores Ctrl-C in the user's terminal. A misspelt option of
    install installed into ~/.terraform.d/plugins instead of the directory meant."""
    ran: list[str] = []
    monkeypatch.setattr(cli, "serve", lambda: ran.append("serve") or 0)
    monkeypatch.setattr(cli, "install", lambda plugin_dir: ran.append(f"install {plugin_dir}") or plugin_dir)

    with pytest.raises(SystemExit) as exited:
        cli.main(argv)

    assert exited.value.code == 2 and ran == []
    assert "unrecognized arguments" in capsys.readouterr().err


def test_serve_and_install_without_extra_arguments_still_run(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    ran: list[str] = []
    monkeypatch.setattr(cli, "serve", lambda: ran.append("serve") or 0)
    monkeypatch.setattr(cli, "install", lambda plugin_dir: ran.append(f"install {plugin_dir}") or plugin_dir)

    assert cli.main(["serve"]) == 0
    assert cli.main(["install", "--plugin-dir", str(tmp_path)]) == 0
    assert cli.main([]) == 0  # help
    assert ran == ["serve", f"install {tmp_path}"]


def test_two_installs_into_one_directory_at_once_both_succeed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two installs into one plugin directory (two terminals, a CI matrix sharing a cache, `make demo` beside an
    install): each wrote the same `<archive>.partial`, so the one that moved it into place second found nothing
    to move and failed (install: [Errno 2] No such file or directory: '...zip.partial'). Here the second install
    runs whole at the moment the first is about to move its archive into place, the interleaving that failed."""
    plugins = tmp_path / "plugins"
    real_replace = os.replace
    interleaved: list[Path] = []
    started: list[bool] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        if not started and str(src).endswith(".partial"):
            started.append(True)
            interleaved.append(cli.install(plugins))  # the other install, start to finish
        real_replace(src, dst)

    monkeypatch.setattr(cli.os, "replace", replace)
    monkeypatch.setattr(cli, "_compile_package", lambda: None)  # (not what this test is about)

    module_dir = cli.install(plugins)

    assert interleaved == [module_dir]
    archives = sorted(p.name for p in module_dir.iterdir())
    assert archives == [f"{cli.EXECUTABLE}_{cli.__version__}_{cli.terraform_platform()}.zip"], archives


def test_install_says_its_lock_entries_are_for_this_machine_only(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 22 (item 3): the package `install` writes launches this machine's Python, so its checksum differs
    from one virtualenv to the next; a lock file committed from it breaks `terraform init` everywhere else."""
    assert cli.main(["install", "--plugin-dir", str(tmp_path)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "machine-local" in said and ".terraform.lock.hcl" in said and "docs/releasing.md" in said


def test_install_serves_the_address_opentofu_resolves_the_short_source_to(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 22 (item 4): OpenTofu resolves `source = "gogetssl/gogetssl"` to registry.opentofu.org/gogetssl/gogetssl
    and looks for that directory in a filesystem mirror, so an install for Terraform's address only was invisible to
    `tofu init`. Both addresses get the same archive, and the CLI configuration install prints takes both."""
    assert cli.main(["install", "--plugin-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    archive = f"{cli.EXECUTABLE}_{cli.__version__}_{cli.terraform_platform()}.zip"
    for host in ("registry.terraform.io", "registry.opentofu.org"):
        assert (tmp_path / host / "gogetssl" / "gogetssl" / archive).is_file(), host
        assert f'"{host}/gogetssl/gogetssl"' in printed, host
    assert (tmp_path / "registry.terraform.io/gogetssl/gogetssl" / archive).read_bytes() == (
        tmp_path / "registry.opentofu.org/gogetssl/gogetssl" / archive).read_bytes()


def test_install_into_a_directory_does_not_tell_the_team_to_lock_its_machine_local_checksum(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`install --plugin-dir` said "do not commit the .terraform.lock.hcl entries it gives", then, after the CLI
    configuration block, "For the other platforms your team runs on, install there and run ... terraform providers
    lock -fs-mirror=DIR -platform=linux_amd64": this machine's directory and platform, for other machines whose
    installs give other bytes anyway. A lock file built that way is the one it had just said not to commit."""
    assert cli.main(["install", "--plugin-dir", str(tmp_path)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "providers lock" not in said and "other platforms" not in said, said
    assert "terraform init -plugin-dir=" in said and "machine-local" in said


def test_install_from_a_release_bundle_refuses_rather_than_installing_another_program(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The release's executable (PyInstaller, sys.frozen) is named terraform-provider-gogetssl_v{version}, so
    `install` looked past it for a `terraform-provider-gogetssl` on PATH: with a pip install on PATH, it packed that
    launcher (another Python's provider, of whatever version) and said it had installed this one; without, it told
    a release's user to "install the package with pip first". A release is installed from its zip."""
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    frozen = bundle / f"{cli.EXECUTABLE}_v{cli.__version__}"
    frozen.write_bytes(b"\x7fELF frozen")
    frozen.chmod(0o755)
    elsewhere = tmp_path / "venv-bin"
    elsewhere.mkdir()
    launcher = elsewhere / cli.EXECUTABLE
    launcher.write_text("#!/usr/bin/python3\nfrom provider.main import main\n")
    launcher.chmod(0o755)
    monkeypatch.setattr(cli.sys, "frozen", True, raising=False)
    monkeypatch.setattr(cli.sys, "executable", str(frozen))
    monkeypatch.setenv("PATH", f"{elsewhere}{os.pathsep}{os.environ.get('PATH', '')}")
    plugins = tmp_path / "plugins"
    assert cli.main(["install", "--plugin-dir", str(plugins)]) == 1
    assert not list(plugins.rglob("*.zip"))
    said = " ".join(capsys.readouterr().err.split())
    assert f"{cli.EXECUTABLE}_{cli.__version__}_{cli.terraform_platform()}.zip" in said, said
    assert "docs/releasing.md" in said, said
