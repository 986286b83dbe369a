"""Leaflets from the command line on the demo force: one ward, a whole cycle, drafts, refusals."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from commmatters_desktop import cli
from commmatters_desktop.core.clock import FixedClock


def run(clock: FixedClock, *args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run([str(a) for a in args], out=out, err=err, clock=clock, stdin_is_tty=False)
    return code, out.getvalue(), err.getvalue()


def test_leaflets_for_every_ward_with_feedback(demo_dir: Path, tmp_path: Path, clock: FixedClock) -> None:
    code, out, err = run(clock, "--demo", "--data-dir", demo_dir, "leaflets", "--cycle", "2026-Q4",
                         "--out", tmp_path / "out", "--json")  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert len(result["written"]) == 6 and result["refused"] == []
    for item in result["written"]:
        reader = PdfReader(item["file"])
        assert len(reader.pages) == 1 and "You said" in reader.pages[0].extract_text()
    # They were recorded as feedback: running again writes the same files and records nothing new.
    code, out, _ = run(clock, "--demo", "--data-dir", demo_dir, "info", "--json")
    again = json.loads(
        run(clock, "--demo", "--data-dir", demo_dir, "leaflets", "--out", tmp_path / "out", "--json")[1]
    )
    assert [w["sha256"] for w in again["written"]] == [w["sha256"] for w in result["written"]]


def test_one_leaflet_in_large_print_and_a_draft_is_not_recorded(
    demo_dir: Path, tmp_path: Path, clock: FixedClock
) -> None:
    target = tmp_path / "bolton.pdf"
    code, out, _ = run(clock, "--demo", "--data-dir", demo_dir, "leaflet", "--ward", "E05000652", "--out", target,
                       "--format", "large-print", "--draft", "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["recorded_as_feedback"] is False
    assert len(PdfReader(target).pages) >= 1
    code, out, _ = run(
        clock, "--demo", "--data-dir", demo_dir, "leaflet", "--ward", "E05000652", "--out", target
    )
    assert code == 0 and out.strip().endswith("recorded as feedback given.")
    code, out, _ = run(
        clock, "--demo", "--data-dir", demo_dir, "leaflet", "--ward", "E05000652", "--out", target
    )
    assert out.strip().endswith("this exact leaflet was already recorded.")


def test_a_ward_without_an_agreed_priority_gets_a_clear_line(
    demo_dir: Path, tmp_path: Path, clock: FixedClock
) -> None:
    from commmatters_desktop.core.enums import PriorityStatus
    from commmatters_desktop.core.queries import priority_cards
    from commmatters_desktop.demo import open_demo

    with open_demo(demo_dir, clock=clock) as vault, vault.reading() as s:
        nominated = next(c for c in priority_cards(s, cycle="2026-Q4", today=clock.today())
                         if c.status is PriorityStatus.NOMINATED)  # fmt: skip
    code, _, err = run(clock, "--demo", "--data-dir", demo_dir, "leaflet", "--ward", nominated.ward_code,
                       "--out", tmp_path / "x.pdf")  # fmt: skip
    assert code == 1 and "has no agreed priority in 2026-Q4" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(
        clock, "--demo", "--data-dir", demo_dir, "leaflet", "--ward", "E09999999", "--out", tmp_path / "x.pdf"
    )
    assert code == 1 and "There is no ward E09999999" in err
    code, _, err = run(
        clock, "--demo", "--data-dir", demo_dir, "leaflet", "--ward", "E05000652", "--out", tmp_path / "x.txt"
    )
    assert code == 1 and "should end in .pdf" in err


def test_the_force_name_is_set_once_and_printed(vault_dir: Path, clock: FixedClock) -> None:
    code, out, _ = run(
        clock, "--data-dir", vault_dir, "force", "--name", "Greater Exampleshire Police", "--json"
    )
    assert code == 0 and json.loads(out) == {"name": "Greater Exampleshire Police", "logo": False}
    code, _, err = run(clock, "--data-dir", vault_dir, "force", "--logo", vault_dir / "vault.json")
    assert code == 1 and "PNG or JPEG" in err


def test_a_cycle_with_no_feedback_says_so(demo_dir: Path, tmp_path: Path, clock: FixedClock) -> None:
    code, out, _ = run(
        clock, "--demo", "--data-dir", demo_dir, "leaflets", "--cycle", "2027-Q1", "--out", tmp_path
    )
    assert code == 0 and "No ward has feedback recorded for 2027-Q1 yet" in out


def test_a_full_disk_is_one_line_and_what_was_written_stays(
    demo_dir: Path, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills after the first leaflet: the errno says so (not the OS's wording), exit 1."""
    import errno

    from commmatters_desktop.reports import publish
    from commmatters_desktop.storage import vault as storage

    written: list[Path] = []

    def fills_up(path: Path, data: bytes) -> None:
        if written:
            raise OSError(errno.ENOSPC, "Espace insuffisant")
        storage.atomic_write(path, data)
        written.append(path)

    monkeypatch.setattr(publish, "atomic_write", fills_up)
    code, out, err = run(clock, "--demo", "--data-dir", demo_dir, "leaflets", "--out", tmp_path / "out")
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert "The disk is full, so the leaflet for" in err and "Free some space" in err
    assert [p.name for p in (tmp_path / "out").iterdir()] == [written[0].name]
