"""The packaged app as an officer gets it: every command, report and importer, then the window.

PyInstaller finds imports by reading the code; whatever a library imports by name at run time (reportlab's
barcode widgets, keyring's backends, Alembic's migration scripts) is missing until someone runs it. So
this runs the built program itself, in a sandbox (its own HOME, data, log and config folders, no session
bus so no real keyring is touched), and fails on any crash-log entry.

Build first (packaging/README.md), then:  python -m pytest -m packaging tests/packaging
``COMMMATTERS_FROZEN_APP`` names another build folder (default: dist/commmatters-desktop).

The meeting minutes are printed only from the window's meeting mode; they are laid out by the same
reportlab platypus modules as the partners' list (``actions --out``) and the leaflets exercised here, and
``test_every_module_of_the_app_is_in_the_bundle`` checks that reports/minutes.py itself is bundled.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from commmatters_desktop import __version__, cli
from tests.conftest import GM_LSOAS, GM_WARDS, REPO

pytestmark = pytest.mark.packaging

BUILD = Path(os.environ.get("COMMMATTERS_FROZEN_APP", REPO / "dist" / "commmatters-desktop"))
EXE = ".exe" if sys.platform == "win32" else ""
PASSPHRASE = "packaged app smoke test passphrase"
TEAM = "packaged app team passphrase"
WARD = "E05000650"  # Astley Bridge, Bolton: first in the Greater Manchester lookup

#: Every command path the smoke run used ("wards import", "leaflets", ...), to compare with the CLI's own.
used: set[str] = set()


def command_paths(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    """Every runnable command of the CLI, read from its parser so a new command cannot be forgotten."""
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = f"{prefix}{name}"
                nested = command_paths(sub, f"{path} ")
                found |= nested or {path}
    return found


#: The CLI's commands, read from its parser: command → whether it has actions ("wards" → list, import).
COMMANDS = {path.split()[0]: " " in path for path in command_paths(cli.build_parser())}


class Frozen:
    """Runs the built program in a sandbox and checks nothing reached the crash log."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("COMMMATTERS_", "XDG_", "DBUS_", "PYTHON_KEYRING", "QT_"))
        }
        self.env.update(
            HOME=str(home),
            USERPROFILE=str(home),
            APPDATA=str(home / "appdata"),
            LOCALAPPDATA=str(home / "localappdata"),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_STATE_HOME=str(home / "state"),
            XDG_CACHE_HOME=str(home / "cache"),
            DBUS_SESSION_BUS_ADDRESS="disabled:",
        )

    def run(self, *args: str | Path, program: str = "commmatters-desktop", **env: str) -> str:
        """Run one command; it must succeed without a traceback. Returns stdout."""
        words = [str(a) for a in args]
        for at, word in enumerate(words):
            if program == "commmatters-desktop" and word in COMMANDS:
                used.add(f"{word} {words[at + 1]}" if COMMANDS[word] else word)
                break
        done = subprocess.run(
            [str(BUILD / f"{program}{EXE}"), *map(str, args)],
            capture_output=True, text=True, env={**self.env, **env}, timeout=300, cwd=self.home,
        )  # fmt: skip
        assert done.returncode == 0, f"{args}: {done.stderr}"
        assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr, done.stderr
        return done.stdout

    def crash_logs(self) -> list[Path]:
        return sorted(p for p in self.home.rglob("crash.log"))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Frozen]:
    """After the module: no crash-log entry, and (when the whole module ran) every CLI command was run."""
    if not (BUILD / f"commmatters-desktop{EXE}").exists():
        pytest.fail(f"No packaged app in {BUILD}: build it first (packaging/README.md).")
    frozen = Frozen(tmp_path_factory.mktemp("frozen-home"))
    yield frozen
    logs = frozen.crash_logs()
    assert logs == [], "\n".join(p.read_text(encoding="utf-8") for p in logs)
    if not request.config.getoption("keyword") and request.session.testsfailed == 0:
        never = command_paths(cli.build_parser()) - used
        assert never == set(), f"the packaged-app smoke test never ran: {', '.join(sorted(never))}"


@pytest.fixture(scope="module")
def demo(app: Frozen) -> Path:
    folder = app.home / "demo-vault"
    out = app.run("--data-dir", folder, "--demo", "demo")
    assert "DEMO force ready" in out
    return folder


def pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    assert len(reader.pages) >= 1
    return "\n".join(page.extract_text() for page in reader.pages)


def test_version_names_the_packaged_build(app: Frozen) -> None:
    info = json.loads((BUILD / "_internal" / "build-info.json").read_text(encoding="utf-8"))
    out = app.run("--version").strip()
    assert out.startswith(f"commmatters-desktop {__version__} (packaged {info['date']}")


def test_a_new_vault_imports_every_kind_of_file(app: Frozen, tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    secret = {"COMMMATTERS_PASSPHRASE": PASSPHRASE}
    assert "Created an encrypted vault" in app.run("--data-dir", vault, "init", **secret)
    assert "215 wards added" in app.run("--data-dir", vault, "wards", "import", GM_WARDS, **secret)
    assert "LSOA" in app.run("--data-dir", vault, "wards", "import", GM_LSOAS, **secret)
    poll = tmp_path / "poll.csv"
    poll.write_text(
        "ward_code,wording,category,support,source,date,reference\n"
        f"{WARD},Cars parked on the pavement by the school,Parking,12,online poll,2026-10-20,poll-1\n"
        f"{WARD},Litter in the park after weekends,Environment,7,online poll,2026-10-21,poll-2\n",
        encoding="utf-8",
    )
    assert "2" in app.run("--data-dir", vault, "nominations", "import", poll, **secret)
    listed = json.loads(
        app.run("--data-dir", vault, "--json", "nominations", "list", "--ward", WARD, **secret)
    )
    assert len(listed) == 2
    assert len(json.loads(app.run("--data-dir", vault, "--json", "wards", "list", **secret))) == 215
    info = json.loads(app.run("--data-dir", vault, "--json", "info", **secret))
    assert info, "info said nothing"
    assert "healthy" in app.run("--data-dir", vault, "check", **secret)
    (tmp_path / "backups").mkdir()
    app.run("--data-dir", vault, "backup", tmp_path / "backups", **secret)
    assert any((tmp_path / "backups").glob("*.db"))
    logo = tmp_path / "crest.png"
    Image.new("RGB", (64, 64), (0, 40, 110)).save(logo)
    app.run("--data-dir", vault, "force", "--name", "Smoke Test Police", "--logo", logo, **secret)
    assert "Smoke Test Police" in app.run("--data-dir", vault, "force", **secret)
    team = {"COMMMATTERS_TEAM_PASSPHRASE": TEAM, **secret}
    (tmp_path / "shared").mkdir()
    app.run("--data-dir", vault, "sync", "--folder", tmp_path / "shared", **team)
    assert (tmp_path / "shared" / "commmatters" / "team.json").exists()


@pytest.mark.parametrize("paper", ["a4", "a5", "large-print"])
def test_the_demo_prints_leaflets_in_every_format(
    app: Frozen, demo: Path, tmp_path: Path, paper: str
) -> None:
    app.run("--data-dir", demo, "--demo", "leaflets", "--out", tmp_path, "--format", paper, "--draft")
    leaflets = sorted(tmp_path.glob("*.pdf"))
    assert leaflets, "no leaflet was written"
    assert "You said" in pdf_text(leaflets[0])


def test_the_demo_prints_every_other_report(app: Frozen, demo: Path, tmp_path: Path) -> None:
    actions = json.loads(app.run("--data-dir", demo, "--demo", "--json", "actions"))
    agency, ward = actions[0]["agency"], actions[0]["ward"]
    app.run("--data-dir", demo, "--demo", "actions", "--agency", agency, "--out", tmp_path / "actions.pdf")
    assert agency in pdf_text(tmp_path / "actions.pdf")
    app.run("--data-dir", demo, "--demo", "leaflet", "--ward", ward, "--out", tmp_path / "one.pdf", "--draft")
    pdf_text(tmp_path / "one.pdf")
    app.run("--data-dir", demo, "--demo", "plan", "ics", "--out", tmp_path / "weeks.ics")
    assert (tmp_path / "weeks.ics").read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    start = "2027-01-04"
    app.run("--data-dir", demo, "--demo", "plan", "weeks", "--cycle", "2027-Q1", "--mode", "rolling",
            "--start", start, "--per-week", "5", "--dry-run")  # fmt: skip
    assert json.loads(app.run("--data-dir", demo, "--demo", "--json", "overview"))
    assert "healthy" in app.run("--data-dir", demo, "--demo", "check")


def open_window(app: Frozen, demo: Path, **env: str) -> str:
    # Windows gives the windowed program no stdout to report on; both programs run the same code.
    program = "commmatters-desktop" if sys.platform == "win32" else "commmatters-desktop-gui"
    out = app.run("--data-dir", demo, "--demo", program=program, COMMMATTERS_SMOKE="views", **env)
    assert "smoke: shown 'DEMO" in out, out
    return out


def test_the_window_opens_offscreen_shows_every_view_and_closes(app: Frozen, demo: Path) -> None:
    out = open_window(app, demo, QT_QPA_PLATFORM="offscreen")
    assert "smoke: actionShowOverview" in out


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Debian: apt-get install xvfb)")
def test_the_window_opens_on_a_real_x_server(app: Frozen, demo: Path) -> None:
    """The xcb plugin and the system libraries it needs, as on a Linux desktop."""
    done = subprocess.run(
        ["xvfb-run", "-a", str(BUILD / "commmatters-desktop-gui"), "--data-dir", str(demo), "--demo"],
        capture_output=True, text=True, env={**app.env, "COMMMATTERS_SMOKE": "views"}, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0 and "smoke: shown 'DEMO" in done.stdout, done.stderr


def test_the_window_explains_a_missing_display_in_one_line(app: Frozen, demo: Path) -> None:
    if sys.platform != "linux":
        pytest.skip("DISPLAY is X11's")
    env = {k: v for k, v in app.env.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    done = subprocess.run(
        [str(BUILD / "commmatters-desktop-gui"), "--data-dir", str(demo), "--demo"],
        capture_output=True, text=True, env={**env, "QT_QPA_PLATFORM": "xcb"}, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "DISPLAY is not set" in done.stderr, done.stderr


def test_every_module_of_the_app_is_in_the_bundle() -> None:
    from PyInstaller.archive.readers import CArchiveReader

    archive = CArchiveReader(str(BUILD / f"commmatters-desktop{EXE}"))
    (pyz,) = [name for name in archive.toc if name.endswith(".pyz")]
    bundled = set(archive.open_embedded_archive(pyz).toc)
    package = REPO / "commmatters_desktop"
    expected = set()
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if "versions" in parts or parts[-1] == "__main__":
            continue  # Alembic reads these as files (checked below); __main__ is the program itself
        expected.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    assert expected - bundled == set()
    scripts = {p.name for p in (package / "storage" / "migrations" / "versions").glob("*.py")}
    data = BUILD / "_internal" / "commmatters_desktop" / "storage" / "migrations" / "versions"
    assert scripts <= {p.name for p in data.glob("*.py")}


def test_the_demo_runs_the_people_evidence_and_privacy_commands(app: Frozen, tmp_path: Path) -> None:
    """Every command of the people, evidence and data-protection work, on a demo vault of its own
    (some of them change it: a partner retired, personal data purged, the vault restored and salvaged)."""
    folder = app.home / "demo-commands"
    assert "DEMO force ready" in app.run("--data-dir", folder, "--demo", "demo")

    def run(*args: str | Path, **env: str) -> str:
        return app.run("--data-dir", folder, "--demo", *args, **env)

    repo = Path(__file__).resolve().parents[2]
    people = repo / "tests" / "data" / "people"
    police = repo / "resources" / "data" / "police-uk" / "2023-01-metropolitan-street-sample.csv"
    lookup = repo / "resources" / "data" / "ons" / "greater-manchester-lsoa-to-ward-2022.csv"
    run("partners", "list")
    run("partners", "add", "Smoke Test Housing", "--kind", "housing")
    run("partners", "import", people / "partner-contacts-latin1.csv")
    run("partners", "export", "--out", tmp_path / "partners.csv")
    run("partners", "retire", "Smoke Test Housing")
    run("people", "list")
    run("people", "add", "PC Smoke Test", "--role", "pcso", "--ward", "E05000650")
    run("people", "import", people / "ward-roster-bom.csv")
    run("kin", "list", "--ward", "E05000650")
    run("kin", "add", "Smoke Tester", "--ward", "E05000650", "--community", "Young people",
        "--consent-date", "2026-11-01", "--consent-basis", "Signed KIN form")  # fmt: skip
    run("kin", "gaps")
    run("kin", "threshold", "3")
    run("kin", "log", "--ward", "E05000650", "--name", "Smoke Tester", "--channel", "email",
        "--purpose", "Smoke test", "--anyway")  # fmt: skip
    run("feedback", "export", "--channel", "nextdoor", "--out", tmp_path / "nextdoor.csv")
    run("crime", "import", police, "--lookup", lookup)
    run("crime", "summary", "--ward", "E05000650", "--from", "2025-06", "--to", "2026-10")
    run("crime", "compare")
    run("survey", "add", "--ward", "E05000650", "--date", "2026-11-01", "--item", "matters=5,7,3,2,1,2")
    survey = tmp_path / "survey.csv"
    survey.write_text("ward_code,date,mode,matters\n" + "E05000650,2026-11-02,street,Tend to agree\n" * 3)
    run("survey", "import", survey)
    run("survey", "summary")
    run("harm", "index")
    run("report", "quarterly", "--out", tmp_path / "quarterly.pdf")
    assert pdf_text(tmp_path / "quarterly.pdf")
    run("export", "police-uk", "--out", tmp_path / "police-uk.json")
    json.loads((tmp_path / "police-uk.json").read_text(encoding="utf-8"))
    run("audit", "list", "--limit", "5")
    run("audit", "verify")
    run("public", "pending", "--ward", "E05000650")
    run("retention")
    run("sar", "--name", "Smoke Tester", "--out", tmp_path / "sar.pdf", "--reason", "SAR-1")
    run("purge", "--due", "--reason", "retention review")
    env = {"COMMMATTERS_PASSPHRASE": "community matters demo"}
    run("salvage", tmp_path / "salvaged", **env)
    run("backup", tmp_path / "backup.db")
    run("restore", tmp_path / "backup.db", **env)
