"""Retake the README's screenshots: the demo force in a real window, each view, the projector, the lock.

Run under a display (on a server: ``xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python
docs/make_screenshots.py``). It builds a throwaway demo vault in a temporary folder, so nothing of the
user's is touched; the clock is frozen so the pictures match the README's text.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"
SANDBOX = Path(tempfile.mkdtemp(prefix="commmatters-shots-"))
for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[var] = str(SANDBOX / var.lower())

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from commmatters_desktop.core.clock import FixedClock  # noqa: E402
from commmatters_desktop.core.enums import PriorityStatus  # noqa: E402
from commmatters_desktop.demo import open_demo  # noqa: E402
from commmatters_desktop.ui.main_window import MainWindow  # noqa: E402
from commmatters_desktop.ui.settings import WindowSettings  # noqa: E402


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def shot(app: QApplication, widget: QWidget, name: str) -> None:
    settle(app)
    widget.grab().save(str(OUT / f"{name}.png"))
    print("wrote", OUT / f"{name}.png")


def key(widget: QWidget, code: Qt.Key, times: int = 1) -> None:
    for _ in range(times):
        for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier))


def main() -> int:
    try:
        return shoot()
    finally:
        shutil.rmtree(SANDBOX, ignore_errors=True)  # the demo vault and settings made for the shots


def shoot() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    clock = FixedClock(dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC))
    vault = open_demo(SANDBOX / "demo", clock=clock)
    settings = WindowSettings(QSettings(str(SANDBOX / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(vault, clock=clock, settings=settings, autolock_minutes=5, sync_on_open=False)
    window.sync_on_close = False
    window.resize(1366, 768)
    window.show()
    settle(app)
    window.ward_view.table.selectRow(0)
    shot(app, window, "ward-view")
    window.actions_.show_board.trigger()
    shot(app, window, "priority-board")
    card = next(c for c in window.board.model.cards() if c.status is PriorityStatus.IN_ACTION)
    window.open_plan(card.id)
    window.plan.tabs.setCurrentIndex(1)
    shot(app, window, "sara-plan-analysis")
    window.plan.tabs.setCurrentIndex(2)
    shot(app, window, "sara-plan-response")
    for index in range(window.tabs.count()):
        widget = window.tabs.widget(index)
        name = {"calendarView": "calendar", "partnerActionsView": "partners-actions",
                "forceOverviewView": "force-overview"}.get(widget.objectName())  # fmt: skip
        if name:
            window.tabs.setCurrentIndex(index)
            if name == "calendar":
                window.calendar.cycle.setCurrentText("2026-Q4")
            shot(app, window, name)
    nominated = next(c for c in window.board.model.cards() if c.status is PriorityStatus.NOMINATED)
    window.show_on_board(nominated.id)  # a ward still choosing this quarter: its meeting has nominations
    prep = window.wards.open_meeting()
    assert prep is not None
    prep.resize(1280, 720)
    shot(app, prep, "meeting-preparation")
    view = prep.start_meeting()
    assert view is not None
    view.showNormal()
    view.setGeometry(0, 0, 1920, 1080)
    key(view, Qt.Key.Key_Right, 2)
    shot(app, view, "meeting-mode-nominations")
    key(view, Qt.Key.Key_Right)
    shot(app, view, "meeting-mode-vote")
    key(view, Qt.Key.Key_Right)
    shot(app, view, "meeting-mode-decision")
    view.close()
    prep.close()
    window.safekeeping.lock()
    shot(app, window, "lock-screen")
    window.close()
    vault.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
