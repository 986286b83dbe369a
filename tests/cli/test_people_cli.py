"""partners, people, kin and feedback from a fresh shell: JSON out, one-line errors, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from commmatters_desktop import cli as cli_module
from commmatters_desktop.core.clock import FixedClock
from tests.conftest import PASSPHRASE

REPO = Path(__file__).resolve().parents[2]
WARDS = REPO / "resources" / "data" / "ons" / "greater-manchester-wards-2022.csv"
DATA = REPO / "tests" / "data" / "people"


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    script = shutil.which("commmatters-desktop", path=str(Path(sys.executable).parent))
    assert script
    env = {
        **os.environ,
        "COMMMATTERS_PASSPHRASE": PASSPHRASE,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "HOME": str(tmp_path),
    }
    folder = tmp_path / "vault"

    def call(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, "--data-dir", str(folder), *map(str, args)],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    assert call("init").returncode == 0
    assert call("wards", "import", WARDS).returncode == 0
    return call


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert (
        len(lines) == 1 and lines[0].startswith("commmatters-desktop: ") and "Traceback" not in result.stderr
    )
    return lines[0]


def test_partners_and_people_from_the_command_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    added = cli("partners", "add", "Manchester City Council", "--kind", "local_authority", "--json")
    assert added.returncode == 0 and json.loads(added.stdout)["kind"] == "local_authority"
    assert "already a partner agency" in one_line(
        cli("partners", "add", "MANCHESTER city council", "--kind", "other")
    )
    assert cli("partners", "add", "X", "--kind", "spaceship").returncode == 2

    imported = cli("partners", "import", DATA / "partner-contacts-latin1.csv", "--json")
    assert imported.returncode == 0, imported.stderr
    summary = json.loads(imported.stdout)
    assert (summary["agencies_added"], summary["people_added"]) == (2, 3)
    assert [s["line"] for s in summary["skipped"]] == [4, 6]
    again = json.loads(cli("partners", "import", DATA / "partner-contacts-latin1.csv", "--json").stdout)
    assert (again["agencies_added"], again["people_added"], again["links_added"]) == (0, 0, 0)

    roster = cli("people", "import", DATA / "ward-roster-bom.csv")
    assert roster.returncode == 0 and "line 5: the role 'Chief Superintendent-ish'" in roster.stdout
    assert (
        cli("people", "add", "Margaret Oduya", "--role", "panel_chair", "--ward", "E05011368").returncode == 0
    )
    listed = json.loads(cli("people", "list", "--ward", "E05011368", "--json").stdout)
    by_name = {p["full_name"]: p for p in listed}
    assert by_name["PC Dan Hughes"]["ward_officer_of"] == ["E05011368"]
    assert (
        by_name["Margaret Oduya"]["personal_data"] is True and by_name["Priya Shah"]["personal_data"] is False
    )
    assert "no ward E05099999" in one_line(cli("people", "add", "Z", "--role", "pcso", "--ward", "E05099999"))

    assert cli("partners", "retire", "One Manchester").returncode == 0
    active = [a["name"] for a in json.loads(cli("partners", "list", "--json").stdout) if not a["retired_on"]]
    assert "One Manchester" not in active
    out = tmp_path / "pact.csv"
    exported = cli("partners", "export", "--out", out)
    assert exported.returncode == 0
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["agency"] for r in rows} == {"Manchester City Council", "St Mary’s Primary"}
    assert rows[0]["wards"] == "E05011368 E05011372" and rows[0]["work_email"] == "priya.shah@example.gov.uk"
    assert "There is no file" in one_line(cli("partners", "import", tmp_path / "missing.csv"))
    bad = tmp_path / "semi.csv"
    bad.write_text("agency;name\nCouncil;Priya\n")
    assert "separated by semicolons" in one_line(cli("partners", "import", bad))


def test_the_key_individual_network_from_the_command_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("kin", "add", "Ade Bello", "--ward", "E05011368", "--community", "Young people",
               "--prefer", "email", "--email", "ade@example.com").returncode == 0  # fmt: skip
    refused = one_line(cli("kin", "log", "--ward", "E05011368", "--name", "ade bello", "--channel", "email",
                           "--purpose", "Views"))  # fmt: skip
    assert "no consent recorded" in refused
    assert cli("kin", "add", "Kim Reid", "--ward", "E05011368", "--community", "Business community",
               "--consent-date", "2026-01-05", "--consent-basis", "Signed KIN form").returncode == 0  # fmt: skip
    assert cli("kin", "threshold", "2", "--json").returncode == 0
    for _ in range(2):
        logged = cli("kin", "log", "--ward", "E05011368", "--name", "Kim Reid", "--channel", "phone",
                     "--purpose", "Views on nominations", "--json")  # fmt: skip
        assert logged.returncode == 0, logged.stderr
    warned = one_line(cli("kin", "log", "--ward", "E05011368", "--name", "Kim Reid", "--channel", "phone",
                          "--purpose", "Again"))  # fmt: skip
    assert "contacted 2 times in the last 90 days" in warned and "--anyway" in warned
    assert cli("kin", "log", "--ward", "E05011368", "--name", "Kim Reid", "--channel", "phone",
               "--purpose", "Again", "--anyway").returncode == 0  # fmt: skip
    listed = json.loads(cli("kin", "list", "--ward", "E05011368", "--json").stdout)
    kim = next(k for k in listed["kin"] if k["full_name"] == "Kim Reid")
    assert kim["contacts_last_90_days"] == 3 and kim["fatigued"] is True
    assert len(listed["recent_contacts"]) == 3
    gaps = json.loads(cli("kin", "gaps", "--ward", "E05011368", "--json").stdout)["gaps"]
    assert [g["group"] for g in gaps] == ["Young people", "Travellers", "Asylum seekers", "Disability groups"]
    assert gaps[0]["awaiting_consent"] == 1
    text = cli("kin", "gaps", "--ward", "E05011368").stdout
    assert text.startswith("E05011368 Hulme: not hearing from Young people (1 awaiting consent); Travellers")
    assert cli("kin", "gaps").returncode == 0
    assert cli("kin", "list").returncode == 2  # --ward is required

    nothing = one_line(cli("feedback", "export", "--cycle", "2026-Q4", "--channel", "nextdoor",
                           "--out", tmp_path / "x.csv"))  # fmt: skip
    assert "Nothing to send by Nextdoor post for 2026-Q4" in nothing and not (tmp_path / "x.csv").exists()
    assert cli("feedback", "export", "--channel", "fax", "--out", tmp_path / "x.csv").returncode == 2


def test_feedback_export_on_the_demo(demo_dir: Path, tmp_path: Path, clock: FixedClock) -> None:
    """In process on the demo template (building the demo in a subprocess would cost a minute)."""
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "kin.csv"
    command = ["--demo", "--data-dir", str(demo_dir), "feedback", "export", "--channel", "kin-email", "--out",
               str(target), "--json"]  # fmt: skip
    # Residents' names and email addresses leave the machine only with a reason, which is recorded.
    code = cli_module.run(command, out=out, err=err, clock=clock, stdin_is_tty=False)
    assert code == 1 and "give the reason" in err.getvalue() and not target.exists()
    out, err = io.StringIO(), io.StringIO()
    code = cli_module.run([*command, "--reason", "Q4 feedback mail-out"], out=out, err=err, clock=clock,
                          stdin_is_tty=False)  # fmt: skip
    assert code == 0, err.getvalue()
    trail = io.StringIO()
    cli_module.run(["--demo", "--data-dir", str(demo_dir), "audit", "list", "--json"], out=trail, err=err,
                   clock=clock, stdin_is_tty=False)  # fmt: skip
    events = [e for e in json.loads(trail.getvalue()) if e["action"] == "export personal data"]
    assert (
        len(events) == 1
        and "Q4 feedback mail-out" in events[0]["summary"]
        and "kin.csv" in events[0]["summary"]
    )
    data = json.loads(out.getvalue())
    assert data["rows"] and all(
        set(r) == {"name", "email", "ward_code", "subject", "message"} for r in data["rows"]
    )
    assert all(r["subject"].startswith("DEMO: You said, we did") for r in data["rows"])
    assert "07700" not in target.read_text(encoding="utf-8-sig")
