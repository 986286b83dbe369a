"""The command line as scripts and people use it: plain text or JSON out, one-line errors, exit codes."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from commmatters_desktop import cli
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.demo import DEMO_PASSPHRASE
from tests.conftest import GM_LSOAS, GM_WARDS, PASSPHRASE


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> object:
        return json.loads(self.out)


@pytest.fixture
def run(clock: FixedClock, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("COMMMATTERS_PASSPHRASE", raising=False)

    def invoke(*args: str | Path, tty: bool = False) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = cli.run([str(a) for a in args], out=out, err=err, clock=clock, stdin_is_tty=tty)
        return Result(code, out.getvalue(), err.getvalue())

    return invoke


def one_line_error(result: Result) -> str:
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("commmatters-desktop: "), result.err
    assert "Traceback" not in result.err
    return lines[0]


def test_init_import_and_list_headless(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COMMMATTERS_PASSPHRASE", PASSPHRASE)
    folder = tmp_path / "vault"
    created = run("--data-dir", folder, "init")
    assert created.code == 0 and "Created an encrypted vault" in created.out
    imported = run("--data-dir", folder, "wards", "import", GM_WARDS)
    assert imported.code == 0
    assert imported.out.strip() == (
        "Imported greater-manchester-wards-2022.csv (WD22): 215 wards added, 0 wards updated, 0 wards unchanged."
    )
    again = run("--data-dir", folder, "wards", "import", GM_LSOAS, "--json")
    assert again.json == {"added": 0, "updated": 0, "unchanged": 215, "lsoas_linked": 1702, "skipped": []}
    listed = run("wards", "list", "--json", "--data-dir", folder, "--la", "trafford")
    rows = listed.json
    assert isinstance(rows, list) and len(rows) == 21
    assert (
        rows[0]["la_name"] == "Trafford" and rows[0]["priority_status"] is None and rows[0]["lsoa_count"] > 0
    )
    text = run("--data-dir", folder, "wards", "list", "--search", "e05000650")
    assert text.out.splitlines() == [
        "E05000650  Astley Bridge  Bolton  no priority yet",
        "1 ward; priorities for 2026-Q4.",
    ]


def test_the_passphrase_can_come_from_a_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text(PASSPHRASE + "\n")
    assert run("--data-dir", tmp_path / "v", "--passphrase-file", secret, "init").code == 0
    info = run("--data-dir", tmp_path / "v", "info", "--json")
    assert info.code == 0 and info.json["key_source"] == "keyring"  # type: ignore[index]


def test_init_headless_without_a_passphrase_says_how_to_give_one(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    line = one_line_error(run("--data-dir", tmp_path / "v", "init"))
    assert "Set COMMMATTERS_PASSPHRASE or use --passphrase-file" in line
    assert not (tmp_path / "v").exists()


def test_a_wrong_passphrase_is_one_clear_line(
    run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
    memory_keyring,
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COMMMATTERS_PASSPHRASE", PASSPHRASE)
    run("--data-dir", tmp_path / "v", "init")
    memory_keyring.secrets.clear()
    monkeypatch.setenv("COMMMATTERS_PASSPHRASE", "not the passphrase at all")
    assert "does not unlock this vault" in one_line_error(run("--data-dir", tmp_path / "v", "wards", "list"))
    monkeypatch.delenv("COMMMATTERS_PASSPHRASE")
    assert "recovery passphrase is needed" in one_line_error(
        run("--data-dir", tmp_path / "v", "wards", "list")
    )


def test_a_folder_that_is_not_a_vault(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "is not a Community Matters vault" in one_line_error(run("--data-dir", tmp_path, "wards", "list"))


def test_a_bad_csv_is_refused_before_the_vault_changes(run, vault_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,area\nAstley Bridge,Bolton\n")
    line = one_line_error(run("--data-dir", vault_dir, "wards", "import", bad))
    assert "bad.csv has no ward code (WDyyCD) and ward name (WDyyNM) column" in line
    assert run("--data-dir", vault_dir, "wards", "list").out.startswith("No wards yet")


def test_check_and_backup(run, vault_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    checked = run("--data-dir", vault_dir, "check", "--json")
    assert checked.code == 0 and checked.json == {"ok": True, "problems": []}
    backed = run("--data-dir", vault_dir, "backup", tmp_path / "b.db")
    assert backed.code == 0 and (tmp_path / "b.db").exists() and (tmp_path / "b.db.vault.json").exists()
    assert "already exists" in one_line_error(run("--data-dir", vault_dir, "backup", tmp_path / "b.db"))


def test_check_reports_damage_and_fails(run, vault_dir: Path) -> None:  # type: ignore[no-untyped-def]
    db = vault_dir / "commmatters.db"
    db.write_bytes(db.read_bytes()[: -4096 * 3] + b"\x00" * 100)
    result = run("--data-dir", vault_dir, "check")
    assert result.code == 1 and "damaged or truncated" in result.err and "Traceback" not in result.err


def test_a_second_instance_is_refused(run, vault_dir: Path, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    from commmatters_desktop.storage.keystore import KeyringStore
    from commmatters_desktop.storage.vault import Vault

    with Vault.open(vault_dir, keystore=KeyringStore(), clock=clock):
        line = one_line_error(run("--data-dir", vault_dir, "wards", "list"))
    assert "already open in another Community Matters window" in line


def test_a_bad_cycle_and_a_bad_command(run, vault_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert "for example 2027-Q1" in one_line_error(
        run("--data-dir", vault_dir, "wards", "list", "--cycle", "Q5")
    )
    assert run("--data-dir", vault_dir, "frobnicate").code == 2


def test_the_demo_opens_without_a_prompt_and_lists_its_wards(run, tmp_path: Path, no_keyring: None) -> None:  # type: ignore[no-untyped-def]
    built = run("--data-dir", tmp_path / "demo", "demo")
    assert built.code == 0 and f"recovery passphrase: '{DEMO_PASSPHRASE}'" in built.out
    assert "40 wards" in built.out
    listed = run("--demo", "--data-dir", tmp_path / "demo", "wards", "list", "--json")
    rows = listed.json
    assert isinstance(rows, list) and len(rows) == 40
    assert {r["priority_status"] for r in rows} >= {"nominated", "agreed", "planning", "in_action", "closed"}


def test_demo_refuses_a_real_vault(run, vault_dir: Path) -> None:  # type: ignore[no-untyped-def]
    line = one_line_error(run("--demo", "--data-dir", vault_dir, "wards", "list"))
    assert "holds a real vault, not the demo" in line


def test_an_unexpected_error_is_one_line_and_a_log(
    run, vault_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from commmatters_desktop.core import queries

    def broken(*_a: object, **_k: object) -> None:
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(queries, "ward_rows", broken)
    line = one_line_error(run("--data-dir", vault_dir, "wards", "list"))
    assert "unexpected error (ZeroDivisionError: bug)" in line and "crash.log" in line


def test_the_installed_command_works_from_a_fresh_shell(tmp_path: Path) -> None:
    """The issue's headless scenario through the real console script, in a separate process."""
    script = shutil.which("commmatters-desktop", path=str(Path(sys.executable).parent))
    assert script, "the console script is installed with the package"
    env = {
        **os.environ,
        "COMMMATTERS_PASSPHRASE": PASSPHRASE,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # never the developer's own keyring
        "HOME": str(tmp_path),
    }
    folder = tmp_path / "X"

    def call(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, "--data-dir", str(folder), *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert call("init").returncode == 0
    assert call("wards", "import", GM_WARDS).returncode == 0
    listed = call("wards", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 215
    module = subprocess.run(
        [sys.executable, "-m", "commmatters_desktop", "--data-dir", str(folder), "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert module.returncode == 0 and "healthy" in module.stdout


def test_a_file_asked_for_in_a_folder_that_does_not_exist_is_refused_and_no_folders_are_made(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    """A mistyped --out path says so in one line and makes nothing; a new folder for the file itself is
    made (the one the officer named), never a chain of them."""
    demo = tmp_path / "demo"
    assert run("--demo", "--data-dir", demo, "wards", "list").code == 0  # the demo built first
    ward = "E05000650"
    asked = {
        "leaflet": ["leaflet", "--ward", ward, "--draft", "--out"],
        "calendar": ["plan", "ics", "--out"],
        "export": ["export", "police-uk", "--cycle", "2026-Q3", "--out"],
    }
    for name, command in asked.items():
        suffix = {"leaflet": ".pdf", "calendar": ".ics", "export": ".json"}[name]
        line = one_line_error(
            run("--demo", "--data-dir", demo, *command, tmp_path / "typo" / "deeper" / f"x{suffix}")
        )
        assert f"there is no folder {tmp_path / 'typo'}" in line, line
        assert not (tmp_path / "typo").exists(), name
    made = run("--demo", "--data-dir", demo, *asked["leaflet"], tmp_path / "leaflets" / "x.pdf")
    assert made.code == 0 and (tmp_path / "leaflets" / "x.pdf").is_file()
