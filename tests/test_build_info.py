"""`--version` and About say which build runs: from source, or packaged on a given day."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from commmatters_desktop import __version__, build, cli


def test_a_checkout_says_it_runs_from_source() -> None:
    assert build.current() == build.Build(__version__, packaged=False)


def test_version_names_the_build(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"commmatters-desktop {__version__} (source)"


def test_a_packaged_build_says_when_it_was_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "build-info.json").write_text(json.dumps({"date": "2026-11-21", "commit": "a9b9d74"}))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert build.current().describe() == f"{__version__} (packaged 2026-11-21, commit a9b9d74)"


def test_a_packaged_build_without_its_build_file_still_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert build.current().describe() == f"{__version__} (packaged, build date unknown)"
