"""Starting the window loads only what its first screen needs (issue 15: cold start).

Leaflets (reportlab, Qt's PDF viewer), reading PDFs (pypdf), schema upgrades (Alembic) and the crime
charts (Qt Charts) cost more than half a second to import between them; they load when first used.
Checked in a fresh process, as the window starts for a user: on the demo vault, the window built and
shown.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from commmatters_desktop.core.clock import FixedClock

REPO = Path(__file__).resolve().parents[2]
LATER = ("reportlab", "pypdf", "alembic", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtCharts")

SCRIPT = """
import datetime as dt, json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.demo import open_demo
from commmatters_desktop.ui.main_window import MainWindow
app = QApplication([])
vault = open_demo(Path(sys.argv[1]), clock=FixedClock.on(dt.date.fromisoformat(sys.argv[2])))
window = MainWindow(vault, clock=FixedClock.on(dt.date.fromisoformat(sys.argv[2])), sync_on_open=False)
window.show()
app.processEvents()
loaded = sorted({name for name in sys.modules for later in json.loads(sys.argv[3])
                 if name == later or name.startswith(later + ".")})
window.close()
vault.close()
print(json.dumps(loaded))
"""


def test_the_window_starts_without_leaflets_pdfs_or_migrations_loaded(
    demo_dir: Path, clock: FixedClock, tmp_path: Path
) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path))
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(demo_dir), clock.today().isoformat(), json.dumps(LATER)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [], f"loaded at start: {loaded}"
