"""nominations import / list from the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

from commmatters_desktop import cli
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.queries import AWAITING_APPROVAL


def run(clock: FixedClock, *args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return (
        cli.run([str(a) for a in args], out=out, err=err, clock=clock, stdin_is_tty=False),
        out.getvalue(),
        err.getvalue(),
    )


def test_import_with_a_ward_for_files_without_one_then_list(
    demo_dir: Path, tmp_path: Path, clock: FixedClock
) -> None:
    poll = tmp_path / "poll.csv"
    poll.write_text('wording,support,source\n"Speeding, all night",12 votes,Nextdoor\nDrugs in the park,twelve,panel\n'
                    "Call Mrs Dawson on 07700 900999,2,online\n,3,online\n")  # fmt: skip
    args = ("--demo", "--data-dir", demo_dir, "nominations")
    code, out, _ = run(clock, *args, "import", poll, "--ward", "E05000650", "--cycle", "2027-Q1")
    assert code == 0
    assert out.splitlines() == ["Imported poll.csv for 2027-Q1: 3 added, 0 merged, 1 skipped.",
                                "  line 5: the wording is empty"]  # fmt: skip
    code, out, _ = run(clock, *args, "import", poll, "--ward", "E05000650", "--cycle", "2027-Q1")
    assert out.splitlines()[0] == "Imported poll.csv for 2027-Q1: 0 added, 0 merged, 4 skipped."
    code, out, _ = run(clock, *args, "list", "--ward", "e05000650", "--cycle", "2027-Q1", "--json")
    rows = json.loads(out)
    assert [r["suggested"] for r in rows] == ["Speeding, all night", "Drugs in the park",
                                              "Call Mrs [name removed] on [number removed]"]  # fmt: skip
    assert {r["display"] for r in rows} == {AWAITING_APPROVAL}  # nothing is public until approved
    assert all("wording" not in r for r in rows) and "07700" not in out and "Dawson" not in out


def test_a_file_with_no_ward_column_needs_the_ward(demo_dir: Path, tmp_path: Path, clock: FixedClock) -> None:
    poll = tmp_path / "poll.csv"
    poll.write_text("wording\nSpeeding\n")
    code, _, err = run(clock, "--demo", "--data-dir", demo_dir, "nominations", "import", poll)
    assert code == 1 and "say which ward it is for with --ward CODE" in err and len(err.splitlines()) == 1
