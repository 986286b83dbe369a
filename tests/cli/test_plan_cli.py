"""plan weeks, plan ics, overview and actions from the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

from icalendar import Calendar

from commmatters_desktop import cli
from commmatters_desktop.core.clock import FixedClock


def run(clock: FixedClock, *args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return (
        cli.run([str(a) for a in args], out=out, err=err, clock=clock, stdin_is_tty=False),
        out.getvalue(),
        err.getvalue(),
    )


def test_plan_weeks_then_invites(demo_dir: Path, tmp_path: Path, clock: FixedClock) -> None:
    base = ("--demo", "--data-dir", demo_dir)
    code, out, _ = run(clock, *base, "plan", "weeks", "--cycle", "2027-Q1", "--mode", "rolling", "--start",
                       "2027-01-04", "--per-week", "4", "--skip", "2027-02-15", "--json")  # fmt: skip
    result = json.loads(out)
    assert code == 0 and result["changed"] == 40 and result["unplaced"] == []
    assert "2027-02-15" not in result["weeks"].values()
    code, out, _ = run(clock, *base, "plan", "ics", "--cycle", "2027-Q1", "--out", tmp_path / "q1.ics")
    assert code == 0 and out.startswith("Wrote 40 weeks of action")
    assert len(list(Calendar.from_ical((tmp_path / "q1.ics").read_bytes()).walk("VEVENT"))) == 40


def test_too_many_wards_is_explained_and_a_dry_run_saves_nothing(demo_dir: Path, clock: FixedClock) -> None:
    code, out, _ = run(clock, "--demo", "--data-dir", demo_dir, "plan", "weeks", "--cycle", "2027-Q1", "--mode",
                       "rolling", "--start", "2027-03-01", "--per-week", "3", "--dry-run")  # fmt: skip
    assert code == 0 and "25 wards could not be placed" in out and "Not saved (dry run)." in out


def test_all_wards_and_bad_dates(demo_dir: Path, clock: FixedClock) -> None:
    base = ("--demo", "--data-dir", demo_dir, "plan", "weeks", "--cycle", "2027-Q1", "--mode", "all-wards")
    code, out, _ = run(clock, *base, "--start", "2027-02-10")
    assert code == 0 and "All 40 wards act in the week of 8 February 2027." in out
    code, _, err = run(clock, *base, "--start", "10/02/2027")
    assert code == 1 and "write it as YYYY-MM-DD" in err


def test_overview_and_actions(demo_dir: Path, tmp_path: Path, clock: FixedClock) -> None:
    code, out, _ = run(clock, "--demo", "--data-dir", demo_dir, "overview", "--json")
    assert code == 0 and json.loads(out)["counts"]["in action"] == 8
    found = json.loads(out)
    assert len(found["escalated"]) == 2
    code, out, _ = run(clock, "--demo", "--data-dir", demo_dir, "overview")
    listed = out.splitlines()[2:]
    assert code == 0 and "21 wards stuck, 2 escalated:" in out  # the window's count
    # The window's list: every stuck ward and every escalated one, each saying why.
    assert {line.split()[0] for line in listed} == {w["ward"] for w in found["stuck"]} | set(
        found["escalated"]
    )
    assert all(line.split("): ", 1)[1] for line in listed), out
    code, out, _ = run(
        clock, "--demo", "--data-dir", demo_dir, "actions", "--agency", "Bolton Council", "--json"
    )
    assert code == 0 and {a["agency"] for a in json.loads(out)} == {"Bolton Council"}
    code, out, _ = run(
        clock, "--demo", "--data-dir", demo_dir, "actions", "--agency", "bolton council", "--json"
    )
    assert code == 0 and {a["agency"] for a in json.loads(out)} == {"Bolton Council"}, (
        "names match in any case"
    )
    code, _, err = run(clock, "--demo", "--data-dir", demo_dir, "actions", "--agency", "Nobody Inc")
    assert code == 1 and "no partner agency called 'Nobody Inc'" in err
    code, _, err = run(clock, "--demo", "--data-dir", demo_dir, "actions", "--out", tmp_path / "x.pdf")
    assert code == 1 and "--agency" in err
    code, out, _ = run(clock, "--demo", "--data-dir", demo_dir, "actions", "--agency", "Bolton Council",
                       "--out", tmp_path / "bolton.pdf")  # fmt: skip
    assert code == 0 and (tmp_path / "bolton.pdf").exists()
    code, out, _ = run(clock, "--demo", "--data-dir", demo_dir, "audit", "list", "--json")
    printed = [e for e in json.loads(out) if e["action"] == "export partner list"]
    assert code == 0 and len(printed) == 1 and "for Bolton Council to " in printed[0]["summary"], (
        "a partner's list leaving the machine is in the audit trail"
    )
    code, _, err = run(clock, "--demo", "--data-dir", demo_dir, "plan", "ics", "--out", tmp_path / "x.ics",
                       "--agency", "Nobody Inc")  # fmt: skip
    assert code == 1 and "no partner agency called 'Nobody Inc'" in err
