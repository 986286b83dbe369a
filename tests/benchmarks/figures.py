"""The force-scale figures of issue 15, each measured in its own process, as ratios in one run.

``python -m tests.benchmarks.forcescale table`` measures every figure on the cached big and small
vaults (built first if missing) and prints one table: figure, big, small or baseline, ratio, goal,
met. Each figure is a small function run in a fresh subprocess (``python -m tests.benchmarks.figures
NAME SIZE WORKDIR``), so one that fails prints ``error: ...`` in its row and the rest still run, and
each reports its own peak memory. Figures use only public entry points (``Vault.open``, services,
``MainWindow``, the sync engine's functions), so they keep working while the code underneath changes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 3600


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@dataclass
class Work:
    """What a figure runs on: its size's working copy (already opened once), and a scratch folder."""

    size: str
    folder: Path
    scratch: Path

    @property
    def vault_dir(self) -> Path:
        return self.folder / "vault"

    def open(self) -> Any:
        from commmatters_desktop.storage.keystore import KeyringStore
        from commmatters_desktop.storage.vault import Vault
        from tests.benchmarks.forcescale import clock

        return Vault.open(self.vault_dir, keystore=KeyringStore(), clock=clock())

    def private_copy(self, name: str) -> Path:
        """A copy for a figure that changes the vault in ways others must not see (sync state)."""
        target = self.scratch / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(self.vault_dir, target)
        return target


# --- the figures (each returns {"value": seconds, ...extras}) -----------------------------------------------

FIGURES: dict[str, Callable[[Work], dict[str, Any]]] = {}


def figure(function: Callable[[Work], dict[str, Any]]) -> Callable[[Work], dict[str, Any]]:
    FIGURES[function.__name__] = function
    return function


@figure
def vault_open(work: Work) -> dict[str, Any]:
    began = time.perf_counter()
    work.open().close()
    return {"value": time.perf_counter() - began}


def _window(work: Work) -> tuple[Any, Any, Any]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from commmatters_desktop.ui.main_window import MainWindow
    from commmatters_desktop.ui.settings import WindowSettings
    from tests.benchmarks.forcescale import clock

    app = QApplication.instance() or QApplication(["bench"])
    vault = work.open()
    settings = WindowSettings(QSettings(str(work.scratch / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(vault, clock=clock(), settings=settings, autolock_minutes=600)
    window.resize(1366, 768)
    window.show()
    settle(app)
    return app, vault, window


def settle(app: Any) -> None:
    """Let the window finish what the event started (queued refreshes, timers due now)."""
    for _ in range(3):
        app.processEvents()


def _timed(app: Any, step: Callable[[], object]) -> float:
    began = time.perf_counter()
    step()
    settle(app)
    return time.perf_counter() - began


def _a_planning_priority(vault: Any) -> Any:
    from sqlalchemy import select

    from commmatters_desktop.core.enums import PriorityStatus
    from commmatters_desktop.core.models import Cycle, Priority

    live = (
        PriorityStatus.PLANNING,
        PriorityStatus.IN_ACTION,
        PriorityStatus.ASSESSING,
        PriorityStatus.AGREED,
        PriorityStatus.ESCALATED,
    )
    with vault.reading() as s:
        found = s.scalars(
            select(Priority.id)
            .join(Cycle, Cycle.id == Priority.cycle_id)
            .where(Priority.status.in_(live), Priority.deleted.is_(False))
            .order_by(Cycle.code.desc(), Priority.status, Priority.title, Priority.id)
        ).first()
    if found is None:
        raise LookupError("no priority in planning, in action or assessing to edit")
    return found


def _edit_once(work: Work) -> tuple[Any, Any, float]:
    from PySide6.QtWidgets import QPlainTextEdit

    app, vault, window = _window(work)
    window.open_plan(_a_planning_priority(vault))
    settle(app)
    box = window.findChild(QPlainTextEdit, "plan_problem_statement")
    box.setPlainText(box.toPlainText() + " Reviewed at the benchmark.")
    if not box.pending:
        raise RuntimeError("the plan field did not take the edit")
    before = window.ops.stack.count()
    seconds = _timed(app, box.commit)
    if window.ops.stack.count() != before + 1:
        raise RuntimeError("the edit did not reach the undo stack")
    return app, window, seconds


@figure
def sara_edit(work: Work) -> dict[str, Any]:
    seconds = _edit_once(work)[2]
    return {"value": seconds}


@figure
def undo_redo(work: Work) -> dict[str, Any]:
    app, window, _seconds = _edit_once(work)
    stack = window.ops.stack
    undo = _timed(app, stack.undo)
    redo = _timed(app, stack.redo)
    return {"value": max(undo, redo), "undo": undo, "redo": redo}


@figure
def switch_views(work: Work) -> dict[str, Any]:
    app, _vault, window = _window(work)
    tabs = window.tabs
    times = {}
    for index in [*range(1, tabs.count()), 0]:
        times[tabs.tabText(index).replace("&", "")] = _timed(app, lambda i=index: tabs.setCurrentIndex(i))
    slowest = max(times, key=lambda k: times[k])
    return {"value": times[slowest], "slowest": slowest, "each": times}


@figure
def board_all_cycles(work: Work) -> dict[str, Any]:
    from PySide6.QtWidgets import QComboBox

    app, _vault, window = _window(work)
    window.tabs.setCurrentWidget(window.board)
    settle(app)
    combo = window.board.findChild(QComboBox, "boardCycle")
    return {"value": _timed(app, lambda: combo.setCurrentText("All"))}


def _last_cycle() -> str:
    from tests.benchmarks.forcescale import TODAY, cycles_until

    return str(cycles_until(TODAY)[-2])


def _median_seconds(step: Callable[[int], object], runs: int) -> float:
    """The median of ``runs`` timings of ``step(n)``: milliseconds are at the mercy of one collection."""
    times = []
    for n in range(runs):
        began = time.perf_counter()
        step(n)
        times.append(time.perf_counter() - began)
    return sorted(times)[runs // 2]


@figure
def leaflet(work: Work) -> dict[str, Any]:
    """One leaflet, and the privacy scan's parts apart: reading the names the vault holds, building the
    automaton over their forms (once per vault until the names change: linear in names), reusing it
    in a later unit of work (reading the names only), and scanning the leaflet's text with it (linear
    in the text, whatever the number of names; the median of 15 scans)."""
    from commmatters_desktop.core import privacy
    from commmatters_desktop.core.leaflets import wards_with_feedback
    from commmatters_desktop.reports.leaflet import LeafletFormat, produce
    from tests.benchmarks.forcescale import TODAY

    cycle = _last_cycle()
    with work.open() as vault:
        with vault.reading() as s:
            code = wards_with_feedback(s, cycle)[0]
            began = time.perf_counter()
            made = produce(s, ward_code=code, cycle=cycle, today=TODAY, fmt=LeafletFormat.A4, demo=False)
            seconds = time.perf_counter() - began
            text = " ".join(str(v) for v in asdict(made.content).values())
            began = time.perf_counter()
            names = privacy.protected_names(s)
            read = time.perf_counter() - began
            began = time.perf_counter()
            built = privacy.Scanner(names)
            build = time.perf_counter() - began
            scan = _median_seconds(lambda n: built.scan(f"{text} {n}"), 15)  # a new text each time
        with vault.reading() as s:  # a later unit of work: the names again, the automaton reused
            began = time.perf_counter()
            privacy.scanner(s)
            reuse = time.perf_counter() - began
    return {"value": seconds, "scan": scan, "read": read, "build": build, "reuse": reuse,
            "names": len(names), "chars": len(text)}  # fmt: skip


@figure
def leaflets_all(work: Work) -> dict[str, Any]:
    """Every ward's leaflet of last quarter from the window (File > Leaflets for the cycle, without its
    two questions): the progress dialog, then the one publish path (reports.publish) the CLI takes too."""
    from commmatters_desktop.reports.leaflet import LeafletFormat
    from commmatters_desktop.ui.leaflet_preview import batch_leaflets

    app, _vault, window = _window(work)
    out = work.scratch / "leaflets"
    began = time.perf_counter()
    batch = batch_leaflets(window.ops, window.clock, _last_cycle(), out, LeafletFormat.A4, window)
    settle(app)
    seconds = time.perf_counter() - began
    window.close()
    done = {"wards": len(batch.wards), "written": len(batch.written), "refused": len(batch.refused)}
    return {"value": seconds, **done}


TEAM_PASSPHRASE = "benchmark team passphrase"


def _new_vault(folder: Path) -> Any:
    from commmatters_desktop.storage.keystore import KeyringStore
    from commmatters_desktop.storage.vault import Vault
    from tests.benchmarks.forcescale import PASSPHRASE, clock

    return Vault.create(folder, passphrase=PASSPHRASE, keystore=KeyringStore(), clock=clock())


@figure
def import_100(work: Work) -> dict[str, Any]:
    """Another laptop's 100 changes imported here (the import only: no export of this vault's history)."""
    from commmatters_desktop.core.services import wards
    from commmatters_desktop.storage.keystore import KeyringStore
    from commmatters_desktop.storage.vault import Vault
    from commmatters_desktop.sync import engine
    from tests.benchmarks.forcescale import clock

    shared = work.scratch / "shared-import"
    shutil.rmtree(shared, ignore_errors=True)
    shared.mkdir()
    with _new_vault(work.scratch / "other-laptop") as other:
        with other.unit_of_work() as s:
            ward = wards.create_ward(s, code="E05999999", name="Imported Ward")
            ward_id = ward.id
        for n in range(100):
            with other.unit_of_work() as s:
                found = s.get(type(ward), ward_id)
                wards.update_ward(s, ward=found, notes=f"note {n}")
        engine.sync(other, shared, passphrase=TEAM_PASSPHRASE)
    target = work.private_copy("import-target") if work.size != "empty" else work.scratch / "empty"
    if work.size == "empty":
        _new_vault(target).close()
    with Vault.open(target, keystore=KeyringStore(), clock=clock()) as vault:
        team = engine.team_keys(vault, shared, TEAM_PASSPHRASE)
        report = engine.SyncReport()
        began = time.perf_counter()
        engine.import_all(vault, shared, team, report)
        seconds = time.perf_counter() - began
    return {"value": seconds, "received": report.received_files}


@figure
def snapshot(work: Work) -> dict[str, Any]:
    from commmatters_desktop.storage.keystore import KeyringStore
    from commmatters_desktop.storage.vault import Vault
    from commmatters_desktop.sync import engine
    from tests.benchmarks.forcescale import clock

    shared = work.scratch / "shared-snapshot"
    shutil.rmtree(shared, ignore_errors=True)
    shared.mkdir()
    with Vault.open(work.private_copy("snapshot"), keystore=KeyringStore(), clock=clock()) as vault:
        team = engine.team_keys(vault, shared, TEAM_PASSPHRASE)
        began = time.perf_counter()
        path = engine.write_snapshot(vault, shared, team)
        seconds = time.perf_counter() - began
    return {"value": seconds, "bytes": path.stat().st_size}


#: The other laptops of a force whose recent files wait in the folder beside the snapshot (compaction
#: removes the files every laptop has taken in and the snapshot covers), and what each wrote since.
LAPTOPS, FILES_EACH, CHANGES_EACH = 50, 2, 100


@figure
def join(work: Work) -> dict[str, Any]:
    """A new laptop joins a force's folder: the newest snapshot (this vault's whole state, five years for
    the big one), then fifty laptops' files written since it (each laptop's last two syncs, 100 edits a
    file, to ward notes, with the stamps they replace). Compaction keeps no more than that in the folder:
    older files are removed once every laptop has taken them in and a snapshot covers them."""
    from commmatters_desktop.storage.keystore import KeyringStore
    from commmatters_desktop.storage.vault import Vault
    from commmatters_desktop.sync import engine
    from tests.benchmarks.forcescale import clock

    shared = work.scratch / "shared-join"
    shutil.rmtree(shared, ignore_errors=True)
    shared.mkdir()
    with Vault.open(work.private_copy("join-source"), keystore=KeyringStore(), clock=clock()) as vault:
        # The source founds the team and writes its snapshot; its own change files are not written: on a
        # five-year folder every laptop has taken them in and the snapshot covers them, so compaction has
        # removed them (writing five years as one file would only measure this set-up).
        team = engine.team_keys(vault, shared, TEAM_PASSPHRASE)
        engine.write_snapshot(vault, shared, team)
        _other_laptops_files(vault, shared, team)
    files = sum(1 for p in shared.rglob("*") if p.is_file())
    began = time.perf_counter()
    with _new_vault(work.scratch / "joiner") as joiner:
        report = engine.sync(joiner, shared, passphrase=TEAM_PASSPHRASE)
        seconds = time.perf_counter() - began
    return {
        "value": seconds,
        "files": files,
        "received_files": report.received_files,
        "received_changes": report.received_changes,
        "conflicts": report.conflicts,
    }


def _other_laptops_files(vault: Any, shared: Path, team: Any) -> None:
    """Fifty laptops' files written after the snapshot, through the sync's own encoding."""
    from sqlalchemy import select

    from commmatters_desktop.core.hlc import Stamp
    from commmatters_desktop.core.models import FieldClock, Ward
    from commmatters_desktop.sync import files as sync_files

    key_id, key = team.current
    now = vault.clock.now()
    with vault.reading() as s:
        wards = [str(w) for w in s.scalars(select(Ward.id).order_by(Ward.code))]
        bases = dict(
            s.execute(
                select(FieldClock.row_id, FieldClock.stamp).where(
                    FieldClock.entity == "ward", FieldClock.field == "notes"
                )
            ).all()
        )
    wall = int(now.timestamp() * 1000) + 1  # after the snapshot's stamps (the vault's frozen clock)
    for laptop in range(LAPTOPS):
        device = f"force{laptop:03d}"
        for seq in range(1, FILES_EACH + 1):
            edits = []
            for n in range(CHANGES_EACH):
                ward = wards[(laptop * FILES_EACH * CHANGES_EACH + seq * CHANGES_EACH + n) % len(wards)]
                stamp = str(Stamp(wall + laptop * 1000 + seq * 100 + n, 0, device))
                value = json.dumps(f"Ward panel note from {device}, file {seq}, edit {n}.")
                # Each edit made on top of the one before (that laptop had synced): no conflicts.
                edits.append(sync_files.Change("ward", ward, "notes", value, stamp, bases.get(ward, "")))
                bases[ward] = stamp
            data = sync_files.encode(
                sync_files.ChangeFile(
                    device=device,
                    seq=seq,
                    key_id=key_id,
                    created=now.isoformat(timespec="seconds"),
                    log_from=(seq - 1) * CHANGES_EACH,
                    log_to=seq * CHANGES_EACH,
                    changes=edits,
                ),
                team_id=team.team_id,
                key=key,
            )
            sync_files.write_change_file(shared, device, data, seq)


# --- cold start: a process of its own, from nothing to a window that answers ----------------------------------

COLD_START = """
import json, resource, sys, time
began = float(sys.argv[1])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([sys.argv[0]])
if sys.argv[2] == "bare":
    window = QMainWindow()
else:
    from PySide6.QtCore import QSettings
    from commmatters_desktop.storage.keystore import KeyringStore
    from commmatters_desktop.storage.vault import Vault
    from commmatters_desktop.ui.main_window import MainWindow
    from commmatters_desktop.ui.settings import WindowSettings
    from tests.benchmarks.forcescale import clock
    from pathlib import Path
    vault = Vault.open(Path(sys.argv[2]), keystore=KeyringStore(), clock=clock())
    settings = WindowSettings(QSettings(sys.argv[3], QSettings.Format.IniFormat))
    window = MainWindow(vault, clock=clock(), settings=settings, autolock_minutes=600)
window.resize(1366, 768)
window.show()
def ready():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"value": time.time() - began, "peak_mib": peak}))
    app.quit()
QTimer.singleShot(0, ready)
app.exec()
"""


def cold_start(vault_dir: Path | None, scratch: Path) -> dict[str, Any]:
    argv = [
        sys.executable,
        "-c",
        COLD_START,
        repr(time.time()),
        str(vault_dir or "bare"),
        str(scratch / "cold.ini"),
    ]
    done = subprocess.run(
        argv, capture_output=True, text=True, cwd=REPO, env=_env(), timeout=TIMEOUT, check=False
    )
    return _answer(done)


# --- running them --------------------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = env.get("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _answer(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            answer: dict[str, Any] = json.loads(line)
            return answer
    last = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": last[:200]}


def measure(name: str, size: str, folder: Path) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix=f"fig-{name}-{size}-", dir=folder.parent))
    try:
        argv = [sys.executable, "-m", "tests.benchmarks.figures", name, size, str(folder), str(scratch)]
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, cwd=REPO, env=_env(), timeout=TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {TIMEOUT} s"}
        return _answer(done)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def child(argv: list[str]) -> int:
    name, size, folder, scratch = argv
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from tests.benchmarks import filekeyring

    filekeyring.use(Path(folder) / "keyring.json")
    try:
        result = FIGURES[name](Work(size, Path(folder), Path(scratch)))
    except Exception as exc:
        traceback.print_exc()
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    result["peak_mib"] = peak_mib()
    print(json.dumps(result, default=str))
    return 0


# --- the table -----------------------------------------------------------------------------------------------


@dataclass
class Row:
    figure: str
    big: str
    other: str
    ratio: str
    goal: str
    met: str
    note: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def _s(answer: dict[str, Any], unit: str = "s") -> str:
    if "error" in answer:
        return f"error: {answer['error']}"
    value = float(answer["value"])
    shown = f"{value * 1000:.0f} ms" if unit == "ms" else f"{value:.2f} s"
    if answer.get("peak_mib"):
        shown += f" ({answer['peak_mib']:.0f} MiB peak)"
    return shown


def _ratio(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, float | None]:
    if "error" in a or "error" in b or not b.get("value"):
        return "", None
    ratio = float(a["value"]) / float(b["value"])
    return f"{ratio:.2f}x", ratio


def _met(ok: bool | None) -> str:
    return "" if ok is None else ("yes" if ok else "NO")


def _value(answer: dict[str, Any]) -> float | None:
    return None if "error" in answer else float(answer["value"])


def run_table(
    root: Path,
    *,
    json_path: str | None,
    markdown_path: str | None,
    only: str | None,
    sizes: str = "big,small",
    big: str = "big",
) -> int:
    """Measure; the "big" column is the ``big`` size (``wide`` when the five-year vault is not built)."""
    from tests.benchmarks import forcescale

    wanted = set(only.split(",")) if only else None

    def want(name: str) -> bool:
        return wanted is None or name in wanted

    work_root = Path(tempfile.mkdtemp(prefix="forcescale-run-", dir=root))
    rows: list[Row] = []
    try:
        copies: dict[str, Path] = {}
        for size in sizes.split(","):
            built_as = big if size == "big" else size
            cached = forcescale.ensure(
                built_as, root, progress=lambda m: print(m, file=sys.stderr, flush=True)
            )
            copy = work_root / size
            copy.mkdir()
            shutil.copy2(cached.keyring, copy / "keyring.json")
            forcescale.open_copy(cached, copy / "vault").close()  # first open (backups, migrations) not timed
            copies[size] = copy
        report = {s: forcescale.Cached(root / (big if s == "big" else s)).report() for s in ("big", "small")}

        def measure_on(name: str, size: str) -> dict[str, Any]:
            base = "small" if size == "empty" else size
            if base not in copies:
                return {"error": f"the {base} vault was not measured this run"}
            return measure(name, size, copies[base])

        def pair(name: str, unit: str, goal: str, check: Callable[[float, float], bool] | None) -> None:
            if not want(name):
                return
            big, small = (measure_on(name, size) for size in ("big", "small"))
            shown, _ratio_value = _ratio(big, small)
            b, s = _value(big), _value(small)
            ok = check(b, s) if check and b is not None and s is not None else None
            rows.append(
                Row(
                    name,
                    _s(big, unit),
                    _s(small, unit),
                    shown,
                    goal,
                    _met(ok),
                    raw={"big": big, "small": small},
                )
            )
            print(f"{name}: {rows[-1].big} / {rows[-1].other}", file=sys.stderr, flush=True)

        built = {
            size: {"value": r.seconds, **asdict(r)} if r else {"error": "not built"}
            for size, r in report.items()
        }
        if want("build"):
            shown, ratio = _ratio(built["big"], built["small"])
            big_s = _value(built["big"])
            rows.append(
                Row(
                    "build",
                    _s(built["big"]),
                    _s(built["small"]),
                    shown,
                    "big <= 300 s",
                    _met(None if big_s is None else big_s <= 300),
                    "; ".join(
                        f"{size}: " + ", ".join(f"{v:,} {k}" for k, v in r.counts.items())
                        for size, r in report.items()
                        if r
                    ),
                    raw=built,
                )
            )
        if want("cold_start"):
            scratch = work_root / "cold"
            scratch.mkdir(exist_ok=True)
            env_keyring = os.environ.get("CMD_BENCH_KEYRING")
            answers = {}
            for size in ("big", "small"):
                if size not in copies:
                    answers[size] = {"error": f"the {size} vault was not measured this run"}
                    continue
                os.environ["CMD_BENCH_KEYRING"] = str(copies[size] / "keyring.json")
                answers[size] = cold_start(copies[size] / "vault", scratch)
            if env_keyring:
                os.environ["CMD_BENCH_KEYRING"] = env_keyring
            answers["bare"] = cold_start(None, scratch)
            big, small, bare = answers["big"], answers["small"], answers["bare"]
            b, s, q = _value(big), _value(small), _value(bare)
            ok = None if None in (b, s, q) else (b <= 2 * s and b <= q + 1.5)  # type: ignore[operator]
            rows.append(
                Row(
                    "cold_start",
                    _s(big),
                    _s(small) + f"; bare {_s(bare)}",
                    _ratio(big, small)[0] + f" small; {_ratio(big, bare)[0]} bare",
                    "big <= 2x small and <= bare + 1.5 s",
                    _met(ok),
                    raw=answers,
                )
            )
        pair("vault_open", "s", "big <= 2 s", lambda b, s: b <= 2)
        pair("sara_edit", "ms", "big <= 100 ms", lambda b, s: b <= 0.1)
        pair("undo_redo", "ms", "big <= 100 ms (slower of undo, redo)", lambda b, s: b <= 0.1)
        pair("switch_views", "ms", "big <= 100 ms (slowest tab)", lambda b, s: b <= 0.1)
        pair("board_all_cycles", "ms", "big <= 300 ms", lambda b, s: b <= 0.3)
        pair("leaflet", "ms", "scan linear: big scan <= 2x small scan", None)
        if rows and rows[-1].figure == "leaflet":
            big, small = rows[-1].raw["big"], rows[-1].raw["small"]
            if "scan" in big and "scan" in small:
                ok = big["scan"] <= 2 * max(small["scan"], 0.001)
                rows[-1].met = _met(ok)
                rows[-1].note = "; ".join(
                    f"{size}: scan {r['scan'] * 1000:.1f} ms ({r.get('chars', '?')} characters); "
                    f"{r['names']} name forms read in {r.get('read', 0) * 1000:.1f} ms, automaton built in "
                    f"{r.get('build', 0) * 1000:.1f} ms, reused by a later unit in {r.get('reuse', 0) * 1000:.1f} ms"
                    for size, r in (("big", big), ("small", small))
                )
        if want("leaflets_all"):
            big = measure_on("leaflets_all", "big")
            rows.append(
                Row(
                    "leaflets_all",
                    _s(big),
                    "",
                    "",
                    "big <= 120 s",
                    _met(None if "error" in big else big["value"] <= 120),
                    ""
                    if "error" in big
                    else f"{big['written']} written, {big['refused']} refused of {big['wards']}",
                    raw={"big": big},
                )
            )
        if want("import_100"):
            big = measure_on("import_100", "big")
            empty = measure_on("import_100", "empty")
            shown, ratio = _ratio(big, empty)
            rows.append(
                Row(
                    "import_100",
                    _s(big, "ms"),
                    "empty " + _s(empty, "ms"),
                    shown,
                    "big <= 2x empty",
                    _met(None if ratio is None else ratio <= 2),
                    raw={"big": big, "empty": empty},
                )
            )
        pair("snapshot", "s", "report (bounded memory)", None)
        if want("join"):
            big, small = measure_on("join", "big"), measure_on("join", "small")
            shown, _ratio_value = _ratio(big, small)
            rows.append(
                Row(
                    "join",
                    _s(big),
                    _s(small),
                    shown,
                    "big <= 60 s",
                    _met(None if "error" in big else big["value"] <= 60),
                    f"the newest snapshot plus {LAPTOPS} laptops' {LAPTOPS * FILES_EACH} files since; received "
                    f"{big.get('received_changes', '?')} changes, {big.get('conflicts', '?')} conflicts",
                    raw={"big": big, "small": small},
                )
            )
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    print(markdown(rows))
    if json_path:
        Path(json_path).write_text(json.dumps(_document(rows), indent=1, default=str), encoding="utf-8")
    if markdown_path:
        Path(markdown_path).write_text(markdown(rows) + "\n", encoding="utf-8")
    return 0


def _document(rows: list[Row]) -> dict[str, Any]:
    return {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "figures": [asdict(row) for row in rows],
    }


def markdown(rows: list[Row]) -> str:
    lines = [
        "| figure | big | small or baseline | ratio | goal | met? | note |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.figure} | {r.big} | {r.other} | {r.ratio} | {r.goal} | {r.met} | {r.note} |" for r in rows
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(child(sys.argv[1:]))
